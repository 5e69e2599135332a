"""The audit trail for administrators: every sign-in, upload, change, review and export, and whether the chain holds."""

from __future__ import annotations

import streamlit as st

from tracker.store import audit
from tracker.text.tables import table_to_csv_bytes
from tracker.ui.common import can, db, lang, tr

SHOWN = 2_000


def render() -> None:
    st.title(tr("Audit trail", "审计日志"))
    if not can("audit"):
        st.error(tr("Only administrators can read the audit trail.", "只有管理员可以查看审计日志。"))
        return
    st.caption(
        tr(
            "Append-only: each entry carries the hash of the one before it, so an entry altered or deleted "
            "afterwards breaks the chain.",
            "只追加不修改：每条记录包含上一条记录的哈希值，事后修改或删除任何记录都会使链条断开。",
        )
    )
    database = db()
    if st.button(tr("Check the chain", "校验哈希链"), key="audit_verify"):
        problems = audit.verify(database, lang=lang())
        if problems:
            for problem in problems:
                st.error(problem)
        else:
            st.success(tr("The chain is intact: no entry was altered or deleted.", "哈希链完整：没有记录被修改或删除。"))
    table = audit.audit_table(database, limit=SHOWN)
    st.dataframe(
        table.to_pandas(),
        hide_index=True,
        width="stretch",
        key="audit_table",
        column_config={
            "details": st.column_config.TextColumn(width="large"),
            "entry_hash": st.column_config.TextColumn(width="small"),
        },
    )
    if table.num_rows == SHOWN:
        st.caption(
            tr(
                f"The latest {SHOWN:,} entries; the download has them all.",
                f"显示最新的 {SHOWN:,} 条记录；下载文件包含全部记录。",
            )
        )
    st.download_button(
        tr("Download the audit trail (CSV)", "下载审计日志（CSV）"),
        table_to_csv_bytes(audit.audit_table(database)),
        file_name="audit-trail.csv",
        mime="text/csv",
        key="audit_download",
    )
