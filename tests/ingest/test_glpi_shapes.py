"""GLPI inventories written otherwise than the agent's usual shape: a section as a list, a number where a date goes,
no date at all. Each is read for what it proves or refused saying why; none ends in an error of the reader."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tracker.ingest.pipeline import ingest_file
from tracker.ingest.sources.glpi import read_glpi
from tracker.store.db import Database
from tracker.text.errors import FileRefused

BASE = {
    "deviceid": "pc1-2020-06-12-10-00-00",
    "content": {
        "hardware": {"name": "PC1"},
        "bios": {"ssn": "SN1"},
        "operatingsystem": {"boot_time": "2020-06-09 08:00:00"},
        "accesslog": {"logdate": "2020-06-12 10:00:00"},
    },
}


def _inventory(tmp_path, **content) -> object:
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps({**BASE, "content": {**BASE["content"], **content}}), encoding="utf-8")
    return path


def test_sections_written_as_lists_of_one_object_are_read(tmp_path):
    path = _inventory(tmp_path, hardware=[{"name": "PC1"}], bios=[{"ssn": "SN1"}], accesslog=[{"logdate": "2020-06-12"}])
    sightings = read_glpi(path).sightings
    assert {(s.hostname, s.serial_number) for s in sightings} == {("PC1", "SN1")}
    assert {s.seen_date for s in sightings} == {date(2020, 6, 9), date(2020, 6, 12)}


@pytest.mark.parametrize("shape", [[1, 2], "PC1", 42, None, []])
def test_a_section_of_another_shape_names_nothing(tmp_path, shape):
    """hardware is not an object: the computer is named by its serial number alone, its days still read."""
    sightings = read_glpi(_inventory(tmp_path, hardware=shape)).sightings
    assert {(s.hostname, s.serial_number) for s in sightings} == {(None, "SN1")}


@pytest.mark.parametrize(
    ("boot", "logdate", "en", "zh"),
    [
        ("yesterday", None, 'The date "yesterday" in operatingsystem.boot_time', "operatingsystem.boot_time 中的“yesterday”"),
        (12345, None, 'The date "12345" in operatingsystem.boot_time', "“12345”不是日期时间"),
        (None, "soon", 'The date "soon" in accesslog.logdate', "accesslog.logdate 中的“soon”"),
    ],
)
def test_an_inventory_without_a_day_seen_on_is_refused_saying_which_dates_were_left_out(tmp_path, boot, logdate, en, zh):
    path = _inventory(tmp_path, operatingsystem={"boot_time": boot}, accesslog={"logdate": logdate})
    with Database.open(tmp_path / "t.duckdb") as db, pytest.raises(FileRefused) as refused:
        ingest_file(db, "usage", path, actor="it")
    assert refused.value.key == "glpi.no_day_seen"
    assert "holds no date on which the computer was seen on" in refused.value.text("en") and en in refused.value.text("en")
    assert "没有可证明该计算机开机的日期" in refused.value.text("zh") and zh in refused.value.text("zh")


def test_an_unreadable_date_beside_a_readable_one_is_left_out_and_said(tmp_path):
    inventory = read_glpi(_inventory(tmp_path, accesslog={"logdate": "not a date"}))
    assert [s.seen_date for s in inventory.sightings] == [date(2020, 6, 9)]
    assert [(n.key, n.params["field"]) for n in inventory.notes] == [("glpi.date_unreadable", "accesslog.logdate")]
