"""Running a measure on the knowledge graph, and its results as tables and as linked data.

:func:`run_measure` builds the network of a selection, computes one measure of
:mod:`graph.analysis.measures` and returns an :class:`AnalysisRun`: plain rows (one dict per
organisation, network, group, tie or year, with labels and IRIs) plus the provenance of the run.
:func:`save_run` writes it into its own named graph ``{base}graph/analysis/{measure}-{hash}``
(validated like any other ingest): a ``ln:AnalysisRun`` (a ``prov:Activity``) with its measure,
parameters, period, filters, software version and the snapshot it read, and one
``ln:AnalysisResult`` per number.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone

import networkx as nx
import pyoxigraph as ox

from graph import __version__
from graph.analysis import measures as m
from graph.analysis.build import KnowledgeGraphNetworks, Selection, snapshot
from graph.errors import InputError, QueryRefused

UNKNOWN = "onbekend"  # the group of a node without a value for the attribute


@dataclass(frozen=True)
class Measure:
    """A measure leernet runs: its concept in def/netwerkmaat and its Dutch and English names."""

    name: str
    concept: str
    label_nl: str
    label_en: str
    grouped: bool = True  # needs an attribute


MEASURES = {x.name: x for x in (
    Measure("ei", "ei-index", "E-I-index", "E-I index"),
    Measure("brokerage", "makelaarsrollen", "Makelaarsrollen", "Brokerage roles"),
    Measure("blau", "blau-index", "Blau-index per netwerk", "Blau index per network"),
    Measure("composition", "samenstelling", "Samenstelling per netwerk", "Composition per network"),
    Measure("assortativity", "assortativiteit", "Assortativiteit", "Assortativity"),
    Measure("constraint", "burt-constraint", "Netwerkbeperking en effectieve omvang", "Constraint and effective size", False),
    Measure("betweenness", "betweenness-centraliteit", "Betweenness-centraliteit", "Betweenness centrality", False),
    Measure("communities", "gemeenschappen", "Gemeenschappen", "Communities", False),
    Measure("spanners", "grensoverschrijders", "Grensoverschrijders", "Boundary spanners"),
    Measure("change", "veranderde-banden", "Verandering in de tijd", "Change over time"),
)}
ATTRIBUTES = ("sector", "subsector", "region", "role", "type", "network_type")
ATTRIBUTE_SCHEMES = {"sector": "def/sector/", "subsector": "def/sector/", "region": "id/regio/", "role": "def/rol/",
                     "network_type": "def/netwerktype/"}


@dataclass
class AnalysisRun:
    """One computed measure: rows for tables, and everything needed to cite and repeat it."""

    measure: Measure
    parameters: dict
    selection: Selection
    rows: list[dict]
    graph: nx.Graph
    snapshot: dict
    started: str
    ended: str
    version: str = f"leernet {__version__}"
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A hash of the parameters: equal parameters, equal results graph."""
        return hashlib.sha1(json.dumps(self.parameters, sort_keys=True).encode()).hexdigest()[:12]

    def graph_iri(self, base: str) -> str:
        """``{base}graph/analysis/{measure}-{hash of the parameters}``."""
        return f"{base}graph/analysis/{self.measure.name}-{self.key}"


def measure_spec(name: str) -> Measure:
    """The :class:`Measure` called ``name``; :class:`InputError` listing the measures otherwise."""
    if name not in MEASURES:
        raise InputError(f"measure {name!r} does not exist", [f"use one of: {', '.join(MEASURES)}"])
    return MEASURES[name]


