"""What every page shares: the language, the session's database cursor, the shared filters, formatting.

Pages stay thin: they read what to show from tracker.views (and the other core modules) and
only lay it out. Text shown to people is looked up by key in the one translation table (tracker.text.i18n),
in the reader's language: `t("overview.label.spend")`, `t("explore.heading.device", asset_id=...)`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import streamlit as st

from tracker.access import auth, sessions
from tracker.domain.calendar import DEFAULT_WINDOW_DAYS, MIN_WINDOW_DAYS
from tracker.store.db import Database
from tracker.store.settings import load_settings
from tracker.text import formatting, i18n, markup
from tracker.ui import browser
from tracker.ui.resources import session_db, session_source
from tracker.views.address import address_of, read_address
from tracker.views.filters import Filters, active_filters_text, filter_options
from tracker.views.overview import DataStatus, data_status
from tracker.views.source import Source

LANG_KEY = "lang"
CHOICE_FILTER_KEYS = ("f_agencies", "f_categories", "f_suppliers", "f_fiscal_years")  # what "Clear filters" empties
WINDOW_CHOICES = (90, 180, 365, 730)
CHART_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")  # Okabe–Ito: colour-blind safe
MUTED = "#8c8c8c"


PAGES: dict[str, Any] = {}  # url path -> st.Page, filled by app.py so that pages can link to each other


def page_link(url_path: str, label: str) -> None:
    if url_path in PAGES:
        st.page_link(PAGES[url_path], label=label)


def lang() -> str:
    """The reader's language: the sidebar switch, else ?lang= in the URL, else the browser's language, else English."""
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = i18n.preferred_language(
            st.query_params.get("lang"), st.context.locale, st.context.headers.get("Accept-Language")
        )
    return st.session_state[LANG_KEY]


def t(key: str, /, **params: Any) -> str:
    """The text of `key` in the reader's language, its placeholders filled with `params`."""
    return i18n.text(key, lang(), **params)


def counted(key: str, n: int) -> str:
    """ "1 row", "2 rows": `key.one` or `key.other` with the count formatted."""
    return t(f"{key}.{'one' if n == 1 else 'other'}", n=count(n))


def named(enumeration: str, code: str, language: str | None = None) -> str:
    """The name of a role, review status, severity, asset or upload status, record kind or stored table."""
    return i18n.name(enumeration, code, language or lang())


def capitalised(text: str) -> str:
    """A name that stands alone as a label: its first letter upper-case (Chinese is unchanged)."""
    return text[:1].upper() + text[1:]


def language_switch() -> None:
    lang()
    st.sidebar.radio(
        t("common.field.language"),
        ("en", "zh"),
        key=LANG_KEY,
        horizontal=True,  # a fixed format_func
        format_func=lambda v: i18n.name("language", v),
    )
    st.query_params["lang"] = st.session_state[LANG_KEY]


def db() -> Database:
    return session_db()


def source() -> Source:
    """This session's database cursor with the process's snapshot cache, for the views."""
    return session_source()


USER_KEY = "user"
LAST_SEEN_KEY = "user_last_seen"
SESSION_KEY = "web_session"


def current_user():
    """The signed-in user (tracker.access.auth.User), or None.

    A lasting session (tracker.access.sessions) is checked on every run, so signing out in another
    tab, the idle timeout, a password change or a disabled account ends it here too; a new tab or a
    reload finds it by its cookie. A session held by this tab only (no cookie) ends when idle.
    """
    database = db()
    session_id = st.session_state.get(SESSION_KEY)
    if session_id is not None:
        found = sessions.check(database, session_id)
        if found.user is None:
            sign_out()
            st.session_state["signed_out_idle"] = found.reason == "idle"
            _forget_browser_session(session_id)
            return None
        st.session_state[USER_KEY] = found.user  # a changed role or agency applies at once
        return found.user
    user = st.session_state.get(USER_KEY)
    if user is None:
        cookie = st.context.cookies.get(sessions.COOKIE_NAME)
        if cookie:  # a demo account's sessions end with the demo, from the next tab or reload on
            auth.retire_demo_accounts(database)
        found = sessions.resume(database, cookie)
        if found.user is not None:
            sign_in(found.user, session_id=found.session_id)
        elif found.reason == "idle":
            st.session_state["signed_out_idle"] = True
        return found.user
    now = datetime.now()
    last_seen = st.session_state.get(LAST_SEEN_KEY, now)
    if auth.session_expired(last_seen, now):
        auth.logout(db(), user, reason="idle")
        sign_out()
        st.session_state["signed_out_idle"] = True
        return None
    st.session_state[LAST_SEEN_KEY] = now
    return user


def sign_in(user, *, session_id: str | None = None) -> None:
    st.session_state[USER_KEY] = user
    st.session_state[LAST_SEEN_KEY] = datetime.now()
    if session_id is not None:
        st.session_state[SESSION_KEY] = session_id
    st.session_state.pop("signed_out_idle", None)


