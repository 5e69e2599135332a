"""The upload page for agencies: templates, upload, a validation preview with every rejected row, commit, history.

Nothing is stored until the user commits: the file is validated first (a dry run) and the preview
stays in the session until it is committed or cancelled. The flow itself is tracker.ingest.uploads; this
page keeps the session's state (keys starting with "upload_") and lays the results out.
"""

from __future__ import annotations

import threading
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from tracker.ingest import preview_store, uploads
from tracker.ingest.contracts import KINDS
from tracker.ingest.pipeline import IngestReport
from tracker.store import audit
from tracker.text.errors import TrackerError
from tracker.text.i18n import Message, kind_name
from tracker.text.i18n import render as render_message
from tracker.ui import upload_rejects
from tracker.ui.common import actor, can, count, counted, db, lang, md, named, scope_agency, t, user
from tracker.ui.upload_history import show_history
from tracker.ui.upload_intervals import show_intervals

DETECT = "detect"
PREVIEW_KEY = "upload_preview"  # {"token": ..., "stored": key of the preview on disk | None, "error": TrackerError | None}
RECEIPT_KEY = "upload_receipt"  # the IngestReport of the last commit
NONCE_KEY = "upload_nonce"  # bumped to empty the file uploader after a commit or a cancel
DATE_ORDER_KEY = "upload_date_order"
NEEDS_DATE_ORDER_KEY = "upload_needs_date_order"  # file id of the file whose dates need an order
# Share of the progress bar each ingest phase fills, in order (tracker.ingest.pipeline reports these phases).
PHASES = {"read": (0.0, 0.4), "validate": (0.4, 0.7), "compare": (0.7, 0.8), "write": (0.8, 1.0), "done": (1.0, 1.0)}


def render() -> None:
    st.title(t("upload.title.upload_data"))
    if not can("upload"):
        st.error(t("upload.error.role_cannot_upload_records"))
        return
    if scope_agency() is not None:
        st.info(t("upload.note.upload_agency_rows_other", scope_agency=scope_agency()))
    st.caption(t("upload.caption.download_template_upload_file"))
    _templates()
    _receipt()
    file = _file_input()
    if file is not None:
        _preview(file)
    show_history()


# -- templates -----------------------------------------------------------------------------------


def _templates() -> None:
    names = {
        "procurement": t("upload.label.procurement_lines"),
        "assets": t("upload.label.asset_register"),
        "usage_daily": t("upload.label.usage_daily"),
        "usage_sessions": t("upload.label.usage_sessions"),
        "requests": t("realloc.label.requests_template"),
    }
    files: dict[str, list[uploads.TemplateFile]] = {}
    for template in uploads.template_files():
        files.setdefault(template.template, []).append(template)
    with st.expander(t("upload.section.templates_columns_each_file")):
        st.caption(t("upload.caption.headers_may_english_chinese"))
        for name, templates in files.items():
            columns = st.columns([2, 1, 1, 1, 1], vertical_alignment="center")
            columns[0].markdown(f"**{names.get(name, name)}**")
            for column, template in zip(columns[1:], templates):
                language = named("language", template.language)
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
        return t("upload.label.detect_headers")
    return kind_name(kind, lang()).capitalize()


def _file_input() -> Any:
    left, right = st.columns([1, 2])
    kinds = {kind: _kind_label(kind) for kind in (DETECT, *KINDS)}  # labels fixed here: format_func may run elsewhere
    left.selectbox(t("upload.field.record_kind"), list(kinds), key="upload_kind", format_func=kinds.get)
    limit_mb = uploads.max_upload_bytes(db()) // 1_000_000
    file = right.file_uploader(
        t("upload.field.file_csv_xlsx_parquet"),
        type=list(uploads.ACCEPTED_SUFFIXES),
        key=f"upload_file_{st.session_state.get(NONCE_KEY, 0)}",
        max_upload_size=limit_mb,
        help=t("upload.help.one_kind_record_per", limit_mb=count(limit_mb)),
    )
    _uploader_words(limit_mb)
    if file is not None and st.session_state.get(NEEDS_DATE_ORDER_KEY) == file.file_id:
        orders = {order: _date_order_label(order) for order in uploads.DATE_ORDERS}
        st.radio(
            t("upload.field.order_day_month_dates"),
            list(orders),
            key=DATE_ORDER_KEY,
            index=None,
            horizontal=True,
            format_func=orders.get,
        )
    return file


