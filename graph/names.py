"""Names of things as leernet shows and sorts them: Dutch first, then English, then any."""

from __future__ import annotations

import unicodedata

LABEL_PATH = "skos:prefLabel|schema:name|rdfs:label|dcterms:title"  # the properties that name a thing (SPARQL path)


def language_of(literal) -> str:
    """The language tag of a literal, lower case ('' when it has none)."""
    return (getattr(literal, "language", None) or "").lower()


def pick(literals, lang: str) -> str | None:
    """The text in ``lang``, else one without a language, else ``None`` (sorted for stable output)."""
    values = sorted(literals, key=lambda lit: lit.value)
    for want in (lang, ""):
        for lit in values:
            if language_of(lit).split("-")[0] == want:
                return lit.value
    return None


def dutch_name(literals) -> str | None:
    """The name shown first: Dutch, else English, else the first in sort order, else ``None``."""
    return pick(literals, "nl") or pick(literals, "en") or (min(lit.value for lit in literals) if literals else None)


def sort_key(name: str | None, fallback: str) -> str:
    """The key lists are sorted by: the name (or ``fallback``) without accents, case-folded."""
    text = unicodedata.normalize("NFKD", name or fallback)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()
