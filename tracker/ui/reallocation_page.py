"""Reallocation before purchase: the idle pool, planned purchases with their proposals, and transfers.

A proposed device becomes a transfer here (tracker.casework.transfers_proposals checks who may start
one); the transfers made for the requests shown are listed with what each waits for.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from tracker.casework.transfers_proposals import may_start_from_proposal, request_transfers, start_from_proposal, status_text
from tracker.domain.categories import CATEGORIES
from tracker.reallocation.matching import cover_text
from tracker.reallocation.pool import declare_surplus, withdraw
from tracker.reallocation.requests import enter_request
from tracker.text.errors import TrackerError
from tracker.ui.common import (
    active_filters_caption,
    can,
    category_name,
    count,
    counted,
    data_status_banner,
    db,
    filters_sidebar,
    fixed_language,
    lang,
    md,
    money,
    money_compact,
    money_exact,
    page_link,
    scope_agency,
    share,
    source,
    t,
    user,
)
from tracker.views.reallocation import proposals_of, reallocation_view

FLASH = "realloc_flash"


def render() -> None:
    filters = filters_sidebar()
    st.title(t("realloc.title.page"))
    st.caption(t("realloc.caption.page"))
    if FLASH in st.session_state:
        st.success(md(st.session_state.pop(FLASH)))
    src = source()
    snap = src.snapshot(filters)
    status = data_status_banner(filters, snap)
    active_filters_caption(filters)
    if status.as_of is None:
        return
    result = reallocation_view(src, snap, filters, lang())
    transfers = request_transfers(db(), user(), [(c["agency_code"], c["request_id"]) for c in result.cover.to_pylist()])
    _savings(result.savings)
    _realised(result.savings.realised)
    _requests(result, snap, transfers)
    _pool(result.pool)
    _transfers(transfers)


def _transfers(transfers: list[dict]) -> None:
    """The transfers made for the requests shown, and what each waits for or how it ended."""
    st.subheader(t("realloc.heading.transfers"))
    st.caption(t("realloc.caption.transfers"))
    if not transfers:
        st.info(t("realloc.note.no_transfers"))
        return
    st.dataframe(
        [
            {
                t("transfer.col.transfer_id"): f"#{r['transfer_id']}",
                t("realloc.column.request"): r["request_id"],
                t("transfer.col.from_agency"): r["from_agency"],
                t("transfer.col.to_agency"): r["to_agency"],
                t("realloc.column.asset"): ", ".join(r["asset_ids"]),
                t("transfer.col.state"): status_text(r, lang()),
            }
            for r in transfers
        ],
        hide_index=True,
        width="stretch",
        key="realloc_transfers",
        column_config=_widths(
            {
                "transfer.col.transfer_id": 70,
                "realloc.column.request": 130,
                "transfer.col.from_agency": 90,
                "transfer.col.to_agency": 90,
                "realloc.column.asset": 95,
                "transfer.col.state": "large",
            }
        ),
    )
    page_link("transfers", t("realloc.link.transfers"))


def _realised(r) -> None:
    """What approved transfers moved in the window: the realised savings, beside the proposed ones above."""
    st.markdown(f"**{t('realloc.heading.realised')}**")
    cols = st.columns(4)
    avoided = known(r.purchases_avoided, r.purchases_avoided_unknown)
    cols[0].metric(
        t("realloc.kpi.realised_avoided"),
        money(avoided),
        help=t("realloc.help.realised_avoided", value=money_exact(avoided), unknown=count(r.purchases_avoided_unknown)),
    )
    cols[1].metric(
        t("realloc.kpi.realised_value"),
        money(r.book_value),
        delta=t("realloc.kpi.realised_cost", cost=money(r.cost)),
        delta_color="off",
        delta_arrow="off",
        help=t(
            "realloc.help.realised_value",
            book=money_exact(r.book_value),
            cost=money_exact(r.cost),
            unknown=count(r.book_value_unknown),
        ),
    )
    cols[2].metric(
        t("realloc.kpi.realised_requests"),
        count(r.requests_met),
        delta=t("realloc.kpi.partly", partly=count(r.requests_partly_met)),
        delta_color="off",
        delta_arrow="off",
    )
    cols[3].metric(
        t("realloc.kpi.realised_devices"),
        count(r.devices),
        delta=counted("realloc.kpi.in_transfers", r.transfers),
        delta_color="off",
        delta_arrow="off",
    )


def known(amount: float, unknown: int) -> float | None:
    """A saving made only of requests without a unit budget is unknown ("—"), not zero."""
    return None if unknown and not amount else amount


def _savings(s) -> None:
    st.markdown(f"**{t('realloc.heading.proposed')}**")
    cols = st.columns(4)
    cols[0].metric(
        t("realloc.kpi.pool"), count(s.pool_devices), delta=money(s.pool_book_value), delta_color="off", delta_arrow="off"
    )
    cols[1].metric(
        t("realloc.kpi.requests_met"),
        f"{count(s.requests_met)} / {count(s.requests)}",
        delta=t("realloc.kpi.partly", partly=count(s.requests_partly_met)),
        delta_color="off",
        delta_arrow="off",
    )
    covered = None if s.units_requested == 0 else s.units_covered / s.units_requested
    cols[2].metric(
        t("realloc.kpi.units_covered"),
        f"{count(s.units_covered)} / {count(s.units_requested)}",
        delta=share(covered),
        delta_color="off",
        delta_arrow="off",
    )
    avoidable = known(s.purchases_avoided, s.purchases_avoided_unknown)
    cols[3].metric(
        t("realloc.kpi.purchases_avoided"),
        money(avoidable),
        delta=t(
            "realloc.kpi.value_reallocated",
            book=money_compact(s.value_reallocated_book),
            cost=money_compact(s.value_reallocated_cost),
        ),
        delta_color="off",
        delta_arrow="off",
        help=t(
            "realloc.help.purchases_avoided",
            value=money_exact(avoidable),
            book=money_exact(s.value_reallocated_book),
            cost=money_exact(s.value_reallocated_cost),
            unknown=count(s.purchases_avoided_unknown),
        ),
    )


def _requests(result, snap, transfers: list[dict]) -> None:
    st.subheader(t("realloc.heading.requests"))
    rows = result.cover.to_pylist()
    if not rows:
        st.info(t("realloc.note.no_requests"))
    else:
        shown = [
            {
                t("realloc.column.request"): r["request_id"],
                t("common.label.agency"): r["agency_code"],
                t("common.label.category"): category_name(r["category"]),
                t("realloc.column.needed_by"): r["needed_by"],
                t("realloc.column.cover"): cover_text(r, lang()),
                t("realloc.column.avoidable"): money(r["avoidable_amount"]),
            }
            for r in rows
        ]
        event = st.dataframe(
            shown, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="realloc_requests"
        )
        selected = (getattr(getattr(event, "selection", None), "rows", None) or [None])[0]
        if selected is None:
            st.caption(t("realloc.caption.click_request"))
        else:
            chosen = rows[selected]
            proposals = proposals_of(result, chosen["request_id"], chosen["agency_code"]).to_pylist()
            mine = [r for r in transfers if (r["to_agency"], r["request_id"]) == (chosen["agency_code"], chosen["request_id"])]
            in_transfer = {a: r for r in mine if r["state"] != "refused" for a in r["asset_ids"]}
            st.markdown(t("realloc.text.proposals_for", request=chosen["request_id"], cover=cover_text(chosen, lang())))
            if chosen["transferred"]:
                st.caption(t("realloc.caption.transferred", units=count(chosen["transferred"])))
            st.dataframe(
                [
                    {
                        t("realloc.column.asset"): p["asset_id"],
                        t("realloc.column.transfer"): _in_transfer(in_transfer.get(p["asset_id"])),
                        t("realloc.column.from_agency"): p["from_agency"],
                        t("realloc.column.model"): p["model"],
                        t("realloc.column.age_years"): p["age_years"],
                        t("realloc.column.book_value"): money(p["book_value"]),
                        t("realloc.column.idle_days"): "—" if p["idle_days"] is None else count(p["idle_days"]),
                        t("realloc.column.reason"): p["reason"],
                    }
                    for p in proposals
                ],
                hide_index=True,
                width="stretch",
                column_config=_widths(
                    {
                        "realloc.column.asset": 90,
                        "realloc.column.transfer": 195,
                        "realloc.column.from_agency": 75,
                        "realloc.column.model": 120,
                        "realloc.column.age_years": 70,
                        "realloc.column.book_value": 70,
                        "realloc.column.idle_days": 60,
                        "realloc.column.reason": "medium",
                    }
                ),
            )
            # an agency's own device needs no transfer; a device in a transfer for this request is not offered again
            free = [p for p in proposals if p["asset_id"] not in in_transfer and p["from_agency"] != p["to_agency"]]
            if free and may_start_from_proposal(user(), chosen["agency_code"]):
                _start_form(chosen, free, snap)
    if can("request"):
        _request_form()


def _widths(widths: dict[str, int | str]) -> dict:
    """Column widths by message key, so that a table's columns fit at 1,280 px in either language."""
    return {t(key): st.column_config.Column(width=width) for key, width in widths.items()}


