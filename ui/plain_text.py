"""Untrusted text for Markdown elements: shown literally, on one line, cut short.

``st.info``, ``st.error`` and ``st.toast`` render their text as Markdown. A
value taken from a shared URL or from an identity provider must never become
a link, an image, an icon or formatting there: a link planted in a query
parameter ("[Đăng nhập lại](http://...)") would otherwise be a clickable
phishing link inside the app's own notice.
"""

from __future__ import annotations

import re

#: Length to which an untrusted value is cut before it is shown.
SHOWN_CHARS = 40
ELLIPSIS = "…"

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all also
# breaks GFM's bare-URL and e-mail autolinks and Streamlit's :icon: and :color[...] directives.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def plain(value: object, limit: int = SHOWN_CHARS) -> str:
    """``value`` as literal Markdown text: one line, at most ``limit`` characters (then "…"), punctuation escaped."""
    text = _BREAKS.sub(" ", str(value)).strip()
    if len(text) > limit:
        text = text[:limit].rstrip() + ELLIPSIS
    return _PUNCTUATION.sub(r"\\\1", text)
