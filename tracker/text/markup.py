"""User data shown inside Markdown (headings, captions, labels, evidence) as plain, inert text.

Streamlit renders most text as GitHub-flavoured Markdown: a value such as ``[Sign in](http://host/x)`` would
become a link, ``![x](http://host/p.png)`` would load a remote image, and a bare ``http://host/``,
``www.host`` or ``name@host.org`` would be autolinked. `plain` backslash-escapes the characters that open
markup (and those that open a block at the start of a line) and breaks the autolink literals, so the
reader sees the characters that were stored and nothing is fetched or linked. Ordinary punctuation
(".", ",", ":", "/") is left alone, so sentences read and compare as written.

Backslash escapes alone do not stop autolinks: the GFM autolink pass runs on the parsed text, after the
escapes are gone. An invisible word joiner (U+2060) is therefore put inside each autolink trigger
("://", "www." and "@"), where no letter-or-digit run can span it.
"""

from __future__ import annotations

import re

MISSING = "—"
WORD_JOINER = "\u2060"

# what opens Markdown or Streamlit markup anywhere in a line: emphasis, code, links and images ("[" "](" "!["),
# raw HTML and autolinks ("<" ">"), tables, strikethrough, maths, entities
_ANYWHERE = frozenset("\\`*_[]()<>|~$&")
# what opens a block only at the start of a line: a heading, a list item or a setext rule, an ordered list item
_LINE_START = re.compile(r"^(\s*)(?:([-+=#])|(\d{1,9})([.)]))")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
# GFM's autolink literals: "http(s)://", "www." and e-mail addresses (mailto: and xmpp: need an "@" too)
_AUTOLINK_TRIGGER = re.compile(r"(:)(//)|(www)(\.)|(@)()", re.IGNORECASE)


def _line_start(match: re.Match) -> str:
    indent, sign, digits, mark = match.groups()
    return indent + ("\\" + sign if sign else digits + "\\" + mark)


def plain(text: object, *, missing: str = MISSING) -> str:
    """`text` as inert Markdown: no emphasis, heading, list, link, image, autolink, maths or HTML; one line."""
    if text is None:
        return missing
    one_line = _LINE_BREAKS.sub(" ", str(text))
    escaped = "".join("\\" + char if char in _ANYWHERE else char for char in one_line)
    escaped = _LINE_START.sub(_line_start, escaped)
    return _AUTOLINK_TRIGGER.sub(lambda m: WORD_JOINER.join(part for part in m.groups() if part is not None), escaped)
