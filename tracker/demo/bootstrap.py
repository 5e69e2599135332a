"""First run: open the database, store the default category profiles, and give a new database the small demo tier."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tracker.access.auth import demo_accounts, ensure_demo_accounts
from tracker.engine.parameters import set_setting
from tracker.ingest.pipeline import ingest_file
from tracker.store.config import resolve_db_path
from tracker.store.db import Database
from tracker.store.profiles import ensure_default_profiles

LARGE_DEMO_MAX_ROWS = 100_000_000


def has_demo_data(db: Database) -> bool:
    """Whether the demo tier is loaded (its uploads are by the `demo` actor) and its accounts exist."""
    loaded = db.scalar("SELECT count(*) FROM uploads WHERE uploaded_by = 'demo'", name="demo uploads")
    names = [a[0] for a in demo_accounts()]
    accounts = db.scalar(
        "SELECT count(*) FROM users WHERE list_contains(?, username) AND NOT disabled", [names], name="demo accounts"
    )
    return bool(loaded) and accounts == len(names)


def is_empty(db: Database) -> bool:
    return not db.scalar("SELECT count(*) FROM uploads", name="count uploads")


def load_demo(db: Database, scale: str = "small", *, seed: int = 7, lang: str = "en", log=None) -> None:
    """Generate a demo tier and ingest it, as the `demo` actor, and create the demo accounts (one per role)."""
    from tracker.demo.tiers import generate  # deferred: the generator's imports (~0.1 s) only on a first run

    say = log or (lambda text: print(text, file=sys.stderr, flush=True))
    with tempfile.TemporaryDirectory(prefix="tracker-demo-") as tmp:
        files = generate(Path(tmp), scale=scale, seed=seed, progress=say)
        if scale == "large":  # 92 M usage rows in one file: above the default upload limit, on purpose
            set_setting(db, "max_upload_rows", str(LARGE_DEMO_MAX_ROWS), "demo")
            say(f"max_upload_rows set to {LARGE_DEMO_MAX_ROWS:,} for the large demo tier")
        for kind, path in (("procurement", files.procurement), ("assets", files.assets), ("usage", files.usage)):
            report = ingest_file(db, kind, path, actor="demo")
            say(report.summary(lang))
            if not report.committed:
                raise RuntimeError("demo data was rejected: " + "; ".join(e.text() for e in report.errors[:5]))
    ensure_demo_accounts(db)


def open_with_demo(path: str | Path | None = None) -> Database:
    """Open the database; a brand-new file gets the small demo tier so that a newcomer sees real numbers."""
    db_path = resolve_db_path(path)
    new_file = not db_path.exists()
    db = Database.open(db_path)
    ensure_default_profiles(db)
    if new_file and is_empty(db):
        load_demo(db)
    return db
