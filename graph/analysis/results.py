"""Running a measure on the knowledge graph: its results as tables, within the budgets of large networks.

:func:`run_measure` takes the network of a selection (built once per state of the store and
selection and shared by the measures that follow, see ``KnowledgeGraphNetworks.projection``),
computes one measure of :mod:`graph.analysis.measures` on its arrays and returns an
:class:`~graph.analysis.runs.AnalysisRun`: plain rows (one dict per organisation, network, group,
tie or year, with labels and IRIs) plus the provenance of the run. :func:`save_run`
(:mod:`graph.analysis.linked_data`) writes it into its own named graph. The names of
:mod:`graph.analysis.runs` and :mod:`graph.analysis.linked_data`, and ``members_by_context`` and
``years_in`` of :mod:`graph.analysis.ties`, stay importable from here.

Large networks. Everything is exact except where a budget below says otherwise; then the run's
``parameters["approximation"]`` (in the saved ``ln:parameters`` too) and ``approximation`` say
what was estimated and how, so that the numbers can be reproduced (``seed``):

- betweenness is exact while nodes x ties <= :data:`BETWEENNESS_BUDGET`; above, it is estimated
  from the shortest paths out of k = BETWEENNESS_BUDGET / ties pivots (at least
  :data:`MIN_PIVOTS`), drawn with the seed as networkx's ``betweenness_centrality(k, seed)`` does;
- brokerage (and the brokerage of spanners and of change over time) is exact while its bit-matrix
  count stays within :data:`BROKERAGE_BUDGET` word operations; above, the nodes with the most
  contacts are estimated from :data:`BROKERAGE_SAMPLES` random pairs of their contacts;
- constraint and effective size are exact, but refused (with advice) when neither the dense
  computation (up to :data:`CONSTRAINT_DENSE_NODES` nodes) nor igraph's (sum of squared degrees
  up to :data:`CONSTRAINT_SPARSE_BUDGET`) fits;
- communities use igraph's Louvain above ``measures.structure.LOUVAIN_NETWORKX_TIES`` ties
  (``parameters["method"]``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np

from graph.analysis import measures as m
from graph.analysis.build import KnowledgeGraphNetworks, Selection
from graph.analysis.linked_data import run_triples, save_run
from graph.analysis.measures._arrays import (
    Ties,
    betweenness_values,
    constraint_method,
    constraint_values,
    effective_size_values,
    igraph_of,
    louvain,
    modularity_of,
)
from graph.analysis.measures.brokerage import brokerage_of
from graph.analysis.measures.diversity import composition_of
from graph.analysis.measures.ei import ei_of
from graph.analysis.measures.spanners import spanners_of
from graph.analysis.measures.structure import LOUVAIN_NETWORKX_TIES
from graph.analysis.progress import SILENT, Progress
from graph.analysis.projection import Projection
from graph.analysis.runs import ATTRIBUTE_SCHEMES, ATTRIBUTES, MEASURES, UNKNOWN, AnalysisRun, Measure, measure_spec
from graph.analysis.ties import members_by_context, years_in
from graph.errors import InputError, QueryRefused

__all__ = [
    "ATTRIBUTES", "ATTRIBUTE_SCHEMES", "BETWEENNESS_BUDGET", "BROKERAGE_BUDGET", "BROKERAGE_SAMPLES", "CONSTRAINT_BUDGET",
    "CONSTRAINT_DENSE_NODES", "CONSTRAINT_SPARSE_BUDGET", "MEASURES", "MIN_PIVOTS", "UNKNOWN", "AnalysisRun", "Measure",
    "betweenness_pivots", "constraint_plan", "igraph_of_projection", "measure_spec", "members_by_context", "run_measure",
    "run_triples", "save_run", "ties_of_projection", "years_in",
]

BETWEENNESS_BUDGET = 1_000_000_000  # node x tie visits of exact betweenness (about 30 s with igraph)
MIN_PIVOTS = 50  # at least this many pivots when betweenness is estimated
BROKERAGE_BUDGET = 1_500_000_000  # 64-bit word operations of the exact brokerage count (about 15 s)
BROKERAGE_SAMPLES = 4000  # pairs of contacts drawn per node whose brokerage is estimated
CONSTRAINT_DENSE_NODES = 10_000  # the dense computation holds three n x n matrices (2.4 GB at 10,000)
CONSTRAINT_SPARSE_BUDGET = 400_000_000  # sum of squared degrees igraph's constraint may take (about 20 s)
CONSTRAINT_BUDGET = 5_000_000  # the former limit (sum of degree^3) of networkx's constraint; bench/worker.py still applies it to the naive side


@dataclass
class _Context:
    """What a measure's row function gets."""

    networks: KnowledgeGraphNetworks
    net: Projection
    selection: Selection
    attribute: str
    projection: str
    seed: int
    before: Selection | None
    after: Selection | None
    progress: Progress
    notes: dict = field(default_factory=dict)  # parameters the run adds: approximation, method, ...

    def ties(self) -> Ties:
        return ties_of_projection(self.net)

    def values(self, net: Projection | None = None) -> list:
        """Each node's group (its value of the attribute, else UNKNOWN)."""
        return (net or self.net).values(self.attribute, UNKNOWN)


