"""OCDS feeds as publishers write them: real publications, equipment lines only, unknown prices, buyers without ids."""

from __future__ import annotations

import io
import json
import socket
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tracker.cli.main import main
from tracker.engine.rules.run import compute_flags
from tracker.ingest.agency_map import load_agency_map, set_agency_code
from tracker.ingest.classification import classify, read_code
from tracker.ingest.ocds import OcdsReading, derive_code, feed_lines, read_ocds
from tracker.ingest.pipeline import ingest_file
from tracker.store.db import Database
from tracker.store.profiles import ensure_default_profiles
from tracker.text.errors import ConfigError, FileRefused

SHARED = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
REAL = SHARED / "ocds-real"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="shared fixtures ../shared/fixtures/ocds-real not present")


def _lines(db: Database) -> list[dict]:
    rows = db.fetchall(
        "SELECT agency_code, ocid, po_number, line_no, category, quantity, unit_price, total_amount, order_total_amount, "
        "currency, order_date, supplier, item_description FROM procurement_lines ORDER BY po_number, line_no"
    )
    names = "agency_code ocid po_number line_no category quantity unit_price total_amount order_total_amount currency order_date supplier item_description"
    return [dict(zip(names.split(), row)) for row in rows]


def _write(tmp_path: Path, name: str, value: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def _release(ocid="ocds-t-1", rid="r1", date_="2024-03-01T00:00:00Z", **body) -> dict:
    return {"ocid": ocid, "id": rid, "date": date_, "tag": ["contract"], "buyer": {"id": "AG-1", "name": "Agency One"}, **body}


def _item(iid, description, code=None, scheme=None, quantity=1, price=None, **extra) -> dict:
    body = {"id": iid, "description": description, "quantity": quantity, **extra}
    if code is not None:
        body["classification"] = {"id": code, **({"scheme": scheme} if scheme else {})}
    if price is not None:
        body["unit"] = {"value": {"amount": price, "currency": "EUR"}}
    return body


def _contract(items, cid="C-1", value=None, **extra) -> dict:
    return {
        "id": cid,
        "awardID": "A-1",
        "dateSigned": "2024-02-01",
        "items": items,
        **({"value": value} if value else {}),
        **extra,
    }


# --- real publications --------------------------------------------------------------------------


@needs_real
def test_cdmx_069_gives_one_desktop_line_and_the_second_release_replaces_it(db):
    first = ingest_file(db, "procurement", REAL / "cdmx-069-release-1.json")
    assert (first.status, first.rows_accepted, first.rows_rejected) == ("committed", 1, 0)
    [line] = _lines(db)
    assert (line["category"], line["quantity"], line["currency"]) == ("desktop", 2065, "MXN")
    assert line["total_amount"] == Decimal("5726826.50") and line["agency_code"] == "GDF9712054NA"
    assert line["order_date"] == date(2015, 12, 12)
    second = ingest_file(db, "procurement", REAL / "cdmx-069-release-2.json")
    assert second.committed and second.rows_inserted == 0
    assert len(_lines(db)) == 1


@needs_real
def test_cdmx_066_keeps_two_unpriced_lines_and_the_contract_total_on_the_order(db):
    report = ingest_file(db, "procurement", REAL / "cdmx-066-release-2.json")
    assert (report.status, report.rows_read, report.rows_rejected) == ("committed", 2, 0)
    assert report.price_unknown == 2
    assert "2 lines have no price of their own" in " ".join(report.feed_notes("en"))
    lines = _lines(db)
    assert [(x["category"], x["quantity"]) for x in lines] == [("laptop", 200), ("desktop", 872)]
    assert all(x["unit_price"] is None and x["total_amount"] is None for x in lines)  # unknown, never 0
    assert {x["order_total_amount"] for x in lines} == {Decimal("767465.28")}


@needs_real
def test_paraguay_loads_the_equipment_under_a_code_made_from_the_buyers_name(db):
    report = ingest_file(db, "procurement", REAL / "paraguay-277004-record-package.json", dry_run=True)
    assert (report.rows_read, report.rows_rejected) == (13, 0)
    assert report.set_aside == {"supplies": 8}
    assert report.derived_buyers == [("Municipalidad de Asunción", "MUNICIPALIDAD-DE-ASUNCION", "derived", 13)]
    notes = report.feed_notes("en")
    assert notes[0] == "8 lines set aside (not equipment): 8 supplies."
    assert "MUNICIPALIDAD-DE-ASUNCION" in notes[-1] and "agencies map" in notes[-1]
    assert "耗材及零部件 8 行" in report.feed_notes("zh")[0]
    aside = report.set_aside_table("en").to_pylist()
    assert sorted(r["item_description"] for r in aside)[:2] == ["Disco duro externo USB", "Disco duro para almacenamiento"]
    assert {r["reason"] for r in aside} == {"supplies"} and all(r["classification_code"] for r in aside)
    committed = ingest_file(db, "procurement", REAL / "paraguay-277004-record-package.json")
    assert committed.status == "committed"
    lines = _lines(db)
    assert {x["agency_code"] for x in lines} == {"MUNICIPALIDAD-DE-ASUNCION"} and {x["currency"] for x in lines} == {"PYG"}
    categories = sorted(x["category"] for x in lines)
    assert categories == sorted(
        ["desktop", "printer", "printer", "copier", "scanner", "printer", "copier", "monitor", "printer", "monitor"]
        + ["projector", "printer", "laptop"]
    )
    notebook = next(x for x in lines if x["item_description"] == "Notebook")
    assert (notebook["quantity"], notebook["unit_price"], notebook["supplier"]) == (20, Decimal("5048095.00"), "PARASUR SA")


@needs_real
def test_paraguay_with_an_agency_scope_takes_that_agency_and_a_mapping_is_reused(db):
    scoped = ingest_file(db, "procurement", REAL / "paraguay-277004-record-package.json", agency="ASU", dry_run=True)
    assert (scoped.rows_accepted, scoped.rows_rejected) == (13, 0)
    assert scoped.derived_buyers[0][1:3] == ("ASU", "scope")
    ingest_file(db, "procurement", REAL / "paraguay-277004-record-package.json")
    name, code, moved = set_agency_code(db, "MUNICIPALIDAD DE ASUNCION", "PY-ASU", "tester")
    assert (code, moved) == ("PY-ASU", 13)
    assert {x["agency_code"] for x in _lines(db)} == {"PY-ASU"}
    again = ingest_file(db, "procurement", REAL / "paraguay-277004-record-package.json")
    assert again.derived_buyers[0][1:3] == ("PY-ASU", "mapped")
    assert again.rows_inserted == 0 and len(_lines(db)) == 13  # replaced, never duplicated


def _requests(db: Database) -> list[dict]:
    names = "agency_code request_id category quantity needed_by unit_budget justification extra"
    rows = db.fetchall(f"SELECT {', '.join(names.split())} FROM purchase_requests ORDER BY request_id")
    return [dict(zip(names.split(), row)) for row in rows]


@needs_real
def test_moldova_tender_not_yet_awarded_loads_as_planned_purchases(db):
    preview = ingest_file(db, "procurement", REAL / "moldova-19750186-record.json", dry_run=True)
    assert (preview.status, preview.rows_read, preview.planned_items) == ("dry_run", 0, 4)
    assert "4 tender items not yet awarded, stored as planned purchases" in " ".join(preview.feed_notes("en"))
    assert "配置申请" in " ".join(preview.feed_notes("zh"))
    assert db.scalar("SELECT count(*) FROM purchase_requests") == 0  # a preview stores nothing
    report = ingest_file(db, "procurement", REAL / "moldova-19750186-record.json")
    assert (report.status, report.planned_stored, report.planned_new) == ("committed", 4, 4)
    assert db.scalar("SELECT count(*) FROM procurement_lines") == 0
    requests = _requests(db)
    assert [(r["request_id"], r["category"], r["quantity"]) for r in requests] == [
        ("ocds-ngfbwp-19750186/20026986", "desktop", 150),
        ("ocds-ngfbwp-19750186/20026987", "laptop", 2),
        ("ocds-ngfbwp-19750186/20026988", "laptop", 8),
        ("ocds-ngfbwp-19750186/20026989", "laptop", 2),
    ]
    assert {r["agency_code"] for r in requests} == {"69835575a23f41ce76a6c425cc4edcb2"}
    assert {r["needed_by"] for r in requests} == {date(2017, 6, 30)}  # the tender period's end
    assert {r["unit_budget"] for r in requests} == {None}  # the tender states no value: unknown, never 0
    assert {r["justification"] for r in requests} == {"Tender Ref 17/01749 Bulletin 45"}
    again = ingest_file(db, "procurement", REAL / "moldova-19750186-record.json")
    assert (again.planned_stored, again.planned_new) == (4, 0)
    assert len(_requests(db)) == 4  # nothing stored twice


@needs_real
def test_the_upload_page_previews_a_feed_of_planned_purchases_and_lets_it_be_committed(db):
    from tracker.ingest import uploads

    data = (REAL / "moldova-19750186-record.json").read_bytes()
    preview = uploads.preview_upload(db, io.BytesIO(data), "moldova.json", None, size_bytes=len(data))
    assert preview.report.planned_items == 4 and preview.can_commit_all
    report = uploads.commit_upload(db, io.BytesIO(data), "moldova.json", preview.kind, size_bytes=len(data), actor="tester")
    assert report.planned_stored == 4 and db.scalar("SELECT count(*) FROM purchase_requests") == 4


def _tender(ocid="ocds-t-9", items=None, value=None, **extra) -> dict:
    tender = {
        "title": "Laptops for the registry",
        "tenderPeriod": {"startDate": "2024-02-01T00:00:00Z", "endDate": "2024-03-15T10:00:00Z"},
        "items": items or [_item("i1", "Laptop computers", "30213100-6", "CPV", 5, price=6000)],
        **({"value": value} if value else {}),
        **extra,
    }
    return _release(ocid=ocid, tender=tender, tag=["tender"])


def test_a_tender_becomes_planned_purchases_with_its_budget_and_dates(db, tmp_path):
    items = [_item("i1", "Laptop computers", "30213100-6", "CPV", 5, price=6000), _item("i2", "Cleaning", "90910000-9", "CPV")]
    feed = _tender(items=items, contractPeriod={"startDate": "2024-04-01"})
    feed["tender"]["items"][0]["unit"]["value"]["currency"] = "CNY"
    report = ingest_file(db, "procurement", _write(tmp_path, "t.json", feed))
    assert (report.status, report.planned_stored, report.set_aside) == ("committed", 1, {"services": 1})
    [request] = _requests(db)
    assert (request["agency_code"], request["request_id"], request["category"], request["quantity"]) == (
        "AG-1",
        "ocds-t-9/i1",
        "laptop",
        5,
    )
    assert (request["needed_by"], request["unit_budget"]) == (date(2024, 4, 1), Decimal("6000.00"))  # contract period first
    assert request["justification"] == "Laptops for the registry"


def test_one_item_tender_budget_is_its_value_divided_by_quantity_and_a_foreign_currency_stays_unknown(db, tmp_path):
    one = _tender(items=[_item("i1", "Desktop PC", "30213300-8", "CPV", 4)], value={"amount": 18000, "currency": "CNY"})
    ingest_file(db, "procurement", _write(tmp_path, "one.json", one))
    assert _requests(db)[0]["unit_budget"] == Decimal("4500.00")
    euro = _tender(ocid="ocds-t-10", items=[_item("i1", "Laptop", "30213100-6", "CPV", 2, price=900)])
    ingest_file(db, "procurement", _write(tmp_path, "euro.json", euro))
    foreign = next(r for r in _requests(db) if r["request_id"] == "ocds-t-10/i1")
    assert foreign["unit_budget"] is None  # 900 EUR is not 900 yuan
    assert json.loads(foreign["extra"]) == {
        "source": "ocds",
        "ocid": "ocds-t-10",
        "item_id": "i1",
        "budget_amount": "900.00",
        "budget_currency": "EUR",
    }


def test_a_tender_item_without_a_whole_quantity_is_set_aside_with_its_reason(db, tmp_path):
    feed = _tender(items=[_item("i1", "Laptop", "30213100-6", "CPV", 2.5), _item("i2", "Laptop", "30213100-6", "CPV", 3)])
    report = ingest_file(db, "procurement", _write(tmp_path, "q.json", feed))
    assert report.planned_stored == 1 and report.set_aside == {"planned_incomplete": 1}
    assert "whole quantity" in " ".join(report.feed_notes("en"))


def test_a_later_release_that_awards_the_tender_removes_its_planned_purchases(db, tmp_path):
    ingest_file(db, "procurement", _write(tmp_path, "tender.json", _tender()))
    db.execute(
        "INSERT INTO purchase_requests (agency_code, request_id, category, quantity) VALUES ('AG-1', 'R-manual', 'laptop', 1)"
    )
    assert len(_requests(db)) == 2
    awarded = _tender()
    awarded.update(
        date="2024-04-02T00:00:00Z",
        tag=["award"],
        awards=[{"id": "A-1", "date": "2024-04-01", "suppliers": [{"name": "S"}], "value": {"amount": 30000, "currency": "CNY"}}],
    )
    report = ingest_file(db, "procurement", _write(tmp_path, "award.json", awarded))
    assert (report.rows_accepted, report.planned_stored, report.planned_removed) == (1, 0, 1)
    assert [r["request_id"] for r in _requests(db)] == ["R-manual"]  # an entered request is not the feed's to remove
    assert "1 planned purchases removed" in " ".join(report.feed_notes("en"))


def test_a_feed_of_tenders_without_equipment_is_still_refused(tmp_path):
    feed = _tender(items=[_item("i1", "Cleaning", "90910000-9", "CPV")])
    with pytest.raises(FileRefused) as info:
        read_ocds(json.dumps(feed).encode(), "c.json")
    assert info.value.key == "file.ocds_no_equipment"


# --- what the reader takes from a feed -----------------------------------------------------------


def test_tender_items_are_the_lines_once_an_award_carries_supplier_and_value():
    tender = {"items": [_item("t1", "Laptop", "30213100-6", "CPV", 5), _item("t2", "Cleaning", "90910000-9", "CPV")]}
    award = {"id": "A-1", "date": "2024-01-10", "suppliers": [{"name": "Supplier"}], "value": {"amount": 9000, "currency": "EUR"}}
    reading = read_ocds(json.dumps(_release(tender=tender, awards=[award])).encode(), "r.json")
    [line] = reading.lines
    assert (line["po_number"], line["supplier"], line["category"], line["quantity"]) == ("A-1", "Supplier", "laptop", "5")
    assert (line["unit_price"], line["total_amount"], line["order_total_amount"]) == (None, None, "9000")
    assert dict(reading.reasons) == {"services": 1}


def test_award_items_described_only_by_their_classification_and_empty_strings_as_missing():
    items = [
        {
            "id": 1,
            "description": "",
            "quantity": "",
            "classification": {"scheme": "CPV", "id": "30213100-6", "description": "Portable computers"},
        },
        {"id": 2, "description": "", "quantity": 3, "classification": {"scheme": "CPV", "id": "30213000-5", "description": "PC"}},
    ]
    award = {
        "id": "A-9",
        "date": "2024-05-01",
        "suppliers": [{"name": "S"}],
        "value": {"amount": "", "currency": "MDL"},
        "items": items,
    }
    reading = read_ocds(json.dumps(_release(awards=[award])).encode(), "r.json")
    first, second = reading.lines
    assert first["item_description"] == "Portable computers" and first["quantity"] is None
    assert first["category"] == "laptop" and first["order_total_amount"] is None
    assert (second["item_description"], second["quantity"], second["currency"]) == ("PC", "3", "MDL")


def test_a_later_release_amending_one_item_keeps_the_other_items_and_the_price():
    first = _release(
        rid="r1",
        date_="2024-01-01T00:00:00Z",
        contracts=[_contract([_item("1", "Laptop", price=900, quantity=10), _item("2", "Printer", price=300, quantity=2)])],
    )
    amended = _release(rid="r2", date_="2024-02-01T00:00:00Z", contracts=[{"id": "C-1", "items": [{"id": "2", "quantity": 3}]}])
    data = json.dumps({"releases": [amended, first]}).encode()
    laptop, printer = read_ocds(data, "p.json").lines
    assert (laptop["quantity"], laptop["unit_price"]) == ("10", "900")
    assert (printer["item_description"], printer["quantity"], printer["unit_price"]) == ("Printer", "3", "300")


def test_an_empty_string_in_a_later_release_does_not_erase_a_value():
    first = _release(rid="r1", date_="2024-01-01", contracts=[_contract([_item("1", "Laptop", price=900, quantity=10)])])
    later = _release(rid="r2", date_="2024-02-01", contracts=[{"id": "C-1", "items": [{"id": "1", "quantity": ""}]}])
    [line] = read_ocds(json.dumps({"releases": [first, later]}).encode(), "p.json").lines
    assert line["quantity"] == "10"


def test_releases_that_contradict_each_other_are_refused_saying_which():
    one = _release(rid="same", contracts=[_contract([_item("1", "Laptop", quantity=1)])])
    other = _release(rid="same", contracts=[_contract([_item("1", "Laptop", quantity=9)])])
    with pytest.raises(FileRefused) as info:
        read_ocds(json.dumps({"releases": [one, other]}).encode(), "p.json")
    assert info.value.key == "file.ocds_contradiction"
    assert "ocds-t-1" in info.value.text("en") and "same" in info.value.text("en")
    clash = _release(rid="r2", date_="2024-04-01", contracts={"id": "C-1"})
    with pytest.raises(FileRefused) as info:
        read_ocds(json.dumps({"releases": [one, clash]}).encode(), "p.json")
    assert info.value.key == "file.ocds_inconsistent" and "ocds-t-1" in info.value.text("zh")
    # which field changes its kind, in the reader's words; not the merge library's sentence with the values
    assert "the field /contracts is a list in one release and an object" in info.value.text("en")
    assert "字段 /contracts 在不同发布中的类型不一致" in info.value.text("zh")
    assert "earlier release" not in info.value.text("en") + info.value.text("zh") and "Laptop" not in info.value.text("zh")


def test_linked_releases_records_single_records_and_json_lines():
    compiled = _release(contracts=[_contract([_item("1", "Laptop")])])
    linked = {"ocid": "ocds-t-1", "releases": [{"url": "https://x/r1.json", "date": "2024-01-01", "tag": ["tender"]}]}
    record = {**linked, "compiledRelease": compiled, "versionedRelease": {"ocid": "ocds-t-1"}}
    for value in ({"records": [record]}, record, [compiled]):
        assert [x["category"] for x in read_ocds(json.dumps(value).encode(), "f.json").lines] == ["laptop"]
    with pytest.raises(FileRefused) as info:
        read_ocds(json.dumps({"records": [linked]}).encode(), "f.json")
    assert info.value.key == "file.ocds_no_lines"
    lines = "\n".join(json.dumps(_release(ocid=f"o-{n}", contracts=[_contract([_item("1", "Printer")])])) for n in (1, 2))
    assert [x["ocid"] for x in read_ocds(lines.encode(), "feed.jsonl").lines] == ["o-1", "o-2"]
    assert len(read_ocds(lines.replace("\n", " ").encode(), "feed.json").lines) == 2  # values one after another


@pytest.mark.parametrize(
    "code, scheme, description, expected",
    [
        ("A02010104", None, "台式计算机", ("desktop", None)),
        ("A02010105", "GB/T 14885-2022", "便携式计算机", ("laptop", None)),
        ("A02021000", None, "A4黑白打印机", ("printer", None)),
        ("A05010100", None, "办公桌", (None, "goods")),
        ("C01010000", None, "运维服务", (None, "services")),
        ("B01000000", None, "办公楼装修", (None, "works")),
        ("43211503", None, "Notebook", ("laptop", None)),
        ("43211509-001", "Catálogo DNCP", "Notebook", ("laptop", None)),  # filed as tablet, the item says notebook
        ("80101500", None, "Consultoría", (None, "services")),
        ("72000000-5", "CPV", "IT services", (None, "services")),
        ("45000000-7", "CPV", "Construction", (None, "works")),
        ("30237000-9", "CPV", "Toner", (None, "supplies")),
        ("30200000-1", "CPV", "All -in - ONE PC", ("desktop", None)),
        ("30200000-1", "CPV", "Anexa lot nr.1", ("other", None)),
        (None, None, "Proyector multimedia", ("projector", None)),
        (None, None, "Servicio de limpieza", ("other", None)),
    ],
)
def test_classification_by_code_then_description(code, scheme, description, expected):
    verdict = classify(code, scheme, description)
    assert (verdict.category, verdict.reason) == expected


def test_codes_without_a_scheme_are_recognised_by_their_shape():
    assert read_code("30213100-6", None) == ("CPV", "30213100")
    assert read_code("43211508-001", "Catálogo de productos") == ("UNSPSC", "43211508")
    assert read_code("43-21-15-03", None) == ("UNSPSC", "43211503")
    assert read_code("a02010104", None) == ("GBT14885", "A02010104")
    assert read_code("XYZ", None) == (None, None)


def test_set_aside_counts_and_download(db, tmp_path):
    items = [_item(str(n), "Services", "79000000-4", "CPV", price=10) for n in range(3)]
    items += [_item(f"w{n}", "Roadworks", "45233000-9", "CPV", price=10) for n in range(2)]
    items += [_item("s", "Paper", "30197600-2", "CPV", price=1), _item("l", "Laptop", "30213100-6", "CPV", price=700)]
    path = _write(tmp_path, "mixed.json", {"releases": [_release(contracts=[_contract(items)])]})
    report = ingest_file(db, "procurement", path, dry_run=True)
    assert report.rows_read == 1 and report.set_aside == {"services": 3, "works": 2, "supplies": 1}
    assert report.feed_notes("en")[0] == "6 lines set aside (not equipment): 3 services, 2 works, 1 supplies."
    table = report.set_aside_table("zh").to_pylist()
    assert len(table) == 6 and {r["reason_text"] for r in table} == {"服务", "工程", "耗材及零部件"}
    out = tmp_path / "aside.csv"
    assert main(["--db", str(db.path), "ingest", "procurement", str(path), "--dry-run", "--set-aside", str(out)]) == 0
    assert out.read_text(encoding="utf-8-sig").count("\n") == 7


def test_a_publication_without_equipment_is_refused_with_the_counts(tmp_path):
    items = [_item("1", "Cleaning", "90910000-9", "CPV"), _item("2", "Works", "45000000-7", "CPV")]
    with pytest.raises(FileRefused) as info:
        read_ocds(json.dumps(_release(contracts=[_contract(items)])).encode(), "r.json")
    assert info.value.key == "file.ocds_no_equipment"
    assert "1 services" in info.value.text("en") and "1 works" in info.value.text("en")
    assert "服务 1 行" in info.value.text("zh")


def test_an_unknown_price_stays_unknown_in_findings(db, tmp_path):
    ensure_default_profiles(db)
    items = [_item("1", "Laptop", "30213100-6", "CPV", quantity=4), _item("2", "Desktop PC", "30213300-8", "CPV", quantity=6)]
    value = {"amount": 12000, "currency": "CNY"}
    path = _write(
        tmp_path, "r.json", {"releases": [_release(contracts=[_contract(items, value=value, dateSigned="2023-01-05")])]}
    )
    assert ingest_file(db, "procurement", path).rows_rejected == 0
    flags = [f for f in compute_flags(db, as_of=date(2024, 6, 30)).to_pylist() if f["rule"] == "UNREGISTERED_UNITS"]
    assert len(flags) == 2
    assert all(f["value_at_stake"] is None for f in flags)  # unknown, never 0
    assert all("—" in f["evidence"] for f in flags)


def test_csv_lines_still_need_a_price_even_with_an_order_total(db, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "po_number,agency_code,item_description,category,quantity,unit_price,order_date,order_total_amount\n"
        "PO-1,A001,Laptop,laptop,2,,2024-01-05,5000\n",
        encoding="utf-8",
    )
    report = ingest_file(db, "procurement", path, dry_run=True)
    assert report.rows_rejected == 1 and report.errors[0].code == "row.required"


def test_agency_codes_derived_from_names_are_stable_and_mappings_checked(db):
    assert derive_code("Municipalidad de Asunción") == "MUNICIPALIDAD-DE-ASUNCION"
    assert derive_code("  municipalidad   de ASUNCIÓN ") == "MUNICIPALIDAD-DE-ASUNCION"
    assert derive_code("北京市财政局") == derive_code("北京市财政局") and derive_code("北京市财政局").startswith("BUYER-")
    with pytest.raises(ConfigError):
        set_agency_code(db, "Some buyer", "=cmd", "tester")
    set_agency_code(db, "Some Buyer", "SB-1", "tester")
    assert load_agency_map(db) == {"some buyer": "SB-1"}
    assert db.scalar("SELECT count(*) FROM audit_log WHERE target LIKE '%Some Buyer%'") == 1


def test_cli_agencies_map_and_list(db, capsys):
    path = str(db.path)
    db.close()
    assert main(["--db", path, "agencies", "map", "Municipalidad de Asunción", "PY-ASU"]) == 0
    assert main(["--db", path, "agencies", "list"]) == 0
    out = capsys.readouterr()
    assert "Municipalidad de Asunción,PY-ASU" in out.out and "PY-ASU" in out.err
    assert main(["--db", path, "agencies", "map", "X", ""]) == 2


def test_merging_never_touches_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    first = _release(rid="r1", date_="2024-01-01", contracts=[_contract([_item("1", "Laptop", price=900)])])
    later = _release(rid="r2", date_="2024-02-01", contracts=[{"id": "C-1", "items": [{"id": "1", "quantity": 7}]}])
    [line] = read_ocds(json.dumps({"releases": [first, later]}).encode(), "p.json").lines
    assert (line["quantity"], line["unit_price"]) == ("7", "900")


# --- a record package of 50,000 records ---------------------------------------------------------


def _big_record_package(path: Path, records: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('{"uri": "https://example.org/p.json", "version": "1.1", "records": [')
        for n in range(records):
            item = (
                {"id": "1", "description": "Laptop", "quantity": 2, "classification": {"scheme": "CPV", "id": "30213100-6"}}
                if n % 5
                else {
                    "id": "1",
                    "description": "Cleaning",
                    "quantity": 1,
                    "classification": {"scheme": "CPV", "id": "90910000-9"},
                }
            )
            compiled = {
                "ocid": f"ocds-big-{n}",
                "id": f"ocds-big-{n}-1",
                "date": "2024-01-01T00:00:00Z",
                "buyer": {"id": f"AG-{n % 7}", "name": "Agency"},
                "contracts": [
                    {"id": f"C-{n}", "dateSigned": "2024-01-01", "value": {"amount": 1800, "currency": "EUR"}, "items": [item]}
                ],
            }
            record = {
                "ocid": f"ocds-big-{n}",
                "releases": [{"url": f"https://x/{n}", "date": "2024-01-01"}],
                "compiledRelease": compiled,
            }
            out.write(("," if n else "") + json.dumps(record))
        out.write("]}")


@pytest.mark.slow
def test_a_record_package_of_50000_records_is_streamed_with_progress_and_bounded_memory(db, tmp_path):
    path = tmp_path / "big.json"
    _big_record_package(path, 50_000)
    size = path.stat().st_size
    reading = OcdsReading()
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            kept = sum(k for k, _ in feed_lines(stream, size, path.name, reading))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kept == 40_000 and dict(reading.reasons) == {"services": 10_000}
    assert peak < size / 5, f"peak {peak:,} bytes for a {size:,}-byte file"  # one chunk and one record at a time
    fractions = []
    report = ingest_file(db, "procurement", path, dry_run=True, progress=lambda phase, f: fractions.append((phase, f)))
    assert (report.rows_read, report.rows_rejected, report.set_aside) == (40_000, 0, {"services": 10_000})
    read = [f for phase, f in fractions if phase == "read" and f is not None]
    streamed = read[: read.index(max(read)) + 1]  # the reader's fractions of the file, before the engine's own
    assert len(streamed) >= 5 and streamed == sorted(streamed) and streamed[-1] > 0.9


def test_the_streamed_reader_reads_what_json_reads(tmp_path):
    """Strings with escaped quotes and brackets across chunk boundaries, nested arrays, unicode."""
    tricky = 'Laptop "Pro" [15\\"] {x} \\\\'
    items = [_item(str(n), tricky + "ü" * (n % 3), "30213100-6", "CPV") for n in range(3000)]
    value = {"releases": [_release(contracts=[_contract(items)])]}
    data = json.dumps(value).encode()
    reading = OcdsReading()
    lines = [line for _, line in feed_lines(io.BytesIO(data), len(data), "p.json", reading)]
    assert [line["item_description"] for line in lines] == [i["description"] for i in items]


# --- the Upload page ----------------------------------------------------------------------------

UPLOAD_SCRIPT = """
from tracker.ui import common, upload_page

common.language_switch()
upload_page.render()
"""


def test_the_upload_page_shows_the_set_aside_lines_and_lets_an_administrator_set_the_buyers_code(tmp_path, monkeypatch):
    from conftest import sign_in_as
    from streamlit.testing.v1 import AppTest

    path = tmp_path / "page.duckdb"
    Database.open(path).close()
    monkeypatch.setenv("TRACKER_DB", str(path))
    items = [_item("1", "Notebook", "43211503"), _item("2", "Memoria RAM", "32101601-9999"), _item("3", "Limpieza", "76111500")]
    release = _release(
        contracts=[_contract(items, value={"amount": 900, "currency": "PYG"})], buyer={"name": "Municipalidad de Luque"}
    )
    data = json.dumps({"releases": [release]}).encode()
    at = AppTest.from_string(UPLOAD_SCRIPT, default_timeout=60)
    at.query_params["lang"] = "en"
    sign_in_as(at, "admin", username="dashboard")
    at.run()
    at.file_uploader[0].set_value(("luque.json", data, "application/json")).run()
    assert not at.exception, [e.value for e in at.exception]
    infos = [i.value for i in at.info]
    assert "2 lines set aside (not equipment): 1 services, 1 supplies." in infos
    assert any("MUNICIPALIDAD-DE-LUQUE" in i for i in infos)
    assert any(b.label == "Download the lines set aside (CSV)" for b in at.get("download_button"))
    at.text_input[0].set_value("PY-LUQ")
    submit = next(b for b in at.button if b.label == "Keep this code for this buyer")
    submit.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("PY-LUQ (from the agency-code mapping)" in i.value for i in at.info)
    with Database.open(path) as db:
        assert load_agency_map(db) == {"municipalidad de luque": "PY-LUQ"}


def test_a_record_with_only_a_versioned_release_is_read_from_its_latest_values():
    def versions(*values):
        return [
            {"releaseID": f"r{n}", "releaseDate": "2024-01-0{n}", "releaseTag": ["contract"], "value": v}
            for n, v in enumerate(values, 1)
        ]

    versioned = {
        "ocid": "ocds-v-1",
        "buyer": {"id": versions("AG-1"), "name": versions("Agency")},
        "contracts": [
            {
                "id": "C-1",
                "dateSigned": versions("2024-01-02"),
                "items": [{"id": "1", "description": versions("Laptop"), "quantity": versions(3, 4)}],
            }
        ],
    }
    [line] = read_ocds(json.dumps({"ocid": "ocds-v-1", "versionedRelease": versioned}).encode(), "v.json").lines
    assert (line["category"], line["quantity"], line["agency_code"], line["order_date"]) == ("laptop", "4", "AG-1", "2024-01-02")