def run_measure(networks: KnowledgeGraphNetworks, name: str, selection: Selection | None = None, *,
                attribute: str = "sector", projection: str = "organisations", seed: int = 0, top: int | None = None,
                before: Selection | None = None, after: Selection | None = None) -> AnalysisRun:
    """Compute measure ``name`` on the network of ``selection`` (``before``/``after`` for change)."""
    spec = measure_spec(name)
    if attribute not in ATTRIBUTES:
        raise InputError(f"attribute {attribute!r} is not one leernet sets", [f"use one of: {', '.join(ATTRIBUTES)}"])
    selection = selection or Selection()
    started = _now()
    graph = networks.network(selection, projection)
    rows = _ROWS[name](networks, graph, selection, attribute=attribute, projection=projection, seed=seed,
                       before=before, after=after)
    if top is not None:
        rows = rows[:top] if name in ("spanners", "betweenness", "constraint", "brokerage") else rows
    parameters = {"measure": name, "projection": projection, **selection.parameters()}
    if spec.grouped:
        parameters["attribute"] = attribute
    if name == "communities":
        parameters["seed"] = seed
    if top is not None:
        parameters["top"] = top
    if name == "change" and before and after:
        parameters.update(before=before.period_label, after=after.period_label)
    return AnalysisRun(spec, parameters, selection, rows, graph, snapshot(networks.store), started, _now())


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _node_row(graph: nx.Graph, node, **values) -> dict:
    data = graph.nodes[node] if node in graph else {}
    return {"level": "node", "iri": node, "label": data.get("label", str(node)), "type": data.get("type", ""), **values}


def _ordered(rows: list[dict], key: str) -> list[dict]:
    return sorted(rows, key=lambda r: (-(r.get(key) if isinstance(r.get(key), (int, float)) else -math.inf), r["label"]))


def _ei(networks, graph, selection, *, attribute, **_) -> list[dict]:
    result = m.ei_index(graph, attribute, weight=None, default=UNKNOWN)
    rows = []
    for row in result.to_rows():
        values = {k: row[k] for k in ("external", "internal", "index", "expected")}
        if row["level"] == "network":
            rows.append({"level": "network", "iri": None, "label": "hele netwerk / whole network", **values})
        elif row["level"] == "group":
            rows.append({"level": "group", "group": row["group"], "label": str(row["group"]), **values})
        else:
            rows.append(_node_row(graph, row["key"], group=row["group"], **values))
    return rows


def _brokerage(networks, graph, selection, *, attribute, **_) -> list[dict]:
    rows = []
    for row in m.brokerage(graph, attribute, default=UNKNOWN).to_rows():
        values = {r: row[r] for r in (*m.ROLES, "total")} | {"total_z": row["total_z"]}
        if row["node"] is None:
            rows.append({"level": "network", "iri": None, "label": "hele netwerk / whole network", **values})
        else:
            rows.append(_node_row(graph, row["node"], group=row["group"], **values))
    return [rows[-1]] + _ordered(rows[:-1], "total") if rows else rows


def members_by_context(networks: KnowledgeGraphNetworks, selection: Selection, projection: str) -> dict[str, set]:
    """The actors of each context (with those of the contexts inside it), as in the projection."""
    kinds = ("organisation", "lectoraat", "collaboration") if projection == "organisations" else None
    members: dict[str, set] = defaultdict(set)
    for tie in networks.selected_ties(selection):
        if kinds and networks.actor_type(tie.actor) not in kinds:
            continue
        members[tie.context].add(tie.actor)
        for outer in networks.ancestors(tie.context):
            if networks.matches(outer, selection):
                members[outer].add(tie.actor)
    return members


def _composition_rows(networks, graph, selection, attribute, projection, per_category: bool) -> list[dict]:
    rows = []
    contexts = members_by_context(networks, selection, projection)
    for context, actors in sorted(contexts.items(), key=lambda x: networks.label(x[0])):
        sub = nx.Graph()
        sub.add_nodes_from((a, networks.node_attributes(a)) for a in actors)
        if graph is not None:
            for a in actors:
                if a in graph and attribute in graph.nodes[a]:
                    sub.nodes[a][attribute] = graph.nodes[a][attribute]
        result = m.composition(sub, attribute, default=UNKNOWN)
        base = {"level": "context", "iri": context, "label": networks.label(context),
                "type": networks.kind.get(context, ""), "members": len(actors)}
        if per_category:
            rows += [{**base, "group": c, "count": n, "proportion": result.proportions[c]}
                     for c, n in sorted(result.counts.items(), key=lambda x: (-x[1], str(x[0])))]
        else:
            rows.append({**base, "groups": len(result.counts), "blau": result.blau,
                         "blau_normalised": result.blau_normalised,
                         "composition": "; ".join(f"{c}: {n:g}" for c, n in sorted(result.counts.items(), key=str))})
    if not per_category:
        whole = m.composition(graph, attribute, default=UNKNOWN) if graph.number_of_nodes() else None
        rows.insert(0, {"level": "network", "iri": None, "label": "hele netwerk / whole network",
                        "members": graph.number_of_nodes(), "groups": len(whole.counts) if whole else 0,
                        "blau": whole.blau if whole else None, "blau_normalised": whole.blau_normalised if whole else None,
                        "composition": "; ".join(f"{c}: {n:g}" for c, n in sorted(whole.counts.items(), key=str)) if whole else ""})
    return rows


