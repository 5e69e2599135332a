"""Sending the browser to one of the service's HTTP routes, which set or clear the session cookie.

The dashboard reaches the browser over a WebSocket, which cannot set a cookie. After a sign-in
the page is sent to `/session/begin?ticket=…` (tracker.service.web) with the same message
Streamlit's own `st.login` sends to reach the identity provider; the route sets the cookie and
returns the browser to the page it was on.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner import get_script_run_ctx

PENDING_TICKET_KEY = "session_ticket"


def current_path(url_path: str | None = None) -> str:
    """The address of the page shown, with its query (a shared link keeps pointing where it did after sign-in)."""
    path = "/" + quote((url_path or "").strip("/"), safe="/")
    query = urlencode([(key, value) for key in st.query_params for value in st.query_params.get_all(key)])
    return path + (f"?{query}" if query else "")


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


def send_pending(url_path: str | None = None) -> None:
    """After a sign-in: send the browser to set the cookie and come back to page `url_path` with its query."""
    ticket = st.session_state.pop(PENDING_TICKET_KEY, None)
    if ticket:
        go("/session/begin?" + urlencode({"ticket": ticket, "next": current_path(url_path)}))


def clear_session_cookie(session_id: str | None) -> None:
    """Send the browser to clear the cookie of an ended session (not one another tab has set since)."""
    go("/session/end?" + urlencode({"next": "/", **({"session": session_id} if session_id else {})}))
