"""A reload, a second tab or a shared link keeps the filters: they are read from and written to the address."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import sign_in_as, switch_to
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _values(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_filters_come_from_the_address_and_go_back_into_it(demo_db):
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), "finance")
    at.query_params["f_agency"] = ["A001"]
    at.query_params["window"] = "180"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="f_agencies").value == ["A001"]
    assert at.radio(key="f_window_days").value == 180
    assert any("Filtered to Agency: A001" in c.value for c in at.caption)
    at.multiselect(key="f_categories").set_value(["laptop"]).run()
    assert _values(at, "f_category") == ["laptop"] and _values(at, "f_agency") == ["A001"]

    second = sign_in_as(AppTest.from_file(APP, default_timeout=120), "finance")  # a second tab with the same address
    for key, value in at.query_params.items():
        second.query_params[key] = value
    second.run()
    assert not second.exception
    assert _metrics(second) == _metrics(at)


def test_an_agency_user_cannot_widen_their_view_through_the_address(demo_db):
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), "agency", agency="A001")
    at.query_params["f_agency"] = ["A002"]
    at.query_params["f_supplier"] = ["not a supplier of theirs"]
    at.run()
    assert not at.exception
    # the agency itself is never named; its devices may be, as the pool of every agency is shown to all (AVOIDABLE_PURCHASE)
    assert not [c.value for c in at.caption if re.search(r"\bA002\b(?!-)", c.value)]
    assert "f_supplier" not in at.query_params and "f_agency" not in at.query_params


def test_an_agency_user_asking_for_another_agency_is_told_so(demo_db):
    """Said alike of an agency that exists and of one that does not: the address tells no one which exist."""
    said = []
    for code in ("A002", "A999"):
        at = sign_in_as(AppTest.from_file(APP, default_timeout=120), "agency", agency="A001")
        at.query_params["agency"] = code
        at.run()
        switch_to(at, "explore").run()
        assert not at.exception
        said.append([w.value.replace(code, "X") for w in at.warning])
        assert not any(code in s.value for s in at.subheader)
    assert said[0] == said[1] and any("is not your agency" in w for w in said[0])


def test_the_stale_data_note_names_the_as_of_date_chosen(demo_db):
    at = sign_in_as(AppTest.from_file(APP, default_timeout=120), "finance")
    at.query_params["as_of"] = "2025-06-30"
    at.run()
    assert not at.exception
    notes = [i.value for i in at.info if "figures describe" in i.value]
    assert notes and "2025-06-30" in notes[0] and "2025-12-31" not in notes[0]