def _in_transfer(row: dict | None) -> str:
    """The transfer a proposed device is in, and its state in a word (the list below says what it waits for)."""
    if row is None:
        return "—"
    state = t(f"transfer.state.{row['state']}")
    return f"#{row['transfer_id']} · {state}"


def _start_form(request: dict, free: list[dict], snap) -> None:
    """Start a transfer of one proposed device to the requesting agency (the core checks who may)."""
    with st.form(f"realloc_start_{request['agency_code']}_{request['request_id']}", clear_on_submit=True):
        st.markdown(f"**{t('realloc.heading.start_transfer')}**")
        cols = st.columns([2, 1, 2])
        labels = {p["asset_id"]: f"{p['asset_id']} · {p['from_agency']} · {p['model'] or '—'}" for p in free}
        asset = cols[0].selectbox(t("realloc.column.asset"), list(labels), format_func=labels.__getitem__)
        effective = cols[1].date_input(t("transfer.col.effective_date"), value=date.today(), min_value=date(2000, 1, 1))
        note = cols[2].text_input(t("transfer.col.note"), max_chars=500)
        if st.form_submit_button(t("realloc.button.start_transfer"), type="primary"):
            try:
                tid = start_from_proposal(
                    db(),
                    user(),
                    snap,
                    request_id=request["request_id"],
                    to_agency=request["agency_code"],
                    asset_id=asset,
                    effective_date=effective,
                    note=note or None,
                )
            except TrackerError as exc:
                st.error(md(exc.text(lang())))
            else:
                done = t("realloc.note.transfer_started", transfer_id=tid, asset=asset, request=request["request_id"])
                st.session_state[FLASH] = done
                st.rerun()  # the proposals and the transfers below show it


