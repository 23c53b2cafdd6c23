"""DUO's list of hogescholen and universities (BRIN codes) as ``org:FormalOrganization`` resources.

Each row is linked to an organisation the store already holds — same BRIN; else, among
organisations without another BRIN, the same normalised name; else the same website — and
otherwise minted at ``id/organisatie/{slug of the name}`` (``-{brin}`` appended on a clash).
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF

from graph.errors import InputError
from graph.importers.common import Conversion, add_labels, describe_source, ln_term, new_graph
from graph.importers.matching import Index
from graph.importers.naming import slugify, web_host, web_url
from graph.importers.places import add_place, municipality_name, province_name
from graph.importers.tables import Table, read_csv

COLUMNS = {"kind": "SOORT HO", "province": "PROVINCIE", "brin": "BRIN NUMMER", "name": "INSTELLINGSNAAM",
           "municipality": "GEMEENTENAAM", "town": "PLAATSNAAM", "website": "INTERNETADRES"}
REQUIRED = ("kind", "brin", "name")
BRIN = re.compile(r"^[0-9]{2}[A-Z]{2}$")


def _link_existing(brin: str, name: str, url: str | None, index: Index, claimed: set[str]) -> str | None:
    same = [iri for iri in index.organisations_with("brin", brin) if iri not in claimed]
    if same:
        return same[0]

    def usable(entity) -> bool:
        return entity.iri not in claimed and not (entity.ids.get("brin", set()) - {brin})

    hits = index.organisations_named(name, usable=usable)
    if len(hits) == 1:
        return hits[0]
    host = web_host(url)
    if host:
        hits = [iri for iri in index.organisations_at(host) if usable(index.organisations[iri])]
        if len(hits) == 1:
            return hits[0]
    return None


def convert_duo(table: Table, base_iri: str, index: Index) -> Conversion:
    """The rows of DUO's hbo/wo CSV as RDF; links to ``index`` before minting."""
    columns = {key: table.column(header) for key, header in COLUMNS.items()}
    missing = [COLUMNS[key] for key in REQUIRED if columns[key] is None]
    if missing:
        raise InputError(f"{table.where}: not DUO's list of hogescholen and universities; column(s) "
                         f"{', '.join(missing)} missing",
                         [f"columns found: {', '.join(table.headers)}",
                          "download 'Adressen hogescholen en universiteiten' from DUO open onderwijsdata"])
    result = Conversion(new_graph(base_iri))
    errors: list[str] = []
    claimed: set[str] = set()
    seen: set[str] = set()
    for row in table.rows:
        where = f"{table.where}, row {row.number}"
        brin = row.text(columns["brin"]).upper().replace(" ", "")
        name = row.text(columns["name"])
        kind = row.text(columns["kind"]).lower()
        row_errors = []
        if not BRIN.match(brin):
            row_errors.append(f"{where}, column {columns['brin']}: '{brin}' is not a BRIN code "
                              "(two digits and two capital letters, e.g. 21RI)")
        if not name:
            row_errors.append(f"{where}, column {columns['name']}: the name is empty; fill it in")
        if kind not in ("hbo", "wo"):
            row_errors.append(f"{where}, column {columns['kind']}: '{kind}' is neither hbo nor wo")
        if row_errors:
            errors.extend(row_errors)
            continue
        if brin in seen:
            result.warn(f"BRIN {brin} occurs twice; the first row was used", where=where)
            continue
        seen.add(brin)
        url = web_url(row.text(columns["website"]))
        iri = _link_existing(brin, name, url, index, claimed) or index.unique_iri(
            "organisatie", slugify(name), brin.lower())
        claimed.add(iri)
        node = URIRef(iri)
        result.place(node, where)
        existing = index.organisations.get(iri)
        graph = result.graph
        graph.add((node, RDF.type, ORG.FormalOrganization))
        add_labels(graph, node, {"nl": name}, [], existing)
        graph.add((node, ln_term(base_iri, "brin"), Literal(brin)))
        graph.add((node, ORG.classification, URIRef(f"{base_iri}def/sector/{kind}")))
        graph.add((node, DCTERMS.type, URIRef(f"{base_iri}def/organisatietype/onderwijs")))
        if url and not (existing and existing.has_url_elsewhere):
            graph.add((node, URIRef("https://schema.org/url"), URIRef(url)))
        town = municipality_name(row.text(columns["municipality"]) or row.text(columns["town"]))
        if town:
            province = province_name(row.text(columns["province"]))
            place = add_place(graph, base_iri, town, province=province)
            graph.add((node, URIRef("https://schema.org/location"), place))
        index.register(index.organisations, iri, ids={"brin": brin}, labels={"nl": name}, url=url)
    if errors:
        raise InputError(f"{table.where}: {len(errors)} error(s); nothing was imported", errors)
    describe_source(result.graph, base_iri, "duo", index)
    return result


def duo_file_to_graph(path: Path, base_iri: str, index: Index | None = None):
    """DUO's CSV file as an rdflib graph (see :func:`convert_duo`)."""
    return convert_duo(read_csv(path), base_iri, index or Index(base_iri)).graph
