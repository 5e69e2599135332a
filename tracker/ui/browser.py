"""Sending the browser to one of the service's HTTP routes, which set or clear the session cookie.

The dashboard reaches the browser over a WebSocket, which cannot set a cookie. After a sign-in
the page is sent to `/session/begin?ticket=…` (tracker.service.web) with the same message
Streamlit's own `st.login` sends to reach the identity provider; the route sets the cookie and
returns the browser to the page it was on.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner import get_script_run_ctx

PENDING_TICKET_KEY = "session_ticket"


def current_path() -> str:
    """The path and query of the page the browser shows (the sign-in returns there)."""
    url = st.context.url or "/"
    parts = urlsplit(url)
    path = parts.path or "/"
    return quote(path, safe="/") + (f"?{parts.query}" if parts.query else "")


def go(url: str) -> None:
    """Send the browser to `url` of this site (ignored where there is no browser, as under AppTest)."""
    context = get_script_run_ctx()
    if context is None:
        return
    message = ForwardMsg()
    message.auth_redirect.url = url
    context.enqueue(message)


def set_session_cookie(ticket: str) -> None:
    """On the next run (after the rerun that shows the dashboard), send the browser to set the session cookie."""
    st.session_state[PENDING_TICKET_KEY] = ticket


def send_pending() -> None:
    ticket = st.session_state.pop(PENDING_TICKET_KEY, None)
    if ticket:
        go("/session/begin?" + urlencode({"ticket": ticket, "next": current_path()}))


def clear_session_cookie() -> None:
    go("/session/end?" + urlencode({"next": "/"}))
