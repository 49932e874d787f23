"""Download buttons for the printable map (PNG, PDF) and the one-page briefing (PDF).

Files are built only when a button is clicked: the buttons get callables. Streamlit
runs such a callable in a worker thread with no script context, where
``st.session_state`` is not the user's. So everything the file needs (the frames,
the words in the user's language, the user, the permission) is captured while
the page runs, and the callable only calls pure builders and writes the audit entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from analysis import briefing, briefing_pdf, priority
from analysis import indicators as ind
from analysis.exports import export_timestamp, file_stem
from loaders.core import domain
from maps import print_views, printable
from ui import access, cache
from ui.i18n import current_language, t
from ui.parts.downloads import FileButton, render_file_buttons
from ui.parts.labels import former_name
from ui.parts.tables import filter_context

UNIT_COMMUNE = "commune"
UNIT_DISTRICT = "district"


def _subtitle(context: list[tuple[str, str]], level: str) -> str:
    # The first four context rows are the period and the three filters (ui.parts.tables.filter_context).
    parts = [f"{label}: {value}" for label, value in context[:4]]
    if level != domain.VINTAGE_2025:
        parts.append(t("print.level.legacy"))
    return " · ".join(parts)


def _print_context(filters: ind.Filters) -> list[tuple[str, str]]:
    """Filter rows without the version, time and demo rows (the files print those themselves)."""
    skip = {t("export.context.data_version"), t("export.context.exported_at"), t("demo.badge")}
    return [(label, value) for label, value in filter_context(filters) if label not in skip]


def render_print_map_downloads(
    filters: ind.Filters,
    indicator: str,
    *,
    key_prefix: str,
    level: str = domain.VINTAGE_2025,
    highlight: Sequence[str] = (),
) -> None:
    """PNG and PDF buttons for a printable map of the current view.

    Parameters
    ----------
    filters : Filters
        The sidebar filters (``ui.sidebar.current_filters()``).
    indicator : str
        The mapped indicator (a column of ``compute_indicators``).
    key_prefix : str
        Page prefix of the widget keys (``<prefix>_png``, ``<prefix>_pdf``).
    level : {"2025", "legacy"}
        Unit level of the map on screen.
    highlight : sequence of str
        Codes outlined on the map (the selected commune, say).
    """
    layers = cache.get_print_layers()
    if layers is None:
        return
    lang = current_language()
    version = cache.data_version()
    indicators = cache.get_indicators(version, filters, level)
    demo = cache.get_store_flags(version)["demo_shown"]
    context = _print_context(filters)
    title = t("print.title", indicator=t(f"indicator.{indicator}"))
    subtitle = _subtitle(context, level)
    stem = file_stem(f"{t('print.heading')} {t(f'indicator.{indicator}')}")
    allowed = access.can("export")
    audit = access.export_auditor()
    codes = tuple(highlight)
    sheet = printable.PrintSheet(title=title, subtitle=subtitle, demo=demo, lang=lang)

    def make(fmt: str) -> Callable[[], bytes]:
        def build() -> bytes:
            audit(f"{stem}.{fmt}")
            figure = print_views.build_indicator_print_map(
                indicators,
                indicator,
                layers,
                level=level,
                sheet=sheet,
                data_version=version,
                exported_at=export_timestamp(),
                highlight=codes,
            )
            return printable.render_print_map(figure, fmt, title=title)

        return build

    buttons = [
        FileButton(
            t(f"print.{fmt}"), make(fmt), f"{stem}.{fmt}", printable.MIME_TYPES[fmt], f"{key_prefix}_{fmt}", icon
        )
        for fmt, icon in (("png", ":material/image:"), ("pdf", ":material/picture_as_pdf:"))
    ]
    render_file_buttons(buttons, allowed=allowed)


def render_briefing_download(
    unit: str,
    unit_kind: str,
    filters: ind.Filters,
    *,
    key_prefix: str,
    ranking: pd.DataFrame | None = None,
    indicator: str = "models_per_10k",
) -> None:
    """A button for the one-page briefing (PDF) of a 2025 commune or a former district.

    Parameters
    ----------
    unit : str
        2025 commune code (5 digits) or former district code (3 digits).
    unit_kind : {"commune", "district"}
        What ``unit`` is.
    filters : Filters
        The sidebar filters. The period and the model kinds apply; the district
        and focus filters do not (the briefing compares the unit with the whole province).
    key_prefix : str
        Page prefix of the widget key (``<prefix>_briefing``).
    ranking : pd.DataFrame, optional
        ``analysis.priority.priority_scores`` output, e.g. with the weights chosen
        on the priority page. Default: the default weights over the province.
    indicator : str
        Indicator of the small map.
    """
    registry = cache.get_registry()
    if unit_kind == UNIT_COMMUNE and unit in registry.communes.index:
        name, codes = registry.communes.at[unit, "name"], (unit,)
    elif unit_kind == UNIT_DISTRICT and unit in registry.districts.index:
        name, codes = former_name(registry.districts.at[unit, "name"]), tuple(registry.communes_in_districts([unit]))
    else:
        return
    lang = current_language()
    version = cache.data_version()
    province = cache.province_filters(filters)
    indicators = cache.get_indicators(version, province)
    province_summary = cache.get_summary(version, province)
    data = cache.get_datasets(version)
    layers = cache.get_print_layers()
    demo = cache.get_store_flags(version)["demo_shown"]
    context = _print_context(filters)
    period = context[0][1]
    stem = file_stem(f"{t('briefing.title', unit=name)}")
    allowed = access.can("export")
    audit = access.export_auditor()

    def build() -> bytes:
        audit(f"{stem}.pdf")
        members = indicators.index.intersection(list(codes))
        unit_summary = ind.summarise(indicators.loc[members], data, province)
        ranked = (
            ranking
            if ranking is not None
            else priority.priority_scores(indicators, data, registry, province, priority.DEFAULT_WEIGHTS)
        )
        now = export_timestamp()
        content = briefing.build_briefing(
            briefing.BriefingUnit(name=name, kind=unit_kind, codes=codes),
            briefing.BriefingSources(
                indicators=indicators, unit_summary=unit_summary, province_summary=province_summary, ranking=ranked
            ),
            briefing.BriefingStamp(
                period=period, context=context, demo=demo, data_version=version, exported_at=now, lang=lang
            ),
        )
        map_png = None
        if layers is not None:
            figure = print_views.build_indicator_print_map(
                indicators,
                indicator,
                layers,
                level=domain.VINTAGE_2025,
                sheet=printable.PrintSheet(title="", subtitle="", demo=demo, lang=lang, compact=True),
                highlight=codes,
            )
            map_png = printable.render_print_map(figure, "png", dpi=110)
        return briefing_pdf.build_briefing_pdf(content, map_png)

    briefing_button = FileButton(
        t("briefing.download"),
        build,
        f"{stem}.pdf",
        "application/pdf",
        f"{key_prefix}_briefing",
        ":material/description:",
    )
    render_file_buttons([briefing_button], allowed=allowed)
