"""One way to show a table: a core TableView (tracker.views.tables) as a Streamlit dataframe.

Unknown cells show "—", money in the money format of tracker.text.formatting, shares as percentages,
counts with thousands separators; the columns keep the widths the view gives them.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from tracker.text import formatting
from tracker.views.tables import TableView


def column_config(view: TableView, lang: str) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for column in view.columns:
        common = {"width": column.width, "pinned": column.pinned or None}
        if column.kind == "money":
            config[column.key] = st.column_config.NumberColumn(
                column.label, format=formatting.money_column_format(view.currency), **common
            )
        elif column.kind == "share":
            config[column.key] = st.column_config.NumberColumn(column.label, format=formatting.SHARE_COLUMN_FORMAT, **common)
        elif column.kind == "count":
            config[column.key] = st.column_config.NumberColumn(column.label, format=formatting.COUNT_COLUMN_FORMAT, **common)
        elif column.kind == "years":
            config[column.key] = st.column_config.NumberColumn(column.label, format=formatting.YEARS_COLUMN_FORMAT, **common)
        elif column.kind == "day":
            config[column.key] = st.column_config.DateColumn(
                column.label, format=formatting.DAY_COLUMN_FORMATS["zh" if lang == "zh" else "en"], **common
            )
        else:
            config[column.key] = st.column_config.TextColumn(column.label, **common)
    return config


def show(view: TableView, lang: str, *, key: str, height: int | str = "auto", selectable: bool = False):
    """The table; with `selectable`, a click on a row reruns the page and the event says which row."""
    kwargs: dict[str, Any] = {"on_select": "rerun", "selection_mode": "single-row"} if selectable else {}
    return st.dataframe(
        view.rows,
        hide_index=True,
        width="stretch",
        height=height,
        key=key,
        placeholder=formatting.MISSING,
        column_order=[c.key for c in view.columns],
        column_config=column_config(view, lang),
        **kwargs,
    )
