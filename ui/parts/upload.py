"""Widgets of the upload page; every write goes through :mod:`loaders.ingest` (preview, commit, history).

The importer is the one code path the pages share with ``python -m loaders``:
this module only draws widgets and keeps the upload flow in session state.

Upload flow (session keys start with ``upload_``)
-------------------------------------------------
1. The form's submit reads the file's bytes once into an :class:`UploadRequest`.
   Its :attr:`UploadRequest.key` is the file's sha256 plus the options that
   change a preview (dataset, sheet, vintage, column mapping).
2. :func:`ensure_preview` validates only when that key differs from the stored
   preview's: reruns, and a re-submit that changes only the commit options
   ("valid rows only", "force"), reuse the stored :class:`Pending` preview.
3. Nothing is written until "Xác nhận nhập" commits the stored preview.

Audit: the importer records ``import``, ``import_demo``, ``rollback`` and
``demo_removed`` in the same transaction as the write, so they are not recorded
again here; error-report exports go through ``render_downloads`` (``export``).
The import-history page's widgets are in :mod:`ui.parts.history`.

User-supplied text (file and column names, cell values) is shown in
``st.dataframe`` or ``st.text``, or escaped with :func:`plain_md` before it goes
into a Markdown message.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pandas as pd
import streamlit as st

from loaders.accounts.records import audit_detail
from loaders.core import domain
from loaders.demo.loading import load_demo, remove_demo
from loaders.ingest.commit import commit_import
from loaders.ingest.datasets import ImportDataError, get_dataset
from loaders.ingest.duplicates import duplicate_message
from loaders.ingest.enums import ENUM_FAMILIES
from loaders.ingest.headers import match_headers
from loaders.ingest.preview import ImportPreview, ImportRefused, ImportRequest, preview_import
from loaders.ingest.reporting import ReportScope
from loaders.ingest.templates import build_template
from loaders.ingest.xlsx import sheet_names
from loaders.store import reads
from ui import access, cache
from ui.i18n import option_labels, option_or, t
from ui.parts.downloads import XLSX_MIME, FileButton, render_file_buttons
from ui.parts.tables import render_downloads

PENDING_KEY = "upload_pending"
REFUSED_KEY = "upload_refused"
FLASH_KEY = "upload_flash"
NONCE_KEY = "upload_form_nonce"
SHEETS_KEY = "upload_sheets"  # (sha256, sheet names) of the last submitted file
SHEET_KEY = "upload_sheet"
DEMO_CONFIRM_KEY = "upload_demo_confirm"
#: Audit action of an upload refused before or at its commit (refusals are recorded too).
ACTION_UPLOAD_REFUSED = "upload_refused"

#: Errors drawn on the page; the downloads always hold all of them.
MAX_ROWS_SHOWN = 1000
_TEMPLATE_STEMS = {
    domain.DATASET_MODELS: "mau_mo_hinh",
    domain.DATASET_INCIDENTS: "mau_vu_viec",
    domain.DATASET_RECOGNITIONS: "mau_cong_nhan",
    domain.DATASET_RESIDENTIAL_AREAS: "mau_thon_to_dan_pho",
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


def plain_md(text: object) -> str:
    """Escape Markdown so user text (a file name, a header) shows literally in ``st.error`` and friends."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def record_refused_upload(file_name: str, stage: str, message: object, reason: str | None = None) -> None:
    """Audit a refused upload (``upload_refused``): the file's name, the stage and the refusal, cut short."""
    detail = audit_detail(file=str(file_name)[:255], stage=stage, reason=reason, message=str(message)[:500])
    access.record(ACTION_UPLOAD_REFUSED, detail)


def upload_limit_mb() -> int:
    """The upload limit in MB (``server.maxUploadSize`` in ``.streamlit/config.toml``)."""
    return int(st.get_option("server.maxUploadSize"))


def uploader_key() -> str:
    """Key of the file uploader; it changes after a commit, which empties the widget."""
    return f"upload_file_{st.session_state.setdefault(NONCE_KEY, 0)}"


