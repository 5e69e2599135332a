"""The audit trail for administrators: every sign-in, upload, change, review and export, and whether the chain holds."""

from __future__ import annotations

import streamlit as st

from tracker.store import audit
from tracker.text.formatting import MISSING
from tracker.text.tables import table_to_csv_bytes
from tracker.ui.common import can, db, lang, t
from tracker.views import audit_trail

SHOWN = 2_000


def render() -> None:
    st.title(t("audit.title.audit_trail"))
    if not can("audit"):
        st.error(t("audit.error.only_administrators_can_read"))
        return
    st.caption(t("audit.caption.append_only_each_entry"))
    database = db()
    if st.button(t("audit.button.check_chain"), key="audit_verify"):
        problems = audit.verify(database, lang=lang())
        if problems:
            for problem in problems:
                st.error(problem)
        else:
            st.success(t("audit.success.chain_intact_no_entry"))
    table = audit.audit_table(database, limit=SHOWN)
    labels = audit_trail.column_labels(lang())
    st.dataframe(
        audit_trail.readable(table, lang()),  # in words; the CSV below keeps the details as recorded (JSON)
        hide_index=True,
        width="stretch",
        key="audit_table",
        placeholder=MISSING,
        column_order=audit_trail.COLUMNS,
        column_config={
            "entry_id": st.column_config.NumberColumn(labels["entry_id"], format="%d", width="small"),
            "at": st.column_config.DatetimeColumn(labels["at"], format="YYYY-MM-DD HH:mm:ss"),
            "actor": st.column_config.TextColumn(labels["actor"]),
            "action": st.column_config.TextColumn(labels["action"]),
            "target": st.column_config.TextColumn(labels["target"]),
            "details": st.column_config.TextColumn(labels["details"], width="large"),
            "entry_hash": st.column_config.TextColumn(labels["entry_hash"], width="small"),
        },
    )
    st.caption(t("trustui.audit.csv_keeps_json"))
    if table.num_rows == SHOWN:
        st.caption(t("audit.caption.latest_entries_download_them", shown=SHOWN))
    st.download_button(
        t("audit.button.download_audit_trail_csv"),
        table_to_csv_bytes(audit.audit_table(database)),
        file_name="audit-trail.csv",
        mime="text/csv",
        key="audit_download",
    )
