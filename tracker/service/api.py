"""The push API: agencies' systems send files, auditors read findings, over HTTP in the dashboard's process.

One process owns the DuckDB file, so the API is served beside the dashboard (st.App routes) and
works on the same connection. Every call with a token is audited (`api_call`, or `api_refused`
with the reason); nothing is stored by a refused call. An upload goes through the same core as
the upload page (tracker.ingest.uploads.commit_upload): the same validation, all-or-nothing
unless `partial=true`, agency scope from the token. Uploads are stored one at a time (the
database has one writer): a second push waits for the first, and is refused with 503 after
PUSH_WAIT_SECONDS. The body is read in chunks and the read stops at the size limit (413).
Docs: docs/service.md; description: /api/v1/openapi.json (tracker.service.openapi).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import tracker
from tracker.access import roles, tokens
from tracker.casework.reports import flags_report
from tracker.demo.process import process_database
from tracker.domain.calendar import MAX_WINDOW_DAYS, MIN_WINDOW_DAYS
from tracker.ingest.contracts import KINDS
from tracker.ingest.upload_json import report_json, stored_report
from tracker.ingest.uploads import DATE_ORDERS, commit_upload, max_upload_bytes
from tracker.service.openapi import openapi_document
from tracker.store import audit
from tracker.store.config import env
from tracker.store.db import Database
from tracker.text.errors import ScopeError, TrackerError
from tracker.text.i18n import Message, preferred_language, render
from tracker.text.tables import table_to_csv_bytes, table_to_json_bytes

log = logging.getLogger(__name__)

MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers allowed beyond the file's own limit
PUSH_WAIT_SECONDS = 120
DEFAULT_RATE_PER_MINUTE = 60
_PUSH_LOCK = threading.Lock()  # one upload stored at a time: never two interleaved


class Refusal(Exception):
    """A call refused with an HTTP status and a translated message; `reason` is what the audit log records."""

    def __init__(self, status: int, message: Message, reason: str, headers: dict | None = None) -> None:
        super().__init__(reason)
        self.status, self.message, self.reason, self.headers = status, message, reason, headers or {}


class _TooLarge(Exception):
    pass


# -- rate limit ----------------------------------------------------------------------------------
class RateLimiter:
    """At most `per_minute` calls per token in any 60 seconds (in this process)."""

    def __init__(self) -> None:
        self._calls: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def per_minute() -> int:
        configured = env("TRACKER_API_RATE") or ""
        return int(configured) if configured.isdigit() and int(configured) > 0 else DEFAULT_RATE_PER_MINUTE

    def wait_needed(self, token_id: int, now: float | None = None) -> int:
        """0 and the call counted, or the seconds until this token may call again."""
        now = time.monotonic() if now is None else now
        limit = self.per_minute()
        with self._lock:
            calls = self._calls.setdefault(token_id, deque())
            while calls and now - calls[0] >= 60:
                calls.popleft()
            if len(calls) >= limit:
                return max(1, int(60 - (now - calls[0])) + 1)
            calls.append(now)
            return 0


LIMITER = RateLimiter()


# -- the common frame of every call --------------------------------------------------------------
def language(request: Request) -> str:
    return preferred_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


Handler = Callable[[Request, Database, roles.User, str], Awaitable[tuple[Response, dict]]]


def endpoint(action: str | None) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """A call that needs a token (whose role must allow `action`), rate-limited and audited, never a traceback."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def call(request: Request) -> Response:
            lang = language(request)
            db = process_database().cursor()
            what = f"{request.method} {request.url.path}"
            actor, token_id = "anonymous", None
            try:
                checked = await run_in_threadpool(tokens.check_token, db, _bearer(request))
                token_id = checked.token_id
                if checked.user is None:
                    key = "service.api.token_missing" if checked.reason == "missing" else "service.api.token_refused"
                    raise Refusal(401, Message(key), checked.reason or "refused", {"WWW-Authenticate": "Bearer"})
                user = checked.user
                actor = user.username
                wait = LIMITER.wait_needed(checked.token_id)
                if wait:
                    message = Message("service.api.rate_limited", {"limit": LIMITER.per_minute(), "seconds": wait})
                    raise Refusal(429, message, "rate_limited", {"Retry-After": str(wait)})
                if action is not None and not roles.can(user, action):
                    message = Message("service.api.role_refused", {"role": roles.role_name(user.role), "endpoint": what})
                    raise Refusal(403, message, "role")
                response, details = await handler(request, db, user, lang)
                await run_in_threadpool(_audit, db, actor, "api_call", what, {"status": response.status_code, **details})
                return response
            except Refusal as refusal:
                details = {"status": refusal.status, "reason": refusal.reason, "token_id": token_id}
                await run_in_threadpool(_audit, db, actor, "api_refused", what, details)
                body = {"error": render(refusal.message, lang), "reason": refusal.reason}
                return JSONResponse(body, status_code=refusal.status, headers=refusal.headers)
            except Exception as exc:  # never a traceback to the caller: a reference to the server's log
                reference = secrets.token_hex(4)
                log.exception("API call %s failed (reference %s)", what, reference)
                try:
                    await run_in_threadpool(_audit, db, actor, "api_refused", what, {"status": 500, "reason": type(exc).__name__})
                except Exception:
                    log.exception("could not audit the failed call %s", reference)
                text = render(Message("service.api.failed", {"reference": reference}), lang)
                return JSONResponse({"error": text, "reason": "failed", "reference": reference}, status_code=500)
            finally:
                db.close()

        return call

    return wrap