def igraph_of_projection(net: Projection):
    """The projection as an igraph graph (unweighted), made once per projection and kept with it."""
    graph = getattr(net, "_igraph", None)
    if graph is None:
        graph = net._igraph = igraph_of(ties_of_projection(net))
    return graph


def ties_of_projection(net: Projection) -> Ties:
    """A projection's edges as the measures' arrays (weights 1: the measures of a run count ties)."""
    return Ties(net.nodes, net.source, net.target, np.ones(net.source.size, dtype=np.int64), net.directed)


def run_measure(networks: KnowledgeGraphNetworks, name: str, selection: Selection | None = None, *,
                attribute: str = "sector", projection: str = "organisations", seed: int = 0, top: int | None = None,
                before: Selection | None = None, after: Selection | None = None,
                progress: Progress | None = None) -> AnalysisRun:
    """Compute measure ``name`` on the network of ``selection`` (``before``/``after`` for change).
    ``progress`` reports the steps and long loops on stderr (see graph.analysis.progress)."""
    spec = measure_spec(name)
    if attribute not in ATTRIBUTES:
        raise InputError(f"attribute {attribute!r} is not one leernet sets", [f"use one of: {', '.join(ATTRIBUTES)}"])
    selection = selection or Selection()
    progress = progress or SILENT
    started = _now()
    with progress.step("building the network"):
        net = networks.projection(selection, projection)
    progress.note(f"{net.number_of_nodes():,} nodes, {net.number_of_edges():,} ties ({projection})")
    context = _Context(networks, net, selection, attribute, projection, seed, before, after, progress)
    with progress.step(f"computing {name}"):
        rows = _ROWS[name](context)
    if top is not None:
        rows = rows[:top] if name in ("spanners", "betweenness", "constraint", "brokerage") else rows
    parameters = {"measure": name, "projection": projection, **selection.parameters()}
    if spec.grouped:
        parameters["attribute"] = attribute
    if name == "communities" or "approximation" in context.notes:
        parameters["seed"] = seed
    if top is not None:
        parameters["top"] = top
    if name == "change" and before and after:
        parameters.update(before=before.period_label, after=after.period_label)
    parameters.update(context.notes)
    approximation = context.notes.get("approximation")
    if approximation:
        progress.note(f"estimated: {approximation}")
    return AnalysisRun(spec, parameters, selection, rows, started, _now(), approximation=approximation,
                       networks=networks)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _note(context: _Context, text: str | None) -> None:
    if text:
        previous = context.notes.get("approximation")
        context.notes["approximation"] = f"{previous}; {text}" if previous else text


def _node_row(net: Projection, i: int, **values) -> dict:
    data = net.attributes[i]
    return {"level": "node", "iri": net.nodes[i], "label": data.get("label", str(net.nodes[i])),
            "type": data.get("type", ""), **values}


def _ordered(rows: list[dict], key: str) -> list[dict]:
    """Rows by ``key``, largest first (values equal to 12 significant digits by label)."""
    return sorted(rows, key=lambda r: (-_rounded(r.get(key)) if isinstance(r.get(key), (int, float)) else math.inf,
                                       r["label"], r.get("iri") or ""))


def _rounded(value: float) -> float:
    """A value to 12 significant digits, so that rounding noise does not decide an order."""
    return float(f"{value:.12g}") if isinstance(value, float) and math.isfinite(value) else value


def _ei(context: _Context) -> list[dict]:
    net = context.net
    result = ei_of(context.ties(), context.values(), context.attribute)
    rows = []
    for row in result.to_rows():
        values = {k: row[k] for k in ("external", "internal", "index", "expected")}
        if row["level"] == "network":
            rows.append({"level": "network", "iri": None, "label": "hele netwerk / whole network", **values})
        elif row["level"] == "group":
            rows.append({"level": "group", "group": row["group"], "label": str(row["group"]), **values})
        else:
            rows.append(_node_row(net, net.index[row["key"]], group=row["group"], **values))
    return rows


