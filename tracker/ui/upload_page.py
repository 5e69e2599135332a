"""The upload page for agencies: templates, upload, a validation preview with every rejected row, commit, history.

Nothing is stored until the user commits: the file is validated first (a dry run) and the preview
stays in the session until it is committed or cancelled. The flow itself is tracker.ingest.uploads; this
page keeps the session's state (keys starting with "upload_") and lays the results out.
"""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from tracker.ingest import uploads
from tracker.ingest.contracts import KINDS
from tracker.ingest.pipeline import IngestReport
from tracker.store import audit
from tracker.store.db import Database
from tracker.text.errors import TrackerError
from tracker.text.i18n import Message, kind_name
from tracker.text.i18n import render as render_message
from tracker.ui.common import actor, can, count, db, lang, scope_agency, tr, user

DETECT = "detect"
PREVIEW_KEY = "upload_preview"  # {"token": ..., "preview": UploadPreview | None, "error": TrackerError | None}
RECEIPT_KEY = "upload_receipt"  # the IngestReport of the last commit
NONCE_KEY = "upload_nonce"  # bumped to empty the file uploader after a commit or a cancel
DATE_ORDER_KEY = "upload_date_order"
NEEDS_DATE_ORDER_KEY = "upload_needs_date_order"  # file id of the file whose dates need an order
# Share of the progress bar each ingest phase fills, in order (tracker.ingest.pipeline reports these phases).
PHASES = {"read": (0.0, 0.4), "validate": (0.4, 0.7), "compare": (0.7, 0.8), "write": (0.8, 1.0), "done": (1.0, 1.0)}


def render() -> None:
    st.title(tr("Upload data", "上传数据"))
    if not can("upload"):
        st.error(tr("Your role cannot upload records.", "您的角色无权上传数据。"))
        return
    if scope_agency() is not None:
        st.info(
            tr(
                f"You upload for agency {scope_agency()}: rows of other agencies are refused.",
                f"您代表单位 {scope_agency()} 上传：其他单位的数据行会被拒绝。",
            )
        )
    st.caption(
        tr(
            "Download a template, upload your file, check the preview, then commit. Nothing is stored until "
            "you commit; a file with problems can be fixed and uploaded again without creating duplicates.",
            "下载模板，上传文件，检查预览后再提交。提交前不会保存任何数据；有问题的文件修改后可重新上传，不会产生重复数据。",
        )
    )
    _templates()
    _receipt()
    file = _file_input()
    if file is not None:
        _preview(file)
    _history()


# -- templates -----------------------------------------------------------------------------------


def _templates() -> None:
    names = {
        "procurement": tr("Procurement lines", "采购明细"),
        "assets": tr("Asset register", "资产登记"),
        "usage_daily": tr("Usage, one row per device and day", "使用记录（按日）"),
        "usage_sessions": tr("Usage, one row per session", "使用记录（按会话）"),
    }
    files: dict[str, list[uploads.TemplateFile]] = {}
    for template in uploads.template_files():
        files.setdefault(template.template, []).append(template)
    with st.expander(tr("Templates: the columns each file needs, with example rows", "模板：各类文件所需的列及示例行")):
        st.caption(
            tr(
                "Headers may be in English or Chinese; the XLSX files explain every column on a second sheet.",
                "表头可用英文或中文；XLSX 模板的第二个工作表说明了每一列。",
            )
        )
        for name, templates in files.items():
            columns = st.columns([2, 1, 1, 1, 1], vertical_alignment="center")
            columns[0].markdown(f"**{names.get(name, name)}**")
            for column, template in zip(columns[1:], templates):
                language = "English" if template.language == "en" else "中文"
                column.download_button(
                    f"{language} · {template.file_format.upper()}",
                    template.path.read_bytes(),
                    file_name=template.path.name,
                    mime=template.mime,
                    on_click="ignore",
                    key=f"upload_template_{template.path.stem}_{template.file_format}",
                    icon=":material/download:",
                )


# -- the file ------------------------------------------------------------------------------------


def _kind_label(kind: str) -> str:
    if kind == DETECT:
        return tr("Detect from the headers", "根据表头自动识别")
    return kind_name(kind, lang()).capitalize()