def _blau(networks, graph, selection, *, attribute, projection, **_) -> list[dict]:
    return _composition_rows(networks, graph, selection, attribute, projection, per_category=False)


def _composition(networks, graph, selection, *, attribute, projection, **_) -> list[dict]:
    return _composition_rows(networks, graph, selection, attribute, projection, per_category=True)


def _assortativity(networks, graph, selection, *, attribute, **_) -> list[dict]:
    value = m.assortativity(graph, attribute, default=UNKNOWN) if graph.number_of_edges() else None
    return [{"level": "network", "iri": None, "label": "hele netwerk / whole network", "assortativity": value,
             "nodes": graph.number_of_nodes(), "ties": graph.number_of_edges()}]


CONSTRAINT_BUDGET = 5_000_000  # sum of degree^3: Burt's measures take about that many steps in networkx


def _constraint(networks, graph, selection, **_) -> list[dict]:
    cost = sum(d ** 3 for _, d in graph.degree())
    if cost > CONSTRAINT_BUDGET:
        raise QueryRefused(f"constraint on this network ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} ties) "
                           "would take too long", ["use the organisations projection, a period or a filter, or "
                                                   "--direct-only, to analyse a smaller network"])
    constraint, size = m.constraint(graph), m.effective_size(graph)
    rows = [_node_row(graph, n, constraint=constraint.get(n), effective_size=size.get(n), degree=graph.degree(n))
            for n in graph]
    return sorted(rows, key=lambda r: (r["constraint"] is None, r["constraint"] or 0, r["label"]))


def _betweenness(networks, graph, selection, **_) -> list[dict]:
    raw, scaled = m.betweenness(graph), m.betweenness(graph, normalized=True)
    return _ordered([_node_row(graph, n, betweenness=raw[n], betweenness_normalised=scaled[n], degree=graph.degree(n))
                     for n in graph], "betweenness")


def _communities(networks, graph, selection, *, seed, **_) -> list[dict]:
    found = m.communities(graph, seed=seed)
    bridges = m.community_bridges(graph, found)
    rows = [{"level": "network", "iri": None, "label": "hele netwerk / whole network", "communities": len(found.communities),
             "modularity": found.modularity}]
    rows += sorted((_node_row(graph, n, community=c, size=len(found.communities[c]),
                              bridges_to="; ".join(str(x) for x in bridges.nodes.get(n, [])))
                    for n, c in found.membership.items()), key=lambda r: (r["community"], r["label"]))
    return rows


def _spanners(networks, graph, selection, *, attribute, **_) -> list[dict]:
    two_mode = networks.network(selection, "two-mode")
    rows = []
    for row in m.boundary_spanners(graph, attribute, default=UNKNOWN).to_rows():
        contexts = sorted(two_mode[row["node"]]) if row["node"] in two_mode else []
        rows.append(_node_row(graph, row["node"], rank=row["rank"], group=row["group"],
                              groups_reached=row["groups_reached"], groups=row["groups"],
                              external_ties=row["external_ties"], ties=row["ties"],
                              brokerage_between_groups=row["brokerage_between_groups"], networks=len(contexts),
                              network_labels="; ".join(sorted(networks.label(c) for c in contexts))))
    return rows


