"""Plotly figures of the dashboard: one theme, colour-blind-safe colours, units on axes, numbers in tooltips.

Builders take the core's tables and the texts already in the reader's language, and return a
figure; they compute nothing the core did not.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import plotly.graph_objects as go
import plotly.io as pio
import pyarrow as pa

from tracker.text.formatting import MISSING, chart_dates
from tracker.text.i18n import text
from tracker.ui.common import CHART_COLOURS, MUTED

MONTH_BAR_MS = 24 * 24 * 3600 * 1000  # bars of monthly data drawn 24 days wide (Plotly would size them per trace)
FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, Helvetica, Arial, sans-serif"


def date_axis(fig: go.Figure, lang: str) -> go.Figure:
    """A date x-axis labelled in the reader's language (tracker.text.formatting.chart_dates), not Plotly's English months."""
    fig.update_xaxes(type="date", tickformatstops=chart_dates(lang)["ticks"])
    return fig


@cache
def _plain_template() -> go.layout.Template:
    return pio.templates["plotly_white"]


def _layout(fig: go.Figure, *, height: int = 380, **kwargs) -> go.Figure:
    # Plotly validates a template each time one is set, deep-copying it: ~7 ms a figure, most of a filter
    # change's drawing. The registered template is valid already, so it is set the way Plotly sets its own
    # default template, without that check; the figure is the same.
    layout = fig.layout
    layout._validate = False
    try:
        layout.template = _plain_template()
    finally:
        layout._validate = fig._validate
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        font=dict(family=FONT, size=13),
        hoverlabel=dict(font=dict(family=FONT)),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        separators=".,",
        **kwargs,
    )
    return fig


def monthly_spend(
    table: pa.Table,
    *,
    spend_label: str,
    year_end_label: str,
    other_label: str,
    money: Callable[[float], str],
    axis_title: str,
    money_prefix: str = "",
    lines_text: Callable[[int], str] = str,
) -> go.Figure:
    """Bars per month; the last month of each fiscal year in a second colour and hatched (not colour alone)."""
    rows = table.to_pylist()
    fig = go.Figure()
    for is_end, name, colour, pattern in (
        (False, other_label, CHART_COLOURS[0], ""),
        (True, year_end_label, CHART_COLOURS[1], "/"),
    ):
        part = [r for r in rows if bool(r["fiscal_year_end"]) is is_end]
        fig.add_bar(
            x=[r["month"] for r in part],
            y=[r["spend"] for r in part],
            name=name,
            marker=dict(color=colour, pattern=dict(shape=pattern)),
            width=MONTH_BAR_MS,
            xperiod="M1",
            xperiodalignment="middle",
            customdata=[[money(r["spend"]), lines_text(r["lines"])] for r in part],
            hovertemplate=f"%{{x|%Y-%m}}<br>{spend_label}: %{{customdata[0]}}<br>%{{customdata[1]}}<extra>{name}</extra>",
        )
    fig.update_xaxes(dtick="M6", tickformat="%Y-%m")
    fig.update_yaxes(title=axis_title, tickformat=",.0f", tickprefix=money_prefix, rangemode="tozero")
    return _layout(fig, barmode="overlay", bargap=0.15)


def _percent(value: float | None) -> str:
    return MISSING if value is None else f"{value * 100:.1f} %"


def utilisation_spread(
    table: pa.Table,
    *,
    names: Callable[[str], str],
    axis_title: str,
    threshold_label: str,
    pooled_label: str,
    assets_label: str,
    median_label: str = "p50",
    middle_label: str = "p25–p75",
    spread_label: str = "p10–p90",
) -> go.Figure:
    """Per category: a box from p10 to p90 (whiskers), p25–p75 (box) and the median; the low-use threshold as a mark.

    The box carries no tooltip of its own (Plotly would label its parts in English); the pooled mark's
    tooltip gives every figure of the category, translated, unknown as "—". An unknown pooled
    utilisation is not plotted.
    """
    rows = table.to_pylist()
    labels = [names(r["category"]) for r in rows]
    fig = go.Figure()
    fig.add_trace(
        go.Box(
            x=labels,
            q1=[r["p25"] * 100 for r in rows],
            median=[r["p50"] * 100 for r in rows],
            q3=[r["p75"] * 100 for r in rows],
            lowerfence=[r["p10"] * 100 for r in rows],
            upperfence=[r["p90"] * 100 for r in rows],
            name="p10–p90",
            marker_color=CHART_COLOURS[0],
            fillcolor="rgba(0,114,178,0.25)",
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_scatter(
        x=labels,
        y=[r["low_threshold"] * 100 for r in rows],
        mode="markers",
        name=threshold_label,
        marker=dict(symbol="line-ew-open", size=26, color=CHART_COLOURS[1], line=dict(width=3)),
        hovertemplate=f"%{{x}}<br>{threshold_label}: %{{y:.0f}} %<extra></extra>",
    )
    fig.add_scatter(
        x=labels,
        y=[None if r["utilisation"] is None else r["utilisation"] * 100 for r in rows],
        mode="markers",
        name=pooled_label,
        marker=dict(symbol="diamond", size=9, color=CHART_COLOURS[2]),
        customdata=[
            [
                _percent(r["utilisation"]),
                f"{r['assets']:,}",
                _percent(r["p50"]),
                f"{_percent(r['p25'])} – {_percent(r['p75'])}",
                f"{_percent(r['p10'])} – {_percent(r['p90'])}",
            ]
            for r in rows
        ],
        hovertemplate=(
            f"%{{x}}<br>{pooled_label}: %{{customdata[0]}}<br>{median_label}: %{{customdata[2]}}<br>"
            f"{middle_label}: %{{customdata[3]}}<br>{spread_label}: %{{customdata[4]}}<br>"
            f"{assets_label}: %{{customdata[1]}}<extra></extra>"
        ),
    )
    fig.update_yaxes(title=axis_title, ticksuffix=" %", rangemode="tozero")
    return _layout(fig, height=400)


def agencies_scatter(
    table: pa.Table,
    *,
    overall_idle_share: float | None,
    x_title: str,
    y_title: str,
    size_label: str,
    overall_label: str,
    money: Callable[[float], str],
    money_prefix: str = "",
    findings_text: Callable[[int], str] = str,
) -> go.Figure:
    """Each agency: spend (x) against idle share of book value (y), sized by value at stake in open findings.

    An agency whose idle share is unknown (no usage sent) is not plotted: the page names it instead.
    Each circle is labelled with its agency code; the tooltip gives the name when it differs.
    """
    rows = [r for r in table.to_pylist() if r.get("idle_share") is not None]
    largest = max([r["value_at_stake"] or 0.0 for r in rows] + [1.0])  # an unknown value at stake draws the smallest circle
    fig = go.Figure()
    fig.add_scatter(
        x=[r["spend"] for r in rows],
        y=[r["idle_share"] * 100 for r in rows],
        mode="markers+text",
        textposition="top center",
        textfont=dict(size=11, color=MUTED),
        marker=dict(
            size=[8 + 40 * ((r["value_at_stake"] or 0.0) / largest) ** 0.5 for r in rows],
            color=CHART_COLOURS[0],
            opacity=0.6,
            line=dict(width=1, color="white"),
        ),
        text=[r["agency_code"] for r in rows],
        customdata=[
            [
                "" if (r.get("agency_name") or r["agency_code"]) == r["agency_code"] else r["agency_name"],
                money(r["spend"]),
                money(r["value_at_stake"]),
                findings_text(r["findings"]),
                _percent(r["idle_share"]),
            ]
            for r in rows
        ],
        hovertemplate=(
            f"<b>%{{text}}</b> %{{customdata[0]}}<br>{x_title}: %{{customdata[1]}}<br>"
            f"{y_title}: %{{customdata[4]}}<br>{size_label}: %{{customdata[2]}} (%{{customdata[3]}})<extra></extra>"
        ),
        showlegend=False,
    )
    if overall_idle_share is not None:
        fig.add_hline(
            y=overall_idle_share * 100,
            line=dict(color=MUTED, dash="dash"),
            annotation_text=overall_label,
            annotation_position="top left",
        )
    fig.update_xaxes(title=x_title, tickformat=",.0f", tickprefix=money_prefix, rangemode="tozero")
    fig.update_yaxes(title=y_title, ticksuffix=" %", rangemode="tozero")
    return _layout(fig, height=420)


def heatmap(
    table: pa.Table,
    *,
    names: Callable[[str], str],
    agency_title: str,
    category_title: str,
    value_title: str,
    assets_label: str = "n",
) -> go.Figure:
    """Utilisation per agency (rows) and category (columns); an unknown cell reads "—", in the cell and its tooltip, never 0."""
    rows = table.to_pylist()
    agencies = sorted({r["agency_code"] for r in rows})
    categories = sorted({r["category"] for r in rows})
    cells = {(r["agency_code"], r["category"]): r for r in rows}
    z, text, custom = [], [], []
    for agency in agencies:
        z_row, t_row, c_row = [], [], []
        for category in categories:
            cell = cells.get((agency, category))
            value = None if cell is None or cell["utilisation"] is None else cell["utilisation"] * 100
            z_row.append(value)
            t_row.append(MISSING if value is None else f"{value:.0f}")
            c_row.append([MISSING if value is None else f"{value:.1f} %", f"{0 if cell is None else cell['assets']:,}"])
        z.append(z_row), text.append(t_row), custom.append(c_row)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[names(c) for c in categories],
            y=agencies,
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            colorscale="Blues",
            zmin=0,
            zmax=100,
            colorbar=dict(title=value_title, ticksuffix=" %"),
            hovertemplate=(
                f"{agency_title}: %{{y}}<br>{category_title}: %{{x}}<br>{value_title}: %{{customdata[0]}}<br>"
                f"{assets_label}: %{{customdata[1]}}<extra></extra>"
            ),
            xgap=1,
            ygap=1,
        )
    )
    fig.update_yaxes(autorange="reversed", title=agency_title, type="category")
    fig.update_xaxes(title=category_title, side="top")
    return _layout(fig, height=max(320, 24 * len(agencies) + 120))


def daily_usage(
    table: pa.Table, *, used_label: str, available_label: str, axis_title: str, hours_unit: str = "h", lang: str = "en"
) -> go.Figure:
    """One asset's hours per day (bars) against its available hours (a step line)."""
    days = table.column("day").to_pylist()
    on = chart_dates(lang)["day"]
    fig = go.Figure()
    fig.add_bar(
        x=days,
        y=table.column("hours_used").to_pylist(),
        name=used_label,
        marker_color=CHART_COLOURS[0],
        hovertemplate=f"%{{x|{on}}}<br>{used_label}: %{{y:.1f}} {hours_unit}<extra></extra>",
    )
    fig.add_scatter(
        x=days,
        y=table.column("available_hours").to_pylist(),
        name=available_label,
        mode="lines",
        line=dict(color=CHART_COLOURS[1], shape="hv", width=1.5),
        hovertemplate=f"%{{x|{on}}}<br>{available_label}: %{{y:.1f}} {hours_unit}<extra></extra>",
    )
    fig.update_yaxes(title=axis_title, rangemode="tozero", ticksuffix=f" {hours_unit}")
    return date_axis(_layout(fig, height=340, bargap=0), lang)


