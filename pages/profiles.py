"""Placeholder: being built (see issues 3 and 4)."""

import streamlit as st

from ui.i18n import t

st.title(t("page.profiles"))
