"""`transfers list | create | accept | refuse | approve | slip`: transfers between agencies (docs/transfers.md).

Who acts: the account $TRACKER_USER names, with its role and agency (an agency account accepts for
its own agency only, a finance account approves); without $TRACKER_USER, whoever can open the
database file acts as its owner, an administrator (`cli:<operating-system user>`). A disabled
account is refused. A refused step exits 1 with the reason in the reader's language.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pyarrow as pa

from tracker.access import auth
from tracker.access.auth import User
from tracker.casework import transfers as tr
from tracker.casework.transfer_slip import transfer_slip
from tracker.cli.common import EXIT_OK, EXIT_REJECTED, emit, err, os_user, parse_date
from tracker.store import audit
from tracker.store.config import env
from tracker.store.db import Database
from tracker.text.errors import ScopeError
from tracker.text.i18n import Message, render
from tracker.text.tables import table_to_csv_bytes


def add_transfer_commands(sub) -> None:
    """The `transfers` command and its subcommands, on the parser's subparsers."""
    transfers = sub.add_parser("transfers", help="transfers of devices between agencies (调拨)")
    tsub = transfers.add_subparsers(dest="transfers_command", required=True)
    listing = tsub.add_parser("list", help="the transfers you may see, as CSV, newest first")
    listing.add_argument("--state", choices=("proposed", "accepted", "approved", "refused"))
    create = tsub.add_parser("create", help="propose moving devices from one agency to another")
    create.add_argument("asset_ids", nargs="+", metavar="ASSET_ID")
    create.add_argument("--from", dest="from_agency", required=True, metavar="AGENCY", help="the giving agency")
    create.add_argument("--to", dest="to_agency", required=True, metavar="AGENCY", help="the receiving agency")
    create.add_argument("--effective", type=parse_date, required=True, metavar="DATE", help="from when the devices move")
    create.add_argument("--request", dest="request_id", metavar="ID", help="the planned purchase it meets")
    create.add_argument("--proposal", dest="proposal_ref", metavar="REF", help="the reallocation proposal it came from")
    create.add_argument("--note")
    accept = tsub.add_parser("accept", help="accept a transfer for your agency (an administrator names --side)")
    accept.add_argument("transfer_id", type=int)
    accept.add_argument("--side", choices=("giving", "receiving"))
    refuse = tsub.add_parser("refuse", help="refuse an open transfer, with a reason")
    refuse.add_argument("transfer_id", type=int)
    refuse.add_argument("--reason", required=True)
    approve = tsub.add_parser("approve", help="approve an accepted transfer (finance officer or administrator)")
    approve.add_argument("transfer_id", type=int)
    slip = tsub.add_parser("slip", help="write the transfer slip (XLSX, in the language of --lang)")
    slip.add_argument("transfer_id", type=int)
    slip.add_argument("-o", "--output", type=Path, metavar="OUT.xlsx", help="write the slip here (default: standard output)")


def cmd_transfers(args: argparse.Namespace, lang: str) -> int:
    try:
        with Database.open(args.db) as db:
            user = command_line_user(db)
            command = args.transfers_command
            if command == "list":
                rows = tr.list_transfers(db, user, state=args.state)
                columns = (*tr.TRANSFER_COLUMNS, "devices", "book_value")
                emit(table_to_csv_bytes(pa.table({c: [r[c] for r in rows] for c in columns}), bom=False), None)
                return EXIT_OK
            if command == "create":
                tid = tr.create_transfer(
                    db,
                    user,
                    args.asset_ids,
                    args.from_agency,
                    args.to_agency,
                    args.effective,
                    request_id=args.request_id,
                    proposal_ref=args.proposal_ref,
                    note=args.note,
                )
                t = tr.get_transfer(db, user, tid)
                say = {"transfer_id": tid, "count": len(t.assets), "effective_date": t.header["effective_date"].isoformat()}
                err(
                    render(
                        Message(
                            "transfer.created",
                            {**say, "from_agency": t.header["from_agency"], "to_agency": t.header["to_agency"]},
                        ),
                        lang,
                    )
                )
                emit(f"{tid}\n".encode(), None)
                return EXIT_OK
            if command == "accept":
                t = tr.accept(db, user, args.transfer_id, args.side)
                agency = (
                    t.steps[-1]["agency_code"]
                    or t.header["from_agency" if t.steps[-1]["step"].startswith("giving") else "to_agency"]
                )
                err(render(Message("transfer.accepted", {"transfer_id": args.transfer_id, "agency": agency}), lang))
                return EXIT_OK
            if command == "refuse":
                tr.refuse(db, user, args.transfer_id, args.reason)
                err(render(Message("transfer.refused", {"transfer_id": args.transfer_id}), lang))
                return EXIT_OK
            if command == "approve":
                t = tr.approve(db, user, args.transfer_id)
                say = {"transfer_id": args.transfer_id, "to_agency": t.header["to_agency"]}
                err(render(Message("transfer.approved", {**say, "effective_date": t.header["effective_date"].isoformat()}), lang))
                return EXIT_OK
            emit(transfer_slip(db, user, args.transfer_id, lang), args.output)
            return EXIT_OK
    except ScopeError as exc:
        err(exc.text(lang))
        return EXIT_REJECTED
    except tr.TransferRefused as exc:
        err(exc.text(lang))
        return EXIT_REJECTED


def command_line_user(db: Database) -> User:
    """Who acts: the account $TRACKER_USER names (refused when disabled), else the file's owner as an administrator."""
    claimed = env("TRACKER_USER")
    if not claimed:
        return User(f"cli:{os_user()}", "admin", None, None)
    name = claimed.strip().lower()
    account = next((u for u in auth.list_users(db) if u["username"] == name), None)
    if account is None:
        return User(claimed, "admin", None, None)
    if account["disabled"]:
        audit.record(db, name, "command_refused", "transfers", {"reason": "disabled", "os_user": os_user()})
        raise ScopeError("auth.cli_account_disabled", username=name)
    return User(name, account["role"], account["agency_code"], account["display_name"])