def _audit(db: Database, actor: str, action: str, target: str, details: dict) -> None:
    with audit.transaction(db):
        audit.record(db, actor, action, target, {k: v for k, v in details.items() if v is not None})


# -- uploads -------------------------------------------------------------------------------------
async def _counted(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The body as it arrives, stopping (not reading on) once it passes `limit` bytes."""
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit:
            raise _TooLarge
        yield chunk


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


@endpoint("upload")
async def push(request: Request, db: Database, user: roles.User, lang: str) -> tuple[Response, dict]:
    kind = request.path_params["kind"]
    if kind not in KINDS:
        raise Refusal(404, Message("service.api.unknown_kind", {"kind": kind, "kinds": ", ".join(KINDS)}), "unknown_kind")
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise Refusal(415, Message("service.api.not_multipart"), "not_multipart")
    date_order = request.query_params.get("date_order") or None
    if date_order is not None and date_order not in DATE_ORDERS:
        reason = ", ".join(DATE_ORDERS)
        raise Refusal(
            400, Message("service.api.bad_parameter", {"name": "date_order", "value": date_order, "reason": reason}), "parameter"
        )
    limit = await run_in_threadpool(max_upload_bytes, db)
    too_large = Refusal(413, Message("service.api.too_large", {"limit_mb": f"{limit / 1e6:,.0f}"}), "too_large")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
        raise too_large  # refused from its declared length: not a byte of the body is read
    try:
        form = await MultiPartParser(
            request.headers, _counted(request, limit + MULTIPART_OVERHEAD), max_files=1, max_fields=10
        ).parse()
    except _TooLarge:
        raise too_large from None
    except MultiPartException as exc:
        raise Refusal(400, Message("service.api.malformed_multipart", {"reason": str(exc)}), "malformed_multipart") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Refusal(400, Message("service.api.no_file"), "no_file")
        partial = _flag(request.query_params.get("partial")) or _flag(str(form.get("partial") or ""))
        agency = request.query_params.get("agency") or None
        report = await run_in_threadpool(_store, db, upload, kind, user, agency, partial, date_order)
    finally:
        await form.close()
    if isinstance(report, TrackerError):  # the file refused as a whole: nothing stored
        refused = Refusal(403 if isinstance(report, ScopeError) else 422, report.message, type(report).__name__)
        raise refused
    body = report_json(report, lang)
    status = 201 if report.status in ("committed", "partial") else 200 if report.status == "unchanged" else 422
    details = {
        "upload_id": report.upload_id,
        "outcome": report.status,
        "file_name": report.file_name,
        "rows_read": report.rows_read,
    }
    return JSONResponse(body, status_code=status), details


def _store(db, upload: UploadFile, kind: str, user: roles.User, agency: str | None, partial: bool, date_order: str | None):
    """Validate and store under the push lock; a whole-file refusal is returned, not raised."""
    if not _PUSH_LOCK.acquire(timeout=PUSH_WAIT_SECONDS):
        raise Refusal(503, Message("service.api.busy"), "busy", {"Retry-After": "60"})
    try:
        upload.file.seek(0)
        return commit_upload(
            db,
            upload.file,
            upload.filename,
            kind,
            size_bytes=upload.size or 0,
            actor=user,
            agency=agency,
            partial=partial,
            date_order=date_order,
        )
    except TrackerError as error:
        return error
    finally:
        _PUSH_LOCK.release()


@endpoint(None)
async def upload_report(request: Request, db: Database, user: roles.User, lang: str) -> tuple[Response, dict]:
    raw = request.path_params["upload_id"]
    if not raw.isdigit() or int(raw) > 2**31 - 1:
        raise Refusal(404, Message("service.api.upload_not_found", {"upload_id": raw}), "not_found")
    found = await run_in_threadpool(stored_report, db, int(raw), lang, agency=roles.agency_scope(user))
    if found is None:
        raise Refusal(404, Message("service.api.upload_not_found", {"upload_id": int(raw)}), "not_found")
    return JSONResponse(found), {"upload_id": int(raw)}


# -- findings ------------------------------------------------------------------------------------
@endpoint("export")
async def findings(request: Request, db: Database, user: roles.User, lang: str) -> tuple[Response, dict]:
    query = request.query_params
    wanted = query.get("format") or ("json" if "application/json" in request.headers.get("accept", "") else "csv")
    if wanted not in ("csv", "json"):
        raise Refusal(
            400, Message("service.api.bad_parameter", {"name": "format", "value": wanted, "reason": "csv, json"}), "parameter"
        )
    as_of, window_days = None, None
    try:
        as_of = date.fromisoformat(query["as_of"]) if query.get("as_of") else None
    except ValueError:
        raise Refusal(
            400,
            Message("service.api.bad_parameter", {"name": "as_of", "value": query["as_of"], "reason": "YYYY-MM-DD"}),
            "parameter",
        ) from None
    raw_window = query.get("window_days")
    if raw_window is not None:
        if not (raw_window.isascii() and raw_window.isdigit()) or not MIN_WINDOW_DAYS <= int(raw_window) <= MAX_WINDOW_DAYS:
            bounds = f"{MIN_WINDOW_DAYS}-{MAX_WINDOW_DAYS}"  # the same bounds as the dashboard and the command line
            raise Refusal(
                400,
                Message("service.api.bad_parameter", {"name": "window_days", "value": raw_window, "reason": bounds}),
                "parameter",
            )
        window_days = int(raw_window)
    options = {"as_of": as_of, "rules": query.getlist("rule") or None, "agency": query.get("agency") or None}
    if window_days is not None:
        options["window_days"] = window_days
    try:
        table = await run_in_threadpool(lambda: flags_report(db, **options))
    except TrackerError as error:
        raise Refusal(400, error.message, type(error).__name__) from None
    details = {"rows": table.num_rows, "format": wanted, "agency": options["agency"], "rules": options["rules"]}
    if wanted == "json":
        return Response(table_to_json_bytes(table), media_type="application/json"), details
    return Response(table_to_csv_bytes(table), media_type="text/csv; charset=utf-8"), details


# -- open ----------------------------------------------------------------------------------------
async def health(request: Request) -> Response:
    """Whether the service answers and its database opens (no token, not audited, nothing private)."""

    def check() -> dict:
        db = process_database().cursor()
        try:
            return {"status": "ok", "version": tracker.__version__, "schema_version": db.schema_version()}
        finally:
            db.close()

    try:
        return JSONResponse(await run_in_threadpool(check))
    except Exception:
        log.exception("health check failed")
        return JSONResponse({"status": "unavailable", "version": tracker.__version__}, status_code=503)


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


ROUTES = [
    Route("/api/health", health, methods=["GET"]),
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
    Route("/api/v1/uploads/{kind}", push, methods=["POST"]),
    Route("/api/v1/uploads/{upload_id}", upload_report, methods=["GET"]),
    Route("/api/v1/findings", findings, methods=["GET"]),
]
