"""The explorer's home page: what the graph holds, when it last changed, a search box, and the
questions policymakers ask as links, with examples taken from the data."""

from __future__ import annotations

from api import queries as q
from api.entities import Reader
from api.explorer_page import Page
from api.explorer_search import PARAM_OF_KIND
from api.explorer_tables import Link
from api.summaries import summary_if_kept
from graph.namespaces import sparql_prefixes

COUNTED = ("organisations", "networks", "programmes", "people", "themes")


def counts(page: Page) -> dict[str, int]:
    """How many visible things of each counted kind the graph holds."""
    def build():
        visible = page.privacy.visible
        return {name: sum(1 for r in page.ctx.store.select(q.list_query(page.base, q.KINDS[name], {}, None))
                          if visible(r["s"].value)) for name in COUNTED}
    return page.ctx.cached(("explorer-counts",), build)


def last_change(page: Page) -> str | None:
    """The date of the last ingest recorded in the store's metadata graph."""
    rows = page.ctx.store.select(
        f"{sparql_prefixes(page.base)}SELECT (MAX(STR(?t)) AS ?last) WHERE {{ GRAPH <{page.base}graph/meta> "
        "{ ?a prov:endedAtTime ?t } }")
    value = rows[0].get("last") if rows else None
    return value.value[:10] if value is not None else None


def top(page: Page, sparql: str, limit: int) -> list[str]:
    """The visible IRIs (``?x``) of a ranking query, best first."""
    rows = page.ctx.store.select(sparql_prefixes(page.base) + sparql)
    return [r["x"].value for r in rows if page.privacy.visible(r["x"].value)][:limit]


def examples(page: Page) -> dict[str, list]:
    """Organisations with the most partners (kept summary) or in the most networks, themes with the
    most networks, programmes funding the most."""
    def build():
        summary = summary_if_kept(page.ctx)
        if summary is not None and summary.partners:  # kept: organisations with the most partners
            organisations = [p["organisation"] for p in summary.partners
                             if p["organisation"].startswith(page.base + "id/organisatie/")
                             and page.privacy.visible(p["organisation"])][:3]
        else:  # else those in the most networks (a few seconds at ten million triples)
            organisations = top(page, "SELECT ?x (COUNT(DISTINCT ?n) AS ?c) WHERE { ?m org:member ?x ; "
                                      "org:organization ?n . ?x a org:FormalOrganization } GROUP BY ?x "
                                      "ORDER BY DESC(?c) ?x LIMIT 50", 3)
        themes = top(page, "SELECT ?x (COUNT(DISTINCT ?n) AS ?c) WHERE { ?n a ln:LearningNetwork ; dcterms:subject ?x } "
                           "GROUP BY ?x ORDER BY DESC(?c) ?x", 3)
        programmes = top(page, "SELECT ?x (COUNT(DISTINCT ?n) AS ?c) WHERE { ?x a ln:Programme . "
                               "?n schema:funder|ln:programme ?x } GROUP BY ?x ORDER BY DESC(?c) ?x", 2)
        return {"organisations": organisations, "themes": themes, "programmes": programmes}
    return page.ctx.cached(("explorer-examples",), build)


def home_page(page: Page):
    ui = page.ui
    found = examples(page)
    reader = Reader(page.ctx)
    reader.load_labels([i for iris in found.values() for i in iris])

    def slug(iri: str) -> str:
        return iri.rsplit("/", 1)[-1]

    questions = [Link(ui("q_collaborates", name=page.name(reader.ref(o))), page.url(f"samenwerking/organisatie/{slug(o)}"))
                 for o in found["organisations"]]
    questions += [Link(ui("q_theme_networks", name=page.name(reader.ref(t)).lower()),
                       page.url("zoeken", soort="netwerken", thema=slug(t))) for t in found["themes"][:2]]
    questions += [Link(ui("q_theme_map", name=page.name(reader.ref(t)).lower()), page.url(f"samenwerking/thema/{slug(t)}"))
                  for t in found["themes"][:1]]
    questions += [Link(ui("q_programme", name=page.name(reader.ref(p))), page.local(p) + "#financiert-title")
                  for p in found["programmes"]]
    questions += [Link(ui["q_sectors"], page.url("grensoverschrijding") + "#samenstelling"),
                  Link(ui["q_spanners"], page.url("grensoverschrijding") + "#grensoverschrijders")]
    numbers = counts(page)
    stats = [{"n": numbers[name], "label": ui["count_" + name], "href": page.url("zoeken", soort=PARAM_OF_KIND[name])}
             for name in COUNTED]
    changed = last_change(page)
    return page.render("explorer/home.html", title="leernet", section="home", stats=stats, questions=questions,
                       changed=page.date(changed) if changed else ui["unknown"], changed_iso=changed)
