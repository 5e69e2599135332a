"""OCDS reading: publisher fixtures, hand-made shapes, and refusals."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tracker.ingest.ocds import FIELDS, read_ocds
from tracker.text.errors import FileRefused

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "ocds"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason="shared OCDS fixtures not present")


def lines_of(data: bytes, name: str) -> list[dict]:
    return read_ocds(data, name).lines


def fixture(name: str) -> list[dict]:
    return lines_of((FIXTURES / name).read_bytes(), name)


def release(ocid="ocds-abc-1", date="2024-03-01T10:00:00Z", contracts=None, awards=None, **extra) -> dict:
    body = {
        "ocid": ocid,
        "id": f"{ocid}-{date}",
        "date": date,
        "tag": ["contract"],
        "buyer": {"id": "AG-1", "name": "Agency One"},
    }
    if contracts is not None:
        body["contracts"] = contracts
    if awards is not None:
        body["awards"] = awards
    body.update(extra)
    return body


def contract(cid="C-1", items=None, **extra) -> dict:
    return {
        "id": cid,
        "awardID": "A-1",
        "dateSigned": "2024-02-15T09:00:00+08:00",
        "items": items if items is not None else [item()],
        **extra,
    }


def item(description="Laptop computer", quantity=10, amount=None, currency="EUR", **extra) -> dict:
    body = {"id": "1", "description": description, "quantity": quantity, **extra}
    if amount is not None:
        body["unit"] = {"name": "unit", "value": {"amount": amount, "currency": currency}}
    return body


def award(aid="A-1", supplier="Supplier Ltd", **extra) -> dict:
    return {"id": aid, "date": "2024-01-20T00:00:00Z", "suppliers": [{"id": "S", "name": supplier}], **extra}


def package(*releases: dict) -> bytes:
    return json.dumps({"uri": "x", "version": "1.1", "releases": list(releases)}).encode()


def refused(data: bytes, name: str = "f.json") -> FileRefused:
    with pytest.raises(FileRefused) as info:
        read_ocds(data, name)
    return info.value


# --- real publisher files ----------------------------------------------------------------------


@needs_fixtures
def test_release_package_gives_one_laptop_line_from_the_contract_value():
    lines = fixture("release-package-1.json")
    assert len(lines) == 1
    line = lines[0]
    assert set(line) == set(FIELDS)
    assert line["ocid"] == "OCDS-87SD3T-AD-SF-DRM-063-2015"
    assert (line["po_number"], line["line_no"]) == ("1", "1")
    assert line["agency_code"] == "GDF9712054NA"  # OCDS 1.0 buyer.identifier.id
    assert line["agency_name"] == "SECRETARÍA DE FINANZAS"
    assert line["supplier"] == "COMUNIC@RTE & CONSULTING SA DE C"
    assert line["item_description"] == "COMPUTADORA PORTATIL TIPO 1"
    assert line["category"] == "laptop"
    assert line["quantity"] == "471"
    assert line["unit_price"] is None
    assert (line["total_amount"], line["currency"]) == ("1311264", "MXN")
    assert line["order_date"] == "2015-12-30"
    assert line["delivery_date"] is None


@needs_fixtures
def test_compiled_release_gives_the_same_line():
    assert fixture("compiled-release-1.json") == fixture("release-package-1.json")


@needs_fixtures
def test_two_processes_with_contract_id_1_are_kept_apart():
    lines = fixture("release-package-1-2.json")
    assert [(x["ocid"], x["po_number"]) for x in lines] == [
        ("OCDS-87SD3T-AD-SF-DRM-063-2015", "1"),
        ("OCDS-87SD3T-AD-SF-DRM-065-2015", "1"),
    ]
    assert lines[0] == fixture("release-package-1.json")[0]
    software = lines[1]
    assert (software["currency"], software["total_amount"], software["quantity"]) == ("USD", "75464.96", "1")
    assert software["category"] == "other"


@needs_fixtures
def test_latin1_package_keeps_accents():
    lines = fixture("release-package_encoding-iso-8859-1.json")
    assert len(lines) == 1
    assert lines[0]["agency_name"] == "SECRETARÍA DE FINANZAS"
    assert lines[0]["total_amount"] == "193817.35"
    assert lines[0]["order_date"] == "2016-04-14"  # contract unsigned: the award date


@needs_fixtures
def test_record_package_without_items_is_refused_with_a_clear_message():
    error = refused((FIXTURES / "record-package-1.json").read_bytes(), "record-package-1.json")
    assert error.key == "file.ocds_no_lines"
    assert "record-package-1.json" in error.text("en")


# --- hand-made shapes --------------------------------------------------------------------------


def test_unit_prices_and_dates_as_written():
    items = [item("Laptop", 3, 1250.50), item("Desktop PC", 2, "899", currency=None)]
    value = {"amount": 5549, "currency": "EUR"}
    data = package(release(contracts=[contract(items=items, value=value)], awards=[award()]))
    first, second = lines_of(data, "p.json")
    assert (first["line_no"], first["quantity"], first["unit_price"]) == ("1", "3", "1250.5")
    assert (first["total_amount"], first["currency"]) == (None, "EUR")  # several items: no total taken
    assert (second["line_no"], second["unit_price"], second["currency"]) == ("2", "899", "EUR")  # from the value
    assert first["order_date"] == "2024-02-15"  # date part as written, no time-zone shift
    assert first["supplier"] == "Supplier Ltd"
    assert (first["agency_code"], first["agency_name"]) == ("AG-1", "Agency One")
    assert first["category"] == "laptop" and second["category"] == "desktop"


def test_several_items_without_unit_price_get_no_total_and_no_invented_quantity():
    lines = lines_of(
        package(
            release(
                contracts=[contract(items=[item(quantity=None), item("Printer", 2)], value={"amount": 900, "currency": "EUR"})]
            )
        ),
        "p.json",
    )
    assert [(x["quantity"], x["unit_price"], x["total_amount"]) for x in lines] == [(None, None, None), ("2", None, None)]


def test_single_item_without_quantity_takes_the_contract_value_as_one_unit():
    [line] = lines_of(
        package(release(contracts=[contract(items=[item(quantity=None)], value={"amount": 1200.00, "currency": "GBP"})])),
        "p.json",
    )
    assert (line["quantity"], line["total_amount"], line["currency"]) == ("1", "1200", "GBP")


def test_jsonl_with_two_lines():
    text = "\n".join(json.dumps(release(ocid=f"ocds-x-{n}", contracts=[contract()])) for n in (1, 2)) + "\n"
    lines = lines_of(text.encode(), "feed.jsonl")
    assert [x["ocid"] for x in lines] == ["ocds-x-1", "ocds-x-2"]


def test_utf8_bom_is_accepted():
    [line] = lines_of(b"\xef\xbb\xbf" + json.dumps(release(contracts=[contract()])).encode(), "r.json")
    assert line["category"] == "laptop"


def test_broken_json_names_the_position():
    error = refused(b'{"releases": [\n  {"ocid": "x",,}\n]}')
    assert error.key == "file.bad_json"
    assert "line 2" in error.text() and "column" in error.text()


def test_broken_jsonl_names_line_3():
    good = json.dumps(release(contracts=[contract()]))
    error = refused(f"{good}\n{good}\n{{broken\n{good}\n".encode(), "feed.jsonl")
    assert error.key == "file.bad_json"
    assert "line 3" in error.text()


def test_null_buyer_falls_back_to_the_buyer_party():
    body = release(
        contracts=[contract()],
        buyer=None,
        parties=[
            {"id": "SUP-9", "name": "Supplier", "roles": ["supplier"]},
            {"identifier": {"id": "MIN-7"}, "name": "Ministry of Works", "roles": ["buyer", "procuringEntity"]},
        ],
    )
    [line] = lines_of(package(body), "p.json")
    assert (line["agency_code"], line["agency_name"]) == ("MIN-7", "Ministry of Works")


def test_latest_release_wins_and_lines_are_not_duplicated():
    old = release(date="2024-01-01T00:00:00Z", contracts=[contract(items=[item("Laptop", 5, 1000)])])
    new = release(date="2024-06-01T00:00:00Z", contracts=[contract(items=[item("Laptop", 4, 1100)])])
    same_date_later = release(date="2024-06-01T00:00:00Z", contracts=[contract(items=[item("Laptop", 4, 1150)])], id="r-3")
    [line] = lines_of(package(new, old), "p.json")  # file order does not matter, the date does
    assert (line["quantity"], line["unit_price"]) == ("4", "1100")
    [line] = lines_of(package(old, new, same_date_later), "p.json")  # a tie: the later one in the file
    assert line["unit_price"] == "1150"


def test_items_under_awards_only():
    body = release(
        awards=[
            award(
                "A-9",
                supplier="Award Supplier",
                items=[item("Proyector multimedia", 2)],
                value={"amount": 3000, "currency": "MXN"},
            )
        ],
        contracts=[{"id": "C-empty", "awardID": "A-9"}],
    )
    [line] = lines_of(package(body), "p.json")
    assert (line["po_number"], line["supplier"], line["category"]) == ("A-9", "Award Supplier", "projector")
    assert line["order_date"] == "2024-01-20"
    assert (line["total_amount"], line["currency"]) == ("3000", "MXN")


def test_release_date_is_the_last_resort_order_date():
    [line] = lines_of(package(release(contracts=[contract(dateSigned=None, awardID=None)])), "p.json")
    assert line["order_date"] == "2024-03-01"


@pytest.mark.parametrize(
    "scheme, code, expected",
    [
        ("CPV", "30213100-6", "laptop"),
        ("CPV", "30213000-5", "desktop"),
        ("CPV", "38652100-1", "projector"),
        ("CPV", "38651000-3", "camera"),
        ("CPV", "38430000-8", "instrument"),
        ("cpv", "32321200", "av_conference"),
        ("UNSPSC", "43211503", "laptop"),
        ("UNSPSC", 43212105, "printer"),
        ("UNSPSC", "43-22-26-10", "network"),
    ],
)
def test_category_from_cpv_and_unspsc(scheme, code, expected):
    the_item = item("Goods as per specification", classification={"scheme": scheme, "id": code})
    [line] = lines_of(package(release(contracts=[contract(items=[the_item])])), "p.json")
    assert line["category"] == expected
    assert line["classification_code"] == str(code) and line["classification_scheme"] == scheme


@pytest.mark.parametrize(
    "description, expected",
    [
        ("COMPUTADORA PORTÁTIL TIPO 2", "laptop"),
        ("Impresora láser monocromática", "printer"),
        ("Pantalla LED de 24 pulgadas", "monitor"),
        ("笔记本电脑 14英寸", "laptop"),
        ("彩色激光打印机", "printer"),
        ("Office chairs", "other"),
    ],
)
def test_a_line_without_a_code_is_classified_by_its_description_else_other(description, expected):
    [line] = lines_of(package(release(contracts=[contract(items=[item(description)])])), "p.json")
    assert line["category"] == expected


def test_a_code_that_is_not_equipment_sets_the_line_aside_whatever_the_description():
    chairs = item("COMPUTADORA PORTÁTIL TIPO 2", classification={"scheme": "CPV", "id": "39112000-0"})
    reading = read_ocds(package(release(contracts=[contract(items=[chairs, item()])])), "p.json")
    assert [x["category"] for x in reading.lines] == ["laptop"]
    assert [(x["reason"], x["line_no"]) for x in reading.set_aside] == [("goods", "1")]


def test_a_json_value_that_is_not_ocds_is_refused():
    assert refused(b'{"name": "a spreadsheet export"}').key == "file.not_ocds"


def test_empty_file_is_refused():
    assert refused(b"").key == "file.empty"
    assert refused(b"\xef\xbb\xbf \n").key == "file.empty"


@pytest.mark.parametrize(
    "data",
    [
        bytes(random.Random(7).randrange(256) for _ in range(400)),
        b"[]",
        b"{}",
        b'{"releases": 5}',
        b'{"releases": [null]}',
        b'{"releases":[{"contracts":"x"}]}',
        b'{"records": [{"releases": [{"url": "http://x"}]}]}',
        b"[" * 100_000,
        b"1" * 5000,
        b"NaN",
        json.dumps(
            {
                "releases": [
                    {
                        "ocid": "o",
                        "buyer": None,
                        "parties": [None, 3, {"roles": "buyer"}],
                        "awards": [None, {"id": {}, "suppliers": [None], "items": "x"}],
                        "contracts": [
                            {
                                "id": 1,
                                "awardID": [],
                                "items": [
                                    None,
                                    5,
                                    {
                                        "quantity": "lots",
                                        "unit": {"value": {"amount": "1e999999999"}},
                                        "classification": {"scheme": "CPV", "id": None},
                                    },
                                ],
                                "value": {"amount": True},
                            }
                        ],
                    }
                ]
            }
        ).encode(),
    ],
)
def test_garbage_raises_only_file_refused(data):
    for name in ("g.json", "g.jsonl"):
        try:
            lines = lines_of(data, name)
        except FileRefused:
            continue
        assert all(set(line) == set(FIELDS) for line in lines)
        assert all(v is None or isinstance(v, str) for line in lines for v in line.values())


def test_random_mutations_of_a_valid_package_raise_only_file_refused():
    data = bytearray(package(release(contracts=[contract(items=[item("Laptop", 2, 10.5), item()])], awards=[award()])))
    rng = random.Random(2024)
    refused = read = 0
    for _ in range(300):
        mutated = bytearray(data)
        for _ in range(rng.randrange(1, 6)):
            mutated[rng.randrange(len(mutated))] = rng.choice(b'{}[]",:0 n\x00\xff')
        try:
            lines = lines_of(bytes(mutated), "m.json")
        except FileRefused:
            refused += 1
            continue
        read += 1
        assert all(set(line) == set(FIELDS) for line in lines)
        assert all(v is None or isinstance(v, str) for line in lines for v in line.values())
    assert refused and read  # the mutations both break packages and leave some readable