def sign_in_lasting(user, *, provider: str = "local") -> None:
    """Sign in with a session that outlives the tab: its cookie is set by the browser's next stop."""
    started = sessions.start(db(), user, provider=provider)
    sign_in(user, session_id=started.session_id)
    browser.set_session_cookie(started.ticket)


def sign_out() -> None:
    for key in list(st.session_state):
        if key not in (LANG_KEY, "db_cursor", "db_path"):
            del st.session_state[key]


def user():
    """The signed-in user; pages are only routed to when there is one."""
    return st.session_state[USER_KEY]


def account_sidebar(signed_in) -> None:
    """Who is signed in, in which role, and the way out."""
    role = named("role", signed_in.role)
    where = f" · {md(signed_in.agency_code)}" if signed_in.agency_code else ""
    st.sidebar.caption(
        t("common.caption.signed_in_as", user=md(signed_in.display_name or signed_in.username), role=role, where=where)
    )

    def leave() -> None:
        session_id = st.session_state.get(SESSION_KEY)
        if session_id is None or not sessions.end(db(), session_id, reason="user", actor=signed_in.username):
            auth.logout(db(), signed_in)
        sign_out()
        _forget_browser_session(session_id)

    st.sidebar.button(t("common.button.sign_out"), on_click=leave, key="sign_out")


def _forget_browser_session(session_id: str | None) -> None:
    """After a session ended: end the single sign-on too (else it would sign in again), or clear the cookie."""
    if getattr(st.user, "is_logged_in", False):
        st.logout()
    else:
        browser.clear_session_cookie(session_id)


def actor() -> str:
    """Who is acting, for the records of uploads, reviews and changes: the signed-in user."""
    return user().username


def can(action: str) -> bool:
    return auth.can(user(), action)


def scope_agency() -> str | None:
    """The agency the signed-in user is limited to (agency role), else None."""
    return auth.agency_scope(user())


RUN_MEMO_KEY = "run_memo"  # what one run of a page read once: cleared when the next run starts


def start_run() -> None:
    """Forget what the last run read once. A save runs in a widget's callback, before the run that follows it."""
    st.session_state[RUN_MEMO_KEY] = {}


def currency() -> str:
    """The settings' currency, read once per run (a page formats dozens of amounts)."""
    memo = st.session_state.setdefault(RUN_MEMO_KEY, {})
    if "currency" not in memo:
        memo["currency"] = load_settings(db()).currency
    return memo["currency"]


# -- formatting in the reader's language -----------------------------------------------------------


def md(text: Any) -> str:
    """Text from the data (codes, names, evidence) made inert inside Markdown: no emphasis, links or HTML."""
    return markup.plain(text, missing=formatting.MISSING)


def money(value: Any, *, short: bool = True) -> str:
    return formatting.money(value, currency(), lang(), short=short)


def money_compact(value: Any) -> str:
    return formatting.money_compact(value, currency(), lang())


def money_exact(value: Any) -> str:
    return formatting.money_exact(value, currency())


def share(value: Any) -> str:
    return formatting.share(value)


def count(value: Any) -> str:
    return formatting.count(value)


def day(value: date | None) -> str:
    return formatting.day(value, lang())


def category_name(category: str | None, language: str | None = None) -> str:
    return i18n.category_name(category, language or lang())


def fixed_language(function):
    """`function(value, language)` bound to this run's language, for widgets' format_func.

    A widget keeps its format_func after the run (AppTest calls it outside any session), so it must
    not look the language up again then.
    """
    language = lang()
    return lambda value: function(value, language)


# -- shared filters --------------------------------------------------------------------------------

KEPT = "kept_"  # prefix of the session keys that keep a filter's value when the page changes


def _kept(key: str, default: Any) -> Any:
    """The filter value kept for `key` (a widget key), after this run's widget value if there is one.

    Widgets are per page: Streamlit drops a widget's state when another page runs, so each
    filter's value is also kept under its own session key and handed back as the widget's default.
    """
    if key in st.session_state:
        st.session_state[KEPT + key] = st.session_state[key]
    return st.session_state.get(KEPT + key, default)