UPLOADER_CSS = """
[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p {{ display: none; }}
[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer']::after {{ content: "{button}"; }}
[data-testid='stFileUploaderDropzoneInstructions'] span {{ display: none; }}
[data-testid='stFileUploaderDropzoneInstructions'] > div::after {{ content: "{limit}"; }}
"""


def _uploader_words(limit_mb: int) -> None:
    """Streamlit writes its uploader's button and size limit in English only: in Chinese they are drawn in Chinese."""
    if lang() != "zh":
        return
    words = {"button": t("trust.upload.button"), "limit": t("trust.upload.limit", limit_mb=count(limit_mb))}
    st.html("<style>" + UPLOADER_CSS.format(**{k: v.replace('"', "") for k, v in words.items()}) + "</style>")


def _date_order_label(order: str) -> str:
    if order == "dmy":
        return t("upload.label.date_order_dmy")
    return t("upload.label.date_order_mdy")


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
        "read": t("upload.label.reading_file"),
        "validate": t("upload.label.checking_every_row"),
        "compare": t("upload.label.comparing_stored_records"),
        "write": t("upload.label.writing"),
        "done": t("upload.label.done"),
    }.get(phase, phase)


def _preview(file: Any) -> None:
    token = (file.file_id, _chosen_kind(), st.session_state.get(DATE_ORDER_KEY))
    state = st.session_state.get(PREVIEW_KEY)
    # the preview itself is kept on disk (tracker.ingest.preview_store); the session keeps its key
    preview = None if state is None or state["error"] is not None else preview_store.load_preview(db(), state["stored"])
    if state is None or state["token"] != token or (state["error"] is None and preview is None):
        if state is not None:
            preview_store.drop_preview(db(), state.get("stored"))
        state = {"token": token, "stored": None, "error": None}
        progress = _ProgressBox(t("upload.label.checking", name=md(file.name)))
        try:
            preview = uploads.preview_upload(
                db(),
                file,
                file.name,
                _chosen_kind(),
                size_bytes=file.size,
                agency=scope_agency(),
                date_order=st.session_state.get(DATE_ORDER_KEY),
                progress=progress,
            )
            progress.finish(t("upload.label.checked", name=md(file.name)))
            audit.record(db(), actor(), "upload", file.name, preview.report.audit_details(status="checked"))
            state["stored"] = preview_store.save_preview(db(), preview)
        except TrackerError as exc:
            state["error"] = exc
            progress.finish(t("upload.label.refused", name=md(file.name)), failed=True)
            audit.record(db(), actor(), "upload", file.name, {"status": "refused", "reason": exc.key})
        st.session_state[PREVIEW_KEY] = state
        st.session_state.pop(RECEIPT_KEY, None)
    if state["error"] is not None:
        _refusal(state["error"], file)
        return
    _show_preview(preview, file)


def _refusal(error: TrackerError, file: Any) -> None:
    """A file refused as a whole: its message, and the one choice that can fix it here, if any."""
    st.error(md(error.text(lang())), icon=":material/block:")
    if error.key == "file.ambiguous_dates" and st.session_state.get(NEEDS_DATE_ORDER_KEY) != file.file_id:
        st.session_state[NEEDS_DATE_ORDER_KEY] = file.file_id
        st.rerun()  # shows the date order choice above
    if isinstance(error, uploads.KindNotDetected) and error.candidates:
        kinds = t("upload.label.list_separator").join(kind_name(k, lang()) for k in error.candidates)
        st.info(t("upload.note.headers_fit_more_than", kinds=kinds))