def _change(networks, graph, selection, *, attribute, projection, before, after, **_) -> list[dict]:
    if before is not None and after is not None:
        old, new = networks.network(before, projection), networks.network(after, projection)
        ties = m.ties_gained_lost(old, new)
        churn = m.membership_churn(old, new)
        label = {**{n: d.get("label", n) for n, d in old.nodes(data=True)}, **{n: d.get("label", n) for n, d in new.nodes(data=True)}}
        rows = [{"level": "network", "iri": None, "label": "hele netwerk / whole network", "gained": len(ties.gained),
                 "lost": len(ties.lost), "kept": len(ties.kept), "jaccard": ties.jaccard, "joined": len(churn.joined),
                 "left": len(churn.left), "churn": churn.churn}]
        rows += [{"level": "tie", "iri": None, "source": a, "target": b, "label": f"{label[a]} — {label[b]}", "change": kind}
                 for kind, pairs in (("gained", ties.gained), ("lost", ties.lost)) for a, b in pairs]
        rows += [{"level": "node", "iri": n, "label": label[n], "change": kind}
                 for kind, nodes in (("joined", churn.joined), ("left", churn.left)) for n in nodes]
        return rows
    snapshots = [(year, networks.network(_year(selection, year), projection)) for year in years_in(networks, selection)]
    snapshots = [(y, g) for y, g in snapshots if g.number_of_nodes()]
    if not snapshots:
        return []
    result = m.change_over_time(snapshots, attribute, default=UNKNOWN)
    rows = []
    for year in result.years:
        rows.append({"level": "year", "iri": None, "label": str(year.year), "year": year.year, "nodes": year.nodes,
                     "ties": year.ties, "ei": year.ei, "ei_expected": year.ei_expected, "blau": year.composition.blau,
                     "ties_gained": year.ties_gained, "ties_lost": year.ties_lost, "joined": year.joined,
                     "left": year.left, "brokers": "; ".join(_label_in(snapshots, v) for v, _ in year.brokers)})
    return rows


def _label_in(snapshots, node) -> str:
    return next((g.nodes[node].get("label", node) for _, g in snapshots if node in g), str(node))


def _year(selection: Selection, year: int) -> Selection:
    return Selection(**{**selection.__dict__, "start": f"{year}-01-01", "end": f"{year}-12-31"})


def years_in(networks: KnowledgeGraphNetworks, selection: Selection, last: int | None = None) -> list[int]:
    """The years in which some tie of the selection is known to run (open ends run to ``last``, default this year)."""
    last = last or datetime.now(timezone.utc).year
    years: set[int] = set()
    everything = Selection(**{**selection.__dict__, "start": None, "end": None})
    for tie in networks.selected_ties(everything):
        if tie.span and tie.span[0]:
            first = int(tie.span[0][:4])
            end = int(tie.span[1][:4]) if tie.span[1] else last
            years.update(range(max(first, 1900), min(end, last) + 1))
    if selection.start or selection.end:
        low, high = int((selection.start or "0001")[:4]), int((selection.end or "9999")[:4])
        years = {y for y in years if low <= y <= high}
    return sorted(years)


_ROWS = {"ei": _ei, "brokerage": _brokerage, "blau": _blau, "composition": _composition,
         "assortativity": _assortativity, "constraint": _constraint, "betweenness": _betweenness,
         "communities": _communities, "spanners": _spanners, "change": _change}


# -- linked data --------------------------------------------------------------------------------------

