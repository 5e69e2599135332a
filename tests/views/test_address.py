"""Filters in the page address: read back as they were written, and never beyond what the filters offer."""

from __future__ import annotations

from datetime import date

from tracker.views.address import AS_OF, KEYS, WINDOW, address_of, read_address
from tracker.views.filters import FilterOptions

OPTIONS = FilterOptions(
    agencies={"A001": "Bureau one", "A002": "A002"},
    categories=["laptop", "printer"],
    suppliers=["联想（北京）有限公司", "Dell"],
    fiscal_years=[2024, 2025],
    usage_first=date(2024, 1, 1),
    usage_last=date(2025, 12, 31),
)
CHOICES = (90, 180, 365, 730)


def _reader(address: dict[str, list[str]]):
    return lambda key: address.get(key, [])


def test_an_address_reads_back_the_filters_it_was_written_from():
    address = address_of(
        agencies=("A002",),
        categories=("laptop", "printer"),
        suppliers=("联想（北京）有限公司",),
        fiscal_years=(2025,),
        window_days=180,
        default_window_days=365,
        as_of=date(2025, 6, 30),
        default_as_of=date(2025, 12, 31),
    )
    read = read_address(_reader(address), OPTIONS, CHOICES)
    assert read.agencies == ("A002",) and read.categories == ("laptop", "printer")
    assert read.suppliers == ("联想（北京）有限公司",) and read.fiscal_years == (2025,)
    assert (read.window_days, read.as_of) == (180, date(2025, 6, 30))


def test_defaults_leave_the_address_clean():
    address = address_of(window_days=365, default_window_days=365, as_of=date(2025, 12, 31), default_as_of=date(2025, 12, 31))
    assert all(values == [] for values in address.values())
    read = read_address(_reader(address), OPTIONS, CHOICES)
    assert read.agencies is None and read.window_days is None and read.as_of is None


def test_values_the_filters_do_not_offer_are_left_out_never_an_error():
    hostile = {
        KEYS["agencies"]: ["A009", "A001", "A001"],  # another agency's code (not offered to this reader)
        KEYS["categories"]: ["laptop'; DROP TABLE assets; --"],
        KEYS["suppliers"]: ["[x](http://host/phish)"],
        KEYS["fiscal_years"]: ["2025", "20x5", "99999999999999999999", "-1"],
        WINDOW: ["7"],
        AS_OF: ["2031-01-01"],
    }
    read = read_address(_reader(hostile), OPTIONS, CHOICES)
    assert read.agencies == ("A001",) and read.categories == () and read.suppliers == () and read.fiscal_years == (2025,)
    assert read.window_days is None and read.as_of is None
    assert read_address(_reader({AS_OF: ["not a date"], WINDOW: ["１８０"]}), OPTIONS, CHOICES).as_of is None
