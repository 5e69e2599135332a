"""Reallocation before purchase: the idle pool, planned purchases with their proposals, and transfers.

A proposed device becomes a transfer here (tracker.casework.transfers_proposals checks who may start
one); the transfers made for the requests shown are listed with what each waits for.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from tracker.casework.transfers_proposals import may_start_from_proposal, request_transfers, start_from_proposal
from tracker.domain.categories import CATEGORIES
from tracker.reallocation.matching import cover_text
from tracker.reallocation.pool import declare_surplus, withdraw
from tracker.reallocation.requests import enter_request
from tracker.text.errors import TrackerError
from tracker.ui import tables as tables_ui
from tracker.ui.common import (
    active_filters_caption,
    can,
    category_name,
    count,
    counted,
    currency,
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
from tracker.views import reallocation_tables as realloc_tables
from tracker.views.reallocation import no_requests_note, proposals_of, reallocation_view

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
    _requests(result, snap, transfers, filters)
    _pool(result.pool)
    _transfers(transfers)


def _transfers(transfers: list[dict]) -> None:
    """The transfers made for the requests shown, and what each waits for or how it ended."""
    st.subheader(t("realloc.heading.transfers"))
    st.caption(t("realloc.caption.transfers"))
    if not transfers:
        st.info(t("realloc.note.no_transfers"))
        return
    tables_ui.show(realloc_tables.transfers(transfers, lang()), lang(), key="realloc_transfers")
    page_link("transfers", t("realloc.link.transfers"))


def _realised(r) -> None:
    """What approved transfers moved in the window: the realised savings, beside the proposed ones above."""
    st.markdown(f"**{t('realloc.heading.realised')}**")
    cols = st.columns(4)
    avoided = r.purchases_avoided_known
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
    avoidable = s.purchases_avoided_known
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


def _requests(result, snap, transfers: list[dict], filters) -> None:
    st.subheader(t("realloc.heading.requests"))
    rows = result.cover.to_pylist()
    if not rows:
        st.info(t(no_requests_note(filters, can("request"))))
    else:
        view = realloc_tables.requests(result.cover, lang(), currency())
        event = tables_ui.show(view, lang(), key="realloc_requests", selectable=True)
        selected = _chosen(event)
        if selected is None:
            st.caption(t("realloc.caption.click_request"))
        else:
            chosen = rows[selected]
            proposals = proposals_of(result, chosen["request_id"], chosen["agency_code"]).to_pylist()
            mine = [r for r in transfers if (r["to_agency"], r["request_id"]) == (chosen["agency_code"], chosen["request_id"])]
            in_transfer = {a: r for r in mine if r["state"] != "refused" for a in r["asset_ids"]}
            st.markdown(t("realloc.text.proposals_for", request=md(chosen["request_id"]), cover=cover_text(chosen, lang())))
            if chosen["transferred"]:
                st.caption(t("realloc.caption.transferred", units=count(chosen["transferred"])))
            tables_ui.show(realloc_tables.proposals(proposals, in_transfer, lang(), currency()), lang(), key="realloc_proposals")
            # an agency's own device needs no transfer; a device in a transfer for this request is not offered again
            free = [p for p in proposals if p["asset_id"] not in in_transfer and p["from_agency"] != p["to_agency"]]
            if free and may_start_from_proposal(user(), chosen["agency_code"]):
                _start_form(chosen, free, snap)
    if can("request"):
        _request_form()


def _chosen(event) -> int | None:
    """The row a click chose in a selectable table, if any."""
    return (getattr(getattr(event, "selection", None), "rows", None) or [None])[0]


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
        view = realloc_tables.pool(pool, lang(), currency())
        selected = _chosen(tables_ui.show(view, lang(), key="realloc_pool", selectable=True))
        if selected is None:
            st.caption(t("realloc.caption.click_pool"))
        else:
            st.markdown(realloc_tables.pool_detail(view.keys[selected], lang()))
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
