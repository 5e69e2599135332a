"""The data page: what the database holds, plainly, until the dashboards land."""

from __future__ import annotations

import streamlit as st

from tracker.ui.resources import session_db
from tracker.views import browse


def render() -> None:
    db = session_db()
    facts = browse.summary(db)
    st.title("What the tracker holds · 数据概况")
    if facts.usage_last is not None:
        st.caption(
            f"Usage data from {facts.usage_first} to {facts.usage_last} · "
            f"{facts.agencies_with_usage} agencies send usage logs · "
            f"使用记录期间 {facts.usage_first} 至 {facts.usage_last}，{facts.agencies_with_usage} 个单位报送使用数据"
        )
    else:
        st.caption("No usage data yet · 尚无使用记录")
    columns = st.columns(len(browse.TABLES))
    for column, info in zip(columns, browse.TABLES):
        column.metric(f"{info.label_en} · {info.label_zh}", f"{facts.counts[info.table]:,}")
    labels = {f"{t.label_en} · {t.label_zh}": t for t in browse.TABLES}
    choice = st.radio("Table · 数据表", list(labels), horizontal=True, key="data_page_table")
    info = labels[choice]
    rows = facts.counts[info.table]
    if rows == 0:
        st.info("Nothing stored yet · 暂无数据")
        return
    frame = browse.preview(db, info.table)
    if rows > len(frame):
        st.caption(f"First {len(frame):,} of {rows:,} rows · 显示前 {len(frame):,} 行，共 {rows:,} 行")
    st.dataframe(frame, hide_index=True, width="stretch")
