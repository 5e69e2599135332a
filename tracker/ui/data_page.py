"""The data page: what the database holds, plainly, until the dashboards land."""

from __future__ import annotations

import streamlit as st

from tracker.text.formatting import MISSING
from tracker.ui import tokens_section
from tracker.ui.common import count, day, fixed_language, lang, named, t
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
                first=day(facts.usage_first),
                last=day(facts.usage_last),
                agencies=facts.agencies_with_usage,
            )
        )
    else:
        st.caption(t("data.caption.no_usage"))
    per_row = 4  # seven tiles in one row would cut their labels and figures at 1280 px
    for start in range(0, len(browse.TABLES), per_row):
        for column, info in zip(st.columns(per_row), browse.TABLES[start : start + per_row]):
            column.metric(named("table", info.table), count(facts.counts[info.table]))
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
    labels = browse.column_labels(list(frame.columns), lang())
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        placeholder=MISSING,
        column_config={name: st.column_config.Column(label) for name, label in labels.items()},
    )
