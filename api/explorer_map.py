"""The collaboration view: a network map drawn as server-side SVG next to the same content as tables.

The nodes and edges are exactly what the REST API returns for ``/organisations/{id}/network`` or
``/themes/{id}/network`` (the handlers of :mod:`api.analysis` are called with the same parameters).
Positions come from a seeded networkx spring layout; every node is an SVG link to its page, coloured
by sector, with a legend; ``static/explorer-map.js`` (about 100 lines) adds zoom and pan.
"""

from __future__ import annotations

import json
import math
from datetime import date

import networkx as nx

from api import analysis
from api import queries as q
from api.analysis import NetworkGraph
from api.entities import Reader
from api.explorer_entity import collaborators, relation_tables
from api.explorer_facts import Facts
from api.explorer_page import Page
from api.explorer_tables import Link, Table
from api.models import Period
from api.rest import existing, parse_period
from graph.errors import InputError

WIDTH, HEIGHT, PAD = 1000, 700, 70
SECTOR_COLOURS = {  # colour-blind-safe hues; every shape also has a dark outline for contrast
    "onderwijs": "#0072B2", "jeugdhulp": "#D55E00", "jeugdgezondheidszorg": "#CC79A7", "zorg": "#E69F00",
    "welzijn-sociaal-werk": "#009E73", "lokale-overheid": "#56B4E9", "rijksoverheid-beleid": "#7F3C8D",
    "onderzoek": "#F0E442", "financiering": "#A6761D", "clienten-ervaringsdeskundigen": "#E73F74",
    "bedrijfsleven": "#3969AC", "overig": "#9E9E9E",
}
UNKNOWN_COLOUR = "#FFFFFF"
CONTEXT_TYPES = ("network", "programme", "project", "event", "product")
ORGANISATION_TYPES = ("organisation", "lectoraat", "collaboration")
CONTEXT_FILL, GROUP_FILL, PERSON_FILL = "#DDE3EA", "#FFFFFF", "#BFBFBF"


def fetch_graph(page: Page, what: str, slug: str, projection: str, depth: int, period: str | None) -> NetworkGraph:
    """The REST API's network for the organisation or theme, as its model."""
    if what == "organisatie":
        response = analysis.organisation_network(page.request, id=slug, depth=depth, projection=projection,
                                                 period=period, ctx=page.ctx)
    else:
        response = analysis.theme_network(page.request, id=slug, projection=projection, period=period, ctx=page.ctx)
    return NetworkGraph.model_validate(json.loads(response.body))


def layout(graph: NetworkGraph) -> dict[str, tuple[float, float]]:
    """Node positions in the SVG's coordinates: a seeded spring layout, the centre in the middle."""
    g = nx.Graph()
    g.add_nodes_from(n.id for n in graph.nodes)
    g.add_edges_from((e.source, e.target) for e in graph.edges)
    if not len(g):
        return {}
    centre = graph.center if graph.center in g else None
    start = {centre: (0.0, 0.0)} if centre else None
    positions = nx.spring_layout(g, seed=7, k=1.8 / math.sqrt(len(g)), iterations=200, pos=start,
                                 fixed=[centre] if centre else None) if len(g) > 1 else {n: (0.0, 0.0) for n in g}
    xs, ys = [p[0] for p in positions.values()], [p[1] for p in positions.values()]
    cx, cy = (positions[centre] if centre else ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2))
    spread_x = max(max(abs(x - cx) for x in xs), 1e-9)
    spread_y = max(max(abs(y - cy) for y in ys), 1e-9)
    half_w, half_h = WIDTH / 2 - PAD, HEIGHT / 2 - PAD
    return {n: (round(WIDTH / 2 + (x - cx) / spread_x * half_w, 1), round(HEIGHT / 2 + (y - cy) / spread_y * half_h, 1))
            for n, (x, y) in positions.items()}


def draw(page: Page, graph: NetworkGraph) -> dict:
    """Everything the template needs to draw the map and its legend."""
    ui = page.ui
    positions = layout(graph)
    degree: dict[str, int] = {}
    for e in graph.edges:
        degree[e.source] = degree.get(e.source, 0) + 1
        degree[e.target] = degree.get(e.target, 0) + 1
    ranked = sorted(graph.nodes, key=lambda n: (n.id != graph.center, -degree.get(n.id, 0), n.label))
    labelled = {n.id for n in ranked[:30]}
    nodes, sectors, shapes = [], {}, set()
    for n in graph.nodes:
        x, y = positions[n.id]
        name = n.label_en if page.lang == "en" and n.label_en else n.label
        shape = "square" if n.type in CONTEXT_TYPES else "diamond" if n.type == "rolegroup" else "circle"
        if n.type in CONTEXT_TYPES or n.type == "rolegroup":
            fill = CONTEXT_FILL if n.type in CONTEXT_TYPES else GROUP_FILL
            shapes.add(n.type if n.type == "rolegroup" else "context")
            detail = page.ui["kind_networks"] if n.type == "network" else n.type
        elif n.type == "person":
            fill, detail = PERSON_FILL, ui["legend_person"]
            shapes.add("person")
        else:
            fill = SECTOR_COLOURS.get(n.sector or "", UNKNOWN_COLOUR)
            detail = n.sector_label or ui["unknown"]
            sectors[n.sector or ""] = (fill, n.sector_label or ui["unknown"])
        radius = min(7 + 3 * math.sqrt(degree.get(n.id, 0)), 22) + (6 if n.id == graph.center else 0)
        short = name if len(name) <= 30 else name[:28].rstrip() + "…"
        nodes.append({"id": n.id, "x": x, "y": y, "r": round(radius, 1), "fill": fill, "shape": shape,
                      "href": page.local(n.id), "name": name, "detail": detail, "centre": n.id == graph.center,
                      "label": short if n.id in labelled else None, "size": n.size})
    nodes.sort(key=lambda n: n["centre"])  # the centre is drawn last, on top
    edges = [{"x1": positions[e.source][0], "y1": positions[e.source][1], "x2": positions[e.target][0],
              "y2": positions[e.target][1], "width": round(min(1 + e.weight, 7), 1)} for e in graph.edges]
    legend = [{"fill": f, "label": label, "shape": "circle"} for f, label in
              sorted(sectors.values(), key=lambda s: (s[1] == ui["unknown"], s[1].casefold()))]
    legend += [{"fill": CONTEXT_FILL, "label": ui["legend_context"], "shape": "square"}] if "context" in shapes else []
    legend += [{"fill": GROUP_FILL, "label": ui["legend_group"], "shape": "diamond"}] if "rolegroup" in shapes else []
    legend += [{"fill": PERSON_FILL, "label": ui["legend_person"], "shape": "circle"}] if "person" in shapes else []
    return {"nodes": nodes, "edges": edges, "legend": legend, "width": WIDTH, "height": HEIGHT,
            "has_centre": graph.center is not None and any(n["centre"] for n in nodes)}


