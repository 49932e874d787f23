"""One row of download buttons whose files are built at the click: the shape every export shares."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st

from ui.i18n import t

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class FileButton:
    """A download button: its label, the function that builds the file at the click, and the file's name and type."""

    label: str
    build: Callable[[], bytes]
    file_name: str
    mime: str
    key: str
    icon: str = ":material/download:"


def render_file_buttons(buttons: Sequence[FileButton], *, allowed: bool = True) -> None:
    """The buttons side by side; disabled, with the reason below them, when the account may not export.

    Each file is built only when its button is clicked (``on_click="ignore"``: the click
    does not rerun the page), so a page never pays for files nobody asked for.

    Parameters
    ----------
    buttons : sequence of FileButton
        In display order, one column each.
    allowed : bool
        Whether the signed-in account may take these files (``ui.access.can``).
    """
    for column, button in zip(st.columns(len(buttons)), buttons):
        column.download_button(
            button.label,
            button.build,
            file_name=button.file_name,
            mime=button.mime,
            key=button.key,
            on_click="ignore",
            disabled=not allowed,
            icon=button.icon,
        )
    if not allowed:
        st.caption(t("access.export_denied"))
