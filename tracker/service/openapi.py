"""The push API's OpenAPI 3.1 description, served at /api/v1/openapi.json (docs/service.md says the same in words)."""

from __future__ import annotations

import tracker
from tracker.domain.calendar import MAX_WINDOW_DAYS, MIN_WINDOW_DAYS
from tracker.ingest.contracts import KINDS

_ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*codes: int) -> dict:
    words = {
        400: "bad parameter or malformed multipart body",
        401: "no token, or an unknown, mistyped or revoked one",
        403: "the token's role or agency does not allow this",
        404: "no such kind or upload",
        413: "over the upload limit: nothing read past it",
        415: "not multipart/form-data",
        422: "the file or some rows refused: nothing stored",
        429: "too many calls with this token (see Retry-After)",
        503: "another upload was being stored for too long (see Retry-After)",
    }
    return {str(c): {"description": words[c], "content": {"application/json": {"schema": _ERROR}}} for c in codes}


def openapi_document() -> dict:
    language = {
        "name": "lang",
        "in": "query",
        "schema": {"type": "string", "enum": ["en", "zh"]},
        "description": "language of messages and reasons (else Accept-Language, else en)",
    }
    report = {"application/json": {"schema": {"$ref": "#/components/schemas/UploadReport"}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Procurement and IT-asset utilisation tracker: push API",
            "version": tracker.__version__,
            "description": "Agencies' systems push procurement lines, asset registers and usage (files, event logs, "
            "inventory exports) with the same validation as the upload page; auditors read the findings. "
            "Every call with a token is audited.",
        },
        "servers": [{"url": "/"}],
        "security": [{"token": []}],
        "paths": {
            "/api/health": {
                "get": {
                    "summary": "Whether the service answers",
                    "security": [],
                    "responses": {"200": {"description": "up", "content": {"application/json": {"schema": {"type": "object"}}}}},
                }
            },
            "/api/v1/uploads/{kind}": {
                "post": {
                    "summary": "Push one file of a record kind",
                    "description": "All rows or none, unless partial=true (then the good rows are stored and the rejected kept). "
                    "An agency's token uploads for its own agency only. One upload is stored at a time.",
                    "parameters": [
                        {"name": "kind", "in": "path", "required": True, "schema": {"type": "string", "enum": list(KINDS)}},
                        {"name": "partial", "in": "query", "schema": {"type": "boolean", "default": False}},
                        {
                            "name": "agency",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "limit the upload to one agency",
                        },
                        {"name": "date_order", "in": "query", "schema": {"type": "string", "enum": ["dmy", "mdy"]}},
                        language,
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["file"],
                                    "properties": {
                                        "file": {"type": "string", "format": "binary"},
                                        "partial": {"type": "boolean"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": {"description": "stored (committed, or partial)", "content": report},
                        "200": {"description": "the same file was stored before: nothing changed", "content": report},
                        "422": {
                            "description": "rows refused, nothing stored (the report lists them), or the file refused",
                            "content": report,
                        },
                        **_errors(400, 401, 403, 404, 413, 415, 429, 503),
                    },
                }
            },
            "/api/v1/uploads/{upload_id}": {
                "get": {
                    "summary": "What a stored upload did",
                    "parameters": [
                        {"name": "upload_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                        language,
                    ],
                    "responses": {"200": {"description": "the upload's report", "content": report}, **_errors(401, 404, 429)},
                }
            },
            "/api/v1/findings": {
                "get": {
                    "summary": "The findings (tokens of the roles that may export: auditor, finance, admin)",
                    "parameters": [
                        {
                            "name": "format",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["csv", "json"], "default": "csv"},
                        },
                        {"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"}},
                        {
                            "name": "window_days",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": MIN_WINDOW_DAYS, "maximum": MAX_WINDOW_DAYS},
                        },
                        {
                            "name": "rule",
                            "in": "query",
                            "schema": {"type": "array", "items": {"type": "string"}},
                            "explode": True,
                        },
                        {"name": "agency", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "one row per finding",
                            "content": {
                                "text/csv": {"schema": {"type": "string"}},
                                "application/json": {"schema": {"type": "array"}},
                            },
                        },
                        **_errors(400, 401, 403, 429),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "description": "trk_<id>_<secret>, from an administrator"}
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {"error": {"type": "string"}, "reason": {"type": "string"}},
                    "required": ["error", "reason"],
                },
                "Problem": {
                    "type": "object",
                    "properties": {
                        "row": {"type": "integer", "description": "row as numbered in the file"},
                        "column": {"type": "string"},
                        "value": {"type": ["string", "null"]},
                        "reason": {"type": "string"},
                    },
                },
                "UploadReport": {
                    "type": "object",
                    "properties": {
                        "upload_id": {"type": ["integer", "null"]},
                        "status": {"type": "string", "enum": ["committed", "partial", "unchanged", "rejected"]},
                        "stored": {"type": "boolean"},
                        "kind": {"type": "string"},
                        "file_name": {"type": "string"},
                        "sha256": {"type": "string"},
                        "counts": {
                            "type": "object",
                            "properties": {
                                n: {"type": "integer"}
                                for n in ("read", "accepted", "rejected", "inserted", "replaced", "unchanged")
                            },
                        },
                        "rejected_rows": {"type": "array", "items": {"$ref": "#/components/schemas/Problem"}},
                    },
                },
            },
        },
    }