@dataclass(frozen=True)
class UploadRequest:
    """One file and the options that shape its preview."""

    dataset: str
    file_name: str
    data: bytes = field(repr=False)
    sha256: str
    sheet: str | None = None
    vintage: str | None = None
    mapping: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> tuple:
        """Identity of the preview: same key, same result, no need to validate again."""
        return (self.sha256, self.dataset, self.sheet, self.vintage, self.mapping)


@dataclass(frozen=True)
class Pending:
    """A validated, not yet committed upload and the commit options chosen with it."""

    request: UploadRequest
    preview: ImportPreview
    valid_only: bool = False
    force: bool = False


def current_pending() -> Pending | None:
    pending = st.session_state.get(PENDING_KEY)
    return pending if isinstance(pending, Pending) else None


def clear_pending() -> None:
    for key in (PENDING_KEY, REFUSED_KEY):
        st.session_state.pop(key, None)


def flash(message: str, key: str = FLASH_KEY) -> None:
    """Keep a success message for the next run (the page reruns after a write)."""
    st.session_state[key] = message


def render_flash(key: str = FLASH_KEY) -> None:
    message = st.session_state.pop(key, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def _progress_bar(text: str) -> tuple[Callable[[float, str], None], Callable[[], None]]:
    bar = st.progress(0.0, text=text)
    return (lambda fraction, message: bar.progress(fraction, text=message)), bar.empty


# ------------------------------------------------------------------ dataset help
def render_dataset_choice() -> str:
    """Dataset select box with a one-line description, its columns and the two templates."""
    dataset = st.selectbox(
        t("upload.dataset"), domain.DATASET_NAMES, key="upload_dataset", format_func=option_labels("upload.dataset.")
    )
    st.caption(t(f"upload.dataset.{dataset}.help"))
    with st.expander(t("upload.columns")):
        st.dataframe(columns_frame(dataset), hide_index=True, width="stretch")
    stem = _TEMPLATE_STEMS[dataset]
    csv, xlsx = (
        FileButton(
            t(f"upload.template.{fmt}"),
            lambda fmt=fmt: build_template(dataset, fmt),
            f"{stem}.{fmt}",
            mime,
            f"upload_template_{fmt}",
            icon,
        )
        for fmt, mime, icon in (
            ("csv", "text/csv", ":material/download:"),
            ("xlsx", XLSX_MIME, ":material/table_view:"),
        )
    )
    render_file_buttons([csv, xlsx])
    return dataset


def columns_frame(dataset: str) -> pd.DataFrame:
    """The dataset's columns as the template writes them: header, canonical name, required, allowed values."""
    spec = get_dataset(dataset)
    rows = []
    for col in spec.columns:
        group = next((g for g in spec.one_of if col.name in g), None)
        if col.required:
            required = t("common.yes")
        elif group:
            required = t("upload.columns.one_of", columns=" / ".join(spec.column(n).label for n in group))
        else:
            required = t("common.no")
        allowed = "; ".join(ENUM_FAMILIES[col.enum]) if col.enum else col.note
        rows.append((col.label, col.name, required, allowed))
    return pd.DataFrame(
        rows,
        columns=[
            t("upload.columns.header"),
            t("upload.columns.name"),
            t("upload.columns.required"),
            t("upload.columns.allowed"),
        ],
    )


# -------------------------------------------------------------------------- form
def render_upload_form(dataset: str) -> tuple[UploadRequest, bool, bool] | None:
    """The upload form; returns ``(request, valid_only, force)`` on submit with a file, else ``None``.

    The sheet select box appears in the form once a submitted workbook turns out
    to have several sheets (it is filled in after the submit is read, into a slot
    inside the form); choosing one and submitting again reads that sheet.
    """
    pending = current_pending()
    known_sha = (st.session_state.get(SHEETS_KEY) or ("", []))[0]
    with st.form("upload_form"):
        uploaded = st.file_uploader(
            t("upload.file"),
            type=["csv", "txt", "xlsx"],
            key=uploader_key(),
            help=t("upload.limit", mb=upload_limit_mb()),
        )
        sheet_slot = st.container()
        vintage = None
        if dataset == domain.DATASET_MODELS:
            vintage = st.radio(
                t("upload.vintage"),
                domain.VINTAGES,
                key="upload_vintage",
                horizontal=True,
                format_func=option_labels("upload.vintage."),
                help=t("upload.vintage.help"),
            )
        valid_only = st.checkbox(t("upload.valid_only"), key="upload_valid_only", help=t("upload.valid_only.help"))
        force = st.checkbox(t("upload.force"), key="upload_force", help=t("upload.force.help"))
        submitted = st.form_submit_button(
            t("upload.submit"), type="primary", key="upload_submit", icon=":material/fact_check:"
        )
    st.caption(t("upload.limit", mb=upload_limit_mb()))
    request = None
    if submitted and uploaded is None:
        st.warning(t("upload.no_file"))
    elif submitted:
        data = uploaded.getvalue()
        sha = hashlib.sha256(data).hexdigest()
        # A sheet chosen applies to the workbook it was listed for; a mapping to the preview it was made on.
        sheet = (st.session_state.get(SHEET_KEY) or None) if known_sha == sha else None
        if known_sha != sha:
            st.session_state[SHEETS_KEY] = (sha, sheet_names(data))
        same_preview = (
            pending is not None
            and pending.request.sha256 == sha
            and pending.request.dataset == dataset
            and pending.request.sheet == sheet
        )
        mapping = pending.request.mapping if same_preview else ()
        request = UploadRequest(dataset, uploaded.name, data, sha, sheet, vintage, mapping)
    sheets = (st.session_state.get(SHEETS_KEY) or ("", []))[1]
    if len(sheets) > 1:
        if st.session_state.get(SHEET_KEY) not in ["", *sheets]:
            st.session_state[SHEET_KEY] = ""  # a sheet of the previous workbook
        sheet_slot.selectbox(
            t("upload.sheet"), ["", *sheets], key=SHEET_KEY, format_func=option_or(t("upload.sheet.first"))
        )
    return None if request is None else (request, bool(valid_only), bool(force))


def ensure_preview(request: UploadRequest, valid_only: bool, force: bool) -> None:
    """Validate ``request`` unless the stored preview already is its result; keep the commit options."""
    pending = current_pending()
    if pending is not None and pending.request.key == request.key:
        st.session_state[PENDING_KEY] = replace(pending, valid_only=valid_only, force=force)
        return
    clear_pending()
    preview = _run_preview(request)
    if preview is not None:
        st.session_state[PENDING_KEY] = Pending(request, preview, valid_only, force)


def _run_preview(request: UploadRequest) -> ImportPreview | None:
    progress, done = _progress_bar(t("upload.progress.preview"))
    try:
        upload = ImportRequest(
            dataset=request.dataset,
            data=request.data,
            file_name=request.file_name,
            user=access.current_user().name,
            sheet=request.sheet,
            mapping=dict(request.mapping) or None,
            vintage=request.vintage,
        )
        return preview_import(
            cache.get_engine(),
            upload,
            registry=cache.get_registry(),
            province_polygon=cache.get_province_polygon(),
            progress=progress,
        )
    except ImportDataError as exc:  # unreadable file, unknown sheet, bad mapping: the message says which
        record_refused_upload(request.file_name, "preview", exc)
        st.error(plain_md(exc), icon=":material/error:")
        return None
    finally:
        done()


# ----------------------------------------------------------------------- preview
def errors_view(errors: pd.DataFrame) -> pd.DataFrame:
    """Row, column, value and message with the catalogue's headers (as shown and exported)."""
    cols = ["row", "column", "value", "message"]
    out = errors.reindex(columns=cols).copy()
    out["row"] = pd.array(out["row"], dtype="Int64")
    return out.rename(columns={c: t(f"validation.col.{c}") for c in cols})


def render_preview(pending: Pending) -> None:
    """Counts, ignored columns, dropped totals rows, warnings and the error table with its downloads."""
    p = pending.preview
    st.subheader(t("upload.preview.title", dataset=t(f"upload.dataset.{p.dataset}")))
    st.text(t("upload.preview.file", file=p.file_name) + (f" — {p.sheet}" if p.sheet else ""))
    read, accepted, rejected = st.columns(3)
    read.metric(t("upload.preview.read"), p.rows_read, border=True)
    accepted.metric(t("upload.preview.accepted"), p.n_accepted, border=True)
    rejected.metric(t("upload.preview.rejected"), p.n_rejected, border=True)
    if len(p.sheet_names) > 1:
        st.caption(t("upload.preview.sheets", count=len(p.sheet_names)))
    if p.ignored_columns:
        st.caption(t("upload.preview.ignored"))
        st.text(", ".join(p.ignored_columns))
    if p.totals_rows:
        st.caption(t("upload.preview.totals", rows=", ".join(str(r) for r in p.totals_rows)))
    if len(p.warnings):
        st.warning(t("upload.preview.warnings", count=len(p.warnings)), icon=":material/warning:")
        st.dataframe(
            errors_view(p.warnings.head(MAX_ROWS_SHOWN)), hide_index=True, width="stretch", key="upload_warnings_table"
        )
    if len(p.errors):
        render_error_table(
            p.errors,
            [(t("upload.preview.file_label"), p.file_name), (t("upload.dataset"), t(f"upload.dataset.{p.dataset}"))],
            key_prefix="upload_errors",
        )


def render_error_table(errors: pd.DataFrame, context: list[tuple[str, str]], key_prefix: str) -> None:
    """The error table (first rows) and CSV/XLSX downloads of all of it, formula-safe and audited."""
    view = errors_view(errors)
    st.markdown(f"**{t('upload.errors.title', count=len(view))}**")
    if len(view) > MAX_ROWS_SHOWN:
        st.caption(t("upload.errors.truncated", shown=MAX_ROWS_SHOWN))
    st.dataframe(view.head(MAX_ROWS_SHOWN), hide_index=True, width="stretch", key=f"{key_prefix}_table")
    render_downloads(view, context, name="bao_cao_loi_nhap", key_prefix=key_prefix)


def missing_fields(pending: Pending) -> list[str]:
    """Canonical fields the mapping step asks for: required ones, then each member of a missing either/or group."""
    p = pending.preview
    match = match_headers(p.source_columns, p.dataset, dict(pending.request.mapping))
    return match.missing_required + [name for group in match.missing_one_of for name in group]


def render_mapping_step(pending: Pending) -> None:
    """One select box per missing field listing the file's columns; "Apply" previews again with the mapping."""
    spec = get_dataset(pending.preview.dataset)
    st.warning(t("upload.mapping.intro"), icon=":material/join:")
    choices: dict[str, str] = {}
    for name in missing_fields(pending):
        choices[name] = st.selectbox(
            spec.column(name).label,
            ["", *pending.preview.source_columns],
            key=f"upload_map_{name}",
            format_func=option_or(t("upload.mapping.none")),
        )
    if not st.button(t("upload.mapping.apply"), key="upload_map_apply", icon=":material/sync:"):
        return
    chosen = {source: name for name, source in choices.items() if source}
    if not chosen:
        st.warning(t("upload.mapping.empty"))
        return
    mapping = tuple(sorted({**dict(pending.request.mapping), **chosen}.items()))
    ensure_preview(replace(pending.request, mapping=mapping), pending.valid_only, pending.force)
    st.rerun()


# ------------------------------------------------------------------------ commit
def _blocked_reason(pending: Pending) -> str | None:
    p = pending.preview
    if p.needs_mapping:
        return t("upload.confirm.blocked_mapping")
    if p.n_accepted == 0:
        return t("upload.confirm.blocked_empty")
    if p.n_rejected and not pending.valid_only:
        return t("upload.confirm.blocked_rejected")
    return None


def render_confirm(pending: Pending, reports: ReportScope | None = None, reports_error: str | None = None) -> None:
    """Refusal of a re-uploaded file (with the offer to force it), else the confirm button.

    ``reports`` is what an incidents file reports (``ui.parts.upload_reports``); a
    ``reports_error`` (shown there) keeps the button disabled.

    The importer checks the file's hash again inside the commit's transaction, so
    a copy committed by someone else after the preview is refused there too.
    """
    p = pending.preview
    refused = st.session_state.get(REFUSED_KEY)
    message = refused[1] if refused and refused[0] == p.sha256 else None
    if message is None and p.duplicate_of is not None and not pending.force:
        message = duplicate_message(p.duplicate_of)
    if message is not None:
        st.error(plain_md(message), icon=":material/content_copy:")
        if st.button(t("upload.force_confirm"), key="upload_force_confirm", icon=":material/warning:"):
            st.session_state.pop(REFUSED_KEY, None)
            st.session_state[PENDING_KEY] = replace(pending, force=True)
            st.rerun()
        return
    if p.duplicate_of is not None:
        st.caption(t("upload.confirm.forced", id=p.duplicate_of["import_id"]))
    blocked = _blocked_reason(pending) or reports_error
    if blocked:
        st.info(blocked)
    else:
        mode = "valid_only" if pending.valid_only and p.n_rejected else "all"
        st.caption(t(f"upload.confirm.mode.{mode}", rows=p.n_accepted))
    if st.button(
        t("upload.confirm"),
        key="upload_confirm",
        type="primary",
        disabled=blocked is not None,
        icon=":material/database_upload:",
    ):
        _commit(pending, reports)


def _commit(pending: Pending, reports: ReportScope | None = None) -> None:
    access.require("import")
    progress, done = _progress_bar(t("upload.progress.commit"))
    try:
        outcome = commit_import(
            cache.get_engine(),
            pending.preview,
            valid_only=pending.valid_only,
            force=pending.force,
            user=access.current_user().name,
            progress=progress,
            reports=reports,
        )
        if outcome.committed:  # while the bar still shows: the pages then open on data already read
            progress(1.0, t("upload.progress.refresh"))
            cache.refresh_after_change()
    except ImportRefused as exc:
        if exc.reason == "duplicate_file":  # committed meanwhile by someone else: show the refusal and the offer
            st.session_state[REFUSED_KEY] = (pending.preview.sha256, str(exc))
            st.session_state[PENDING_KEY] = replace(pending, force=False)
            st.rerun()
        record_refused_upload(pending.preview.file_name, "commit", exc, getattr(exc, "reason", None))
        st.error(plain_md(exc), icon=":material/error:")
        return
    finally:
        done()
    if not outcome.committed:
        record_refused_upload(pending.preview.file_name, "commit", outcome.message)
        st.error(outcome.message, icon=":material/error:")
        return
    flash(t("upload.done", id=outcome.import_id, rows=outcome.written, rejected=outcome.rejected))
    clear_pending()
    st.session_state[NONCE_KEY] = st.session_state.get(NONCE_KEY, 0) + 1
    st.rerun()


# -------------------------------------------------------------------------- demo
def render_demo_controls() -> None:
    """Remove or (re)load the demo data, each after a confirmation; only for roles with ``demo``."""
    if not access.can("demo"):
        return
    engine = cache.get_engine()
    st.subheader(t("upload.demo.title"))
    with engine.connect() as conn:
        has_demo, demo_only = reads.has_demo(conn), reads.demo_only(conn)
    st.caption(t("upload.demo.status." + ("none" if not has_demo else "shown" if demo_only else "hidden")))
    left, right = st.columns(2)
    if left.button(t("upload.demo.remove"), key="upload_demo_remove", disabled=not has_demo, icon=":material/delete:"):
        st.session_state[DEMO_CONFIRM_KEY] = "remove"
    if right.button(t("upload.demo.load"), key="upload_demo_load", icon=":material/science:"):
        st.session_state[DEMO_CONFIRM_KEY] = "load"
    action = st.session_state.get(DEMO_CONFIRM_KEY)
    if action not in ("remove", "load"):
        return
    st.warning(t(f"upload.demo.confirm.{action}"), icon=":material/help:")
    yes, no = st.columns(2)
    if no.button(t("upload.cancel"), key="upload_demo_cancel"):
        st.session_state.pop(DEMO_CONFIRM_KEY, None)
        st.rerun()
    if yes.button(t(f"upload.demo.yes.{action}"), key="upload_demo_yes", type="primary"):
        access.require("demo")
        user = access.current_user().name
        with st.spinner(t(f"upload.demo.working.{action}")):
            if action == "remove":
                n = remove_demo(engine, user)
                flash(t("upload.demo.removed", count=n))
            else:
                outcomes = load_demo(engine, user, registry=cache.get_registry())
                flash(t("upload.demo.loaded", rows=sum(o.written for o in outcomes.values())))
            cache.refresh_after_change()
        st.session_state.pop(DEMO_CONFIRM_KEY, None)
        st.rerun()
