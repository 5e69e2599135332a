"""The upload preview's rejected rows: each problem with its row, column, value and reason, and the rows to download.

Split from tracker.ui.upload_page (the preview's seam): the page lays out the preview, this shows its rejects.
"""

from __future__ import annotations

import streamlit as st

from tracker.ingest import uploads
from tracker.ingest.pipeline import IngestReport
from tracker.text.formatting import MISSING
from tracker.ui.common import counted, lang, t


def rejected_rows(report: IngestReport) -> None:
    """Every problem of every rejected row, and the rejected rows to download, fix and upload again."""
    problems = len(report.errors)
    st.markdown(
        t(
            "upload.text.rejected_rows_problem",
            problems=counted("upload.count.problems", problems),
            rows_rejected=counted("upload.count.rows", report.rows_rejected),
        )
    )
    st.dataframe(
        uploads.row_errors_table(report, lang()),
        hide_index=True,
        width="stretch",
        key="upload_errors",
        placeholder=MISSING,  # a missing value is shown as missing, never "None"
        column_config={
            "row": st.column_config.NumberColumn(
                t("upload.column.row"),
                format="%d",
                pinned=True,
                width="small",
                help=t("upload.help.row_number_shown_spreadsheet"),
            ),
            "column": st.column_config.TextColumn(t("upload.column.column"), width="small"),
            "value": st.column_config.TextColumn(t("upload.column.value"), width="small"),
            "reason": st.column_config.TextColumn(t("common.column.reason"), width="large"),
        },
    )
    current = lang()
    row = st.container(horizontal=True)
    for file_format in ("csv", "xlsx"):
        row.download_button(
            t("upload.button.rejected_rows", format=file_format.upper()),
            lambda fmt=file_format: uploads.table_bytes(report.rejects_table(current), fmt),
            file_name=uploads.rejects_file_name(report.file_name, file_format),
            on_click="ignore",
            key=f"upload_rejects_{file_format}",
            icon=":material/download:",
            help=t("upload.help.rejected_rows_sent_them"),
        )
