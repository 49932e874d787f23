"""Matching a file's headers to a dataset's canonical columns.

A header matches a column by its canonical name, its Vietnamese label or
one of its aliases, compared leniently with :func:`loaders.core.textnorm.key`.
The reader finds the header row with :func:`all_header_keys`; validation maps
the columns with :func:`match_headers`, where an explicit mapping (the
upload page's mapping step, ``--map`` on the command line) overrides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from loaders.core.i18n import translate
from loaders.core.textnorm import key
from loaders.ingest.datasets import DATASET_SPECS, ColumnSpec, DatasetSpec, ImportDataError, get_dataset


class MappingError(ImportDataError):
    """An explicit column mapping that names a missing column or an unknown field."""


def _header_keys(col: ColumnSpec) -> list[str]:
    return [k for k in (key(col.name), key(col.label), *(key(a) for a in col.aliases)) if k]


def all_header_keys() -> frozenset[str]:
    """Keys of every header any dataset accepts; the reader finds the header row with them."""
    return frozenset(k for spec in DATASET_SPECS.values() for col in spec.columns for k in _header_keys(col))


def _alias_index(spec: DatasetSpec) -> dict[str, str]:
    # First column wins a shared key, so canonical order decides (none collide today).
    index: dict[str, str] = {}
    for col in spec.columns:
        for k in _header_keys(col):
            index.setdefault(k, col.name)
    return index


@dataclass(frozen=True)
class HeaderMatch:
    """How the columns of a file map onto a dataset's canonical columns.

    Attributes
    ----------
    dataset : str
    columns : dict of str to str
        Canonical name -> source column name as in the file.
    ignored : list of str
        Source columns that map to nothing (e.g. "STT"), or that map to a
        field already taken by an earlier column; listed in the preview.
    missing_required : list of str
        Required canonical columns with no source column.
    missing_one_of : list of tuple of str
        Groups (``("ma_xa", "ten_xa")``) of which no column is present.
    """

    dataset: str
    columns: dict[str, str]
    ignored: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    missing_one_of: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every required column (and one of each group) is present."""
        return not self.missing_required and not self.missing_one_of

    def missing_labels(self) -> list[str]:
        """Vietnamese labels of what is missing, groups written "Mã xã hoặc Tên xã/phường"."""
        spec = get_dataset(self.dataset)
        out = [spec.column(n).label for n in self.missing_required]
        out += [" hoặc ".join(spec.column(n).label for n in group) for group in self.missing_one_of]
        return out

    def source_of(self, name: str) -> str:
        """Header of canonical column ``name`` as the user sees it (the label when absent)."""
        return self.columns.get(name) or get_dataset(self.dataset).column(name).label


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """Parse command-line mappings ``"Cột trong file=ten_mo_hinh"``.

    The last ``=`` splits, since a file's header may itself contain one.

    Returns
    -------
    dict of str to str
        Source column -> canonical column.

    Raises
    ------
    MappingError
        For an item without ``=`` or with an empty side.
    """
    out: dict[str, str] = {}
    for item in items:
        source, sep, target = item.rpartition("=")
        if not sep or not source.strip() or not target.strip():
            raise MappingError(translate("import.error.mapping_syntax", item=item))
        out[source.strip()] = target.strip()
    return out


def match_headers(columns: Sequence[str], dataset: str, mapping: Mapping[str, str] | None = None) -> HeaderMatch:
    """Match a file's headers to a dataset's canonical columns.

    Parameters
    ----------
    columns : sequence of str
        Headers in file order.
    dataset : str
        One of :data:`loaders.core.domain.DATASET_NAMES`.
    mapping : mapping of str to str, optional
        Explicit source column -> canonical column (or its label or an alias).
        It overrides automatic matching: a column that matched the same field
        automatically is then ignored.

    Returns
    -------
    HeaderMatch

    Raises
    ------
    UnknownDatasetError
        For an unknown dataset.
    MappingError
        When the mapping names a column the file lacks, or a field the dataset lacks.
    """
    spec = get_dataset(dataset)
    index = _alias_index(spec)
    columns = [str(c) for c in columns]
    explicit: dict[str, str] = {}
    for source, target in (mapping or {}).items():
        src = source if source in columns else next((c for c in columns if key(c) == key(source)), None)
        if src is None:
            raise MappingError(
                translate("import.error.mapping_source", column=source, columns=", ".join(f"«{c}»" for c in columns))
            )
        canonical = index.get(key(target))
        if canonical is None:
            raise MappingError(
                translate("import.error.mapping_target", target=target, dataset=dataset, columns=", ".join(spec.names))
            )
        explicit[src] = canonical
    taken: dict[str, str] = {canonical: src for src, canonical in explicit.items()}
    ignored: list[str] = []
    for col in columns:
        if col in explicit:
            continue
        canonical = index.get(key(col))
        if canonical is None or canonical in taken:
            ignored.append(col)
        else:
            taken[canonical] = col
    ordered = {name: taken[name] for name in spec.names if name in taken}
    missing = [c.name for c in spec.columns if c.required and c.name not in ordered]
    groups = [g for g in spec.one_of if not any(n in ordered for n in g)]
    return HeaderMatch(dataset, ordered, ignored, missing, groups)
