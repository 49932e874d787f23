"""Row-by-row validation of an uploaded dataset, with pandera collecting every failure.

The pipeline is vectorised end to end so that a million incident rows take
seconds: strings from :mod:`loaders.ingest.reading` are coerced with pandas (dates
tried format by format, Vietnamese number separators, enumerations through
their distinct values), communes are resolved once per distinct combination,
and one pandera schema of vectorised checks, run with ``lazy=True``, reports
all failures at once. Each failure becomes a row of the error table: the row
number as the user sees it in their spreadsheet, the column header as written
in their file, the value as written, a Vietnamese message and a stable code.

A row with any error is rejected; the others are accepted with typed
canonical columns plus the commune as given and as resolved.

Error codes
-----------
``required``, ``commune_required``, ``unit_name_required``, ``enum``,
``date_format``, ``date_future``, ``date_too_early``, ``number_format``,
``integer``, ``negative``, ``year_range``, ``coord_pair``, ``coord_outside``,
``coord_swapped``, ``dissolved_without_date``, ``dissolution_date_not_dissolved``,
``dissolved_before_founded``, ``suspension_date_not_suspended``,
``suspended_before_founded``, ``commune_not_found``, ``commune_ambiguous``,
``legacy_commune_not_found``, ``legacy_commune_elsewhere``, ``security_team_too_early``,
``area_not_found``,
``duplicate_in_file``, ``duplicate_in_store``. Warnings (row kept):
``commune_split``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from loaders.core import domain
from loaders.core.clock import vietnam_today
from loaders.core.i18n import translate
from loaders.ingest.checks import build_schema, run_schema
from loaders.ingest.coercion import as_text, coerce
from loaders.ingest.communes import Resolver, place_split_rows, resolve_communes
from loaders.ingest.datasets import INT, ImportDataError, get_dataset
from loaders.ingest.errors import errors_table, warnings_table
from loaders.ingest.headers import HeaderMatch, match_headers
from loaders.ingest.keys import ExistingKeys, add_keys, find_duplicates
from loaders.ingest.model_areas import AreaLists, check_area_names
from loaders.ingest.rawtable import RawTable
from loaders.ingest.reading import read_table
from loaders.ingest.residential import LegacyMembers, place_legacy
from loaders.ingest.run import ValidationRun


class MissingColumnsError(ImportDataError):
    """Required columns have no matching header; ``header`` says which, for a mapping step."""

    def __init__(self, message: str, header: HeaderMatch) -> None:
        super().__init__(message)
        self.header = header


@dataclass
class ValidationResult:
    """The preview of an upload: what would be stored and what is wrong.

    Attributes
    ----------
    dataset : str
    accepted : pandas.DataFrame
        Valid rows: the dataset's canonical columns typed (dates as
        ``datetime64``, integers ``Int64``, coordinates ``float64``,
        enumerations as their stored Vietnamese value, blank text as NA),
        ``name_key`` (models) or ``unit_key`` (recognitions), then
        :data:`RESOLVED_COLUMNS`: ``commune_code`` (2025), ``legacy_code``,
        ``vintage`` (of the reference), ``code_given``, ``name_given``,
        ``district_given``, ``business_key`` and ``source_row`` (the row
        number in the file).
    errors : pandas.DataFrame
        :data:`ERROR_COLUMNS`: ``row`` (as in the file), ``column`` (header as
        in the file), ``value`` (as written), ``message`` (Vietnamese),
        ``code`` (stable error code) and ``field`` (canonical column), sorted
        by row. A rejected row has at least one error.
    warnings : pandas.DataFrame
        Same columns, for accepted rows the user should look at (a legacy
        commune that was split between 2025 communes).
    rows_read : int
        Data rows in the file (blank and totals rows excluded).
    header : HeaderMatch
    totals_rows : list of int
        Row numbers of the totals rows the reader dropped.
    file_name, sheet : str
    """

    dataset: str
    accepted: pd.DataFrame
    errors: pd.DataFrame
    warnings: pd.DataFrame
    rows_read: int
    header: HeaderMatch
    totals_rows: list[int] = field(default_factory=list)
    file_name: str = ""
    sheet: str | None = None

    @property
    def rows_accepted(self) -> int:
        """Number of valid rows."""
        return len(self.accepted)

    @property
    def rows_rejected(self) -> int:
        """Number of rows with at least one error."""
        return self.rows_read - self.rows_accepted

    @property
    def ignored_columns(self) -> list[str]:
        """Columns of the file that no field uses (e.g. "STT")."""
        return list(self.header.ignored)

    def summary(self) -> dict[str, Any]:
        """JSON-ready counts and errors: ``dataset, rows, accepted, rejected, errors, ...``."""
        return {
            "dataset": self.dataset,
            "file_name": self.file_name,
            "sheet": self.sheet,
            "rows": self.rows_read,
            "accepted": self.rows_accepted,
            "rejected": self.rows_rejected,
            "ignored_columns": self.ignored_columns,
            "totals_rows": list(self.totals_rows),
            "errors": [
                {"row": int(r.row), "column": r.column, "value": r.value, "message": r.message, "code": r.code}
                for r in self.errors.itertuples(index=False)
            ],
            "warnings": [
                {"row": int(r.row), "column": r.column, "value": r.value, "message": r.message, "code": r.code}
                for r in self.warnings.itertuples(index=False)
            ],
        }


@dataclass(frozen=True, kw_only=True)
class ValidationContext:
    """What validation checks an upload against, beyond the upload itself.

    The same context validates every file of a session: the commune
    registry, the province outline and the split-commune locator come from
    the installed reference data, the rest are the caller's choices.

    Attributes
    ----------
    resolver : callable
        ``resolver(codes, names, districts, vintage=per_row_vintages)`` with
        the contract of ``Registry.resolve_frame``; called once with the
        distinct commune references (twice for models, see ``vintage``).
    polygon : shapely geometry or None
        Hà Tĩnh's outline in lon/lat (EPSG:4326); coordinates outside it
        reject the row. ``None`` skips that check (tests, no boundaries).
    vintage : {"2025", "legacy"} or None
        Models only: which units the file's names use when a name stays
        ambiguous after resolving by name and former district. Incidents take
        the vintage from their date, recognitions from their year. ``None``
        reports such names as ambiguous.
    existing_keys : callable, optional
        ``existing_keys(dataset, keys)`` returns the business keys (format of
        :func:`loaders.ingest.keys.make_business_keys`) already stored; those rows are rejected.
    today : date, optional
        The date after which dates are "in the future"; Vietnam's today by default.
    lang : {"vi", "en"}
        Language of the messages.
    legacy_members : callable, optional
        Residential areas only: ``Registry.legacy_members``, which places an
        area of a 2025 commune formed from one legacy commune in that one
        (:mod:`loaders.ingest.residential`).
    locator : SplitCommuneLocator, optional
        Places rows of split legacy communes by their coordinates
        (``loaders.geo.placement.load_split_locator``); without it, or without a
        point, such rows go to the commune that took most of the area, with a
        ``commune_split`` warning.
    """

    resolver: Resolver
    polygon: Any | None
    vintage: str | None = domain.VINTAGE_2025
    existing_keys: ExistingKeys | None = None
    today: dt.date | None = None
    lang: str = "vi"
    locator: Any | None = None
    legacy_members: LegacyMembers | None = None
    #: Models only: the stored thôn/TDP lists per commune (:mod:`loaders.ingest.model_areas`);
    #: a named area not in its commune's list rejects the row. ``None`` checks nothing.
    area_lists: AreaLists | None = None


def validate_upload(
    data: bytes,
    file_name: str,
    dataset: str,
    context: ValidationContext,
    *,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
) -> ValidationResult:
    """Read and validate an uploaded file in one call (:func:`read_table` then :func:`validate_table`).

    Parameters
    ----------
    data : bytes
        The file's content.
    file_name : str
        Its name; the extension picks the reader.
    dataset : {"models", "incidents", "recognitions"}
    context : ValidationContext
    sheet : str, optional
        XLSX sheet (default the first).
    mapping : mapping of str to str, optional
        Explicit source column -> canonical column, see :func:`match_headers`.

    Returns
    -------
    ValidationResult

    Raises
    ------
    UnreadableFileError
        When the file cannot be read at all.
    MappingError, MissingColumnsError, UnknownDatasetError
        When the columns cannot be matched.
    """
    table = read_table(data, file_name, sheet=sheet)
    return validate_table(table, dataset, context, mapping=mapping)


def validate_table(
    table: RawTable,
    dataset: str,
    context: ValidationContext,
    *,
    mapping: Mapping[str, str] | None = None,
) -> ValidationResult:
    """Validate a table read by :func:`loaders.ingest.reading.read_table`.

    Parameters
    ----------
    table : RawTable
    dataset : {"models", "incidents", "recognitions"}
    context : ValidationContext
        The registry, outline, locator and choices to validate against.
    mapping : mapping of str to str, optional
        Explicit source column -> canonical column, see :func:`match_headers`.

    Returns
    -------
    ValidationResult

    Raises
    ------
    MappingError
        When ``mapping`` names a missing column or an unknown field.
    MissingColumnsError
        When a required column has no header, even after ``mapping``.
    """
    lang = context.lang
    polygon = context.polygon
    spec = get_dataset(dataset)
    header = match_headers(table.columns, dataset, mapping)
    if not header.complete:
        raise MissingColumnsError(
            translate(
                "import.error.missing_columns",
                lang,
                file=table.file_name,
                columns=", ".join(f"«{c}»" for c in header.missing_labels()),
            ),
            header,
        )
    n = len(table.frame)
    empty = pd.Series([""] * n, dtype="str")
    raw = pd.DataFrame(
        {
            name: (table.frame[header.columns[name]].reset_index(drop=True) if name in header.columns else empty)
            for name in spec.names
        }
    )
    ctx = ValidationRun(
        dataset=dataset,
        raw=raw,
        rows=np.asarray(table.row_numbers, dtype=np.int64),
        header=header,
        today=context.today or vietnam_today(),
        lang=lang,
    )
    work = coerce(ctx)
    resolved = resolve_communes(ctx, work, context.resolver, context.vintage)
    if context.locator is not None and "vi_do" in work:
        place_split_rows(work, resolved, context.locator)
    add_keys(ctx, work, resolved)
    if dataset == domain.DATASET_MODELS:
        check_area_names(work, context.area_lists)
    if dataset == domain.DATASET_RESIDENTIAL_AREAS:
        place_legacy(ctx.raw, work, resolved, context.resolver, context.legacy_members)
    dup_first, in_store = find_duplicates(ctx, work, context.existing_keys)
    schema = build_schema(ctx, work, resolved, dup_first, in_store, polygon)
    failures = run_schema(schema, work)
    errors = errors_table(ctx, work, resolved, dup_first, failures, polygon)
    rejected = np.zeros(n, dtype=bool)
    for _, _, idx in failures:
        rejected[idx] = True
    accepted = _accepted(ctx, work, resolved, ~rejected)
    warnings = warnings_table(ctx, resolved, ~rejected)
    return ValidationResult(
        dataset,
        accepted,
        errors,
        warnings,
        n,
        header,
        list(table.totals_rows),
        table.file_name,
        table.sheet,
    )


def validate_frame(
    frame: pd.DataFrame,
    dataset: str,
    context: ValidationContext,
    *,
    row_numbers: Sequence[int] | None = None,
) -> ValidationResult:
    """Validate a frame with canonical columns (the demo generator's path).

    Values may be typed (dates, numbers) or text; they are written as text
    the way a user would and go through exactly the same checks as a file.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical column names (or any accepted header).
    dataset : {"models", "incidents", "recognitions"}
    context : ValidationContext
    row_numbers : sequence of int, optional
        Row numbers for messages; by default 2, 3, ... as under a header row.

    Returns
    -------
    ValidationResult
    """
    text = pd.DataFrame({str(c): as_text(frame[c]) for c in frame.columns})
    rows = np.arange(2, 2 + len(frame), dtype=np.int64) if row_numbers is None else np.asarray(row_numbers)
    table = RawTable(text, rows, 1, [], "", None, [], None, None)
    return validate_table(table, dataset, context)


def _blank_as_missing(values: pd.Series) -> pd.Series:
    """Text cells as given, with an empty cell stored as missing."""
    return values.where(values != "").astype("str")


def _accepted(ctx: ValidationRun, work: pd.DataFrame, resolved: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    spec = get_dataset(ctx.dataset)
    out = pd.DataFrame(index=work.index)
    for col in spec.columns:
        values = work[col.name]
        out[col.name] = values.round().astype("Int64") if col.kind == INT else values
    for extra in ("name_key", "area_key", "unit_key"):
        if extra in work:
            out[extra] = work[extra]
    out["commune_code"] = work["commune_code"]
    out["legacy_code"] = resolved["legacy_code"]
    out["vintage"] = resolved["vintage"]
    out["code_given"] = _blank_as_missing(ctx.raw["ma_xa"])
    out["name_given"] = _blank_as_missing(ctx.raw["ten_xa"])
    out["district_given"] = _blank_as_missing(ctx.raw["huyen_cu"])
    out["business_key"] = work["business_key"]
    out["source_row"] = ctx.rows
    return out[keep].reset_index(drop=True)
