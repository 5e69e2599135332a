"""First run: open the database, store the default category profiles, and load the demo tier only where asked.

The demo tier (and its accounts, whose passwords are public) is loaded by `python -m tracker init
--demo`, or on the first run of the default database `data/tracker.duckdb`. A new database at any
other path starts empty and asks for its first administrator. The demo accounts are disabled by the
first real upload or the first account a person creates (tracker.access.auth.retire_demo_accounts).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tracker.access.auth import active_demo_accounts, ensure_demo_accounts
from tracker.engine.parameters import set_setting
from tracker.ingest.pipeline import ingest_file
from tracker.store.config import DEFAULT_DB_PATH, resolve_db_path
from tracker.store.db import Database
from tracker.store.profiles import ensure_default_profiles
from tracker.text.i18n import Message, render

LARGE_DEMO_MAX_ROWS = 100_000_000


def has_demo_data(db: Database) -> bool:
    """Whether the database is still a demo: a demo account still signs in (none does after real use)."""
    return bool(active_demo_accounts(db))


def is_empty(db: Database) -> bool:
    return not db.scalar("SELECT count(*) FROM uploads", name="count uploads")


def load_demo(db: Database, scale: str = "small", *, seed: int = 7, lang: str = "en", log=None) -> None:
    """Generate a demo tier and ingest it, as the `demo` actor, and create the demo accounts (one per role)."""
    from tracker.demo.meters import write_meter_demo
    from tracker.demo.tiers import generate  # deferred: the generator's imports (~0.1 s) only on a first run
    from tracker.demo.transfers import load_demo_transfers

    say = log or (lambda text: print(text, file=sys.stderr, flush=True))
    with tempfile.TemporaryDirectory(prefix="tracker-demo-") as tmp:
        files = generate(Path(tmp), scale=scale, seed=seed, progress=say, lang=lang)
        if scale == "large":  # 92 M usage rows in one file: above the default upload limit, on purpose
            set_setting(db, "max_upload_rows", str(LARGE_DEMO_MAX_ROWS), "demo")
            say(render(Message("cli.demo.large_rows", {"limit": LARGE_DEMO_MAX_ROWS}), lang))
        demo_files = [("procurement", files.procurement), ("assets", files.assets), ("usage", files.usage)]
        for kind, path in [*demo_files, ("requests", files.requests)]:
            report = ingest_file(db, kind, path, actor="demo")
            say(report.summary(lang))
            if not report.committed:
                raise RuntimeError("demo data was rejected: " + "; ".join(e.text() for e in report.errors[:5]))
        meter_assets, meter_readings, _ = write_meter_demo(Path(tmp), files.ground_truth)  # docs/meters.md
        for kind, path in (("assets", meter_assets), ("meters", meter_readings)):
            report = ingest_file(db, kind, path, actor="demo")
            say(report.summary(lang))
            if not report.committed:
                raise RuntimeError("demo data was rejected: " + "; ".join(e.text() for e in report.errors[:5]))
    say(render(Message("cli.demo.transfers", {"transfers": len(load_demo_transfers(db))}), lang))
    ensure_demo_accounts(db)


def demo_on_first_run(path: str | Path | None = None) -> bool:
    """Whether opening `path` loads the demo tier: only the default database, and only while it does not exist yet."""
    db_path = resolve_db_path(path)
    return not db_path.exists() and _same_file(db_path, DEFAULT_DB_PATH)


def open_with_demo(path: str | Path | None = None, *, demo: bool | None = None, log=None, lang: str = "en") -> Database:
    """Open the database (profiles stored); load the small demo tier into an empty one when `demo` is True,
    or, when `demo` is None, on the first run of the default database `data/tracker.duckdb` only."""
    db_path = resolve_db_path(path)
    wanted = demo_on_first_run(db_path) if demo is None else demo
    db = Database.open(db_path)
    ensure_default_profiles(db)
    if wanted and is_empty(db):
        say = log or (lambda text: print(text, file=sys.stderr, flush=True))
        say(render(Message("cli.demo.loading", {"path": str(db_path)}), lang))
        load_demo(db, lang=lang, log=say)
    return db


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
