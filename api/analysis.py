"""The network-analysis endpoints of the REST API: the measures on the knowledge graph
(``/analysis``, ``/analysis/{measure}``) and the network around an organisation or a theme as
nodes and edges ready for a browser graph library (``/organisations/{id}/network``,
``/themes/{id}/network``). Built on :mod:`graph.analysis`; people appear only in a public role,
others only as role groups, and small groups are left out (the same rules as everywhere)."""

from __future__ import annotations

import math

import networkx as nx
from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field
from pydantic.alias_generators import to_camel

from api import queries as q
from api.context import Context, get_context
from api.models import Model
from api.rest import FILTER_DOCS, PERIOD_DOC, PERIOD_PATTERN, SLUG_PATTERN, existing, respond
from graph.analysis.build import KnowledgeGraphNetworks, Selection
from graph.analysis.results import ATTRIBUTES, MEASURES, measure_spec, run_measure
from graph.errors import NotFound

router = APIRouter()

PROJECTIONS_DOC = ("organisations (organisations tied by shared networks, programmes, events or products), actors "
                   "(also public people and role groups), networks (networks tied by shared participants) or two-mode "
                   "(participants and the networks they take part in).")
CellValue = str | float | int | bool | None


class MeasureLink(Model):
    """One measure leernet computes."""

    name: str = Field(description="The measure's name in paths, e.g. ei.", examples=["ei"])
    concept: str = Field(description="The IRI of the measure in def/netwerkmaat, with a plain-language definition.")
    label: str = Field(description="Dutch name.", examples=["E-I-index"])
    label_en: str = Field(description="English name.", examples=["E-I index"])
    href: str


class MeasureIndex(Model):
    """The measures leernet computes on the knowledge graph."""

    items: list[MeasureLink]


class AnalysisTable(Model):
    """The result of a measure: one row per organisation, network, group, tie or year."""

    measure: str = Field(examples=["ei"])
    concept: str
    label: str
    label_en: str
    parameters: dict[str, CellValue] = Field(description="Everything the result depends on (with the defaults).")
    snapshot: str = Field(description="A SHA-256 of the data read: equal snapshot and parameters, equal result.")
    columns: list[str] = Field(description="The keys of the rows, in camelCase.")
    rows: list[dict[str, CellValue]] = Field(description="The rows; `level` says what a row is about and `iri` names it.")


class GraphNode(Model):
    """A node for a graph library: an organisation, public person, role group or network."""

    id: str = Field(description="The IRI of the thing (for a role group: its participant count).")
    label: str
    label_en: str | None = None
    type: str = Field(description="organisation, lectoraat, collaboration, person, rolegroup, network, programme, "
                      "project, event or product.", examples=["organisation"])
    sector: str | None = Field(None, description="Slug of the top-level sector (def/sector/…).", examples=["onderwijs"])
    sector_label: str | None = None
    subsector: str | None = None
    region: str | None = Field(None, description="Slug of the place (id/regio/…).")
    role: str | None = Field(None, description="Slug of the (most frequent) role (def/rol/…).")
    size: str | None = Field(None, description='Size of a role group as it may be shown ("8–15"); small groups never appear.')
    href: str | None = Field(None, description="The thing in this REST API, if it has an endpoint.")


class GraphEdge(Model):
    """A tie between two nodes, with what it rests on."""

    source: str
    target: str
    weight: float = Field(description="Number of shared contexts (projections) or of ties (two-mode).")
    contexts: list[str] = Field([], description="IRIs of the networks, programmes, events or products shared (projections).")
    context_labels: list[str] = []
    relation: str | None = Field(None, description="Two-mode: member, participant, funder, creator, author, organizer or head.")
    role: str | None = None
    periods: list[str] = Field([], description="The periods (start/end) of the ties, where known.")
    sources: list[str] = Field([], description="IRIs of the source documents the tie was read from.")


class NetworkGraph(Model):
    """Nodes and edges ready for a browser graph library (e.g. Cytoscape, Sigma, vis-network)."""

    center: str | None = Field(None, description="The IRI the network was asked for.")
    projection: str
    period: str | None = None
    nodes: list[GraphNode]
    edges: list[GraphEdge]