def _brokered(context: _Context, ties: Ties, values: list, what: str):
    """Brokerage within the budget (and a note of what was estimated)."""
    with context.progress.bar(ties.n, f"{what}: counting brokered pairs", "nodes") as bar:
        result, found = brokerage_of(ties, values, context.attribute, budget=BROKERAGE_BUDGET,
                                     samples=BROKERAGE_SAMPLES, seed=context.seed, tick=bar.update)
    if found.sampled.size:
        _note(context, f"{what}: brokered pairs counted exactly for the nodes with at most {found.threshold:,} ties "
                       f"and estimated for the {found.sampled.size:,} with more, from {found.samples:,} random pairs of "
                       f"their contacts each (seed {found.seed})")
    return result, found


def _brokerage(context: _Context) -> list[dict]:
    net = context.net
    result, _ = _brokered(context, context.ties(), context.values(), "brokerage")
    rows = []
    for row in result.to_rows():
        values = {r: row[r] for r in (*m.ROLES, "total")} | {"total_z": row["total_z"]}
        if row["node"] is None:
            rows.append({"level": "network", "iri": None, "label": "hele netwerk / whole network", **values})
        else:
            rows.append(_node_row(net, net.index[row["node"]], group=row["group"], **values))
    return [rows[-1]] + _ordered(rows[:-1], "total") if rows else rows



def _composition_rows(context: _Context, per_category: bool) -> list[dict]:
    networks, net, attribute = context.networks, context.net, context.attribute
    rows = []
    contexts = members_by_context(networks, context.selection, context.projection)

    def value(actor: str):
        i = net.index.get(actor)
        if i is not None and attribute in net.attributes[i]:
            return net.attributes[i][attribute]
        return networks.node_attributes(actor).get(attribute)

    for iri, actors in context.progress.iterate(sorted(contexts.items(), key=lambda x: (networks.label(x[0]), x[0])),
                                                len(contexts), "composition per network", "networks"):
        result = composition_of([value(a) for a in sorted(actors)], attribute, default=UNKNOWN)  # sorted: the same sums in every process
        base = {"level": "context", "iri": iri, "label": networks.label(iri),
                "type": networks.kind.get(iri, ""), "members": len(actors)}
        if per_category:
            rows += [{**base, "group": c, "count": n, "proportion": result.proportions[c]}
                     for c, n in sorted(result.counts.items(), key=lambda x: (-x[1], str(x[0])))]
        else:
            rows.append({**base, "groups": len(result.counts), "blau": result.blau,
                         "blau_normalised": result.blau_normalised,
                         "composition": "; ".join(f"{c}: {n:g}" for c, n in sorted(result.counts.items(), key=str))})
    if not per_category:
        whole = composition_of(context.values(), attribute, default=UNKNOWN) if net.number_of_nodes() else None
        rows.insert(0, {"level": "network", "iri": None, "label": "hele netwerk / whole network",
                        "members": net.number_of_nodes(), "groups": len(whole.counts) if whole else 0,
                        "blau": whole.blau if whole else None, "blau_normalised": whole.blau_normalised if whole else None,
                        "composition": "; ".join(f"{c}: {n:g}" for c, n in sorted(whole.counts.items(), key=str)) if whole else ""})
    return rows


def _blau(context: _Context) -> list[dict]:
    return _composition_rows(context, per_category=False)


def _composition(context: _Context) -> list[dict]:
    return _composition_rows(context, per_category=True)


def _assortativity(context: _Context) -> list[dict]:
    net = context.net
    value = m.assortativity_of_ties(context.ties(), context.values()) if net.number_of_edges() else None
    return [{"level": "network", "iri": None, "label": "hele netwerk / whole network", "assortativity": value,
             "nodes": net.number_of_nodes(), "ties": net.number_of_edges()}]


def constraint_plan(net: Projection) -> str | None:
    """How constraint can be computed on this network ("dense" or "igraph"), None when neither fits the budgets."""
    ties = ties_of_projection(net)
    squares = float((ties.degree().astype(float) ** 2).sum())
    method = constraint_method(ties)
    if method == "dense" and net.number_of_nodes() > CONSTRAINT_DENSE_NODES:
        method = "igraph"
    if method == "igraph" and squares > CONSTRAINT_SPARSE_BUDGET:
        method = "dense" if net.number_of_nodes() <= CONSTRAINT_DENSE_NODES else None
    return method


