"""The page about one thing (``/doc/{type}/{slug}`` and ``/def/...`` in HTML): what it is in plain
sentences, its relations as tables with links, identifiers as outbound links, the source documents
behind every fact, and the same data as Turtle, JSON-LD, N-Triples and RDF/XML.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from api import queries as q
from api import rdf_docs
from api import rest
from api.entities import Reader
from api.explorer_facts import Facts
from api.explorer_page import Page
from api.explorer_sentences import SENTENCES, generic_sentences
from api.explorer_tables import Link, Table
from api.models import CollaboratorPage, FundedPage

FORMAT_NAMES = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML"}
IDENTIFIERS = (  # field, label, link pattern (None: no public page to link to)
    ("ror_id", "ROR", "https://ror.org/{}"), ("isni", "ISNI", "https://isni.org/isni/{}"),
    ("wikidata_id", "Wikidata", "https://www.wikidata.org/wiki/{}"), ("brin", "BRIN", None),
    ("kvk", "KvK", None), ("fundref_id", "Crossref Funder ID", "https://doi.org/10.13039/{}"),
)
KIND_TYPES = {"organisatie": "organisations", "netwerk": "networks", "programma": "programmes", "lectoraat": "lectoraten",
              "persoon": "people", "bijeenkomst": "events", "product": "products", "regio": "regions"}
TYPE_KEYS = {"project": "kind_project", "bron": "kind_bron", "lidmaatschap": "kind_lidmaatschap",
             "deelname": "kind_deelname", "periode": "kind_periode", "datum": "kind_datum"}


def kind_of(page: Page, iri: str) -> q.Kind | None:
    """The REST kind of the thing, if it really is one (checked in the store)."""
    for kind in q.KINDS.values():
        if iri.startswith(page.base + kind.space) and page.ctx.store.ask(q.exists_query(page.base, kind, iri)):
            return kind
    return None


def kind_label(page: Page, iri: str, kind: q.Kind | None) -> str:
    if kind is not None:
        return page.ui["kind_" + kind.name]
    rest_ = iri[len(page.base):]
    if rest_.startswith("id/"):
        return page.ui[TYPE_KEYS.get(rest_.split("/")[1], "kind_concept")]
    if rest_ == "def/leernet":
        return page.ui["kind_ontology"]
    return page.ui["kind_scheme"] if rest_.count("/") == 1 else page.ui["kind_concept"]


def entity_page(page: Page, iri: str, document: str, triples: list[ox.Triple], *, section: str = "",
                headers: dict | None = None, downloads: bool = True):
    """The HTML page (or one of its tables as CSV) about ``iri`` from its publishable description."""
    facts = Facts(page, iri, triples)
    title, other_name = facts.title()
    kind = kind_of(page, iri)
    detail = Reader(page.ctx).detail(kind, iri) if kind else None
    built = SENTENCES[kind.name](page, detail) if kind else generic_sentences(page, title, kind_label(page, iri, kind))
    sentences, actions = built
    tables = relation_tables(page, kind, detail, facts, title) if kind else []
    members = scheme_members(page, iri, triples) if section == "vocab" else []
    fact_table, reference_table = facts.tables(title)
    tables += [fact_table, reference_table]
    formats = [] if not downloads else [
        {"name": FORMAT_NAMES[ext], "media": media, "iri": f"{document}.{ext}", "href": page.local(document) + f".{ext}"}
        for ext, (media, _) in rdf_docs.FORMATS.items()]
    slug = iri.rstrip("/").rsplit("/", 1)[-1]
    return page.render("explorer/entity.html", title=title, other_name=other_name, kind=kind_label(page, iri, kind),
                       iri=iri, descriptions=facts.descriptions(), sentences=sentences, actions=actions,
                       identifiers=identifiers(page, detail), relation_tables=tables[:-2], fact_table=fact_table,
                       reference_table=reference_table, sources=facts.source_list(), source_groups=facts.source_groups(), formats=formats,
                       alternates=formats, members=members, section=section, tables=tables, csv_name=slug,
                       headers=headers)


def identifiers(page: Page, detail) -> list[dict]:
    """Website, registry identifiers and sameAs links as rows (label, text, external URL)."""
    if detail is None:
        return []
    rows = []
    if detail.url:
        rows.append({"label": page.ui["website"], "text": detail.url, "url": detail.url})
    for field, label, pattern in IDENTIFIERS:
        value = getattr(detail, field, None)
        if value:
            rows.append({"label": label, "text": value, "url": pattern.format(value.replace(" ", "")) if pattern else None})
    shown = {r["url"] for r in rows}
    for other in detail.same_as:
        if other not in shown and not other.startswith(page.base):
            rows.append({"label": page.ui["same_as"], "text": other, "url": other})
    return rows


def scheme_members(page: Page, iri: str, triples) -> list[dict]:
    """The concepts of a concept scheme, by name."""
    facts = Facts(page, iri, triples)
    node = ox.NamedNode(iri)
    members = [{"iri": t.subject.value, "href": page.local(t.subject.value), "name": facts.name(t.subject.value)}
               for t in triples if t.predicate.value == "http://www.w3.org/2004/02/skos/core#inScheme" and t.object == node]
    return sorted(members, key=lambda m: m["name"].casefold())


def subject_sources(facts: Facts, iri: str) -> list[Link]:
    """The sources of everything stated about ``iri`` (a membership, a count)."""
    return facts.source_cell(facts.graphs_of(facts.page.ctx.store.quads(ox.NamedNode(iri), None, None)))


def membership_rows(page: Page, facts: Facts, memberships, side: str) -> list[dict]:
    rows = []
    for m in memberships:
        other = m.organization if side == "organization" else m.member
        rows.append({"who": page.link(other), "role": page.link(m.role) if m.role else None,
                     "period": page.period(m.period, short=True), "source": subject_sources(facts, m.iri)})
    return rows


def call_rest(handler, view: Page, model, /, **params):
    """A REST handler's answer as its model: the pages show exactly what the API returns."""
    response = handler(view.request, ctx=view.ctx, **params)
    return model.model_validate(json.loads(response.body))