def _file_input() -> Any:
    left, right = st.columns([1, 2])
    kinds = {kind: _kind_label(kind) for kind in (DETECT, *KINDS)}  # labels fixed here: format_func may run elsewhere
    left.selectbox(tr("Record kind", "数据类型"), list(kinds), key="upload_kind", format_func=kinds.get)
    limit_mb = uploads.max_upload_bytes(db()) // 1_000_000
    file = right.file_uploader(
        tr("File (CSV, XLSX, Parquet or OCDS JSON)", "文件（CSV、XLSX、Parquet 或 OCDS JSON）"),
        type=list(uploads.ACCEPTED_SUFFIXES),
        key=f"upload_file_{st.session_state.get(NONCE_KEY, 0)}",
        max_upload_size=limit_mb,
        help=tr(
            f"One kind of record per file, at most {count(limit_mb)} MB.", f"每个文件只含一类数据，最大 {count(limit_mb)} MB。"
        ),
    )
    if file is not None and st.session_state.get(NEEDS_DATE_ORDER_KEY) == file.file_id:
        orders = {order: _date_order_label(order) for order in uploads.DATE_ORDERS}
        st.radio(
            tr("Order of day and month in the dates", "日期中日与月的顺序"),
            list(orders),
            key=DATE_ORDER_KEY,
            index=None,
            horizontal=True,
            format_func=orders.get,
        )
    return file


def _date_order_label(order: str) -> str:
    if order == "dmy":
        return tr("day/month/year (31/12/2025)", "日/月/年（31/12/2025）")
    return tr("month/day/year (12/31/2025)", "月/日/年（12/31/2025）")


def _chosen_kind() -> str | None:
    kind = st.session_state.get("upload_kind", DETECT)
    return None if kind == DETECT else kind


# -- validation preview --------------------------------------------------------------------------


class _ProgressBox:
    """ingest_file's progress in an st.status box; the engine reports percentages from its own thread."""

    def __init__(self, label: str) -> None:
        self.box = st.status(label, expanded=True)
        self.bar = self.box.progress(0.0)
        self._context = get_script_run_ctx()
        self._labels = {phase: _phase_label(phase) for phase in PHASES}  # the engine's thread has no session
        self._lock = threading.Lock()

    def __call__(self, phase: str, fraction: float | None) -> None:
        if get_script_run_ctx(suppress_warning=True) is None:
            add_script_run_ctx(threading.current_thread(), self._context)
        start, end = PHASES.get(phase, (0.0, 1.0))
        done = start + (end - start) * (fraction or 0.0)
        with self._lock:
            self.bar.progress(min(1.0, done), text=self._labels.get(phase, phase))

    def finish(self, label: str, *, failed: bool = False) -> None:
        self.box.update(label=label, state="error" if failed else "complete", expanded=False)


def _phase_label(phase: str) -> str:
    return {
        "read": tr("Reading the file…", "正在读取文件…"),
        "validate": tr("Checking every row…", "正在检查每一行…"),
        "compare": tr("Comparing with the stored records…", "正在与已存数据比对…"),
        "write": tr("Writing…", "正在写入…"),
        "done": tr("Done", "完成"),
    }.get(phase, phase)


def _preview(file: Any) -> None:
    token = (file.file_id, _chosen_kind(), st.session_state.get(DATE_ORDER_KEY))
    state = st.session_state.get(PREVIEW_KEY)
    if state is None or state["token"] != token:
        state = {"token": token, "preview": None, "error": None}
        progress = _ProgressBox(tr(f"Checking {file.name}…", f"正在检查 {file.name}…"))
        try:
            state["preview"] = uploads.preview_upload(
                db(),
                file,
                file.name,
                _chosen_kind(),
                size_bytes=file.size,
                agency=scope_agency(),
                date_order=st.session_state.get(DATE_ORDER_KEY),
                progress=progress,
            )
            progress.finish(tr(f"{file.name} checked", f"{file.name} 已检查"))
            audit.record(db(), actor(), "upload", file.name, state["preview"].report.audit_details(status="checked"))
        except TrackerError as exc:
            state["error"] = exc
            progress.finish(tr(f"{file.name} was refused", f"{file.name} 被拒绝"), failed=True)
            audit.record(db(), actor(), "upload", file.name, {"status": "refused", "reason": exc.key})
        st.session_state[PREVIEW_KEY] = state
        st.session_state.pop(RECEIPT_KEY, None)
    if state["error"] is not None:
        _refusal(state["error"], file)
        return
    _show_preview(state["preview"], file)


