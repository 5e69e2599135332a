"""The Upload page's view of the intervals an event log gave: a table per machine and a timeline (tracker.views.intervals)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from tracker.ingest.report import IngestReport
from tracker.text.formatting import count, moment
from tracker.ui.charts import _layout, date_axis
from tracker.ui.common import CHART_COLOURS, lang, t
from tracker.views.intervals import EVIDENCE_KINDS, each_interval, evidence_label, interval_table, interval_timeline


def show_intervals(report: IngestReport) -> None:
    """Nothing for files other than event logs."""
    current = lang()
    table = interval_table(report, current)
    if table is None:
        return
    st.markdown(f"**{t('intervals.heading')}**")
    st.caption(t("intervals.caption"))
    st.dataframe(pd.DataFrame(table.rows, columns=list(table.columns)), hide_index=True, width="stretch")
    each = each_interval(report, current)
    if each is not None:
        with st.expander(t("intervals.each", count=count(len(each.rows)))):
            st.dataframe(pd.DataFrame(each.rows, columns=list(each.columns)), hide_index=True, width="stretch")
    bars = interval_timeline(report, current)
    st.caption(t("intervals.timeline"))
    fig = go.Figure()
    for kind, colour in zip(EVIDENCE_KINDS, CHART_COLOURS):
        label = evidence_label(kind, current)
        mine = [b for b in bars if b.evidence == label]
        if not mine:
            continue
        fig.add_trace(
            go.Bar(
                name=label,
                orientation="h",
                y=[b.machine for b in mine],
                base=[b.start for b in mine],
                x=[(b.end - b.start).total_seconds() * 1000 for b in mine],
                marker_color=colour,
                customdata=[[moment(b.start, current), moment(b.end, current)] for b in mine],
                hovertemplate="%{y}<br>%{customdata[0]} – %{customdata[1]}<extra>" + label + "</extra>",
            )
        )
    machines = len({b.machine for b in bars})
    date_axis(_layout(fig, height=140 + 40 * machines, barmode="overlay", showlegend=True), current)
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False})
