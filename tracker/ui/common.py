"""What every page shares: the language, the session's database cursor, the shared filters, formatting.

Pages stay thin: they read what to show from tracker.views.dashboard (and the other core modules) and
only lay it out. Text shown to people is given in both languages at the call site: `tr("Spend", "支出")`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import streamlit as st

from tracker.access import auth
from tracker.engine.rules.sentences import CATEGORY_NAMES_ZH
from tracker.store.db import Database
from tracker.store.settings import load_settings
from tracker.text import formatting
from tracker.ui.resources import session_db
from tracker.views import dashboard
from tracker.views.dashboard import DEFAULT_WINDOW_DAYS, MIN_WINDOW_DAYS, Filters

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
    """The reader's language: the sidebar switch, else ?lang= in the URL, else English."""
    if LANG_KEY not in st.session_state:
        wanted = st.query_params.get("lang", "en")
        st.session_state[LANG_KEY] = "zh" if str(wanted).startswith("zh") else "en"
    return st.session_state[LANG_KEY]


def tr(en: str, zh: str) -> str:
    return zh if lang() == "zh" else en


def language_switch() -> None:
    lang()
    st.sidebar.radio(
        "Language · 语言",
        ("en", "zh"),
        key=LANG_KEY,
        horizontal=True,  # a fixed format_func
        format_func=lambda v: "English" if v == "en" else "中文",
    )
    st.query_params["lang"] = st.session_state[LANG_KEY]


def db() -> Database:
    return session_db()


USER_KEY = "user"
LAST_SEEN_KEY = "user_last_seen"
ROLE_NAMES = {
    "admin": ("Administrator", "管理员"),
    "finance": ("Finance officer", "财务人员"),
    "auditor": ("Auditor", "审计人员"),
    "agency": ("Agency", "单位用户"),
}


def current_user():
    """The signed-in user (tracker.access.auth.User), or None; a session idle too long is signed out here."""
    user = st.session_state.get(USER_KEY)
    if user is None:
        return None
    now = datetime.now()
    last_seen = st.session_state.get(LAST_SEEN_KEY, now)
    if auth.session_expired(last_seen, now):
        auth.logout(db(), user, reason="idle")
        sign_out()
        st.session_state["signed_out_idle"] = True
        return None
    st.session_state[LAST_SEEN_KEY] = now
    return user


def sign_in(user) -> None:
    st.session_state[USER_KEY] = user
    st.session_state[LAST_SEEN_KEY] = datetime.now()
    st.session_state.pop("signed_out_idle", None)


def sign_out() -> None:
    for key in list(st.session_state):
        if key not in (LANG_KEY, "db_cursor", "db_path"):
            del st.session_state[key]


def user():
    """The signed-in user; pages are only routed to when there is one."""
    return st.session_state[USER_KEY]


def account_sidebar(signed_in) -> None:
    """Who is signed in, in which role, and the way out."""
    role = ROLE_NAMES[signed_in.role][1 if lang() == "zh" else 0]
    where = f" · {signed_in.agency_code}" if signed_in.agency_code else ""
    st.sidebar.caption(
        tr(
            f"Signed in as **{md(signed_in.display_name or signed_in.username)}** ({role}{where})",
            f"当前用户：**{md(signed_in.display_name or signed_in.username)}**（{role}{where}）",
        )
    )

    def leave() -> None:
        auth.logout(db(), signed_in)
        sign_out()

    st.sidebar.button(tr("Sign out", "退出登录"), on_click=leave, key="sign_out")


def actor() -> str:
    """Who is acting, for the records of uploads, reviews and changes: the signed-in user."""
    return user().username


def can(action: str) -> bool:
    return auth.can(user(), action)


def scope_agency() -> str | None:
    """The agency the signed-in user is limited to (agency role), else None."""
    return auth.agency_scope(user())


def currency() -> str:
    return load_settings(db())["currency"]


# -- formatting in the reader's language -----------------------------------------------------------


def md(text: Any) -> str:
    """Text from the data (codes, names, evidence) made inert inside Markdown: no emphasis, links or HTML."""
    if text is None:
        return formatting.MISSING
    escaped = str(text)
    for char in "\\`*_{}[]<>()#+-.!|~$":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


def money(value: Any, *, short: bool = True) -> str:
    return formatting.money(value, currency(), lang(), short=short)


def money_exact(value: Any) -> str:
    return formatting.money_exact(value, currency())


def share(value: Any) -> str:
    return formatting.share(value)


def count(value: Any) -> str:
    return formatting.count(value)


def day(value: date | None) -> str:
    return formatting.day(value, lang())