def _refusal(error: TrackerError, file: Any) -> None:
    """A file refused as a whole: its message, and the one choice that can fix it here, if any."""
    st.error(error.text(lang()), icon=":material/block:")
    if error.key == "file.ambiguous_dates" and st.session_state.get(NEEDS_DATE_ORDER_KEY) != file.file_id:
        st.session_state[NEEDS_DATE_ORDER_KEY] = file.file_id
        st.rerun()  # shows the date order choice above
    if isinstance(error, uploads.KindNotDetected) and error.candidates:
        kinds = tr(", ", "、").join(kind_name(k, lang()) for k in error.candidates)
        st.info(
            tr(
                f"Its headers fit more than one kind ({kinds}): choose the record kind above.",
                f"其表头同时符合多种数据类型（{kinds}）：请在上方选择数据类型。",
            )
        )


def _show_preview(preview: uploads.UploadPreview, file: Any) -> None:
    report = preview.report
    st.subheader(tr("Check before committing", "提交前检查"))
    how = tr("detected from the headers", "根据表头识别") if _chosen_kind() is None else tr("as chosen", "按所选类型")
    st.caption(
        tr(
            f"{file.name}: {kind_name(preview.kind, 'en')} records ({how}), read as {report.file_format.upper()}.",
            f"{file.name}：{kind_name(preview.kind, 'zh')}数据（{how}），按 {report.file_format.upper()} 格式读取。",
        )
    )
    _counts(report)
    _feed(report)
    if report.previous_upload is not None:
        upload_id, when = report.previous_upload
        st.info(
            render_message(Message("file.same_file", {"file": report.file_name, "upload_id": upload_id, "when": when}), lang())
        )
    if report.rows_rejected:
        st.warning(
            tr(
                f"{count(report.rows_rejected)} of {count(report.rows_read)} rows have problems. Fix them and "
                f"upload the file again, or commit the good rows only ({_rows(report.rows_accepted)}): the "
                f"rejected rows are then kept with the upload, with their reasons.",
                f"{count(report.rows_read)} 行中有 {count(report.rows_rejected)} 行存在问题。请修正后重新上传，"
                f"或仅提交 {count(report.rows_accepted)} 行无误的数据：被拒绝的行及原因将随本次上传一并保存。",
            ),
            icon=":material/warning:",
        )
        _rejected_rows(report)
    else:
        st.success(tr("Every row passed the checks.", "所有行均通过检查。"), icon=":material/check_circle:")
    with st.expander(tr(f"First rows of {file.name}", f"{file.name} 的前几行"), expanded=not report.rows_rejected):
        st.dataframe(preview.peek.first_rows, hide_index=True, width="stretch")
    _actions(preview, file)


def _counts(report: IngestReport) -> None:
    figures = (
        (tr("Rows read", "读取行数"), report.rows_read),
        (tr("Accepted", "可接受"), report.rows_accepted),
        (tr("Rejected", "被拒绝"), report.rows_rejected),
        (tr("Would be new", "将新增"), report.rows_inserted),
        (tr("Would replace", "将替换"), report.rows_replaced),
        (tr("Unchanged", "无变化"), report.rows_unchanged),
    )
    for column, (label, value) in zip(st.columns(len(figures)), figures):
        column.metric(label, count(value))


