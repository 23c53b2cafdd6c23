"""Search with facets (type, sector, theme, region, programme, network type, period) and paging.

The matching is the REST API's list filter (:func:`api.rest.run_list`), run for each kind of thing
the chosen filters apply to. A facet's counts are computed without that facet's own choice, so a
reader can switch between its values.
"""

from __future__ import annotations

import math
import re

from api import queries as q
from api import rest
from api.entities import Reader
from api.explorer_page import Page
from api.explorer_tables import Link, Table
from graph.errors import InputError
from graph.namespaces import sparql_prefixes

PAGE_SIZE = 20
# Dutch parameter value -> REST kind name, in the order of the type facet.
KIND_PARAM = {"organisaties": "organisations", "netwerken": "networks", "programmas": "programmes",
              "lectoraten": "lectoraten", "personen": "people", "themas": "themes", "bijeenkomsten": "events",
              "producten": "products", "regios": "regions"}
PARAM_OF_KIND = {kind: param for param, kind in KIND_PARAM.items()}
# Dutch parameter -> REST filter name.
FACETS = {"sector": "sector", "thema": "theme", "regio": "region", "programma": "programme", "netwerktype": "networkType"}


def matching(page: Page, kind: q.Kind, text: str | None, filters: dict, period: str | None) -> list[str]:
    """The visible IRIs of ``kind`` matching the text, filters and period (sorted by name)."""
    params = {"q": text, **filters, "period": period, "sort": "name", "page": 1, "pageSize": 10 ** 6}
    return rest.run_list(page.ctx, kind, params)[0]


def supports(kind: q.Kind, filters: dict, period: str | None) -> bool:
    return all(f in kind.filters for f in filters) and (period is None or "period" in kind.filters)


def facet_counts(page: Page, kind: q.Kind, facet: str, iris: list[str]) -> dict[str, int]:
    """Value IRI -> how many of ``iris`` match that value of the facet (narrower values count for broader)."""
    if not iris or (kind.name, facet) not in q.FILTER_PATTERNS:
        return {}
    pattern = q.FILTER_PATTERNS[(kind.name, facet)].replace("<{t}>", "{t}").format(t="?_value")
    space = page.base + q.FILTER_SPACES[facet]
    rows = page.ctx.store.select(
        f"{sparql_prefixes(page.base)}SELECT ?_value (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {q.iri_values('s', iris)} "
        f"{pattern} FILTER(STRSTARTS(STR(?_value), \"{space}\")) }} GROUP BY ?_value")
    return {r["_value"].value: int(r["n"].value) for r in rows if page.privacy.visible(r["_value"].value)}


