"""The data page: what the database holds, plainly, until the dashboards land."""

from __future__ import annotations

import streamlit as st

from tracker.ui import tokens_section
from tracker.ui.common import fixed_language, named, t
from tracker.ui.resources import session_db
from tracker.views import browse


def render() -> None:
    db = session_db()
    facts = browse.summary(db)
    st.title(t("data.title"))
    tokens_section.render()  # administrators only
    if facts.usage_last is not None:
        st.caption(
            t(
                "data.caption.usage_period",
                first=facts.usage_first,
                last=facts.usage_last,
                agencies=facts.agencies_with_usage,
            )
        )
    else:
        st.caption(t("data.caption.no_usage"))
    columns = st.columns(len(browse.TABLES))
    for column, info in zip(columns, browse.TABLES):
        column.metric(named("table", info.table), f"{facts.counts[info.table]:,}")
    tables = {info.table: info for info in browse.TABLES}
    choice = st.radio(
        t("data.field.table"),
        list(tables),
        horizontal=True,
        key="data_page_table",
        format_func=fixed_language(lambda table, language: named("table", table, language)),
    )
    info = tables[choice]
    rows = facts.counts[info.table]
    if rows == 0:
        st.info(t("data.note.nothing_stored"))
        return
    frame = browse.preview(db, info.table)
    if rows > len(frame):
        st.caption(t("data.caption.first_rows", shown=len(frame), rows=rows))
    st.dataframe(frame, hide_index=True, width="stretch")
