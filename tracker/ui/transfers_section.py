"""Transfers between agencies (docs/transfers.md): the list with each state, the steps a user may take, the slip.

A section of its own, so a page can embed it (`render(heading=False)`); shown for now as the
Transfers page. Everything shown and every check comes from tracker.casework.transfers: this module
only lays it out. A step refused by the core shows its reason; nothing is half done.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from tracker.access.transfers import STEP_ROLES
from tracker.casework import transfers as tr
from tracker.casework.transfer_slip import transfer_slip
from tracker.text.errors import ScopeError
from tracker.ui.common import category_name, db, lang, md, money_exact, named, t, user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render(heading: bool = True) -> None:
    if heading:
        st.title(t("transfer.page.title"))
    st.caption(t("transfer.page.intro"))
    signed_in = user()
    rows = tr.list_transfers(db(), signed_in)
    if not rows:
        st.info(t("transfer.page.none"))
    else:
        st.dataframe(_list_frame(rows), hide_index=True, width="stretch", key="transfers_table")
        labels = {r["transfer_id"]: _label(r) for r in rows}
        chosen = st.selectbox(t("transfer.page.choose"), list(labels), format_func=labels.__getitem__, key="transfers_chosen")
        if chosen is not None:
            _detail(chosen)
    if signed_in.role in STEP_ROLES["create"]:
        _propose_form()


def _label(row: dict) -> str:
    state = t(f"transfer.state.{row['state']}")
    return f"#{row['transfer_id']} · {row['from_agency']} → {row['to_agency']} · {row['effective_date']} · {state}"


def _list_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("transfer.col.transfer_id"): [r["transfer_id"] for r in rows],
            t("transfer.col.state"): [t(f"transfer.state.{r['state']}") for r in rows],
            t("transfer.col.from_agency"): [r["from_agency"] for r in rows],
            t("transfer.col.to_agency"): [r["to_agency"] for r in rows],
            t("transfer.col.effective_date"): [r["effective_date"] for r in rows],
            t("transfer.col.devices"): [r["devices"] for r in rows],
            t("transfer.col.book_value"): [money_exact(r["book_value"]) for r in rows],
            t("transfer.col.request_id"): [r["request_id"] or "" for r in rows],
            t("transfer.col.created_by"): [r["created_by"] for r in rows],
        }
    )


def _detail(transfer_id: int) -> None:
    signed_in = user()
    try:
        transfer = tr.get_transfer(db(), signed_in, transfer_id)
    except (ScopeError, tr.TransferRefused) as exc:
        st.error(md(exc.text(lang())))
        return
    devices = pd.DataFrame(
        {
            t("transfer.col.asset_id"): [a["asset_id"] for a in transfer.assets],
            t("transfer.col.category"): [category_name(a["category"]) for a in transfer.assets],
            t("transfer.col.model"): [a["model"] or "" for a in transfer.assets],
            t("transfer.col.purchase_cost"): [money_exact(a["purchase_cost"]) for a in transfer.assets],
            t("transfer.col.book_value"): [money_exact(a["book_value"]) for a in transfer.assets],
        }
    )
    st.dataframe(devices, hide_index=True, width="stretch", key=f"transfer_devices_{transfer_id}")
    st.markdown(f"**{t('transfer.page.steps')}**")
    steps = pd.DataFrame(
        {
            t("transfer.col.step"): [t(f"transfer.step.{s['step']}") for s in transfer.steps],
            t("transfer.col.actor"): [s["actor"] for s in transfer.steps],
            t("transfer.col.role"): [named("role", s["role"]) if s["role"] else "" for s in transfer.steps],
            t("transfer.col.agency"): [s["agency_code"] or "" for s in transfer.steps],
            t("transfer.col.at"): [s["at"].strftime("%Y-%m-%d %H:%M") for s in transfer.steps],
            t("transfer.col.reason"): [s["reason"] or "" for s in transfer.steps],
        }
    )
    st.dataframe(steps, hide_index=True, width="stretch", key=f"transfer_steps_{transfer_id}")
    language = lang()
    st.download_button(
        t("transfer.page.slip"),
        lambda: transfer_slip(db(), signed_in, transfer_id, language),  # made, and audited, only when downloaded
        file_name=f"transfer-{transfer_id}.xlsx",
        mime=XLSX,
        key=f"transfer_slip_{transfer_id}",
    )
    _actions(transfer)


def _actions(transfer: tr.Transfer) -> None:
    signed_in = user()
    possible = tr.next_steps(signed_in, transfer)
    if not possible:
        st.caption(t("transfer.page.nothing_to_do"))
        return
    tid = transfer.transfer_id
    columns = st.columns(3)
    for side in ("giving", "receiving"):
        if f"accept:{side}" in possible:
            agency = transfer.header["from_agency" if side == "giving" else "to_agency"]
            label = f"{t('transfer.page.accept')} · {t(f'transfer.step.{side}_accepted')} ({agency})"
            if columns[0 if side == "giving" else 1].button(label, key=f"transfer_accept_{side}_{tid}"):
                _act(lambda side=side: tr.accept(db(), signed_in, tid, side), "transfer.accepted", transfer_id=tid, agency=agency)
    if "approve" in possible and columns[2].button(t("transfer.page.approve"), key=f"transfer_approve_{tid}", type="primary"):
        h = transfer.header
        _act(
            lambda: tr.approve(db(), signed_in, tid),
            "transfer.approved",
            transfer_id=tid,
            to_agency=h["to_agency"],
            effective_date=h["effective_date"].isoformat(),
        )
    if "refuse" in possible:
        reason = st.text_input(t("transfer.page.reason"), key=f"transfer_reason_{tid}", max_chars=tr.MAX_TEXT)
        if st.button(t("transfer.page.refuse"), key=f"transfer_refuse_{tid}"):
            _act(lambda: tr.refuse(db(), signed_in, tid, reason), "transfer.refused", transfer_id=tid)


def _act(step, done_key: str, **params) -> None:
    try:
        step()
    except (ScopeError, tr.TransferRefused) as exc:
        st.error(md(exc.text(lang())))
        return
    st.success(md(t(done_key, **params)))
    st.rerun()


def _propose_form() -> None:
    signed_in = user()
    with st.expander(t("transfer.page.new")), st.form("transfer_propose"):
        assets = st.text_area(t("transfer.page.assets"), key="transfer_new_assets")
        left, right = st.columns(2)
        from_agency = left.text_input(t("transfer.col.from_agency"), key="transfer_new_from", max_chars=64)
        if signed_in.role == "agency":  # an agency proposes only what it receives
            to_agency = right.text_input(
                t("transfer.col.to_agency"), value=signed_in.agency_code, disabled=True, key="transfer_new_to"
            )
        else:
            to_agency = right.text_input(t("transfer.col.to_agency"), key="transfer_new_to", max_chars=64)
        effective = left.date_input(t("transfer.col.effective_date"), value=date.today(), key="transfer_new_date")
        request_id = right.text_input(t("transfer.col.request_id"), key="transfer_new_request", max_chars=tr.MAX_TEXT)
        proposal_ref = left.text_input(t("transfer.col.proposal_ref"), key="transfer_new_proposal", max_chars=tr.MAX_TEXT)
        note = right.text_input(t("transfer.col.note"), key="transfer_new_note", max_chars=tr.MAX_TEXT)
        if st.form_submit_button(t("transfer.page.propose")):
            ids = [a for a in assets.replace(",", "\n").replace("，", "\n").splitlines() if a.strip()]
            try:
                tid = tr.create_transfer(
                    db(),
                    signed_in,
                    ids,
                    from_agency,
                    to_agency,
                    effective,
                    request_id=request_id,
                    proposal_ref=proposal_ref,
                    note=note,
                )
            except (ScopeError, tr.TransferRefused) as exc:
                st.error(md(exc.text(lang())))
                return
            st.success(
                md(
                    t(
                        "transfer.created",
                        transfer_id=tid,
                        count=len(set(a.strip() for a in ids)),
                        from_agency=from_agency.strip(),
                        to_agency=to_agency.strip(),
                        effective_date=effective.isoformat(),
                    )
                )
            )
