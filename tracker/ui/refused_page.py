"""The page shown at the address of a page the signed-in role may not open: whose page it is, and where to go.

The role check is the core's (tracker.access.roles, worded by tracker.views.pages); the page the
address names never runs.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from tracker.ui.common import PAGES, lang, page_link, t, user
from tracker.views import pages


def renderer(page: str) -> Callable[[], None]:
    """A render function for `page` at its own address, for a user whose role may not open it."""

    def render() -> None:
        refusal = pages.refusal(user(), page)
        st.title(t("trustui.refused.title"))
        if refusal is None:  # the role changed since the navigation was built: the next run shows the page
            st.rerun()
        st.warning(refusal.text(lang()), icon=":material/block:")
        st.markdown(t("trustui.refused.pages_you_may_use"))
        for usable in refusal.usable:
            path = usable if usable in PAGES else ""  # the default page (the overview) is registered at the root
            if path in PAGES and (path or usable == "overview"):
                page_link(path, PAGES[path].title)
        st.caption(t("trustui.refused.ask"))

    render.__name__ = f"refused_{page}"  # Streamlit keys a function page by its name
    return render
