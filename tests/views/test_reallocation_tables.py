"""The Reallocation page's tables (tracker.views.reallocation_tables): they fit 1,280 px, unknown is "—", money is money."""

from __future__ import annotations

import re
from datetime import date

import pyarrow as pa
import pytest

from tracker.reallocation.matching import COVER_SCHEMA
from tracker.reallocation.pool import POOL_SCHEMA
from tracker.views import reallocation_tables as rt
from tracker.views.tables import KINDS, PLAIN_TABLE_WIDTH_PX, TABLE_WIDTH_PX

CHOSEN_BY_A_CLICK = {"requests", "pool"}  # a row selector takes part of the width

COVER = pa.Table.from_pylist(
    [
        {
            "request_id": "SQ2026-A003-001",
            "agency_code": "A003",
            "category": "desktop",
            "quantity": 9,
            "covered": 8,
            "transferred": 1,
            "needed_by": date(2026, 3, 1),
            "unit_budget": 5200.0,
            "avoidable_amount": 41600.0,
            "book_value": 9000.0,
            "purchase_cost": 40000.0,
            "justification": None,
            "source": "upload",
        },
        {  # no unit budget: what buying could be avoided is unknown, not ¥0
            "request_id": "SQ2026-A001-002",
            "agency_code": "A001",
            "category": "laptop",
            "quantity": 2,
            "covered": 0,
            "transferred": 0,
            "needed_by": None,
            "unit_budget": None,
            "avoidable_amount": None,
            "book_value": None,
            "purchase_cost": None,
            "justification": None,
            "source": "page",
        },
    ],
    schema=COVER_SCHEMA,
)

POOL_ROW = {name: None for name in POOL_SCHEMA.names}
POOL = pa.Table.from_pylist(
    [
        POOL_ROW
        | {
            "asset_id": "A001-00012",
            "agency_code": "A001",
            "agency_name": "Education Bureau",
            "category": "laptop",
            "model": "ThinkPad T14",
            "age_years": 2.25,
            "remaining_life_years": 3.75,
            "book_value": 3100.5,
            "reason": "NEVER_USED",
            "idle_days": 1200,
            "evidence": "Never used: no usage in 365 days *since* delivery.",
            "evidence_zh": "从未使用：交付后 365 天无使用记录。",
        },
        POOL_ROW  # another agency's device as an agency user sees it: no reason, idle days or evidence
        | {
            "asset_id": "A002-[x](y)",
            "agency_code": "A002",
            "agency_name": None,
            "category": "desktop",
            "model": None,
            "age_years": 1.0,
            "remaining_life_years": None,
            "book_value": None,
        },
        POOL_ROW
        | {
            "asset_id": "A001-00013",
            "agency_code": "A001",
            "agency_name": "Education Bureau",
            "category": "printer",
            "reason": "declared_surplus",
            "age_years": 4.0,
        },
    ],
    schema=POOL_SCHEMA,
)

PROPOSALS = [
    {
        "request_id": "SQ2026-A003-001",
        "to_agency": "A003",
        "asset_id": "A001-00169",
        "from_agency": "A001",
        "category": "desktop",
        "model": "OptiPlex 7090",
        "age_years": 1.5,
        "book_value": 2900.0,
        "idle_days": 400,
        "reason": "idle, from another agency",
    },
    {
        "request_id": "SQ2026-A003-001",
        "to_agency": "A003",
        "asset_id": "A002-00007",
        "from_agency": "A002",
        "category": "desktop",
        "model": None,
        "age_years": None,
        "book_value": None,
        "idle_days": None,
        "reason": "in another agency's pool",
    },
]
TRANSFERS = [
    {
        "transfer_id": 12,
        "request_id": "SQ2026-A003-001",
        "from_agency": "A001",
        "to_agency": "A003",
        "asset_ids": ["A001-00169"],
        "effective_date": date(2025, 10, 2),
        "state": "accepted",
        "waiting_for": "approval",
        "reason": None,
    },
    {
        "transfer_id": 13,
        "request_id": "SQ2026-A003-001",
        "from_agency": "A002",
        "to_agency": "A003",
        "asset_ids": ["A002-00001", "A002-00002"],
        "effective_date": date(2025, 10, 2),
        "state": "refused",
        "waiting_for": None,
        "reason": "Still needed",
    },
]