def networks_of(ctx: Context) -> KnowledgeGraphNetworks:
    """The facts the networks are built from, read once per state of the store."""
    return ctx.cached(("analysis-networks",), lambda: KnowledgeGraphNetworks(ctx.store))


def selection_of(networks: KnowledgeGraphNetworks, period, theme, region, programme, network_type,
                 include_undated: bool = False, direct_only: bool = False) -> Selection:
    return networks.selection(period=period, theme=theme, region=region, programme=programme, network_type=network_type,
                              include_undated=include_undated, indirect=not direct_only)


def _cell(value) -> CellValue:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


@router.get("/analysis", response_model=MeasureIndex, tags=["analysis"], operation_id="listMeasures",
            summary="The network measures leernet computes")
def measures_index(request: Request, ctx: Context = Depends(get_context)):
    """Every measure, with its definition in def/netwerkmaat and its endpoint."""
    return respond(request, ctx, MeasureIndex(items=[
        MeasureLink(name=m.name, concept=f"{ctx.base}def/netwerkmaat/{m.concept}", label=m.label_nl, label_en=m.label_en,
                    href=ctx.api_url(f"/analysis/{m.name}")) for m in MEASURES.values()]))


@router.get("/analysis/{measure}", response_model=AnalysisTable, tags=["analysis"], operation_id="getAnalysis",
            summary="A boundary-crossing measure computed on the knowledge graph")
def analysis(request: Request, measure: str,
             attribute: str = Query("sector", pattern=f"^({'|'.join(ATTRIBUTES)})$",
                                    description="The groups compared: sector, subsector, region, role, type or network_type."),
             projection: str = Query("organisations", pattern="^(organisations|actors|networks|two-mode)$",
                                     description=PROJECTIONS_DOC),
             period: str | None = Query(None, pattern=PERIOD_PATTERN, description=PERIOD_DOC),
             theme: str | None = Query(None, pattern=SLUG_PATTERN, description=FILTER_DOCS["theme"]),
             region: str | None = Query(None, pattern=SLUG_PATTERN, description=FILTER_DOCS["region"]),
             programme: str | None = Query(None, pattern=SLUG_PATTERN, description=FILTER_DOCS["programme"]),
             networkType: str | None = Query(None, pattern=SLUG_PATTERN, description=FILTER_DOCS["networkType"]),
             fromPeriod: str | None = Query(None, pattern=PERIOD_PATTERN, description="change: the first period."),
             toPeriod: str | None = Query(None, pattern=PERIOD_PATTERN, description="change: the second period."),
             includeUndated: bool = Query(False, description="With a period: keep ties whose period is unknown."),
             directOnly: bool = Query(False, description="Leave out ties through umbrella networks and programmes."),
             seed: int = Query(0, ge=0, description="communities: the random seed (results are reproducible)."),
             top: int | None = Query(None, ge=1, le=1000, description="Only the first rows of a ranking."),
             ctx: Context = Depends(get_context)):
    """Measures: ei, brokerage, blau, composition, assortativity, constraint, betweenness, communities,
    spanners, change. Rows are plain values; the definitions are at def/netwerkmaat."""
    if measure not in MEASURES:
        raise NotFound(f"there is no measure {measure!r}", [f"the measures are listed at {ctx.api_url('/analysis')}"])
    spec = measure_spec(measure)
    networks = networks_of(ctx)
    options = dict(theme=theme, region=region, programme=programme, network_type=networkType,
                   include_undated=includeUndated, direct_only=directOnly)
    selection = selection_of(networks, period, **options)
    before = selection_of(networks, fromPeriod, **options) if fromPeriod else None
    after = selection_of(networks, toPeriod, **options) if toPeriod else None
    run = run_measure(networks, measure, selection, attribute=attribute, projection=projection, seed=seed, top=top,
                      before=before if before and after else None, after=after if before and after else None)
    privacy = ctx.privacy
    rows = [{to_camel(k): _cell(v) for k, v in row.items()} for row in run.rows
            if all(privacy.visible(row[k]) for k in ("iri", "source", "target") if isinstance(row.get(k), str))]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    return respond(request, ctx, AnalysisTable(
        measure=spec.name, concept=f"{ctx.base}def/netwerkmaat/{spec.concept}", label=spec.label_nl, label_en=spec.label_en,
        parameters={k: _cell(v) for k, v in run.parameters.items()}, snapshot=run.snapshot["digest"], columns=columns,
        rows=rows))


