"""The last stage of name resolution: the address parser of ``vietnamadminunits``.

The package (MIT, already the source of the fallback registry) reads
free-form addresses well when the province ends them: no separators, odd
abbreviations, words in any case. It also errs where the project's rules are
right (it reads "Thạch Hà, Thạch Hà" as Phường Thạch Hạ), so
:class:`loaders.geo.resolve.Resolver` asks it only about the references its
own rules leave unresolved, and checks its answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders.core.textnorm import fold

#: Appended to every reference: the parser needs a province, and every unit here is in Hà Tĩnh.
_PROVINCE = "Hà Tĩnh"
_PROVINCE_CODE = "42"


@dataclass(frozen=True)
class PackageReading:
    """A legacy unit as the package reads a reference: its code and full names."""

    legacy_code: str
    ward: str
    ward_short: str
    district: str | None


def read_with_package(text: str) -> PackageReading | None:
    """Read a commune reference with ``vietnamadminunits``'s legacy (63-province) parser.

    Parameters
    ----------
    text : str
        The reference as written, e.g. "Xóm 5 Sơn Lâm Hương Sơn"; the province
        is appended unless the text ends with it.

    Returns
    -------
    PackageReading or None
        The legacy commune the package finds in Hà Tĩnh, or ``None`` when it
        finds none.
    """
    # Imported here: the parser loads its tables on import, which only
    # references that the project's rules cannot read need to pay for.
    from vietnamadminunits import ParseMode, parse_address

    # Written twice ("..., tỉnh Hà Tĩnh, Hà Tĩnh"), the province is read as Thành phố Hà Tĩnh.
    address = text if fold(text).endswith("tinh ha tinh") else f"{text}, {_PROVINCE}"
    unit = parse_address(address, mode=ParseMode.LEGACY)
    if unit.province_code != _PROVINCE_CODE or not unit.ward_code:
        return None
    return PackageReading(str(unit.ward_code), str(unit.ward), str(unit.short_ward or unit.ward), unit.district)