def category_name(category: str | None, language: str | None = None) -> str:
    if category is None:
        return formatting.MISSING
    if (language or lang()) == "zh":
        return CATEGORY_NAMES_ZH.get(category, category)
    return category.replace("_", " ").capitalize()


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
    database = db()
    scope = scope_agency()
    options = dashboard.filter_options(database, scope_agency=scope)
    side = st.sidebar
    side.subheader(tr("Filters", "筛选"))
    names = options.agencies

    def choose(label: str, choices: list, key: str, **kwargs) -> tuple:
        kept = [v for v in _kept(key, []) if v in choices]
        return tuple(side.multiselect(label, choices, default=kept, key=key, **kwargs))

    if scope is None:
        agencies = choose(
            tr("Agency", "单位"),
            list(names),
            "f_agencies",
            format_func=lambda code: f"{code} · {names[code]}" if names.get(code) not in (None, code) else code,
            placeholder=tr("All agencies", "全部单位"),
        )
    else:  # an agency user sees their own agency only, enforced by the core through scope_agency
        agencies = ()
        side.caption(tr(f"Agency: {scope} (your agency)", f"单位：{scope}（本单位）"))
    categories = choose(
        tr("Category", "类别"),
        options.categories,
        "f_categories",
        format_func=fixed_language(category_name),
        placeholder=tr("All categories", "全部类别"),
    )
    suppliers = choose(tr("Supplier", "供应商"), options.suppliers, "f_suppliers", placeholder=tr("All suppliers", "全部供应商"))
    fiscal_years = choose(
        tr("Fiscal year (of purchase)", "财年（采购）"),
        options.fiscal_years,
        "f_fiscal_years",
        placeholder=tr("All years", "全部年度"),
    )
    kept_window = _kept("f_window_days", DEFAULT_WINDOW_DAYS)
    window_days = int(
        side.radio(
            tr("Window", "统计窗口"),
            WINDOW_CHOICES,
            key="f_window_days",
            horizontal=True,
            index=WINDOW_CHOICES.index(kept_window if kept_window in WINDOW_CHOICES else DEFAULT_WINDOW_DAYS),
            format_func=fixed_language(lambda d, language: f"{d} 天" if language == "zh" else f"{d} days"),
        )
    )
    as_of = None
    if options.usage_last is not None:
        lowest = (options.usage_first or options.usage_last) + timedelta(days=MIN_WINDOW_DAYS - 1)
        lowest = min(lowest, options.usage_last)
        kept_as_of = _kept("f_as_of", options.usage_last)
        if not isinstance(kept_as_of, date) or not lowest <= kept_as_of <= options.usage_last:
            kept_as_of = options.usage_last
        as_of = side.date_input(
            tr("As of", "截至日期"),
            value=kept_as_of,
            key="f_as_of",
            min_value=lowest,
            max_value=options.usage_last,
            help=tr(
                "The last day of the window; by default the latest usage date.", "统计窗口的最后一天，默认为最新使用记录日期。"
            ),
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
    if as_of is not None:
        start = as_of - timedelta(days=window_days - 1)
        side.caption(
            tr(
                f"Window: {day(start)} to {day(as_of)} ({window_days} days)",
                f"统计窗口：{day(start)} 至 {day(as_of)}（{window_days} 天）",
            )
        )
    if agencies or categories or suppliers or fiscal_years:
        side.button(tr("Clear filters", "清除筛选"), on_click=clear_filters, key="clear_filters")
    return Filters(
        agencies=agencies,
        categories=categories,
        suppliers=suppliers,
        fiscal_years=tuple(int(y) for y in fiscal_years),
        as_of=as_of,
        window_days=window_days,
        scope_agency=scope,
    )


def clear_filters() -> None:
    for key in CHOICE_FILTER_KEYS:
        st.session_state[key] = []
        st.session_state[KEPT + key] = []


def active_filters_caption(filters: Filters) -> None:
    """The filters in force, in words, under the page title."""
    parts = []
    labels = {
        "agencies": tr("Agency", "单位"),
        "categories": tr("Category", "类别"),
        "suppliers": tr("Supplier", "供应商"),
        "fiscal_years": tr("Fiscal year", "财年"),
    }
    for name, values in filters.active.items():
        shown = [category_name(v) if name == "categories" else str(v) for v in values]
        parts.append(f"{labels[name]}: {', '.join(shown)}")
    if parts:
        st.caption(tr("Filtered to ", "当前筛选：") + " · ".join(parts))


def data_status_banner(filters: Filters) -> dashboard.DataStatus:
    """ "Data as of …", the window, and how many agencies send usage: always visible; stale data said plainly."""
    status = dashboard.data_status(db(), filters)
    if status.as_of is None:
        st.warning(tr("No usage data yet: upload usage logs to see utilisation.", "尚无使用数据：请上传使用记录以查看利用率。"))
        return status
    text = tr(
        f"Data as of **{day(status.as_of)}** · window {day(status.window_start)} to {day(status.as_of)} "
        f"({status.window_days} days) · **{status.agencies_with_usage} of {status.agencies}** agencies sent usage "
        f"in the window",
        f"数据截至 **{day(status.as_of)}** · 统计窗口 {day(status.window_start)} 至 {day(status.as_of)}"
        f"（{status.window_days} 天）· **{status.agencies} 个单位中有 {status.agencies_with_usage} 个**在窗口内报送了使用数据",
    )
    st.markdown(text)
    if status.days_since_last_usage is not None and status.days_since_last_usage > 45:
        st.info(
            tr(
                f"The latest usage data is {status.days_since_last_usage} days old: figures describe the window "
                f"ending {day(status.usage_last)}, not today.",
                f"最新使用数据距今已 {status.days_since_last_usage} 天：各项数字反映截至 {day(status.usage_last)} 的情况，而非今天。",
            )
        )
    return status
