"""`tracker tokens create | list | revoke`: the API tokens agencies' systems push with (tracker.access.tokens).

Administering tokens is the `users` action: $TRACKER_USER, when it names an account, must be an
administrator. A new token is printed once, on standard output (the message on standard error).
"""

from __future__ import annotations

import argparse

import pyarrow as pa

from tracker.access import tokens
from tracker.cli.common import EXIT_OK, EXIT_REJECTED, acting_as, emit, err
from tracker.store.db import Database
from tracker.text.errors import AuthError
from tracker.text.i18n import Message, render
from tracker.text.tables import table_to_csv_bytes


def add_parser(sub, roles: tuple[str, ...]) -> None:
    parser = sub.add_parser("tokens", help="API tokens for agencies' systems and auditors (shown once, stored hashed)")
    tokens_sub = parser.add_subparsers(dest="tokens_command", required=True)
    create = tokens_sub.add_parser("create", help="create a token and print it (the only time it is shown)")
    create.add_argument("name", help="what the token is for, e.g. a001-nightly")
    create.add_argument("--role", choices=roles, required=True)
    create.add_argument("--agency", metavar="CODE", help="the one agency of an agency token (required for --role agency)")
    tokens_sub.add_parser("list", help="every token as CSV (never the secret)")
    revoke = tokens_sub.add_parser("revoke", help="refuse a token from its next call on")
    revoke.add_argument("name")


def cmd_tokens(args: argparse.Namespace, lang: str) -> int:
    try:
        with Database.open(args.db) as db:
            actor = acting_as(db, "users", f"tokens {args.tokens_command}")
            if args.tokens_command == "list":
                rows = tokens.list_tokens(db)
                emit(table_to_csv_bytes(pa.table({c: [r[c] for r in rows] for c in tokens.COLUMNS}), bom=False), None)
            elif args.tokens_command == "create":
                created = tokens.create_token(db, args.name, args.role, agency=args.agency, actor=actor)
                err(render(Message("service.token_created", {"name": created.name}), lang))
                emit((created.secret + "\n").encode("utf-8"), None)
            else:
                tokens.revoke_token(db, args.name, actor=actor)
                err(render(Message("service.token_revoked", {"name": args.name.strip().lower()}), lang))
    except AuthError as exc:
        err(exc.text(lang))
        return EXIT_REJECTED
    return EXIT_OK
