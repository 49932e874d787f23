"""How many models name a thôn/TDP that no stored list has yet (the link is made when data are read)."""

from __future__ import annotations

import streamlit as st

from analysis.model_areas import area_links
from ui import cache
from ui.i18n import t


def render_unlinked_models() -> None:
    """A note when models name a thôn/TDP their commune's lists do not have yet; nothing otherwise."""
    data = cache.get_datasets(cache.data_version())
    links = area_links(data.models, data.residential_areas)
    if links.unlinked:
        st.info(t("models.unlinked_areas", unlinked=links.unlinked, named=links.named), icon=":material/link_off:")
