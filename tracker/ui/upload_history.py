"""The upload page's history: every upload the user may see, and the rejected rows that uploads of good rows only
kept, downloadable as a to-do list (tracker.ingest.uploads reads both)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import streamlit as st

from tracker.ingest import uploads
from tracker.store.db import Database
from tracker.text.i18n import kind_name
from tracker.ui.common import counted, db, lang, named, scope_agency, t


def _status_label(status: str) -> str:
    return named("upload_status", status)


def _shape_label(kind: str, shape: str | None) -> str:
    kind_label = kind_name(kind, lang())
    detail = {"daily": t("upload.label.daily"), "sessions": t("upload.label.sessions"), "ocds": "OCDS"}.get(shape or "")
    return f"{kind_label} ({detail})" if detail else kind_label


def show_history() -> None:
    """The uploads the user may see, newest first, and the rejected rows kept by uploads of good rows only."""
    st.subheader(t("upload.heading.upload_history"))
    history = uploads.upload_history(db(), agency=scope_agency())
    if history.num_rows == 0:
        st.info(t("upload.note.no_uploads_yet"))
        return
    frame = history.to_pandas()
    frame["kind"] = [_shape_label(k, s) for k, s in zip(frame["kind"], frame["shape"])]
    frame["status"] = [_status_label(s) for s in frame["status"]]
    frame["agencies"] = [list(a) if a is not None else [] for a in frame["agencies"]]
    number = lambda key: st.column_config.NumberColumn(t(key), format="localized")  # noqa: E731
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key="upload_history",
        column_order=(
            "upload_id",
            "uploaded_at",
            "uploaded_by",
            "file_name",
            "kind",
            "status",
            "agencies",
            "rows_read",
            "rows_accepted",
            "rows_rejected",
            "rows_inserted",
            "rows_replaced",
            "rows_unchanged",
        ),
        column_config={
            "upload_id": st.column_config.NumberColumn("#", format="%d", pinned=True, width="small"),
            "uploaded_at": st.column_config.DatetimeColumn(t("common.column.when"), format="YYYY-MM-DD HH:mm"),
            "uploaded_by": st.column_config.TextColumn(t("upload.column.who")),
            "file_name": st.column_config.TextColumn(t("upload.column.file")),
            "kind": st.column_config.TextColumn(t("upload.column.kind")),
            "status": st.column_config.TextColumn(t("common.column.status")),
            "rows_read": number("upload.column.rows_read"),
            "rows_accepted": number("upload.column.rows_accepted"),
            "rows_rejected": number("upload.column.rows_rejected"),
            "rows_inserted": number("upload.column.rows_new"),
            "rows_replaced": number("upload.column.rows_replaced"),
            "rows_unchanged": number("upload.column.rows_unchanged"),
            "agencies": st.column_config.ListColumn(t("upload.column.agencies")),
        },
    )
    _kept_rejects(frame)


def _kept_rejects(frame: pd.DataFrame) -> None:
    """The rejected rows that uploads of good rows only kept, downloadable as a to-do list."""
    partial = frame[frame["rows_rejected"] > 0]
    if partial.empty:
        return
    labels = {
        int(r.upload_id): f"#{r.upload_id} · {r.file_name} · "
        + t("upload.label.rows_rejected", rows_rejected=counted("upload.count.rows", r.rows_rejected))
        for r in partial.itertuples()
    }
    row = st.container(horizontal=True, vertical_alignment="bottom")
    upload_id = row.selectbox(
        t("upload.field.rejected_rows_kept_upload"),
        list(labels),
        format_func=labels.get,
        key="upload_kept_choice",
        width=520,
    )
    table = _kept_rejects_table(db(), upload_id, lang(), scope_agency())
    file_name = str(partial.loc[partial["upload_id"] == upload_id, "file_name"].iloc[0])
    for file_format in ("csv", "xlsx"):
        row.download_button(
            file_format.upper(),
            lambda fmt=file_format: uploads.table_bytes(table, fmt),
            file_name=uploads.rejects_file_name(file_name, file_format),
            on_click="ignore",
            key=f"upload_kept_{file_format}",
            icon=":material/download:",
        )


@st.cache_data(max_entries=16, show_spinner=False)
def _kept_rejects_table(_database: Database, upload_id: int, language: str, agency: str | None) -> pa.Table:
    """Kept rejected rows never change once stored, so they are read once per upload, language and scope."""
    return uploads.kept_rejects(_database, upload_id, language, agency=agency)