def _request_form() -> None:
    with st.expander(t("realloc.heading.enter_request")), st.form("realloc_request", clear_on_submit=True):
        cols = st.columns(3)
        request_id = cols[0].text_input(t("realloc.column.request"))
        scope = scope_agency()
        agency = scope or cols[1].text_input(t("common.label.agency"))
        if scope:
            cols[1].text_input(t("common.label.agency"), value=scope, disabled=True)
        category = cols[2].selectbox(t("common.label.category"), CATEGORIES, format_func=fixed_language(category_name))
        cols = st.columns(3)
        quantity = cols[0].number_input(t("realloc.column.quantity"), min_value=1, max_value=1_000_000, value=1, step=1)
        needed_by = cols[1].date_input(t("realloc.column.needed_by"), value=None, min_value=date(2000, 1, 1))
        budget = cols[2].number_input(t("realloc.column.unit_budget"), min_value=0.0, value=None, step=100.0)
        justification = st.text_input(t("realloc.column.justification"))
        if st.form_submit_button(t("realloc.button.enter_request")):
            try:
                enter_request(
                    db(),
                    user(),
                    request_id=request_id,
                    agency_code=agency,
                    category=category,
                    quantity=int(quantity),
                    needed_by=needed_by,
                    unit_budget=budget,
                    justification=justification or None,
                )
            except TrackerError as exc:
                st.error(exc.text(lang()))
            else:
                st.success(t("realloc.note.request_entered", request=request_id))


def _pool(pool) -> None:
    st.subheader(t("realloc.heading.pool"))
    rows = pool.to_pylist()
    if not rows:
        st.info(t("realloc.note.pool_empty"))
    else:
        zh = lang() == "zh"
        st.dataframe(
            [
                {
                    t("realloc.column.asset"): r["asset_id"],
                    t("common.label.agency"): r["agency_name"] or r["agency_code"],
                    t("common.label.category"): category_name(r["category"]),
                    t("realloc.column.model"): r["model"],
                    t("realloc.column.age_years"): r["age_years"],
                    t("realloc.column.remaining_life"): r["remaining_life_years"],
                    t("realloc.column.book_value"): money(r["book_value"]),
                    t("realloc.column.why"): "—" if r["reason"] is None else t(f"realloc.pool_reason.{r['reason']}"),
                    t("realloc.column.idle_days"): "—" if r["idle_days"] is None else count(r["idle_days"]),
                    t("realloc.column.evidence"): (r["evidence_zh"] if zh else r["evidence"]) or "—",
                }
                for r in rows
            ],
            hide_index=True,
            width="stretch",
            column_config=_widths(  # at 1,280 px every column but the evidence sentence is in view
                {
                    "realloc.column.asset": 90,
                    "common.label.agency": 125,
                    "common.label.category": 70,
                    "realloc.column.model": 120,
                    "realloc.column.age_years": 80,
                    "realloc.column.remaining_life": 90,
                    "realloc.column.book_value": 70,
                    "realloc.column.why": 90,
                    "realloc.column.idle_days": 65,
                    "realloc.column.evidence": "large",
                }
            ),
        )
    if can("pool_withdraw") and rows:
        with st.expander(t("realloc.heading.withdraw")), st.form("realloc_withdraw", clear_on_submit=True):
            asset = st.selectbox(t("realloc.column.asset"), [r["asset_id"] for r in rows])
            why = st.text_input(t("realloc.field.reason"))
            if st.form_submit_button(t("realloc.button.withdraw")):
                _act(lambda: withdraw(db(), user(), asset, why), t("realloc.note.withdrawn", asset=asset))
    if can("pool_declare"):
        with st.expander(t("realloc.heading.declare")), st.form("realloc_declare", clear_on_submit=True):
            asset = st.text_input(t("realloc.column.asset"))
            why = st.text_input(t("realloc.field.reason"))
            if st.form_submit_button(t("realloc.button.declare")):
                _act(
                    lambda: declare_surplus(db(), user(), asset.strip(), reason_text=why or None),
                    t("realloc.note.declared", asset=asset),
                )


def _act(action, done: str) -> None:
    try:
        action()
    except TrackerError as exc:
        st.error(exc.text(lang()))
    else:
        st.success(done)