def edge_table(page: Page, graph: NetworkGraph) -> Table:
    """Every tie on the map with what it rests on: the map as a table."""
    ui = page.ui
    reader = Reader(page.ctx)
    names = {n.id: (n.label_en if page.lang == "en" and n.label_en else n.label) for n in graph.nodes}
    reader.load_labels({c for e in graph.edges for c in e.contexts} | {s for e in graph.edges for s in e.sources}
                       | {f"{page.base}def/rol/{e.role}" for e in graph.edges if e.role})
    rows = []
    for e in sorted(graph.edges, key=lambda e: (graph.center not in (e.source, e.target), names[e.source], names[e.target])):
        a, b = (e.target, e.source) if e.target == graph.center else (e.source, e.target)
        rows.append({
            "from": Link(names[a], page.local(a), a), "to": Link(names[b], page.local(b), b),
            "via": [page.link(reader.ref(c)) for c in e.contexts],
            "role": page.link(reader.ref(f"{page.base}def/rol/{e.role}")) if e.role else None,
            "period": "; ".join(period_text(page, p) for p in e.periods),
            "source": [page.link(reader.ref(s)) for s in e.sources], "weight": e.weight})
    return Table("verbindingen", ui("edges_table", n=len(rows)), [
        ("from", ui["col_from_node"]), ("to", ui["col_to_node"]), ("via", ui["col_contexts"]), ("role", ui["col_role"]),
        ("period", ui["col_period"]), ("source", ui["col_source"]), ("weight", ui["col_weight"])], rows)


def period_text(page: Page, text: str) -> str:
    """A period "start/end" of the API as readable text."""
    def parse(value: str) -> date | None:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    start, _, end = text.partition("/")
    return page.period(Period(start=parse(start), end=parse(end)), short=True) or text


def collaboration_page(page: Page, what: str, slug: str):
    """The collaboration view of an organisation (``what="organisatie"``) or a theme (``"thema"``)."""
    ui, params = page.ui, page.request.query_params
    kind = q.KINDS["organisations" if what == "organisatie" else "themes"]
    iri = existing(page.ctx, kind, slug)
    default = "organisations" if what == "organisatie" else "two-mode"
    projection = {"organisaties": "organisations", "netwerken": "two-mode"}.get(params.get("kaart") or "", default)
    depth = int(params["stappen"]) if (params.get("stappen") or "") in ("1", "2", "3") else 1
    notices, period = [], (params.get("periode") or "").strip() or None
    if period:
        try:
            parse_period(period)
        except InputError:
            notices.append(ui("bad_period", value=period))
            period = None
    graph = fetch_graph(page, what, slug, projection, depth, period)
    reader = Reader(page.ctx)
    reader.load_labels([iri])
    name = page.name(reader.ref(iri))
    tables, sentence = [], ""
    if what == "organisatie":
        found = collaborators(page, slug)
        sectors = {s.iri for c in found.items for s in c.sectors if s.iri.startswith(page.base + "def/sector/")}
        sentence = ui("collab_sentence_one" if len(sectors) == 1 else "collab_sentence", name=name, n=found.total_items,
                      s=len(sectors))
        detail = Reader(page.ctx).detail(kind, iri)  # the partners table of the organisation's page
        tables += [t for t in relation_tables(page, kind, detail, Facts(page, iri, []), name) if t.id == "partners"]
    else:
        contexts = [n for n in graph.nodes if n.type in CONTEXT_TYPES]
        sentence = ui("collab_theme_sentence", name=name.lower(), networks=len(contexts),
                      actors=len(graph.nodes) - len(contexts))
    tables.append(edge_table(page, graph))
    title = ui("collab_title" if what == "organisatie" else "collab_theme_title", name=name)
    return page.render("explorer/collaboration.html", title=title, what=what, name=name, iri=iri, slug=slug,
                       sentence=sentence, map=draw(page, graph), node_count=len(graph.nodes),
                       edge_count=len(graph.edges), projection=projection, depth=depth, period=period or "",
                       notices=notices, tables=tables, csv_name=slug, entity_href=page.local(iri))
