"""What an agency user is shown names no other agency and no value only other agencies use."""

from __future__ import annotations

import io

import pytest

from tracker.ingest import uploads
from tracker.views.filters import filter_options
from tracker.views.source import Source


def _other_agencies(db, own: str) -> list[str]:
    return [r[0] for r in db.fetchall("SELECT DISTINCT agency_code FROM assets WHERE agency_code <> ?", [own])]


def _values(db, sql: str, agency: str | None) -> set:
    where = "" if agency is None else " WHERE agency_code = ?"
    return {r[0] for r in db.fetchall(sql + where, [] if agency is None else [agency]) if r[0] is not None}


@pytest.mark.parametrize("agency", ["A001", "A003"])
def test_filter_options_of_an_agency_come_from_its_own_rows(demo_copy, agency):
    db = demo_copy
    everyone = filter_options(Source(db))
    own = filter_options(Source(db), scope_agency=agency)
    own_suppliers = _values(db, "SELECT supplier FROM procurement_lines", agency)
    own_categories = _values(db, "SELECT category FROM assets", agency) | _values(
        db, "SELECT category FROM procurement_lines", agency
    )
    assert list(own.agencies) == [agency]
    assert set(own.suppliers) == own_suppliers
    assert set(own.categories) == own_categories
    assert set(own.fiscal_years) <= set(everyone.fiscal_years)
    assert len(everyone.suppliers) > len(own.suppliers)  # the demo has suppliers this agency never used
    assert set(everyone.suppliers) == _values(db, "SELECT supplier FROM procurement_lines", None)


def test_filter_options_fiscal_years_follow_the_agency(demo_copy):
    db = demo_copy
    db.execute("UPDATE procurement_lines SET order_date = DATE '2009-03-01' WHERE agency_code = 'A002'")
    assert 2009 in filter_options(Source(db)).fiscal_years
    assert 2009 not in filter_options(Source(db), scope_agency="A001").fiscal_years


def _preview(db, text: str, kind: str, agency: str | None):
    data = text.encode("utf-8")
    return uploads.preview_upload(db, io.BytesIO(data), f"{kind}.csv", kind, size_bytes=len(data), agency=agency).report


def test_a_usage_preview_does_not_say_which_agency_owns_an_asset(demo_copy):
    db = demo_copy
    own = db.scalar("SELECT asset_id FROM assets WHERE agency_code = 'A001' LIMIT 1")
    other = db.scalar("SELECT asset_id FROM assets WHERE agency_code = 'A005' LIMIT 1")
    report = _preview(db, f"asset_id,usage_date,hours_used\n{own},2025-06-02,5\n{other},2025-06-02,5\n", "usage", "A001")
    assert [(e.row_number, e.code) for e in report.errors] == [(3, "row.asset_not_your_agency")]
    for lang in ("en", "zh"):
        text = report.errors[0].text(lang)
        assert other in text
        assert not [code for code in _other_agencies(db, "A001") if code in text.replace(other, "")], text
    assert "is not in your agency's asset register" in report.errors[0].text("en")
    assert "不在本单位的资产登记册中" in report.errors[0].text("zh")


def test_an_asset_register_preview_does_not_say_which_agency_owns_an_id(demo_copy):
    db = demo_copy
    other = db.scalar("SELECT asset_id FROM assets WHERE agency_code = 'A005' LIMIT 1")
    text = f"asset_id,agency_code,category,purchase_cost,purchase_date\n{other},A001,laptop,100,2024-01-01\n"
    report = _preview(db, text, "assets", "A001")
    codes = {e.code for e in report.errors}
    assert "row.asset_id_not_yours" in codes, [e.text("en") for e in report.errors]
    for error in report.errors:
        for lang in ("en", "zh"):
            assert "A005" not in error.text(lang).replace(other, ""), error.text(lang)


def test_an_agency_user_is_told_the_same_of_an_unknown_asset_and_of_another_agencys(demo_copy):
    """Telling them apart would let an agency learn which asset ids exist elsewhere."""
    db = demo_copy
    own = db.scalar("SELECT asset_id FROM assets WHERE agency_code = 'A001' LIMIT 1")
    other = db.scalar("SELECT asset_id FROM assets WHERE agency_code = 'A005' LIMIT 1")
    unknown = "A005-99999"
    assert db.scalar("SELECT count(*) FROM assets WHERE asset_id = ?", [unknown]) == 0
    text = f"asset_id,usage_date,hours_used\n{own},2025-06-02,5\n{other},2025-06-02,5\n{unknown},2025-06-02,5\n"
    report = _preview(db, text, "usage", "A001")
    by_row = {e.row_number: e for e in report.errors}
    assert by_row[3].code == by_row[4].code == "row.asset_not_your_agency"
    for lang in ("en", "zh"):
        assert by_row[3].text(lang).replace(other, "X") == by_row[4].text(lang).replace(unknown, "X")
    # a file of only such rows is refused alike, whichever they are
    refused = []
    for asset in (other, unknown):
        try:
            _preview(db, f"asset_id,usage_date,hours_used\n{asset},2025-06-02,5\n", "usage", "A001")
        except Exception as error:  # noqa: BLE001 - the refusal's key is what is compared
            refused.append(getattr(error, "key", type(error).__name__))
    assert refused == ["file.no_known_assets", "file.no_known_assets"]
