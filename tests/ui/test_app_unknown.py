"""A device of an agency that sends no usage: its use is unknown ("—", 未知) on its page, never 0 h or "never used"."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import sign_in_as, switch_to
from streamlit.testing.v1 import AppTest

from tracker.store.db import Database

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.mark.parametrize(("lang", "unknown", "never"), [("en", "unknown", "never used"), ("zh", "未知", "从未使用")])
def test_a_silent_agencys_device_has_unknown_use(demo_db, lang, unknown, never):
    with Database.open(demo_db) as database:
        asset = database.scalar("SELECT min(asset_id) FROM assets WHERE agency_code = 'A003'")
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), "finance")
    at.query_params["lang"] = lang
    at.run()
    for key, value in {"agency": "A003", "po": "-", "asset": asset}.items():
        at.query_params[key] = value
    switch_to(at, "explore").run()
    assert not at.exception, [e.value for e in at.exception]
    tiles = {m.label: (m.value, m.delta) for m in at.metric}
    assert len(tiles) == 5, tiles
    values = [v for v, _ in tiles.values()]
    assert values.count("—") >= 3, tiles  # utilisation, hours used, days with use, last used
    assert not any(v.startswith("0 ") or v == "0" for v in values), tiles
    assert any(d == unknown for _, d in tiles.values()) and not any(d == never for _, d in tiles.values()), tiles
