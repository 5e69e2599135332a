"""The `reallocation` command's summary: what the pool can cover beside what approved transfers moved."""

from __future__ import annotations

from tracker.cli.reallocation import summary
from tracker.reallocation.savings import Realised, Savings


def _savings(**changes) -> Savings:
    base = dict(
        pool_devices=120,
        pool_book_value=250_000.0,
        requests=4,
        requests_met=1,
        requests_partly_met=2,
        units_requested=40,
        units_covered=19,
        value_reallocated_book=41_000.0,
        value_reallocated_cost=97_000.0,
        purchases_avoided=104_000.0,
        purchases_avoided_unknown=1,
        realised=Realised(
            transfers=1,
            devices=1,
            book_value=2_100.0,
            cost=7_000.0,
            units_for_requests=1,
            purchases_avoided=7_000.0,
            requests_met=1,
            requests_partly_met=0,
        ),
    )
    return Savings(**(base | changes))


def test_the_summary_gives_the_proposed_and_the_realised_figures_in_words_that_agree_with_their_counts():
    proposed, realised = summary(_savings(), "CNY")
    assert proposed == (
        "Proposed: 120 devices in the pool; 19 of 40 units asked for by 4 planned purchases can come from it "
        "(1 request wholly met, 2 partly); purchases avoidable ¥104,000.00 (1 request without a unit budget not counted)"
    )
    assert realised == (
        "Realised: 1 approved transfer in the window moved 1 device (book value ¥2,100.00, original cost ¥7,000.00); "
        "purchases avoided ¥7,000.00 (1 request wholly met, 0 partly)"
    )


def test_a_saving_made_only_of_requests_without_a_budget_is_unknown_not_zero():
    only_unknown = _savings(purchases_avoided=0.0, purchases_avoided_unknown=3)
    proposed, _ = summary(only_unknown, "CNY")
    assert "purchases avoidable — (3 requests without a unit budget" in proposed
    nothing = _savings(purchases_avoided=0.0, purchases_avoided_unknown=0, realised=Realised())
    proposed, realised = summary(nothing, "CNY")
    assert "purchases avoidable ¥0.00" in proposed  # nothing covered: a known zero
    assert realised.startswith("Realised: 0 approved transfers in the window moved 0 devices")


def test_the_summary_in_chinese():
    proposed, realised = summary(_savings(), "CNY", "zh")
    assert proposed.startswith("建议：公物仓共 120 台设备；4 项配置申请所需 40 台中 19 台可由公物仓调剂")
    assert "可避免采购额 ¥104,000.00" in proposed
    assert realised.startswith("已实现：窗口期内 1 项经批准的调拨调入 1 台设备")


def test_purchases_avoided_are_unknown_only_when_every_counted_request_lacks_a_budget():
    assert _savings().purchases_avoided_known == 104_000.0  # one request without a budget beside known ones
    assert _savings(purchases_avoided=0.0, purchases_avoided_unknown=3).purchases_avoided_known is None
    assert _savings(purchases_avoided=0.0, purchases_avoided_unknown=0).purchases_avoided_known == 0.0
    assert Realised(purchases_avoided=0.0, purchases_avoided_unknown=1).purchases_avoided_known is None
    assert Realised(purchases_avoided=7_000.0, purchases_avoided_unknown=1).purchases_avoided_known == 7_000.0
