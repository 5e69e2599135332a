"""An unexpected error while a page runs: the reader gets a short message with an error id, the log gets the traceback.

Streamlit would otherwise show the exception and its traceback on the page, which tells a reader
nothing they can act on and may show paths, SQL or data. The id ties the message to the log entry.
With TRACKER_PAGE_ERRORS=raise (the test suite sets it) the error is logged and raised as before,
so that a failing page still fails its test.
"""

from __future__ import annotations

import logging
import os
import secrets

import streamlit as st

from tracker.text.i18n import Message, render

log = logging.getLogger("tracker.ui")


def run_page(page) -> None:
    """Run the page chosen by st.navigation; an exception becomes a message with an error id (st.rerun/st.stop pass)."""
    try:
        page.run()
    except Exception:  # Streamlit's rerun and stop are BaseException: they are not caught here
        error_id = secrets.token_hex(4)
        log.exception("page %r failed; error id %s", getattr(page, "url_path", None) or "default", error_id)
        if os.environ.get("TRACKER_PAGE_ERRORS") == "raise":
            raise
        st.error(render(Message("ui.page_error", {"error_id": error_id}), _language()), icon=":material/error:")


def _language() -> str:
    try:
        from tracker.ui.common import lang

        return lang()
    except Exception:  # the message must show even when the language cannot be read
        return "en"
