"""The upload page's dataset guess: offer to read a file as the dataset its headers fit.

A file of incidents chosen as "Mô hình" lacks every model column. Rather than
leave the user with rejected rows and a mapping step, the page says which
dataset the headers fit (:func:`loaders.ingest.guess.better_dataset`) and
offers a button that switches to it and checks the same file again.

The button's callback only records the wish (the dataset select box cannot
change once drawn); :func:`apply_switch`, called by the page after the form,
previews the pending file again as that dataset.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from loaders.core import domain
from loaders.ingest.guess import better_dataset
from ui.i18n import t
from ui.parts import upload as up

#: Session key of a switch asked for: (sha256 of the pending file, the dataset to read it as).
SWITCH_KEY = "upload_switch_to"
#: Key of the dataset select box (:func:`ui.parts.upload.render_dataset_choice`).
DATASET_KEY = "upload_dataset"


def render_dataset_guess(pending: up.Pending) -> bool:
    """Offer another dataset when the chosen one lacks required columns and the headers fit that one.

    Returns
    -------
    bool
        Whether the offer is shown.
    """
    p = pending.preview
    target = better_dataset(p.source_columns, p.dataset)
    if target is None:
        return False
    guess = t(f"upload.dataset.{target}")
    st.warning(
        t(
            "upload.guess.offer",
            chosen=t(f"upload.dataset.{p.dataset}"),
            guess=guess,
            missing=", ".join(f"«{c}»" for c in p.missing_columns),
        ),
        icon=":material/swap_horiz:",
    )
    st.button(
        t("upload.guess.switch", guess=guess),
        key="upload_guess_switch",
        type="primary",
        icon=":material/swap_horiz:",
        on_click=_ask_switch,
        args=(pending.request.sha256, target),
    )
    return True


def _ask_switch(sha256: str, target: str) -> None:
    st.session_state[DATASET_KEY] = target
    st.session_state[SWITCH_KEY] = (sha256, target)


def apply_switch() -> None:
    """Check the pending file again as the dataset the user switched to, once, right after the click."""
    asked = st.session_state.pop(SWITCH_KEY, None)
    pending = up.current_pending()
    if asked is None or pending is None or pending.request.sha256 != asked[0]:
        return
    target = asked[1]
    # A mapping was made for the other dataset's fields; the vintage choice exists for models only.
    vintage = pending.request.vintage if target == domain.DATASET_MODELS else None
    request = replace(pending.request, dataset=target, mapping=(), vintage=vintage)
    up.ensure_preview(request, pending.valid_only, pending.force)
