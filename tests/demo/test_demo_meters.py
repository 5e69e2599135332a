"""The demo's metered printers and projectors: the rules flag exactly their planted cases, by their readings."""

from __future__ import annotations

import json

from tracker.demo.meters import meter_devices, write_meter_demo
from tracker.engine.rules.run import compute_flags
from tracker.store.db import Database


def test_the_metered_demo_devices_are_flagged_exactly_where_planted(demo_db):
    with Database.open(demo_db) as db:
        agency = db.scalar("SELECT DISTINCT agency_code FROM assets WHERE asset_id LIKE '%-M01'")
        _, _, truth = meter_devices(agency)
        flags = compute_flags(db).to_pylist()
        assert db.scalar("SELECT count(DISTINCT asset_id) FROM meter_readings") == 7
    ours = {f["asset_id"] for e in (truth["planted"], truth["clean_controls"]) for f in e}
    flagged = {(f["rule"], f["asset_id"]) for f in flags if f["asset_id"] in ours}
    assert flagged == {(e["rule"], e["asset_id"]) for e in truth["planted"]}
    assert {e["rule"] for e in truth["planted"]} == {"IDLE", "LOW_UTILISATION", "NEVER_USED"}
    idle = next(f for f in flags if f["rule"] == "IDLE" and f["asset_id"] in ours)
    assert "16,400 pages on 2025-08-01, 16,400 on 2025-12-31: no use in 152 days." in idle["evidence"]


def test_the_metered_demo_files_name_devices_by_serial_and_come_out_of_order(tmp_path):
    truth = tmp_path / "ground_truth.json"
    truth.write_text(json.dumps({"agencies": [{"agency_code": "A009", "telemetry": "full"}]}), encoding="utf-8")
    assets, readings, meter_truth = write_meter_demo(tmp_path, truth)
    lines = readings.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "serial_number,read_at,meter,value,source"
    days = [line.split(",")[1] for line in lines[1:]]
    assert days != sorted(days)
    assert "A009-M02" in meter_truth.read_text(encoding="utf-8")
