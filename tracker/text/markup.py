"""User data shown inside Markdown (headings, captions, labels, evidence) as plain, inert text.

Streamlit renders most text as GitHub-flavoured Markdown: a value such as ``[Sign in](http://host/x)`` would
become a link, ``![x](http://host/p.png)`` would load a remote image, and a bare ``http://host/``,
``www.host`` or ``name@host.org`` would be autolinked. `plain` escapes every Markdown punctuation
character and breaks the autolink literals, so the reader sees the characters that were stored and
nothing is fetched or linked.

Backslash escapes alone do not stop autolinks: the GFM autolink pass runs on the parsed text, after the
escapes are gone. An invisible word joiner (U+2060) is therefore put inside each autolink trigger
(after every ":" and "@", and between "www" and "."), where no letter-or-digit run can span it.
"""

from __future__ import annotations

import re

MISSING = "—"
WORD_JOINER = "\u2060"

_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")  # CommonMark: every one may be backslash-escaped
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
_AUTOLINK_TRIGGER = re.compile(r"[:@]|www(?=\\\.)", re.IGNORECASE)  # run on the escaped text: "www\."


def _break_autolinks(text: str) -> str:
    return _AUTOLINK_TRIGGER.sub(lambda m: m.group(0) + WORD_JOINER, text)


def plain(text: object, *, missing: str = MISSING) -> str:
    """`text` as inert Markdown: no emphasis, heading, list, link, image, autolink, maths or HTML; one line."""
    if text is None:
        return missing
    one_line = _LINE_BREAKS.sub(" ", str(text))
    escaped = "".join("\\" + char if char in _PUNCTUATION else char for char in one_line)
    return _break_autolinks(escaped)
