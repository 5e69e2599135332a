"""What a chart's tooltips say: translated labels, unknown as "—" (never 0.0 % or None), money with its currency."""

from __future__ import annotations

import json
from datetime import date

from tracker.ui import charts
from tracker.views import overview
from tracker.views.filters import Filters
from tracker.views.source import Source


def _texts(fig) -> str:
    return json.dumps(fig.to_plotly_json()["data"], ensure_ascii=False, default=str)


def test_unknown_utilisation_reads_as_a_dash_in_every_tooltip(demo_small):
    src = Source(demo_small[0])
    snap = src.snapshot(Filters())
    cells, _ = overview.heatmap(src, snap, Filters())
    fig = charts.heatmap(
        cells, names=str, agency_title="单位", category_title="类别", value_title="利用率", assets_label="资产数"
    )
    trace = fig.data[0]
    row = list(trace.y).index("A003")
    assert {c[0] for c in trace.customdata[row]} == {"—"}  # the silent agency: unknown in the tooltip, as in the cell
    assert "%{z" not in trace.hovertemplate and "n =" not in trace.hovertemplate and "资产数" in trace.hovertemplate

    compared = overview.agencies_compared(src, snap, Filters())
    scatter = charts.agencies_scatter(
        compared,
        overall_idle_share=0.05,
        x_title="窗口内支出",
        y_title="闲置比例",
        size_label="涉及金额",
        overall_label="全部单位",
        money=lambda v: f"¥{v:,.0f}",
        money_prefix="¥",
        findings_text=lambda n: f"{n} 条",
    )
    assert "A003" not in scatter.data[0].text  # not plotted at 0 %
    assert scatter.layout.xaxis.tickprefix == "¥"
    assert "None" not in _texts(scatter) and "%{y" not in scatter.data[0].hovertemplate

    spread = charts.utilisation_spread(
        overview.utilisation_by_category(src, snap, Filters(agencies=("A003",))),
        names=str,
        axis_title="利用率",
        threshold_label="低使用率阈值",
        pooled_label="整体利用率",
        assets_label="资产数",
        median_label="中位资产",
        middle_label="中间一半资产",
        spread_label="第10至第90百分位",
    )
    assert spread.data[0].hoverinfo == "skip"  # Plotly's own box labels (q1, median, …) are English
    assert all(y is None for y in spread.data[2].y) or not len(spread.data[2].y)
    assert "None" not in _texts(spread)


def test_hours_are_in_the_readers_unit():
    from datetime import date

    import pyarrow as pa

    table = pa.table({"day": [date(2025, 1, 2)], "hours_used": [3.0], "available_hours": [8.0]})
    fig = charts.daily_usage(table, used_label="使用时长", available_label="可用时长", axis_title="每日时长", hours_unit="小时")
    assert all("小时" in trace.hovertemplate and " h<" not in trace.hovertemplate for trace in fig.data)
    assert fig.layout.yaxis.ticksuffix == " 小时"


def test_date_axes_are_labelled_in_the_readers_language():
    from datetime import date

    import pyarrow as pa

    from tracker.ui import charts

    daily = pa.table({"day": [date(2025, 1, 1), date(2025, 6, 1)], "hours_used": [1.0, 2.0], "available_hours": [8.0, 8.0]})
    for lang, month in (("zh", "%Y年%-m月"), ("en", "%Y-%m")):
        fig = charts.daily_usage(daily, used_label="u", available_label="a", axis_title="h", lang=lang)
        stops = {tuple(s.dtickrange): s.value for s in fig.layout.xaxis.tickformatstops}
        assert stops[("M1", "M12")] == month
        assert all("%b" not in s.value for s in fig.layout.xaxis.tickformatstops)
        assert "%b" not in fig.data[0].hovertemplate


def test_every_chart_has_the_plain_template_as_if_plotly_had_checked_it():
    import plotly.graph_objects as go
    import plotly.io as pio
    import pyarrow as pa

    from tracker.ui import charts

    table = pa.table({"day": [date(2025, 1, 2)], "hours_used": [3.0], "available_hours": [8.0]})
    fig = charts.daily_usage(table, used_label="used", available_label="available", axis_title="hours", hours_unit="h")
    checked = go.Figure(fig)  # a copy, every property checked
    checked.update_layout(template="plotly_white")  # set the way Plotly checks it
    assert fig.to_plotly_json() == checked.to_plotly_json()
    assert fig.layout.template == pio.templates["plotly_white"]
    fig.layout.template.layout.font.size = 99  # a figure's template is its own: the registered one is untouched
    assert pio.templates["plotly_white"].layout.font.size is None
