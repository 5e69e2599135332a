"""Demo printers and projectors measured by their counters (docs/meters.md), with planted cases and clean controls.

A handful of devices of one agency that logs printers and projectors: their page counts and lamp
hours are read now and then, as a print server or PJLink would. The planted cases are IDLE (a counter
flat since August), LOW_UTILISATION (1,000 pages in a year) and NEVER_USED (a projector whose lamp
hours have not moved since it entered service); the controls are steady use, a counter reset in the
middle and a device read once (use unknown, never idle). The devices are bought on no purchase line
of the demo, so the purchase-line rules are as the rest of the demo makes them.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from tracker.demo.world import AS_OF

ASSET_HEADERS = ("asset_id", "agency_code", "category", "model", "serial_number", "purchase_cost", "in_service_date")
READING_HEADERS = ("serial_number", "read_at", "meter", "value", "source")


def _months(start: date, count: int) -> list[date]:
    return [date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1) for i in range(count)]


def meter_devices(agency: str) -> tuple[list[dict], list[dict], dict]:
    """(asset rows, reading rows, ground truth) for the metered devices of `agency`."""
    year = _months(date(AS_OF.year, 1, 1), 12)
    devices = [
        # (suffix, category, model, cost, in service, readings [(day, value)], meter, rule or None, what)
        (
            "M01",
            "printer",
            "惠普 LaserJet M507",
            3200,
            date(2023, 3, 1),
            [(d, 20000 + 1500 * i) for i, d in enumerate(year)] + [(AS_OF, 20000 + 1500 * 12)],
            "pages_total",
            None,
            "steady use",
        ),
        (
            "M02",
            "printer",
            "惠普 LaserJet M507",
            3200,
            date(2023, 3, 1),
            [(d, 8000 + 1200 * min(i, 7)) for i, d in enumerate(year)] + [(AS_OF, 8000 + 1200 * 7)],
            "pages_total",
            "IDLE",
            "counter flat since 2025-08-01",
        ),
        (
            "M03",
            "printer",
            "奔图 P3301DN",
            1100,
            date(2023, 3, 1),
            [(date(AS_OF.year, 1, 1), 5000), (date(AS_OF.year, 7, 1), 5500), (AS_OF, 6000)],
            "pages_total",
            "LOW_UTILISATION",
            "1,000 pages in a year against 2,000 a month",
        ),
        (
            "M04",
            "printer",
            "奔图 P3301DN",
            1100,
            date(2023, 3, 1),
            [
                (date(AS_OF.year, 1, 1), 90000),
                (date(AS_OF.year, 5, 1), 96000),
                (date(AS_OF.year, 6, 2), 400),
                (date(AS_OF.year, 9, 1), 6400),
                (AS_OF, 12400),
            ],
            "pages_total",
            None,
            "counter reset on a board swap",
        ),
        (
            "M05",
            "printer",
            "得力 P2500DNW",
            950,
            date(2024, 5, 1),
            [(date(AS_OF.year, 11, 20), 31337)],
            "pages_total",
            None,
            "one reading: use unknown",
        ),
        (
            "M06",
            "projector",
            "爱普生 CB-FH52",
            5200,
            date(2023, 3, 1),
            [(d, 800 + 100 * i) for i, d in enumerate(year)] + [(AS_OF, 800 + 100 * 12)],
            "lamp_hours",
            None,
            "steady use",
        ),
        (
            "M07",
            "projector",
            "爱普生 CB-FH52",
            5200,
            date(AS_OF.year, 6, 1),
            [(date(AS_OF.year, 6, 10), 2), (date(AS_OF.year, 9, 1), 2), (AS_OF, 2)],
            "lamp_hours",
            "NEVER_USED",
            "lamp hours unchanged since it entered service",
        ),
    ]
    assets, readings, planted, controls = [], [], [], []
    for suffix, category, model, cost, in_service, values, meter, rule, what in devices:
        asset_id = f"{agency}-{suffix}"
        serial = f"MTR{agency}{suffix}"
        assets.append(dict(zip(ASSET_HEADERS, (asset_id, agency, category, model, serial, cost, in_service.isoformat()))))
        source = "pjlink" if meter == "lamp_hours" else "snmp"
        for day, value in values:
            readings.append(dict(zip(READING_HEADERS, (serial, f"{day.isoformat()} 09:00", meter, value, source))))
        entry = {"rule": rule, "agency_code": agency, "asset_id": asset_id, "category": category, "note": what}
        (planted if rule else controls).append(entry)
    readings.reverse()  # files need not be in order
    return assets, readings, {"planted": planted, "clean_controls": controls}


def write_meter_demo(out_dir: Path, ground_truth: Path) -> tuple[Path, Path, Path]:
    """Write the metered devices (assets, readings, their ground truth) for the first agency that logs printers."""
    truth = json.loads(ground_truth.read_text(encoding="utf-8"))
    agency = next(a["agency_code"] for a in truth["agencies"] if a["telemetry"] == "full")
    assets, readings, meter_truth = meter_devices(agency)
    paths = (out_dir / "meter_assets.csv", out_dir / "meter_readings.csv", out_dir / "meter_ground_truth.json")
    for path, headers, rows in ((paths[0], ASSET_HEADERS, assets), (paths[1], READING_HEADERS, readings)):
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, headers)
            writer.writeheader()
            writer.writerows(rows)
    paths[2].write_text(json.dumps(meter_truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return paths