def _show_preview(preview: uploads.UploadPreview, file: Any) -> None:
    report = preview.report
    st.subheader(t("upload.heading.check_before_committing"))
    how = t("upload.label.detected_headers") if _chosen_kind() is None else t("upload.label.chosen")
    st.caption(
        t(
            "upload.caption.records_read",
            name=md(file.name),
            kind=kind_name(preview.kind, lang()),
            how=how,
            format=report.file_format.upper(),
        )
    )
    _counts(report)
    _feed(report)
    show_intervals(report)
    if report.previous_upload is not None:
        upload_id, when = report.previous_upload
        st.info(
            md(
                render_message(
                    Message("file.same_file", {"file": report.file_name, "upload_id": upload_id, "when": when}), lang()
                )
            )
        )
    if report.rows_rejected:
        st.warning(
            t(
                "upload.warning.rows_problems_fix_them",
                rows_rejected=count(report.rows_rejected),
                rows_read=count(report.rows_read),
                rows_accepted=_rows(report.rows_accepted),
            ),
            icon=":material/warning:",
        )
        upload_rejects.rejected_rows(report)
    else:
        st.success(t("upload.success.every_row_passed_checks"), icon=":material/check_circle:")
    with st.expander(t("upload.section.first_rows", name=md(file.name)), expanded=not report.rows_rejected):
        st.dataframe(preview.peek.first_rows, hide_index=True, width="stretch")
    _actions(preview, file)


def _counts(report: IngestReport) -> None:
    figures = (
        (t("upload.label.rows_read"), report.rows_read),
        (t("upload.label.accepted"), report.rows_accepted),
        (t("upload.label.rejected"), report.rows_rejected),
        (t("upload.label.would_new"), report.rows_inserted),
        (t("upload.label.would_replace"), report.rows_replaced),
        (t("upload.label.unchanged"), report.rows_unchanged),
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
            t("upload.button.unmatched_devices_template"),
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
                    st.error(md(error.text(lang())))
                else:
                    st.toast(
                        md(render_message(Message("agencies.mapped", {"name": stored, "code": new_code, "moved": moved}), lang()))
                    )
                    st.session_state.pop(PREVIEW_KEY, None)  # checked again with the new code
                    st.rerun()


def _actions(preview: uploads.UploadPreview, file: Any) -> None:
    report = preview.report
    row = st.container(horizontal=True)
    commit_all = row.button(
        t("upload.button.commit_all_rows"),
        type="primary",
        key="upload_commit_all",
        disabled=not preview.can_commit_all,
        help=None if preview.can_commit_all else t("upload.label.some_rows_problems_fix"),
    )
    commit_good = False
    if report.rows_rejected and report.rows_accepted:  # with no good row there is nothing to commit: no button
        commit_good = row.button(
            t("upload.button.commit_good_rows_only", rows_accepted=_rows(report.rows_accepted)),
            key="upload_commit_good",
            disabled=not preview.can_commit_good_rows,
        )
    row.button(t("upload.button.cancel"), key="upload_cancel", on_click=_reset)
    if commit_all or commit_good:
        _commit(preview, file, partial=commit_good)


def _rows(n: int) -> str:
    """ "1 row", "2 rows", and in Chinese the count with its measure word."""
    return counted("upload.count.rows", n)


def _commit(preview: uploads.UploadPreview, file: Any, *, partial: bool) -> None:
    progress = _ProgressBox(t("upload.label.committing", name=md(file.name)))
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
        progress.finish(t("upload.label.nothing_committed"), failed=True)
        st.error(md(exc.text(lang())), icon=":material/block:")
        return
    if not report.committed:  # the data changed since the preview and a row is now rejected
        progress.finish(t("upload.label.nothing_committed"), failed=True)
        st.error(md(report.summary(lang())), icon=":material/block:")
        return
    st.cache_data.clear()  # cached views must not outlive the data they were computed from
    _reset()
    st.session_state[RECEIPT_KEY] = report
    st.rerun()


def _reset() -> None:
    """Forget the file and its preview: the uploader is emptied by giving it a new key."""
    st.session_state[NONCE_KEY] = st.session_state.get(NONCE_KEY, 0) + 1
    state = st.session_state.get(PREVIEW_KEY)
    if state is not None:
        preview_store.drop_preview(db(), state.get("stored"))
    for key in (PREVIEW_KEY, NEEDS_DATE_ORDER_KEY, DATE_ORDER_KEY):
        st.session_state.pop(key, None)


def _receipt() -> None:
    report: IngestReport | None = st.session_state.get(RECEIPT_KEY)
    if report is None:
        return
    st.success(md(report.summary(lang())), icon=":material/task_alt:")
    if report.status == "partial":
        st.info(t("upload.note.rejected_rows_kept_upload", rows_rejected=_rows(report.rows_rejected), upload_id=report.upload_id))
    if report.status != "unchanged":
        st.caption(t("upload.caption.figures_include_upload"))