def run_triples(run: AnalysisRun, base: str) -> list[ox.Triple]:
    """The run and its results as triples for the graph ``run.graph_iri(base)``."""
    from graph.namespaces import ln as ln_namespace
    from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, TIME, XSD

    ln = ln_namespace(base)
    graph = run.graph_iri(base)
    node = ox.NamedNode(f"{graph}#run")

    def iri(term) -> ox.NamedNode:
        return ox.NamedNode(str(term))

    def text(value: str, lang: str | None = None) -> ox.Literal:
        return ox.Literal(value, language=lang) if lang else ox.Literal(value)

    def typed(value, datatype) -> ox.Literal:
        return ox.Literal(str(value), datatype=iri(datatype))

    spec = run.measure
    triples = [
        (node, iri(RDF.type), iri(ln.AnalysisRun)), (node, iri(RDF.type), iri(PROV.Activity)),
        (node, iri(RDFS.label), text(f"{spec.label_nl}: netwerkanalyse met leernet", "nl")),
        (node, iri(RDFS.label), text(f"{spec.label_en}: network analysis with leernet", "en")),
        (node, iri(ln.measure), ox.NamedNode(f"{base}def/netwerkmaat/{spec.concept}")),
        (node, iri(ln.projection), text(run.parameters["projection"])),
        (node, iri(ln.parameters), text(json.dumps(run.parameters, sort_keys=True, ensure_ascii=False))),
        (node, iri(ln.softwareVersion), text(run.version)),
        (node, iri(ln.snapshotDigest), text(run.snapshot["digest"])),
        (node, iri(ln.snapshotTriples), typed(run.snapshot["triples"], XSD.integer)),
        (node, iri(PROV.startedAtTime), typed(run.started, XSD.dateTime)),
        (node, iri(PROV.endedAtTime), typed(run.ended, XSD.dateTime)),
    ]
    if "attribute" in run.parameters:
        triples.append((node, iri(ln.attribute), text(run.parameters["attribute"])))
    triples += [(node, iri(PROV.used), ox.NamedNode(g)) for g in run.snapshot["graphs"]]
    sel = run.selection
    triples += [(node, iri(ln.filter), ox.NamedNode(v)) for v in (sel.theme, sel.region, sel.programme, sel.network_type) if v]
    if sel.start or sel.end:
        start, end = sel.start or "0001-01-01", sel.end if sel.end and sel.end != "9999-12-31" else None
        interval = ox.NamedNode(f"{base}id/periode/{start}--{end or 'open'}")
        triples.append((node, iri(DCTERMS.temporal), interval))
        triples.append((interval, iri(RDF.type), iri(TIME.Interval)))
        for predicate, day in ((TIME.hasBeginning, start), (TIME.hasEnd, end)):
            if day:
                instant = ox.NamedNode(f"{base}id/datum/{day}")
                triples += [(interval, iri(predicate), instant), (instant, iri(RDF.type), iri(TIME.Instant)),
                            (instant, iri(TIME.inXSDDate), typed(day, XSD.date))]
    attribute = run.parameters.get("attribute")
    for number, row in enumerate(run.rows):
        subjects = [row[k] for k in ("iri", "source", "target") if isinstance(row.get(k), str)]
        group = row.get("group")
        for column, value in row.items():
            if column in ("rank", "level") or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if isinstance(value, float) and not math.isfinite(value):
                continue
            result = ox.NamedNode(f"{graph}#r{number}-{column}")
            triples += [(result, iri(RDF.type), iri(ln.AnalysisResult)), (result, iri(PROV.wasGeneratedBy), node),
                        (result, iri(ln.quantity), text(column)), (result, iri(ln.value), typed(_decimal(value), XSD.decimal))]
            triples += [(result, iri(ln.resultFor), ox.NamedNode(s)) for s in subjects]
            if group is not None:
                scheme = ATTRIBUTE_SCHEMES.get(attribute or "")
                if scheme and group != UNKNOWN:
                    triples.append((result, iri(ln.group), ox.NamedNode(f"{base}{scheme}{group}")))
                else:
                    triples.append((result, iri(ln.groupValue), text(str(group))))
            elif row.get("level") == "year":
                triples.append((result, iri(ln.groupValue), text(str(row["year"]))))
    return [ox.Triple(*t) for t in triples]


def _decimal(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:.12g}" if "e" not in f"{value:.12g}" else f"{value:.15f}"


def save_run(store, run: AnalysisRun, command: str = "leernet analyse") -> str:
    """Write the run into its named graph (replacing an earlier run with the same parameters)."""
    from graph.ingest import ingest_graph

    base = store.settings.base_iri
    iri = run.graph_iri(base)
    ingest_graph(store, run_triples(run, base), graph_iri=iri, source=command, command=command,
                 lang=store.settings.lang)
    return iri
