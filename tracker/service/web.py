"""The two plain HTTP routes of a lasting sign-in: set the session cookie, and clear it.

The dashboard runs over a WebSocket, which cannot set a cookie; after a sign-in it sends the page
to `/session/begin?ticket=…&next=…`, which trades the one-time ticket for the signed session
cookie (tracker.access.sessions) and returns the browser to where it was. `/session/end` clears
the cookie after a sign-out (the session itself has already been ended in the database).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from tracker.access import sessions
from tracker.demo.process import process_database


def safe_next(value: str | None) -> str:
    """Where to return after the cookie is set: a path of this site only (no scheme, host or `//`)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def is_https(request: Request) -> bool:
    """Whether the browser reached the service over HTTPS (directly, or through a proxy that says so)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def begin(request: Request) -> RedirectResponse:
    db = process_database().cursor()
    try:
        cookie = sessions.redeem(db, request.query_params.get("ticket", ""))
    finally:
        db.close()
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    if cookie is not None:
        response.set_cookie(
            sessions.COOKIE_NAME,
            cookie,
            httponly=True,
            samesite="strict",
            secure=is_https(request),
            path="/",
        )
    return response


def end(request: Request) -> RedirectResponse:
    """Clear the cookie of session `?session=` (only that one: another tab may have signed in again since)."""
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    ended, held = request.query_params.get("session"), request.cookies.get(sessions.COOKIE_NAME, "")
    if ended and held and held.split(".", 1)[0] != ended:
        return response
    response.delete_cookie(sessions.COOKIE_NAME, path="/", httponly=True, samesite="strict", secure=is_https(request))
    return response


ROUTES = [
    Route("/session/begin", begin, methods=["GET"]),
    Route("/session/end", end, methods=["GET"]),
]
