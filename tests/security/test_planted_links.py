"""Links planted through shared URLs or identity claims are shown as plain, short text.

Notices, toasts and errors render Markdown. A value an outsider chose (a query
parameter of a shared link, an e-mail claim) must not turn into a link there.
"""

from __future__ import annotations

import re
import time

import pytest

from ui.plain_text import ELLIPSIS, SHOWN_CHARS, plain

PLANTED = "[Đăng nhập lại](http://evil.example/sign-in?next=/trang-chu-cua-ban)"
HOSTILE = [
    PLANTED,
    "http://evil.example",
    "www.evil.example",
    "ho.tro@evil.example",
    "<a href='http://evil.example'>x</a>",
    "![x](http://evil.example/p.png)",
    ":material/lock: :red[Phiên hết hạn]",
    "dòng 1\n\n# Tiêu đề\r\n* mục",
    "`code` **đậm** $x^2$ ~~gạch~~ | bảng |",
]
_UNESCAPED_PUNCTUATION = re.compile(r"(?<!\\)[!-/:-@\[-`{-~]")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@pytest.mark.parametrize("value", HOSTILE)
def test_every_markdown_character_is_escaped_and_the_value_cut_short(value: str) -> None:
    shown = plain(value)
    # Strip the escape pairs: no punctuation may be left without its backslash.
    assert not _UNESCAPED_PUNCTUATION.search(re.sub(r"\\.", "", shown)), shown
    assert "\n" not in shown and "\r" not in shown
    literal = _unescape(shown)
    assert len(literal) <= SHOWN_CHARS + len(ELLIPSIS)
    flat = " ".join(value.split())
    assert literal == flat if len(flat) <= SHOWN_CHARS else literal.endswith(ELLIPSIS)


def test_a_planted_query_parameter_is_shown_as_plain_short_text(app_test) -> None:
    at = app_test(role="viewer", params={"xa": PLANTED, "dia_ban": "[x](javascript:alert(1))"})
    assert not at.exception
    notices = [i.value for i in at.info if "xa" in i.value or "dia" in i.value]
    toasts = [toast.value for toast in at.toast]
    assert len(notices) == 2 and len(toasts) == 2
    for text in notices + toasts:
        assert not re.search(r"(?<!\\)[\[\]()]", text) and "http://" not in text, text
        assert r"\[Đăng nhập lại\]\(http\:\/\/evil\.exam" in text or r"\[x\]\(javascript\:alert\(1\)\)" in text
    assert any(text.endswith(f'{ELLIPSIS}". Đã dùng giá trị mặc định.') for text in notices)


def test_the_email_of_an_unmapped_oidc_identity_is_plain_text(app_test) -> None:
    at = app_test(run=False)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32}
    at.user = {
        "is_logged_in": True,
        "iss": "https://idp.example",
        "sub": "k-42",
        "iat": int(time.time()),  # a fresh sign-in at the provider
        "email": "[Đăng nhập lại](http://evil.example)",
        "email_verified": True,
    }
    at.run()
    assert not at.exception
    [error] = at.error
    assert not re.search(r"(?<!\\)[\[\]()]", error.value) and "http://" not in error.value
    assert r"\[Đăng nhập lại\]\(http\:\/\/evil\.example\)" in error.value
