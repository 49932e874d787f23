"""How many models name a thôn/TDP that no stored list has yet (the link is made when data are read)."""

from __future__ import annotations

import streamlit as st

from analysis.model_areas import area_links
from ui import cache
from ui.i18n import t


def render_unlinked_models(short: bool = False) -> None:
    """A note when models name a thôn/TDP their commune's lists do not have yet; nothing otherwise.

    ``short``: one line under a map (the home page), instead of the upload page's explanation.
    """
    data = cache.get_datasets(cache.data_version())
    # Once per data version: the links change only with the models or the lists.
    links = data.derived("area_links", lambda: area_links(data.models, data.residential_areas))
    if not links.unlinked:
        return
    if short:
        st.caption(t("models.unlinked_areas.short", unlinked=links.unlinked))
    else:
        st.info(t("models.unlinked_areas", unlinked=links.unlinked, named=links.named), icon=":material/link_off:")