def device_meters(meters, lang: str) -> go.Figure:
    """A metered device's readings and use (the core's explore.AssetDetail.meters), labelled in `lang`."""
    return meter_readings(
        meters.readings,
        meters.daily_use,
        reading_label=text("meters.chart.reading", lang),
        use_label=text("meters.chart.use", lang),
        unit=meters.unit[1 if lang == "zh" else 0],
        lang=lang,
    )


def meter_readings(
    readings: pa.Table, daily_use: pa.Table, *, reading_label: str, use_label: str, unit: str, lang: str = "en"
) -> go.Figure:
    """A device's counter readings (points joined by a line) and the use per day derived from them (bars)."""
    dates = chart_dates(lang)
    fig = go.Figure()
    fig.add_bar(
        x=daily_use.column("day").to_pylist(),
        y=daily_use.column("use").to_pylist(),
        name=use_label,
        marker_color=CHART_COLOURS[0],
        hovertemplate=f"%{{x|{dates['day']}}}<br>{use_label}: %{{y:,.1f}} {unit}<extra></extra>",
    )
    fig.add_scatter(
        x=readings.column("read_at").to_pylist(),
        y=readings.column("value").to_pylist(),
        name=reading_label,
        mode="lines+markers",
        yaxis="y2",
        line=dict(color=CHART_COLOURS[1], width=1.5),
        hovertemplate=f"%{{x|{dates['moment']}}}<br>{reading_label}: %{{y:,.0f}} {unit}<extra></extra>",
    )
    fig.update_yaxes(title=f"{use_label} ({unit})", rangemode="tozero")
    layout = _layout(
        fig,
        height=340,
        bargap=0,
        yaxis2=dict(title=f"{reading_label} ({unit})", overlaying="y", side="right", rangemode="tozero", showgrid=False),
    )
    return date_axis(layout, lang)
