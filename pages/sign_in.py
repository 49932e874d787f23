"""Sign-in: the local form, or the organisation's OpenID Connect provider when configured."""

import streamlit as st

from ui.auth import render_sign_in
from ui.i18n import t

st.title(t("auth.title"))
st.caption(t("auth.intro"))
render_sign_in()
