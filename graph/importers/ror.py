"""ROR records (schema v1 and v2, mixed in one JSON array) as ``org:FormalOrganization`` resources.

Records are read into one shape (:class:`RorRecord`), linked to organisations the store already
holds (same ROR id; else, for organisations without a ROR id, the same ISNI, Wikidata, GRID or
FundRef id; else the same name) and otherwise minted at ``id/organisatie/{slug of the Dutch name}``.
See docs/curators.md for the naming, sector and status rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, XSD

from graph.errors import InputError
from graph.importers.classify import organisation_types_for, sectors_for
from graph.importers.common import Conversion, add_labels, describe_source, ln_term, new_graph
from graph.importers.matching import Index
from graph.importers.naming import slugify, web_url
from graph.importers.places import add_place, municipality_name, province_name
from graph.namespaces import SCHEMA

ID_PROPERTIES = {"isni": "isni", "wikidata": "wikidataId", "fundref": "fundrefId", "grid": "gridId"}
STATUS_TEXT = {
    "inactive": ("Volgens ROR is deze organisatie niet meer actief (status: inactive).",
                 "According to ROR this organisation is no longer active (status: inactive)."),
    "withdrawn": ("ROR heeft dit record ingetrokken (status: withdrawn); zie de opvolger.",
                  "ROR has withdrawn this record (status: withdrawn); see its successor."),
}


@dataclass
class RorRecord:
    """One ROR record, whatever its schema version."""

    ror_id: str
    names: list[tuple[str, str | None, frozenset[str]]]  # value, language, ROR name types
    types: list[str]
    status: str = "active"
    established: int | None = None
    ids: dict[str, list[str]] = field(default_factory=dict)  # isni/wikidata/fundref/grid → values
    website: str | None = None
    wikipedia: list[str] = field(default_factory=list)
    locations: list[tuple[str, int | None, str | None]] = field(default_factory=list)  # city, geonames, province
    relationships: list[tuple[str, str]] = field(default_factory=list)  # type, target ROR id
    country: str = "NL"


def _ror_id(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _values(preferred, every) -> list[str]:
    found = [preferred] if preferred else []
    found += every if isinstance(every, list) else [every] if every else []
    return list(dict.fromkeys(v.strip() for v in found if isinstance(v, str) and v.strip()))


def parse_record(raw: dict) -> RorRecord:
    """Read a ROR record of schema v1 (``name``) or v2 (``names``); KeyError/TypeError if it is neither."""
    if "names" in raw:
        names = [(n["value"], n.get("lang"), frozenset(n.get("types") or ())) for n in raw["names"]]
        ids = {e["type"].lower(): _values(e.get("preferred"), e.get("all")) for e in raw.get("external_ids") or ()}
        links = raw.get("links") or []
        websites = [link["value"] for link in links if link.get("type") == "website"]
        wikipedia = [link["value"] for link in links if link.get("type") == "wikipedia"]
        locations = [((loc.get("geonames_details") or {}).get("name") or "", loc.get("geonames_id"),
                      (loc.get("geonames_details") or {}).get("country_subdivision_name"))
                     for loc in raw.get("locations") or ()]
        countries = [(loc.get("geonames_details") or {}).get("country_code") for loc in raw.get("locations") or ()]
    else:
        names = [(raw["name"], None, frozenset({"ror_display", "label"}))]
        names += [(label["label"], label.get("iso639"), frozenset({"label"})) for label in raw.get("labels") or ()]
        names += [(alias, None, frozenset({"alias"})) for alias in raw.get("aliases") or ()]
        names += [(acronym, None, frozenset({"acronym"})) for acronym in raw.get("acronyms") or ()]
        ids = {key.lower(): _values(value.get("preferred"), value.get("all"))
               for key, value in (raw.get("external_ids") or {}).items()}
        websites = list(raw.get("links") or ())
        wikipedia = [raw["wikipedia_url"]] if raw.get("wikipedia_url") else []
        locations = []
        for address in raw.get("addresses") or ():
            city = address.get("geonames_city") or {}
            locations.append((address.get("city") or city.get("city") or "", city.get("id"),
                              (city.get("geonames_admin1") or {}).get("name")))
        countries = [(raw.get("country") or {}).get("country_code")]
    return RorRecord(
        ror_id=_ror_id(raw["id"]),
        names=[(v.strip(), lang or None, kinds) for v, lang, kinds in names if v and v.strip()],
        types=[t.lower() for t in raw.get("types") or ()],
        status=(raw.get("status") or "active").lower(),
        established=raw.get("established") if isinstance(raw.get("established"), int) else None,
        ids=ids,
        website=next((w for w in map(web_url, websites) if w), None),
        wikipedia=[w for w in map(web_url, wikipedia) if w],
        locations=locations,
        relationships=[(rel["type"].lower(), _ror_id(rel["id"])) for rel in raw.get("relationships") or ()],
        country=next((c for c in countries if c), "NL"),
    )


def read_ror_file(path: Path) -> list[dict]:
    """The records of a ROR JSON file (an array, or one record); InputError if it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not a readable ROR JSON file: {error}",
                         ["download a ROR data dump (JSON) from https://ror.org/ or the ROR API"]) from error
    records = data if isinstance(data, list) else data.get("items", [data]) if isinstance(data, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError(f"{path}: expected a JSON array of ROR records", ["the file holds no ROR records"])
    return records


def choose_labels(record: RorRecord) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The preferred label per language and the alternative labels of a record.

    1. a ``label``/``ror_display`` name with a language is the preferred label in it (first wins);
    2. a label without language is Dutch for a Dutch record (English otherwise), or the other of
       the two when that one is taken, else an alternative label;
    3. a record without a Dutch label gets its shortest Dutch alias, else its display name, as Dutch
       preferred label (every organisation needs one);
    4. all other names (aliases, acronyms, further labels) are alternative labels, in their language
       or, without one, in the record's country language.
    """
    home = "nl" if record.country in ("NL", "BE", "SR") else "en"
    rank = {"ror_display": 0, "label": 1, "alias": 2, "acronym": 3}
    ordered = sorted(record.names, key=lambda n: min(rank.get(k, 4) for k in n[2] or {"?"}))
    pref: dict[str, str] = {}
    used: set[int] = set()
    for i, (value, lang, kinds) in enumerate(ordered):
        if lang and kinds & {"label", "ror_display"} and lang not in pref:
            pref[lang] = value
            used.add(i)
    for i, (value, lang, kinds) in enumerate(ordered):
        if lang is None and kinds & {"label", "ror_display"}:
            for candidate in (home, "en" if home == "nl" else "nl"):
                if candidate not in pref:
                    pref[candidate] = value
                    used.add(i)
                    break
    if "nl" not in pref:
        aliases = [i for i, (_, lang, kinds) in enumerate(ordered) if lang == "nl" and "alias" in kinds]
        display = next((i for i, n in enumerate(ordered) if "ror_display" in n[2]), 0)
        chosen = min(aliases, key=lambda i: len(ordered[i][0])) if aliases else display
        pref["nl"] = ordered[chosen][0]
        if aliases:
            used.add(chosen)
    alt = [(value, lang or home) for i, (value, lang, _) in enumerate(ordered)
           if i not in used and pref.get(lang or home) != value]
    return pref, list(dict.fromkeys(alt))


def _link_existing(record: RorRecord, pref: dict[str, str], index: Index, claimed: set[str]) -> str | None:
    """The IRI of an organisation in the index this record describes, or None."""
    same_ror = [iri for iri in index.organisations_with("rorId", record.ror_id) if iri not in claimed]
    if same_ror:
        return same_ror[0]

    def usable(entity) -> bool:
        return entity.iri not in claimed and not entity.ids.get("rorId")

    for key, prop in ID_PROPERTIES.items():
        for value in record.ids.get(key, ()):
            hits = [iri for iri in index.organisations_with(prop, value) if usable(index.organisations[iri])]
            if len(hits) == 1:
                return hits[0]
    for label in dict.fromkeys(pref.values()):
        hits = index.organisations_named(label, usable=usable)
        if len(hits) == 1:
            return hits[0]
    return None


def convert_ror(records: list[dict], base_iri: str, index: Index, *, source_name: str = "ROR file") -> Conversion:
    """ROR records (raw JSON dicts of either schema) as RDF; links to ``index`` before minting."""
    parsed: list[tuple[int, RorRecord]] = []
    problems = []
    for number, raw in enumerate(records, start=1):
        try:
            parsed.append((number, parse_record(raw)))
        except (KeyError, TypeError, AttributeError) as error:
            problems.append(f"{source_name}, record {number}: not a ROR v1 or v2 record (missing {error})")
    if problems:
        raise InputError(f"{source_name}: {len(problems)} record(s) cannot be read; nothing was imported",
                         problems + ["use a ROR data dump as published by ROR (schema v1 or v2)"])
    parsed.sort(key=lambda item: item[1].ror_id)
    result = Conversion(new_graph(base_iri))
    iris: dict[str, URIRef] = {}
    labels: dict[str, tuple[dict, list]] = {}
    claimed: set[str] = set()
    for number, record in parsed:
        if record.ror_id in iris:
            result.warn(f"ROR id {record.ror_id} occurs twice; the first record was used",
                        where=f"{source_name}, record {number}")
            continue
        pref, alt = choose_labels(record)
        iri = _link_existing(record, pref, index, claimed) or index.unique_iri(
            "organisatie", slugify(pref["nl"]), record.ror_id)
        claimed.add(iri)
        iris[record.ror_id] = URIRef(iri)
        labels[record.ror_id] = (pref, alt)
    unknown_targets = 0
    done: set[str] = set()
    for number, record in parsed:
        if record.ror_id in done:
            continue
        done.add(record.ror_id)
        iri = iris[record.ror_id]
        result.place(iri, f"{source_name}, record {number} (https://ror.org/{record.ror_id})")
        existing = index.organisations.get(str(iri))
        _describe(result.graph, base_iri, iri, record, *labels[record.ror_id], existing)
        index.register(index.organisations, str(iri), ids={"rorId": record.ror_id},
                       labels=labels[record.ror_id][0], url=record.website)
        unknown_targets += _relate(result.graph, iri, record, iris, index)
    if unknown_targets:
        result.warn(f"{unknown_targets} relationship(s) point to ROR records that are neither in this file nor "
                    "in the store; they were left out", where=source_name)
    describe_source(result.graph, base_iri, "ror", index)
    return result


def ror_records_to_graph(records: list[dict], base_iri: str, index: Index | None = None) -> Graph:
    """ROR records as an rdflib graph (see :func:`convert_ror`); an empty index when none is given."""
    return convert_ror(records, base_iri, index or Index(base_iri)).graph


def _describe(graph: Graph, base: str, iri: URIRef, record: RorRecord, pref: dict, alt: list, existing) -> None:
    graph.add((iri, RDF.type, ORG.FormalOrganization))
    if "funder" in record.types:
        graph.add((iri, RDF.type, SCHEMA.FundingAgency))
    add_labels(graph, iri, pref, alt, existing)
    all_names = [n[0] for n in record.names]
    for notation in organisation_types_for(record.types):
        graph.add((iri, DCTERMS.type, URIRef(f"{base}def/organisatietype/{notation}")))
    for notation in sectors_for(record.types, all_names):
        graph.add((iri, ORG.classification, URIRef(f"{base}def/sector/{notation}")))
    graph.add((iri, ln_term(base, "rorId"), Literal(record.ror_id)))
    graph.add((iri, SCHEMA.sameAs, URIRef(f"https://ror.org/{record.ror_id}")))
    for key, prop in ID_PROPERTIES.items():
        for value in record.ids.get(key, ()):
            graph.add((iri, ln_term(base, prop), Literal(value)))
            if key == "wikidata":
                graph.add((iri, SCHEMA.sameAs, URIRef(f"http://www.wikidata.org/entity/{value}")))
    if record.website and not (existing and existing.has_url_elsewhere):
        graph.add((iri, SCHEMA.url, URIRef(record.website)))
    for page in record.wikipedia:
        graph.add((iri, SCHEMA.sameAs, URIRef(page)))
    if record.established:
        graph.add((iri, SCHEMA.foundingDate, Literal(f"{record.established:04d}", datatype=XSD.gYear)))
    for city, geonames_id, subdivision in record.locations:
        name = municipality_name(city)
        if name:
            place = add_place(graph, base, name, province=province_name(subdivision), geonames_id=geonames_id)
            graph.add((iri, SCHEMA.location, place))
    if record.status in STATUS_TEXT:
        described = existing.described_elsewhere if existing else set()
        for lang, text in zip(("nl", "en"), STATUS_TEXT[record.status]):
            if lang not in described:
                graph.add((iri, DCTERMS.description, Literal(text, lang=lang)))


def _relate(graph: Graph, iri: URIRef, record: RorRecord, iris: dict[str, URIRef], index: Index) -> int:
    """Add the record's relationships whose target is known; return how many were not."""
    missing = 0
    for kind, target_id in record.relationships:
        if target_id == record.ror_id:
            continue
        target = iris.get(target_id)
        if target is None:
            found = [iri for iri in index.organisations_with("rorId", target_id) if index.organisations[iri].elsewhere]
            target = URIRef(found[0]) if found else None
        if target is None:
            missing += 1
            continue
        if kind == "parent":
            graph.add((iri, ORG.subOrganizationOf, target))
        elif kind == "child":
            graph.add((target, ORG.subOrganizationOf, iri))
        elif kind == "successor":
            graph.add((target, DCTERMS.replaces, iri))
        elif kind == "predecessor":
            graph.add((iri, DCTERMS.replaces, target))
        else:
            graph.add((iri, DCTERMS.relation, target))
    return missing