def _views(lang: str) -> dict[str, rt.TableView]:
    return {
        "requests": rt.requests(COVER, lang, "CNY"),
        "proposals": rt.proposals(PROPOSALS, {"A001-00169": TRANSFERS[0]}, lang, "CNY"),
        "pool": rt.pool(POOL, lang, "CNY"),
        "transfers": rt.transfers(TRANSFERS, lang),
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_table_fits_the_page_at_1280_px_with_widths_and_known_kinds(lang):
    for name, view in _views(lang).items():
        assert all(c.width and c.kind in KINDS for c in view.columns), name
        room = TABLE_WIDTH_PX if name in CHOSEN_BY_A_CLICK else PLAIN_TABLE_WIDTH_PX
        assert sum(c.width for c in view.columns) <= room, (name, sum(c.width for c in view.columns))
        assert len(view.rows) == len(view.keys), name
        assert all(set(row) == {c.key for c in view.columns} for row in view.rows), name


def test_money_stays_a_number_and_unknown_stays_unknown():
    views = _views("en")
    requests = views["requests"]
    assert requests.column("avoidable").kind == "money" and requests.column("needed_by").kind == "day"
    assert [r["avoidable"] for r in requests.rows] == [41600.0, None]  # no budget: unknown, never 0
    assert requests.rows[1]["needed_by"] is None
    assert requests.rows[0]["cover"] == "8 of 9 Desktop can come from the pool"
    assert requests.keys == [
        {"request_id": "SQ2026-A003-001", "agency_code": "A003"},
        {"request_id": "SQ2026-A001-002", "agency_code": "A001"},
    ]
    proposals = views["proposals"]
    assert proposals.rows[0]["book_value"] == 2900.0 and proposals.column("book_value").kind == "money"
    assert proposals.rows[0]["transfer"] == "#12 · accepted, awaiting approval"
    unknown = proposals.rows[1]
    assert unknown["transfer"] is None and unknown["age"] is None and unknown["idle_days"] is None
    assert unknown["book_value"] is None and unknown["model"] is None
    pool = views["pool"]
    assert pool.column("age").kind == pool.column("life_left").kind == "years"
    assert pool.rows[0]["why"] == "never used" and pool.rows[0]["idle_days"] == 1200
    other = pool.rows[1]
    assert other["agency"] == "A002" and other["why"] is None and other["idle_days"] is None and other["book_value"] is None
    assert "evidence" not in pool.rows[0]  # the sentence is in the chosen row's detail, not a column
    assert views["transfers"].rows[1]["state"] == "refused: Still needed"
    assert views["transfers"].rows[1]["assets"] == "A002-00001, A002-00002"


def test_a_chosen_pool_device_says_why_it_is_there_in_the_readers_language():
    pool = rt.pool(POOL, "en", "CNY")
    assert rt.pool_detail(pool.keys[0], "en") == (
        "**A001-00012** is in the pool (never used). Never used: no usage in 365 days \\*since\\* delivery."
    )
    assert "从未使用：交付后 365 天无使用记录" in rt.pool_detail(rt.pool(POOL, "zh", "CNY").keys[0], "zh")
    declared = rt.pool_detail(pool.keys[2], "en")
    assert declared == "**A001-00013** is in the pool (declared surplus by its agency); no finding on its usage goes with it."
    # another agency's device: its evidence is that agency's; the id from the data cannot become a link
    other = rt.pool_detail(pool.keys[1], "en")
    assert "not shown to you" in other and "](" not in other and "A002" in other


def test_the_chinese_tables_have_no_english_words_or_raw_codes():
    for name, view in _views("zh").items():
        labels = " ".join(c.label for c in view.columns)
        assert not re.search(r"[A-Za-z]{3,}", labels), (name, labels)
        for row in view.rows:
            for key in ("category", "why", "cover", "transfer"):  # a reason or a refusal is the data's own words
                value = row.get(key)
                if isinstance(value, str):
                    assert not re.search(r"[a-z]{3,}", value), (name, key, value)
    assert not re.search(r"[A-Za-z]{3,}", _views("zh")["transfers"].rows[0]["state"])