def _feed(report: IngestReport) -> None:
    """OCDS: the lines set aside (counts, download), lines kept as other or unpriced, and the codes given to buyers."""
    notes = report.feed_notes(lang())
    if not notes:
        return
    for note in notes:
        st.info(note, icon=":material/info:")
    if report.set_aside:
        current = lang()
        st.download_button(
            render_message(Message("ocds.download_set_aside"), current),
            lambda: uploads.table_bytes(report.set_aside_table(current), "csv"),
            file_name=uploads.rejects_file_name(report.file_name, "csv").replace("_rejected", "_set_aside"),
            on_click="ignore",
            key="upload_set_aside_csv",
            icon=":material/download:",
        )
    if report.unmatched_devices:
        st.download_button(
            tr("Unmatched devices as an asset register to complete (CSV)", "未对应的设备（资产登记模板，待补全，CSV）"),
            lambda: uploads.unmatched_devices_template(report),
            file_name=uploads.unmatched_devices_file_name(report.file_name),
            on_click="ignore",
            key="upload_unmatched_devices_csv",
            icon=":material/download:",
        )
    buyers = report.derived_buyers
    if buyers and can("settings"):
        with st.form("upload_agency_map"):
            st.markdown(f"**{render_message(Message('ocds.buyers_heading'), lang())}**")
            names = [b[0] for b in buyers if b[0]]
            name = st.selectbox(render_message(Message("ocds.map_label_name"), lang()), names)
            code = st.text_input(render_message(Message("ocds.map_label_code"), lang()), value=buyers[0][1])
            if st.form_submit_button(render_message(Message("ocds.map_save"), lang())):
                from tracker.ingest.agency_map import set_agency_code

                try:
                    stored, new_code, moved = set_agency_code(db(), name or "", code, actor())
                except TrackerError as error:
                    st.error(error.text(lang()))
                else:
                    st.toast(
                        render_message(Message("agencies.mapped", {"name": stored, "code": new_code, "moved": moved}), lang())
                    )
                    st.session_state.pop(PREVIEW_KEY, None)  # checked again with the new code
                    st.rerun()


def _rejected_rows(report: IngestReport) -> None:
    problems = len(report.errors)
    st.markdown(
        tr(
            f"**Rejected rows** · {count(problems)} problem{'s' if problems != 1 else ''} in {_rows(report.rows_rejected)}",
            f"**被拒绝的行** · {count(report.rows_rejected)} 行共 {count(len(report.errors))} 个问题",
        )
    )
    st.dataframe(
        uploads.row_errors_table(report, lang()),
        hide_index=True,
        width="stretch",
        key="upload_errors",
        column_config={
            "row": st.column_config.NumberColumn(
                tr("Row", "行号"),
                format="%d",
                pinned=True,
                width="small",
                help=tr("Row number as shown in the spreadsheet", "电子表格中显示的行号"),
            ),
            "column": st.column_config.TextColumn(tr("Column", "列"), width="small"),
            "value": st.column_config.TextColumn(tr("Value", "值"), width="small"),
            "reason": st.column_config.TextColumn(tr("Reason", "原因"), width="large"),
        },
    )
    current = lang()
    row = st.container(horizontal=True)
    for file_format in ("csv", "xlsx"):
        row.download_button(
            tr(f"Rejected rows ({file_format.upper()})", f"被拒绝的行（{file_format.upper()}）"),
            lambda fmt=file_format: uploads.table_bytes(report.rejects_table(current), fmt),
            file_name=uploads.rejects_file_name(report.file_name, file_format),
            on_click="ignore",
            key=f"upload_rejects_{file_format}",
            icon=":material/download:",
            help=tr(
                "The rejected rows as you sent them, with an error column: fix them and upload again.",
                "被拒绝的行（保持原样）及错误原因列：修正后可重新上传。",
            ),
        )


def _actions(preview: uploads.UploadPreview, file: Any) -> None:
    report = preview.report
    row = st.container(horizontal=True)
    commit_all = row.button(
        tr("Commit all rows", "提交全部数据"),
        type="primary",
        key="upload_commit_all",
        disabled=not preview.can_commit_all,
        help=None
        if preview.can_commit_all
        else tr("Some rows have problems: fix them, or commit the good rows only.", "部分行存在问题：请修正，或仅提交无误的行。"),
    )
    commit_good = False
    if report.rows_rejected:
        commit_good = row.button(
            tr(f"Commit the good rows only ({_rows(report.rows_accepted)})", f"仅提交 {count(report.rows_accepted)} 行无误数据"),
            key="upload_commit_good",
            disabled=not preview.can_commit_good_rows,
        )
    row.button(tr("Cancel", "取消"), key="upload_cancel", on_click=_reset)
    if commit_all or commit_good:
        _commit(preview, file, partial=commit_good)


def _rows(n: int) -> str:
    """ "1 row", "2 rows" in English; the Chinese texts say 行 themselves."""
    return f"{count(n)} row{'s' if n != 1 else ''}"