def collaborators(page: Page, slug: str) -> CollaboratorPage:
    """Every collaborator of an organisation (all pages of the REST answer), once per request."""
    if ("collaborators", slug) not in page.memo:
        page.memo[("collaborators", slug)] = _collaborators(page, slug)
    return page.memo[("collaborators", slug)]


def _collaborators(page: Page, slug: str) -> CollaboratorPage:
    first = call_rest(rest.collaborators, page, CollaboratorPage, id=slug, period=None, page=1, pageSize=100)
    for number in range(2, first.total_pages + 1):
        first.items += call_rest(rest.collaborators, page, CollaboratorPage, id=slug, period=None, page=number,
                                 pageSize=100).items
    return first


def relation_tables(page: Page, kind: q.Kind, d, facts: Facts, title: str) -> list[Table]:
    """The tables of a thing's relations, by kind."""
    ui = page.ui
    role_cols = [("role", ui["col_role"]), ("period", ui["col_period"]), ("source", ui["col_source"])]
    tables = []
    if kind.name in ("organisations", "lectoraten", "people"):
        tables.append(Table("netwerken", ui("memberships", name=title), [("who", ui["col_network"]), *role_cols],
                            membership_rows(page, facts, d.memberships, "organization")))
    if kind.name == "organisations":
        found = collaborators(page, d.id)
        rows = [{"partner": page.link(c.organisation), "sector": [page.link(s) for s in c.sectors],
                 "via": unique([page.link(t.network) for t in c.through]),
                 "role": unique([page.link(t.role) for t in c.through if t.role]),
                 "period": "; ".join(dict.fromkeys(p for p in (page.period(t.period, short=True) for t in c.through) if p))}
                for c in found.items]
        tables.append(Table("partners", ui("partners", name=title),
                            [("partner", ui["col_partner"]), ("sector", ui["col_sector"]), ("via", ui["col_via"]),
                             ("role", ui["col_role"]), ("period", ui["col_period"])], rows))
    if kind.name in ("organisations", "networks", "programmes") and d.members:
        tables.append(Table("deelnemers", ui["members"], [("who", ui["col_member"]), *role_cols],
                            membership_rows(page, facts, d.members, "member")))
    if kind.name == "networks":
        if d.sub_networks:
            tables.append(Table("subnetwerken", ui("sub_networks", name=title), [("who", ui["col_name"])],
                                [{"who": page.link(s)} for s in d.sub_networks]))
        if d.participant_counts:
            tables.append(Table("aantallen", ui["counts"], [
                ("role", ui["col_role"]), ("count", ui["col_count"]), ("period", ui["col_period"]),
                ("from", ui["col_from"]), ("source", ui["col_source"])],
                [{"role": page.link(c.role) if c.role else None, "count": c.display or "?",
                  "period": page.period(c.period, short=True), "from": page.link(c.from_organisation) if c.from_organisation else None,
                  "source": subject_sources(facts, c.iri)} for c in d.participant_counts]))
    if kind.name == "programmes":
        found = call_rest(rest.funded, page, FundedPage, id=d.id, page=1, pageSize=100)
        tables.append(Table("financiert", ui("funded", name=title),
                            [("item", ui["col_name"]), ("relation", ui["col_relation"]), ("through", ui["col_via"])],
                            [{"item": page.link(f.item), "relation": ui["rel_" + f.relation],
                              "through": page.link(f.through) if f.through else None} for f in found.items]))
    if kind.name == "themes":
        tables.append(network_table(page, "netwerken", ui("theme_networks", name=title), {"theme": d.id}))
    if kind.name == "regions":
        tables.append(network_table(page, "netwerken", ui("region_networks", name=title), {"region": d.id}))
    for field, key in (("events", "kind_events_pl"), ("sub_events", "kind_events_pl"), ("products", "kind_products_pl")):
        refs = getattr(d, field, None)
        if refs:
            tables.append(Table(field.replace("_", "-"), ui[key], [("who", ui["col_name"])],
                                [{"who": page.link(r)} for r in refs]))
    return tables


def network_table(page: Page, table_id: str, title: str, filters: dict) -> Table:
    """The networks matching a REST list filter, with their types, themes, regions and period."""
    ui = page.ui
    kind = q.KINDS["networks"]
    iris, _, _, _ = rest.run_list(page.ctx, kind, {**filters, "sort": "name", "page": 1, "pageSize": 10 ** 6})
    rows = [{"who": page.link(n), "type": [page.link(t) for t in n.network_types],
             "themes": [page.link(t) for t in n.themes], "regions": [page.link(r) for r in n.regions],
             "period": page.period(n.period, short=True)} for n in Reader(page.ctx).summaries(kind, iris)]
    return Table(table_id, title, [("who", ui["col_name"]), ("type", ui["col_type"]), ("themes", ui["col_themes"]),
                                   ("regions", ui["col_regions"]), ("period", ui["col_period"])], rows)


def unique(links: list[Link]) -> list[Link]:
    return list(dict.fromkeys(links))