def filters_sidebar() -> Filters:
    """The filters every monitoring page shares, in the sidebar; kept across pages in the session."""
    scope = scope_agency()
    options = filter_options(source(), scope_agency=scope)
    side = st.sidebar
    side.subheader(t("common.heading.filters"))
    names = options.agencies
    lowest = None
    if options.usage_last is not None:
        lowest = min((options.usage_first or options.usage_last) + timedelta(days=MIN_WINDOW_DAYS - 1), options.usage_last)
    # a new session (a reload, a second tab, a shared link) starts from the filters in the address
    addressed = read_address(st.query_params.get_all, options, WINDOW_CHOICES, lowest)

    def choose(label: str, choices: list, key: str, **kwargs) -> tuple:
        asked = getattr(addressed, ADDRESSED[key])
        kept = [v for v in _kept(key, list(asked or ())) if v in choices]
        return tuple(side.multiselect(label, choices, default=kept, key=key, **kwargs))

    if scope is None:
        agencies = choose(
            t("common.label.agency"),
            list(names),
            "f_agencies",
            format_func=lambda code: f"{code} · {names[code]}" if names.get(code) not in (None, code) else code,
            placeholder=t("common.placeholder.all_agencies"),
        )
    else:  # an agency user sees their own agency only, enforced by the core through scope_agency
        agencies = ()
        side.caption(t("common.caption.your_agency", scope=scope))
    categories = choose(
        t("common.label.category"),
        options.categories,
        "f_categories",
        format_func=fixed_language(category_name),
        placeholder=t("common.placeholder.all_categories"),
    )
    suppliers = choose(
        t("common.label.supplier"), options.suppliers, "f_suppliers", placeholder=t("common.placeholder.all_suppliers")
    )
    fiscal_years = choose(
        t("common.label.fiscal_year_purchase"),
        options.fiscal_years,
        "f_fiscal_years",
        placeholder=t("common.placeholder.all_years"),
    )
    kept_window = _kept("f_window_days", addressed.window_days or DEFAULT_WINDOW_DAYS)
    window_days = int(
        side.radio(
            t("common.field.window"),
            WINDOW_CHOICES,
            key="f_window_days",
            horizontal=True,
            index=WINDOW_CHOICES.index(kept_window if kept_window in WINDOW_CHOICES else DEFAULT_WINDOW_DAYS),
            format_func=fixed_language(lambda d, language: i18n.text("common.label.window_days", language, days=d)),
        )
    )
    as_of = None
    if options.usage_last is not None:
        kept_as_of = _kept("f_as_of", addressed.as_of or options.usage_last)
        if not isinstance(kept_as_of, date) or not lowest <= kept_as_of <= options.usage_last:
            kept_as_of = options.usage_last
        as_of = side.date_input(
            t("common.field.as_of"),
            value=kept_as_of,
            key="f_as_of",
            min_value=lowest,
            max_value=options.usage_last,
            help=t("common.help.last_day_window_default"),
        )
    for key, value in (
        ("f_agencies", list(agencies)),
        ("f_categories", list(categories)),
        ("f_suppliers", list(suppliers)),
        ("f_fiscal_years", list(fiscal_years)),
        ("f_window_days", window_days),
        ("f_as_of", as_of),
    ):
        st.session_state[KEPT + key] = value
    _write_address(
        address_of(
            agencies=agencies,
            categories=categories,
            suppliers=suppliers,
            fiscal_years=fiscal_years,
            window_days=window_days,
            default_window_days=DEFAULT_WINDOW_DAYS,
            as_of=as_of,
            default_as_of=options.usage_last,
        )
    )
    if as_of is not None:
        start = as_of - timedelta(days=window_days - 1)
        side.caption(t("common.caption.window_days", start=day(start), as_of=day(as_of), window_days=window_days))
    if agencies or categories or suppliers or fiscal_years:
        side.button(t("common.button.clear_filters"), on_click=clear_filters, key="clear_filters")
    return Filters(
        agencies=agencies,
        categories=categories,
        suppliers=suppliers,
        fiscal_years=tuple(int(y) for y in fiscal_years),
        as_of=as_of,
        window_days=window_days,
        scope_agency=scope,
    )


ADDRESSED = {"f_agencies": "agencies", "f_categories": "categories", "f_suppliers": "suppliers", "f_fiscal_years": "fiscal_years"}


def _write_address(address: dict[str, list[str]]) -> None:
    """Put the filters in the page address (tracker.views.address), so that a reload or a shared link keeps them."""
    for key, values in address.items():
        if values:
            if st.query_params.get_all(key) != values:
                st.query_params[key] = values
        elif key in st.query_params:
            del st.query_params[key]


def clear_filters() -> None:
    for key in CHOICE_FILTER_KEYS:
        st.session_state[key] = []
        st.session_state[KEPT + key] = []


def active_filters_caption(filters: Filters) -> None:
    """The filters in force, in words, under the page title."""
    shown = active_filters_text(filters, lang(), md)
    if shown:
        st.caption(shown)


def data_status_banner(filters: Filters, snap) -> DataStatus:
    """ "Data as of …", the window, and how many agencies send usage: always visible; stale data said plainly."""
    status = data_status(source(), snap, filters)
    if status.as_of is None:
        st.warning(t("common.warning.no_usage_data_yet"))
        return status
    text = t(
        "common.label.data_window_days_agencies",
        as_of=day(status.as_of),
        window_start=day(status.window_start),
        window_days=status.window_days,
        agencies_with_usage=status.agencies_with_usage,
        agencies=status.agencies,
    )
    st.markdown(text)
    if status.days_since_last_usage is not None and status.days_since_last_usage > 45:
        st.info(
            t(
                "common.note.latest_usage_data_days",
                days_since_last_usage=status.days_since_last_usage,
                usage_last=day(status.as_of),  # the window the figures describe: the as-of date chosen, if one was
            )
        )
    return status