def _commit(preview: uploads.UploadPreview, file: Any, *, partial: bool) -> None:
    progress = _ProgressBox(tr(f"Committing {file.name}…", f"正在提交 {file.name}…"))
    try:
        report = uploads.commit_upload(
            db(),
            file,
            file.name,
            preview.kind,
            size_bytes=file.size,
            actor=user(),
            partial=partial,
            date_order=st.session_state.get(DATE_ORDER_KEY),
            progress=progress,
        )
    except TrackerError as exc:
        progress.finish(tr("Nothing was committed", "未提交任何数据"), failed=True)
        st.error(exc.text(lang()), icon=":material/block:")
        return
    if not report.committed:  # the data changed since the preview and a row is now rejected
        progress.finish(tr("Nothing was committed", "未提交任何数据"), failed=True)
        st.error(report.summary(lang()), icon=":material/block:")
        return
    st.cache_data.clear()  # cached views must not outlive the data they were computed from
    _reset()
    st.session_state[RECEIPT_KEY] = report
    st.rerun()


def _reset() -> None:
    """Forget the file and its preview: the uploader is emptied by giving it a new key."""
    st.session_state[NONCE_KEY] = st.session_state.get(NONCE_KEY, 0) + 1
    for key in (PREVIEW_KEY, NEEDS_DATE_ORDER_KEY, DATE_ORDER_KEY):
        st.session_state.pop(key, None)


def _receipt() -> None:
    report: IngestReport | None = st.session_state.get(RECEIPT_KEY)
    if report is None:
        return
    st.success(report.summary(lang()), icon=":material/task_alt:")
    if report.status == "partial":
        st.info(
            tr(
                f"The rejected rows ({_rows(report.rows_rejected)}) were kept with upload #{report.upload_id}; "
                f"download them from the history below.",
                f"{count(report.rows_rejected)} 行被拒绝的数据已随第 {report.upload_id} 次上传保存，可在下方上传记录中下载。",
            )
        )
    if report.status != "unchanged":
        st.caption(
            tr(
                "The dashboard's figures and findings include this upload from now on.",
                "仪表板的各项数字和问题线索已包含本次上传的数据。",
            )
        )


# -- history -------------------------------------------------------------------------------------


def _status_label(status: str) -> str:
    return {
        "committed": tr("Committed", "已提交"),
        "partial": tr("Good rows committed, rejects kept", "已提交无误行，保留被拒行"),
        "unchanged": tr("Nothing changed", "无变化"),
    }.get(status, status)


def _shape_label(kind: str, shape: str | None) -> str:
    name = kind_name(kind, lang())
    detail = {"daily": tr("daily", "按日"), "sessions": tr("sessions", "会话"), "ocds": "OCDS"}.get(shape or "")
    return f"{name} ({detail})" if detail else name


def _history() -> None:
    st.subheader(tr("Upload history", "上传记录"))
    history = uploads.upload_history(db(), agency=scope_agency())
    if history.num_rows == 0:
        st.info(tr("No uploads yet.", "尚无上传记录。"))
        return
    frame = history.to_pandas()
    frame["kind"] = [_shape_label(k, s) for k, s in zip(frame["kind"], frame["shape"])]
    frame["status"] = [_status_label(s) for s in frame["status"]]
    frame["agencies"] = [list(a) if a is not None else [] for a in frame["agencies"]]
    number = lambda en, zh: st.column_config.NumberColumn(tr(en, zh), format="localized")  # noqa: E731
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
            "uploaded_at": st.column_config.DatetimeColumn(tr("When", "时间"), format="YYYY-MM-DD HH:mm"),
            "uploaded_by": st.column_config.TextColumn(tr("Who", "上传人")),
            "file_name": st.column_config.TextColumn(tr("File", "文件")),
            "kind": st.column_config.TextColumn(tr("Kind", "类型")),
            "status": st.column_config.TextColumn(tr("Status", "状态")),
            "rows_read": number("Read", "读取"),
            "rows_accepted": number("Accepted", "接受"),
            "rows_rejected": number("Rejected", "拒绝"),
            "rows_inserted": number("New", "新增"),
            "rows_replaced": number("Replaced", "替换"),
            "rows_unchanged": number("Unchanged", "未变"),
            "agencies": st.column_config.ListColumn(tr("Agencies", "涉及单位")),
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
        + tr(f"{_rows(r.rows_rejected)} rejected", f"{count(r.rows_rejected)} 行被拒绝")
        for r in partial.itertuples()
    }
    row = st.container(horizontal=True, vertical_alignment="bottom")
    upload_id = row.selectbox(
        tr("Rejected rows kept by an upload", "上传时保存的被拒绝行"),
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
