"""A bad stored setting never stops a page, and the flags are then those of the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BAD_STORED_SETTINGS, sign_in_as, store_settings_by_hand, switch_to
from streamlit.testing.v1 import AppTest

from tracker.access.auth import PAGES
from tracker.engine.rules.run import compute_flags
from tracker.store.db import Database

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_flags_with_bad_stored_values_are_those_of_the_defaults(demo_small, demo_copy):
    clean, _ = demo_small
    expected = compute_flags(clean)
    store_settings_by_hand(demo_copy, BAD_STORED_SETTINGS)
    flags = compute_flags(demo_copy)
    assert flags.num_rows == expected.num_rows > 0
    assert flags.column("flag_id").to_pylist() == expected.column("flag_id").to_pylist()
    assert flags.column("evidence").to_pylist() == expected.column("evidence").to_pylist()


@pytest.fixture
def bad_demo_db(demo_db):
    with Database.open(demo_db) as database:
        store_settings_by_hand(database, BAD_STORED_SETTINGS)
    return demo_db


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_with_bad_stored_values(bad_demo_db, page):
    at = sign_in_as(AppTest.from_file(APP, default_timeout=180), "admin")
    at.run()  # the overview is the default page
    if page != "overview":
        switch_to(at, page).run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = " ".join(w.value for w in at.warning)
    if page == "settings":  # administrators see what is not in force
        assert "not valid" in warnings and "Mars/Base" in warnings and "3,653" in warnings
    else:
        assert "Mars/Base" not in warnings
