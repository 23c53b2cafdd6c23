"""Places (municipalities, cities, provinces) as ``schema:Place`` resources at ``id/regio/{slug}``.

Names from ROR (English, GeoNames) and DUO (upper case) are brought to the Dutch name first, so
that both sources describe the same place: 'The Hague' and "'S-GRAVENHAGE" are both ``id/regio/den-haag``.
Provinces are ``id/regio/{slug}`` (``id/regio/zuid-holland``), except Utrecht and Groningen, which are
``id/regio/provincie-utrecht`` and ``id/regio/provincie-groningen`` because their capitals share the
name; provinces lie in ``id/regio/nederland``. This is how data/places.ttl names them too.
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from graph.importers.naming import dutch_title_case, slugify
from graph.namespaces import SCHEMA

# Exonyms and official names → the Dutch name in everyday use (keys compared in lower case).
PLACE_NAMES = {
    "the hague": "Den Haag",
    "'s-gravenhage": "Den Haag",
    "s gravenhage": "Den Haag",
    "s-gravenhage": "Den Haag",
    "flushing": "Vlissingen",
    "s hertogenbosch": "'s-Hertogenbosch",
    "den bosch": "'s-Hertogenbosch",
}

PROVINCES = {
    "groningen": "Groningen", "friesland": "Friesland", "fryslan": "Friesland", "fryslân": "Friesland",
    "drenthe": "Drenthe", "overijssel": "Overijssel", "flevoland": "Flevoland",
    "gelderland": "Gelderland", "utrecht": "Utrecht", "north holland": "Noord-Holland",
    "noord-holland": "Noord-Holland", "south holland": "Zuid-Holland", "zuid-holland": "Zuid-Holland",
    "zeeland": "Zeeland", "north brabant": "Noord-Brabant", "noord-brabant": "Noord-Brabant",
    "limburg": "Limburg",
}


def municipality_name(raw: str) -> str | None:
    """The Dutch everyday name of a city or municipality as ROR or DUO spell it, or None if empty."""
    name = (raw or "").strip()
    if not name:
        return None
    name = re.sub(r"^(gemeente|municipality of)\s+", "", name, flags=re.IGNORECASE)
    name = re.sub(r"\s+municipality$", "", name, flags=re.IGNORECASE)
    if name.isupper():
        name = dutch_title_case(name)
        if re.match(r"^S[ -]", name, re.IGNORECASE) or name.lower().startswith("'s "):
            name = "'s-" + dutch_title_case(name.split(None, 1)[1] if " " in name else name[2:])
    return PLACE_NAMES.get(name.lower(), name)


def province_name(raw: str | None) -> str | None:
    """The Dutch name of a Dutch province given in Dutch or English, or None if it is not one."""
    return PROVINCES.get((raw or "").strip().lower())


def place_iri(base_iri: str, name: str) -> URIRef:
    """The IRI of a municipality or city."""
    return URIRef(f"{base_iri}id/regio/{slugify(name)}")


PROVINCES_NAMED_LIKE_THEIR_CAPITAL = {"Utrecht", "Groningen"}


def province_iri(base_iri: str, name: str) -> URIRef:
    """The IRI of a province (given by its Dutch name)."""
    prefix = "provincie-" if name in PROVINCES_NAMED_LIKE_THEIR_CAPITAL else ""
    return URIRef(f"{base_iri}id/regio/{prefix}{slugify(name)}")


def _province_label(name: str) -> str:
    return f"Provincie {name}" if name in PROVINCES_NAMED_LIKE_THEIR_CAPITAL else name


def add_place(graph: Graph, base_iri: str, name: str, *, province: str | None = None,
              geonames_id: int | str | None = None) -> URIRef:
    """Describe a municipality (and its province, in the Netherlands) in ``graph``; return its IRI.

    ``province`` is a Dutch province's Dutch name (see :func:`province_name`) or None.
    """
    iri = place_iri(base_iri, name)
    graph.add((iri, RDF.type, SCHEMA.Place))
    graph.add((iri, SCHEMA.name, Literal(name, lang="nl")))
    if geonames_id:
        graph.add((iri, SCHEMA.sameAs, URIRef(f"https://sws.geonames.org/{geonames_id}/")))
    if province:
        parent = province_iri(base_iri, province)
        if parent != iri:
            graph.add((parent, RDF.type, SCHEMA.Place))
            graph.add((parent, SCHEMA.name, Literal(_province_label(province), lang="nl")))
            graph.add((iri, SCHEMA.containedInPlace, parent))
            country = URIRef(f"{base_iri}id/regio/nederland")
            graph.add((country, RDF.type, SCHEMA.Place))
            graph.add((country, SCHEMA.name, Literal("Nederland", lang="nl")))
            graph.add((country, SCHEMA.name, Literal("the Netherlands", lang="en")))
            graph.add((parent, SCHEMA.containedInPlace, country))
    return iri
