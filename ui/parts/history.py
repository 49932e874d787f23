"""Widgets of the import-history page: the import list, an import's error report, original file and rollback.

Every write goes through :mod:`loaders.ingest` (preview, commit, history); its rollback records
the ``rollback`` audit entry in the same transaction. Downloads of an original
file are recorded here as ``download_original``.
"""

from __future__ import annotations

import re
from pathlib import PurePath

import pandas as pd
import streamlit as st

from loaders.core.clock import format_datetime
from loaders.core.textnorm import fold
from loaders.ingest.history import RollbackError, import_report, original_file, rollback_import
from loaders.store import tables
from ui import access, cache
from ui.i18n import option_labels, t
from ui.parts.upload import flash, plain_md, render_error_table

ROLLBACK_CONFIRM_KEY = "history_rollback_confirm"
HISTORY_FLASH_KEY = "history_flash"


def local_time(value: object) -> str:
    """A stored UTC time as Vietnam date and ``HH:MM`` (blank when missing)."""
    if value is None or pd.isna(value):
        return ""
    return format_datetime(pd.Timestamp(value))


def history_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The import list as shown: translated headers and values, local times."""

    def when(s: pd.Series) -> pd.Series:
        return s.map(local_time)

    yes_no = {True: t("common.yes"), False: t("common.no")}
    columns = {
        "id": frame["id"],
        "dataset": frame["dataset"].map(lambda d: t(f"upload.dataset.{d}")),
        "file_name": frame["file_name"],
        "user_name": frame["user_name"],
        "created_at": when(frame["created_at"]),
        "rows_read": frame["rows_read"],
        "rows_accepted": frame["rows_accepted"],
        "rows_rejected": frame["rows_rejected"],
        "status": frame["status"].map(lambda s: t(f"history.status.{s}")),
        "is_demo": frame["is_demo"].map(yes_no),
        "rolled_back_at": when(frame["rolled_back_at"]),
    }
    return pd.DataFrame({t(f"history.col.{k}"): v.to_numpy() for k, v in columns.items()})


def render_import_choice(frame: pd.DataFrame) -> pd.Series | None:
    """Select box of imports (newest first); returns the chosen import's row."""
    rows = {int(r.id): r for r in frame.itertuples(index=False)}
    dataset_label = option_labels("upload.dataset.")
    chosen = st.selectbox(
        t("history.select"),
        list(rows),
        key="history_import",
        format_func=lambda i: f"#{i} · {dataset_label(rows[i].dataset)} · {rows[i].file_name}",
    )
    return None if chosen is None else frame.loc[frame["id"] == chosen].iloc[0]


def render_import_detail(row: pd.Series) -> None:
    """Error report with downloads, the original file, and rollback with confirmation."""
    import_id = int(row["id"])
    report = import_report(cache.get_engine(), import_id)
    if len(report):
        render_error_table(
            report,
            [(t("history.col.id"), str(import_id)), (t("history.col.file_name"), str(row["file_name"]))],
            key_prefix="history_errors",
        )
    else:
        st.caption(t("history.no_errors"))
    render_original_download(import_id, str(row["file_name"]))
    render_rollback(row)


def _download_name(import_id: int, file_name: str) -> str:
    path = PurePath(file_name.replace("\\", "/"))
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", fold(path.stem)).strip("_") or "tep"
    suffix = path.suffix.lower() if path.suffix.lower() in (".csv", ".txt", ".xlsx", ".tsv") else ".bin"
    return f"lan_nhap_{import_id}_{stem}{suffix}"


def render_original_download(import_id: int, file_name: str) -> None:
    """Download of the bytes exactly as uploaded (kept by hash); audited when fetched."""
    download = _download_name(import_id, file_name)
    # Bound now to the signed-in user: the click runs in a worker thread without the session.
    audit_download = access.deferred_auditor("download_original", ("import",))
    engine = cache.get_engine()

    def _data() -> bytes:
        audit_download(f"{import_id}: {download}")
        found = original_file(engine, import_id)
        return found[1] if found else b""

    st.download_button(
        t("history.original"),
        _data,
        file_name=download,
        key="history_original",
        on_click="ignore",
        icon=":material/attach_file:",
    )


def render_rollback(row: pd.Series) -> None:
    """Rollback of exactly this import, after a confirmation; a refused rollback says why."""
    import_id = int(row["id"])
    if row["status"] == tables.IMPORT_ROLLED_BACK:
        st.info(t("history.rolled_back", when=local_time(row["rolled_back_at"]), user=plain_md(row["rolled_back_by"])))
    elif access.can("rollback") and st.button(t("history.rollback"), key="history_rollback", icon=":material/undo:"):
        st.session_state[ROLLBACK_CONFIRM_KEY] = import_id
    # The confirmation stays open for the import it was asked for, even if another session rolled it back
    # meanwhile: confirming then shows the importer's refusal instead of silently doing nothing.
    if st.session_state.get(ROLLBACK_CONFIRM_KEY) != import_id:
        return
    st.warning(t("history.rollback.confirm", id=import_id, rows=int(row["rows_accepted"])), icon=":material/help:")
    yes, no = st.columns(2)
    if no.button(t("upload.cancel"), key="history_rollback_cancel"):
        st.session_state.pop(ROLLBACK_CONFIRM_KEY, None)
        st.rerun()
    if yes.button(t("history.rollback.yes"), key="history_rollback_yes", type="primary"):
        access.require("rollback")
        st.session_state.pop(ROLLBACK_CONFIRM_KEY, None)
        try:
            deleted = rollback_import(cache.get_engine(), import_id, access.current_user().name)
        except RollbackError as exc:
            st.error(plain_md(exc), icon=":material/block:")
            return
        cache.refresh_after_change()
        flash(t("history.rollback.done", id=import_id, rows=deleted), HISTORY_FLASH_KEY)
        st.rerun()
