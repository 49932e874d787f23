"""Sign-in: the local form, or the organisation's OpenID Connect provider when configured."""

from ui.auth import render_sign_in_page

render_sign_in_page()