def search_page(page: Page):
    ui, params = page.ui, page.request.query_params
    text = (params.get("q") or "").strip()[:200] or None
    chosen_kind = KIND_PARAM.get(params.get("soort") or "")
    notices: list[str] = []
    filters = {FACETS[k]: params[k] for k in FACETS if params.get(k) and q.SLUG.match(params[k])}
    period = (params.get("periode") or "").strip() or None
    if period:
        try:
            rest.parse_period(period)
        except InputError:
            notices.append(ui("bad_period", value=period))
            period = None
    if chosen_kind:
        kind = q.KINDS[chosen_kind]
        for name in [f for f in filters if f not in kind.filters] + (["period"] if period and "period" not in kind.filters else []):
            notices.append(ui("filter_ignored", name=ui["facet_" + name].lower(), kind=ui["kind_" + chosen_kind + "_pl"].lower()))
        filters = {f: v for f, v in filters.items() if f in kind.filters}
        period = period if "period" in kind.filters else None
    found = {name: matching(page, kind, text, filters, period) for name, kind in q.KINDS.items()
             if supports(kind, filters, period)}
    in_scope = [chosen_kind] if chosen_kind else list(found)
    reader = Reader(page.ctx)
    facets = build_facets(page, reader, text, filters, period, found, in_scope)
    type_options = [{"value": PARAM_OF_KIND[name], "label": ui["kind_" + name + "_pl"], "n": len(found.get(name, [])),
                     "selected": name == chosen_kind} for name in q.KINDS if found.get(name) or name == chosen_kind]
    results = [(iri, name) for name in in_scope for iri in found.get(name, [])]
    reader.load_labels([iri for iri, _ in results])
    results.sort(key=lambda r: (relevance(reader._labels[r[0]], text), rest.sort_key(reader._labels[r[0]][0], r[0]), r[0]))
    pages = max(math.ceil(len(results) / PAGE_SIZE), 1)
    number = min(max(int(params.get("pagina") or 1) if (params.get("pagina") or "1").isdigit() else 1, 1), pages)
    shown = results if params.get("csv") else results[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
    items = result_items(page, reader, shown)
    table = Table("resultaten", ui["results_table"], [("name", ui["col_name"]), ("type", ui["col_type"]),
                                                      ("facts", ui["col_value"]), ("description", ui["col_description"])],
                  [{"name": i["link"], "type": i["kind"], "facts": i["facts"], "description": i["description"]} for i in items])
    return page.render("explorer/search.html", title=ui["search_title"] + (f": {text}" if text else ""), section="search",
                       text=text or "", period=period or params.get("periode") or "", type_options=type_options,
                       facets=facets, items=items, total=len(results), number=number, pages=pages,
                       pager=pager(page, number, pages), notices=notices, tables=[table], csv_name=text or "alles",
                       table=table)


def relevance(names: tuple[str | None, str | None], text: str | None) -> int:
    """0 for a name equal to the text, then names starting with it, with a word starting with it,
    containing it, and last things that matched on another name or their description."""
    if not text:
        return 0
    wanted = text.casefold()
    found = [n.casefold() for n in names if n]
    for rank, test in enumerate((lambda n: n == wanted, lambda n: n.startswith(wanted),
                                 lambda n: re.search(r"\b" + re.escape(wanted), n) is not None, lambda n: wanted in n)):
        if any(test(n) for n in found):
            return rank
    return 4


def build_facets(page: Page, reader: Reader, text, filters, period, found, in_scope) -> list[dict]:
    """The facets with their values and counts, each counted without its own current choice."""
    ui = page.ui
    out = []
    for param, facet in FACETS.items():
        kinds = [name for name in in_scope if facet in q.KINDS[name].filters]
        if not kinds:
            continue
        counts: dict[str, int] = {}
        for name in kinds:
            kind = q.KINDS[name]
            base = found.get(name, []) if facet not in filters else matching(
                page, kind, text, {f: v for f, v in filters.items() if f != facet}, period)
            for value, n in facet_counts(page, kind, facet, base).items():
                counts[value] = counts.get(value, 0) + n
        selected = filters.get(facet)
        space = page.base + q.FILTER_SPACES[facet]
        if selected and space + selected not in counts:
            counts[space + selected] = 0
        reader.load_labels(counts)
        options = [{"value": iri[len(space):], "label": page.name(reader.ref(iri)), "n": n,
                    "selected": iri[len(space):] == selected} for iri, n in counts.items()]
        options.sort(key=lambda o: (-o["n"], o["label"].casefold()))
        out.append({"param": param, "label": ui["facet_" + facet], "options": options})
    return out


def result_items(page: Page, reader: Reader, results: list[tuple[str, str]]) -> list[dict]:
    """The shown results with their type, a few facts and the start of their description."""
    by_kind: dict[str, list[str]] = {}
    for iri, name in results:
        by_kind.setdefault(name, []).append(iri)
    summaries = {s.iri: (name, s) for name, iris in by_kind.items() for s in reader.summaries(q.KINDS[name], iris)}
    items = []
    for iri, _ in results:
        name, s = summaries[iri]
        description = (s.description_en if page.lang == "en" and s.description_en else s.description) or ""
        if len(description) > 240:
            description = description[:240].rsplit(" ", 1)[0] + " …"
        items.append({"link": page.link(s), "kind": page.ui["kind_" + name], "description": description,
                      "facts": facts_of(page, name, s)})
    return items


def facts_of(page: Page, name: str, s) -> list[Link]:
    """A few links that say what a result is: sectors, network types, themes, funders, roles."""
    refs = []
    for field in ("sectors", "network_types", "themes", "regions", "funders", "public_roles", "hogeschool", "contained_in"):
        value = getattr(s, field, None)
        refs += value if isinstance(value, list) else [value] if value else []
    links = [page.link(r) for r in refs[:6]]
    period = getattr(s, "period", None)
    if period is not None and page.period(period):
        links.append(Link(page.period(period)))
    if getattr(s, "start_date", None):
        links.append(Link(page.date(s.start_date)))
    return links


def pager(page: Page, number: int, pages: int) -> list[dict]:
    """Links to the pages around this one (first, last, and two either side)."""
    if pages <= 1:
        return []
    shown = sorted({1, pages, *range(max(1, number - 2), min(pages, number + 2) + 1)})
    return [{"n": n, "href": page.with_params(pagina=n), "current": n == number} for n in shown]