def _constraint(context: _Context) -> list[dict]:
    net = context.net
    method = constraint_plan(net)
    if method is None:
        raise QueryRefused(f"constraint on this network ({net.number_of_nodes():,} nodes, {net.number_of_edges():,} ties) "
                           "would take too long", [
                               f"leernet computes it exactly up to {CONSTRAINT_DENSE_NODES:,} nodes, or for larger "
                               f"networks whose squared degrees add up to at most {CONSTRAINT_SPARSE_BUDGET:,}",
                               "use the organisations projection, a period or a filter, or --direct-only, "
                               "to analyse a smaller network"])
    ties = context.ties()
    with context.progress.bar(ties.n, "constraint", "nodes") as bar:
        constraint = constraint_values(ties, method=method, tick=bar.update if method == "dense" else None)
    size = effective_size_values(ties, graph=igraph_of_projection(net))
    degree = ties.degree().tolist()
    rows = [_node_row(net, i, constraint=_number(constraint[i]), effective_size=_number(size[i]), degree=degree[i])
            for i in range(net.number_of_nodes())]
    return sorted(rows, key=lambda r: (r["constraint"] is None, _rounded(r["constraint"] or 0.0), r["label"], r["iri"]))


def _number(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def betweenness_pivots(net: Projection) -> int | None:
    """The number of pivots betweenness is estimated from (None: exact), by :data:`BETWEENNESS_BUDGET`."""
    n, ties = net.number_of_nodes(), max(net.number_of_edges(), 1)
    if n * ties <= BETWEENNESS_BUDGET:
        return None
    k = max(MIN_PIVOTS, BETWEENNESS_BUDGET // ties)
    return None if k >= n else int(k)


def _betweenness(context: _Context) -> list[dict]:
    net = context.net
    ties = context.ties()
    k = betweenness_pivots(net)
    with context.progress.step("handing the network to igraph"):
        graph = igraph_of_projection(net)
    with context.progress.bar(k or ties.n, "betweenness", "sources") as bar:
        raw = betweenness_values(ties, k=k, seed=context.seed, graph=graph, tick=bar.update)
    if k is not None:
        _note(context, f"betweenness estimated from the shortest paths out of {k:,} of the {ties.n:,} nodes "
                       f"(pivots drawn with seed {context.seed}, as networkx betweenness_centrality(k={k}, seed={context.seed}))")
    N = ties.n - 1  # networkx's normalised values divide the same sums by (n - 1)(n - 2) ordered pairs
    scaled = raw * (2 / (N * (N - 1))) if N >= 2 else raw.copy()
    degree = ties.degree().tolist()
    return _ordered([_node_row(net, i, betweenness=_number(raw[i]), betweenness_normalised=_number(scaled[i]),
                               degree=degree[i]) for i in range(ties.n)], "betweenness")


def _communities(context: _Context) -> list[dict]:
    net = context.net
    ties = context.ties()
    if ties.m > LOUVAIN_NETWORKX_TIES:
        with context.progress.step("handing the network to igraph"):
            graph = igraph_of_projection(net)
        found = [sorted(c) for c in louvain(ties, seed=context.seed, weighted=False, graph=graph)]
        ordered = sorted(found, key=lambda c: (-len(c), sorted(str(net.nodes[v]) for v in c)))
        membership = np.empty(ties.n, dtype=np.int64)
        for index, community in enumerate(ordered):
            membership[community] = index
        modularity = modularity_of(ties, membership) if ties.m else None
        sizes = [len(c) for c in ordered]
        context.notes["method"] = "louvain (igraph community_multilevel)"
    else:
        graph = net.to_networkx(weight=None)
        result = m.communities(graph, seed=context.seed)
        ordered = [[net.index[v] for v in c] for c in result.communities]
        membership = np.empty(ties.n, dtype=np.int64)
        for index, community in enumerate(ordered):
            membership[community] = index
        modularity, sizes = result.modularity, [len(c) for c in ordered]
    cross = membership[ties.source] != membership[ties.target]
    reached: dict[int, set] = defaultdict(set)
    for u, v in zip(ties.source[cross].tolist(), ties.target[cross].tolist()):
        reached[u].add(int(membership[v]))
        reached[v].add(int(membership[u]))
    rows = [{"level": "network", "iri": None, "label": "hele netwerk / whole network", "communities": len(ordered),
             "modularity": modularity}]
    rows += sorted((_node_row(net, i, community=int(c), size=sizes[c],
                              bridges_to="; ".join(str(x) for x in sorted(reached.get(i, ()))))
                    for i, c in enumerate(membership.tolist())), key=lambda r: (r["community"], r["label"], r["iri"]))
    return rows


def _spanners(context: _Context) -> list[dict]:
    networks, net = context.networks, context.net
    ties = context.ties()
    values = context.values()
    _, found = _brokered(context, ties, values, "spanners")
    crossing = found.counts.sum(axis=1) - found.counts[:, 0]
    contexts: dict[str, set] = defaultdict(set)  # a node's neighbours in the two-mode network
    for tie in networks.selected_ties(context.selection):
        contexts[tie.actor].add(tie.context)
        contexts[tie.context].add(tie.actor)
    rows = []
    for rank, row in enumerate(spanners_of(ties, values, crossing), start=1):
        mine = sorted(contexts.get(row["node"], ()))
        rows.append(_node_row(net, net.index[row["node"]], rank=rank, group=row["group"],
                              groups_reached=len(row["groups_reached"]),
                              groups="; ".join(map(str, row["groups_reached"])),
                              external_ties=row["external_ties"], ties=row["ties"],
                              brokerage_between_groups=row["brokerage_between_groups"], networks=len(mine),
                              network_labels="; ".join(sorted(networks.label(c) for c in mine))))
    return rows


def _change(context: _Context) -> list[dict]:
    networks, selection, projection = context.networks, context.selection, context.projection
    before, after = context.before, context.after
    if before is not None and after is not None:
        old, new = networks.projection(before, projection), networks.projection(after, projection)
        ties = m.ties_gained_lost(old, new)
        churn = m.membership_churn(old, new)
        label = {**{n: a.get("label", n) for n, a in zip(old.nodes, old.attributes)},
                 **{n: a.get("label", n) for n, a in zip(new.nodes, new.attributes)}}
        rows = [{"level": "network", "iri": None, "label": "hele netwerk / whole network", "gained": len(ties.gained),
                 "lost": len(ties.lost), "kept": len(ties.kept), "jaccard": ties.jaccard, "joined": len(churn.joined),
                 "left": len(churn.left), "churn": churn.churn}]
        rows += [{"level": "tie", "iri": None, "source": a, "target": b, "label": f"{label[a]} — {label[b]}", "change": kind}
                 for kind, pairs in (("gained", ties.gained), ("lost", ties.lost)) for a, b in pairs]
        rows += [{"level": "node", "iri": n, "label": label[n], "change": kind}
                 for kind, nodes in (("joined", churn.joined), ("left", churn.left)) for n in nodes]
        return rows
    years = years_in(networks, selection)
    snapshots = []
    for year in context.progress.iterate(years, len(years), "networks per year", "years"):
        net = networks.projection(_year(selection, year), projection)
        if net.number_of_nodes():
            snapshots.append((year, net))
    if not snapshots:
        return []
    result = m.change_over_time_of([(y, ties_of_projection(net), context.values(net)) for y, net in snapshots],
                                   context.attribute, budget=BROKERAGE_BUDGET, samples=BROKERAGE_SAMPLES,
                                   seed=context.seed)
    if result.estimated:
        _note(context, f"change: brokers between groups estimated in {', '.join(map(str, result.estimated))} "
                       f"(brokered pairs of the nodes with the most contacts from {BROKERAGE_SAMPLES:,} random pairs "
                       f"of their contacts each, seed {context.seed})")
    labels = {}
    for _, net in snapshots:
        for node, attrs in zip(net.nodes, net.attributes):
            labels.setdefault(node, attrs.get("label", node))
    rows = []
    for year in result.years:
        rows.append({"level": "year", "iri": None, "label": str(year.year), "year": year.year, "nodes": year.nodes,
                     "ties": year.ties, "ei": year.ei, "ei_expected": year.ei_expected, "blau": year.composition.blau,
                     "ties_gained": year.ties_gained, "ties_lost": year.ties_lost, "joined": year.joined,
                     "left": year.left, "brokers": "; ".join(labels.get(v, str(v)) for v, _ in year.brokers)})
    return rows


def _year(selection: Selection, year: int) -> Selection:
    return Selection(**{**selection.__dict__, "start": f"{year}-01-01", "end": f"{year}-12-31"})



_ROWS = {"ei": _ei, "brokerage": _brokerage, "blau": _blau, "composition": _composition,
         "assortativity": _assortativity, "constraint": _constraint, "betweenness": _betweenness,
         "communities": _communities, "spanners": _spanners, "change": _change}
