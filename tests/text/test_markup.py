"""User data inside Markdown is shown as the characters stored: no link, image, autolink, heading or HTML."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from tracker.text.markup import WORD_JOINER, plain

PHISH = "[Session expired - sign in again](http://host/phish)"
PIXEL = "![x](http://host/p.png)"

# the autolink literals GFM finds in parsed text (remark's mdast transform, after escapes are resolved)
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+", re.ASCII)


def _rendered(markdown: str) -> tuple[str, str]:
    """HTML of the Markdown (CommonMark), and the text a reader sees in it."""
    parser = MarkdownIt("commonmark").enable("strikethrough").enable("table")
    tokens = parser.parse(markdown)
    text = "".join(child.content for token in tokens if token.children for child in token.children if child.type == "text")
    return parser.render(markdown), text


@pytest.mark.parametrize(
    "payload",
    [
        PHISH,
        PIXEL,
        "<a href='http://host/x'>x</a><img src=http://host/p.png>",
        "# Heading\n\n- item\n> quote",
        "**bold** _em_ `code` ~~gone~~ $x^2$ | a | b |",
        "[ref]: http://host/x\n[ref]",
        "<http://host/x> <mailto:a@host.org>",
        "A001-00001_x*y",
    ],
)
def test_no_markup_survives_and_the_text_reads_as_stored(payload):
    html, text = _rendered(plain(payload))
    assert "<a " not in html and "<img" not in html and "<h1" not in html and "<li" not in html
    assert "<strong" not in html and "<em" not in html and "<code" not in html and "<blockquote" not in html
    assert "<del" not in html and "<table" not in html
    assert "](http" not in plain(payload)  # no Markdown link markup left for any renderer
    assert text.replace(WORD_JOINER, "") == re.sub(r"\n+", " ", payload)


@pytest.mark.parametrize(
    "payload", ["http://2130706433:8799/", "see https://host.example/x now", "www.host.example", "a.b@host.example"]
)
def test_autolink_literals_are_broken(payload):
    _, text = _rendered(plain(payload))
    assert GFM_URL.search(text) is None and GFM_EMAIL.search(text) is None
    assert text.replace(WORD_JOINER, "") == payload
    assert GFM_URL.search(payload) or GFM_EMAIL.search(payload)  # the pattern does find the raw payload


def test_missing_and_plain_values():
    assert plain(None) == "—"
    assert plain(None, missing="") == ""
    assert plain("A001") == "A001"
    assert plain("设备 12") == "设备 12"
    assert plain(12.5) == "12\\.5"


@pytest.mark.parametrize(
    "payload, shown",
    [
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("# title", "\\# title"),
        ("12. item", "12\\. item"),
        ("3) item", "3\\) item"),
        ("upload #2 of usage.csv, 03/04/2025: ok", "upload #2 of usage.csv, 03/04/2025: ok"),  # prose stays as written
    ],
)
def test_block_markup_is_escaped_only_where_it_opens_a_block(payload, shown):
    assert plain(payload) == shown
    html, _ = _rendered(plain(payload))
    assert "<li" not in html and "<h1" not in html and "<ol" not in html