def graph_body(ctx: Context, graph: nx.Graph, projection: str, center: str | None, period: str | None) -> NetworkGraph:
    """Nodes and edges of a networkx graph from :mod:`graph.analysis.build` as the API's JSON."""
    privacy = ctx.privacy
    visible = {n for n in graph if privacy.visible(n)}
    spaces = {kind.space: kind.name for kind in q.KINDS.values()}
    nodes = []
    for node in sorted(visible):
        data = graph.nodes[node]
        slug_space = next((s for s in spaces if node.startswith(ctx.base + s)), None)
        href = ctx.api_url(f"/{spaces[slug_space]}/{node[len(ctx.base + slug_space):]}") if slug_space else None
        nodes.append(GraphNode(id=node, label=data.get("label", node), label_en=data.get("label_en"), type=data.get("type", ""),
                               sector=data.get("sector"), sector_label=data.get("sector_label"), subsector=data.get("subsector"),
                               region=data.get("region"), role=data.get("role"), size=data.get("size_display") or None,
                               href=href))
    edges = []
    for a, b, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        if a not in visible or b not in visible:
            continue
        evidence = data.get("evidence", [])
        edges.append(GraphEdge(
            source=a, target=b, weight=data.get("weight", 1), contexts=data.get("contexts", data.get("actors", [])),
            context_labels=data.get("context_labels", []), relation=data.get("relation"), role=data.get("role") or None,
            periods=data.get("periods") or sorted({e["period"] for e in evidence if e.get("period")}),
            sources=data.get("sources") or sorted({s for e in evidence for s in e.get("sources", [])})))
    return NetworkGraph(center=center, projection=projection, period=period, nodes=nodes, edges=edges)


@router.get("/organisations/{id}/network", response_model=NetworkGraph, tags=["organisations"],
            operation_id="getOrganisationNetwork", summary="The collaboration network around an organisation")
def organisation_network(request: Request, id: str,
                         depth: int = Query(1, ge=1, le=3, description="How many steps out from the organisation."),
                         projection: str = Query("organisations", pattern="^(organisations|actors|two-mode)$",
                                                 description=PROJECTIONS_DOC),
                         period: str | None = Query(None, pattern=PERIOD_PATTERN, description=PERIOD_DOC),
                         ctx: Context = Depends(get_context)):
    """The organisation, the organisations it shares networks, programmes, events or products with
    (and theirs, with ``depth`` 2 or 3), and the ties between them with their evidence."""
    iri = existing(ctx, q.KINDS["organisations"], id)
    networks = networks_of(ctx)
    selection = selection_of(networks, period, None, None, None, None)
    ego = networks.ego_network(iri, depth * (2 if projection == "two-mode" else 1), selection, projection)
    if iri not in ego:
        ego.add_node(iri, **networks.node_attributes(iri))
    return respond(request, ctx, graph_body(ctx, ego, projection, iri, period))


@router.get("/themes/{id}/network", response_model=NetworkGraph, tags=["themes"], operation_id="getThemeNetwork",
            summary="The networks on a theme and who takes part in them")
def theme_network(request: Request, id: str,
                  projection: str = Query("two-mode", pattern="^(organisations|actors|networks|two-mode)$",
                                          description="Default two-mode: " + PROJECTIONS_DOC),
                  period: str | None = Query(None, pattern=PERIOD_PATTERN, description=PERIOD_DOC),
                  ctx: Context = Depends(get_context)):
    """The networks, programmes, events and products on the theme (or a narrower one), and the
    organisations, public people and role groups taking part, as nodes and edges."""
    iri = existing(ctx, q.KINDS["themes"], id)
    networks = networks_of(ctx)
    graph = networks.network(selection_of(networks, period, iri, None, None, None), projection)
    return respond(request, ctx, graph_body(ctx, graph, projection, iri, period))
