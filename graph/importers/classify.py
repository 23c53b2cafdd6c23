"""Organisation types (``def/organisatietype``) and sectors (``def/sector``) from ROR types and names.

The rules (documented in docs/curators.md):

======================  ====================  =================================================
ROR type                organisatietype       sector
======================  ====================  =================================================
education               onderwijs             hbo if a name says hogeschool / university of
                                              applied sciences, else wo if it says universiteit /
                                              university, else onderwijs
healthcare              zorg                  zorg
government              overheid              lokale-overheid if a name says gemeente /
                                              municipality, else rijksoverheid-beleid
funder                  financier             financiering
facility                faciliteit            onderzoek
nonprofit               non-profit            onderzoek
company                 bedrijf               bedrijfsleven
archive                 archief               overig
other                   overig                overig
======================  ====================  =================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from graph.importers.naming import ascii_fold

ORGANISATION_TYPES = {
    "education": "onderwijs", "funder": "financier", "government": "overheid",
    "healthcare": "zorg", "nonprofit": "non-profit", "company": "bedrijf",
    "facility": "faciliteit", "archive": "archief", "other": "overig",
}

SECTORS = {
    "education": "onderwijs", "healthcare": "zorg", "government": "rijksoverheid-beleid",
    "funder": "financiering", "facility": "onderzoek", "nonprofit": "onderzoek",
    "company": "bedrijfsleven", "archive": "overig", "other": "overig",
}

_HBO = re.compile(r"hogeschool|hogescholen|university of applied sciences|universities of applied sciences")
_WO = re.compile(r"universiteit|university")
_MUNICIPALITY = re.compile(r"^gemeente\b|\bmunicipality\b")


def _folded(names: Iterable[str]) -> list[str]:
    return [ascii_fold(n).lower().strip() for n in names]


def education_level(names: Iterable[str]) -> str | None:
    """'hbo' or 'wo' when one of the names says so, else None."""
    folded = _folded(names)
    if any(_HBO.search(n) for n in folded):
        return "hbo"
    if any(_WO.search(n) for n in folded):
        return "wo"
    return None


def is_municipality(names: Iterable[str]) -> bool:
    """True when a name is 'Gemeente …' or mentions a municipality."""
    return any(_MUNICIPALITY.search(n) for n in _folded(names))


def sectors_for(ror_types: Iterable[str], names: Iterable[str]) -> list[str]:
    """The sector notations for an organisation with these ROR types and names (sorted, unique)."""
    names = list(names)
    result = set()
    for ror_type in ror_types:
        kind = ror_type.lower()
        sector = SECTORS.get(kind, "overig")
        if kind == "education":
            sector = education_level(names) or "onderwijs"
        elif kind == "government" and is_municipality(names):
            sector = "lokale-overheid"
        result.add(sector)
    return sorted(result or {"overig"})


def organisation_types_for(ror_types: Iterable[str]) -> list[str]:
    """The ``def/organisatietype`` notations for these ROR types (sorted, unique)."""
    return sorted({ORGANISATION_TYPES.get(t.lower(), "overig") for t in ror_types} or {"overig"})


def guess_sector(name: str) -> str | None:
    """A sector guessed from a name alone (for organisations typed in a spreadsheet), or None."""
    level = education_level([name])
    if level:
        return level
    if is_municipality([name]):
        return "lokale-overheid"
    return None


def guess_organisation_type(name: str) -> str | None:
    """An organisation type (``def/organisatietype``) guessed from a name alone, or None."""
    if education_level([name]):
        return "onderwijs"
    if is_municipality([name]):
        return "overheid"
    return None
