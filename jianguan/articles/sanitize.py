"""The rich text of public articles, cleaned with nh3 (Ammonia) against an allow-list before it is stored.

Only plain formatting survives: no scripts (their content goes too), no event handlers, no style, no images or
embedded frames, and links only to http, https and mailto addresses, opened without handing the page to the target.
"""

from __future__ import annotations

import re

import nh3
from django.utils.html import linebreaks

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "b", "em", "i", "u", "s", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "a",
        "table", "thead", "tbody", "tr", "th", "td", "hr",
    }
)  # fmt: skip
# Removed with everything inside them, not just their tags (a script's code must not turn into visible text).
REMOVED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "noscript",
        "template",
        "object",
        "embed",
        "svg",
        "math",
        "textarea",
        "select",
        "title",
    }
)
# "*": no attribute on every tag (Ammonia would otherwise keep lang and title everywhere).
ALLOWED_ATTRIBUTES = {"*": set(), "a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_MARKUP = re.compile(r"</?[a-zA-Z!]")
_BLOCKS = re.compile(r"<(p|h[1-6]|ul|ol|li|blockquote|table|div|br|hr|pre)\b", re.IGNORECASE)


def clean_html(html: str) -> str:
    """The body as it may be stored and shown. Text typed into the form without JavaScript, which has no paragraph
    markup of its own, is made into paragraphs first (blank line: new paragraph, line break: <br>); without any
    markup at all it is escaped, so "a < b" stays text."""
    html = (html or "").strip()
    if not _MARKUP.search(html):
        html = linebreaks(html, autoescape=True)
    elif not _BLOCKS.search(html):
        html = linebreaks(html, autoescape=False)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def plain_text(html: str) -> str:
    """The visible text of an HTML fragment (for telling an empty editor, `<p><br></p>`, from a real body)."""
    text = nh3.clean(html or "", tags=set(), clean_content_tags=set(REMOVED_WITH_CONTENT))
    return text.replace("&nbsp;", " ").replace("\xa0", " ").strip()
