"""From the knowledge graph to networkx: the two-mode graph of actors and what they take part in,
and its one-mode projections, for a period and filters, every edge keeping its evidence.

:class:`KnowledgeGraphNetworks` reads the facts of one state of the store once
(:mod:`~graph.analysis.facts`), finds the ties of a selection (:mod:`~graph.analysis.ties`,
:mod:`~graph.analysis.selection`) and builds each network once per selection as arrays
(:mod:`~graph.analysis.build_arrays`, kept for the measures that follow) and, when asked for, as a
networkx graph with the evidence of every tie (:mod:`~graph.analysis.build_graphs`, with the node
attributes and evidence of :mod:`~graph.analysis.attributes`). The names of those modules stay
importable from here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict

import networkx as nx
import numpy as np

from graph.analysis.attributes import NodeAttributes
from graph.analysis.build_arrays import ArrayBuilders
from graph.analysis.build_graphs import GraphBuilders
from graph.analysis.facts import ACTOR_KINDS, CONTEXT_TYPES, PREDICATES, PRODUCT_SPACE, TYPES, StoreFacts, snapshot
from graph.analysis.projection import Projection
from graph.analysis.selection import PERIOD_FORMAT, PERIOD_HELP, Selection, overlaps, parse_period
from graph.analysis.ties import Tie, TieSelection
from graph.errors import InputError

__all__ = [
    "ACTOR_KINDS", "ACTOR_TYPES", "CONTEXT_TYPES", "ORGANISATION_TYPES", "PERIOD_FORMAT", "PERIOD_HELP", "PREDICATES",
    "PRODUCT_SPACE", "PROJECTIONS", "PROJECTION_CACHE", "TYPES", "KnowledgeGraphNetworks", "Selection", "Tie",
    "overlaps", "parse_period", "snapshot",
]

ACTOR_TYPES = ("organisation", "lectoraat", "collaboration", "person", "rolegroup")
ORGANISATION_TYPES = ("organisation", "lectoraat", "collaboration")
PROJECTIONS = ("organisations", "actors", "networks", "two-mode")
PROJECTION_CACHE = 6  # projections (as arrays) kept per state of the store, for the measures that follow


class KnowledgeGraphNetworks(GraphBuilders, ArrayBuilders, NodeAttributes, TieSelection, StoreFacts):
    """The facts of one state of the store, read once, from which every network is built."""

    def __init__(self, store, progress=None):
        self.store = store
        self.settings = store.settings
        self.base = store.settings.base_iri
        self.facts: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.graphs_of: dict[tuple, set] = defaultdict(set)
        self._memo: dict[tuple, object] = {}
        self._projections: OrderedDict[tuple, Projection] = OrderedDict()
        self._selected: OrderedDict[Selection, list[Tie]] = OrderedDict()
        self._attributes_of: dict[str, dict] = {}
        self._lock = threading.Lock()  # the API uses one instance from several threads
        self.generation = getattr(store, "generation", 0)  # the state of the store the facts were read in
        self._read(progress)
        self._classify()

    def network(self, sel: Selection | None = None, projection: str = "organisations") -> nx.Graph:
        """The graph of a selection: ``two-mode``, or the projection on ``organisations``, ``actors`` or ``networks``."""
        sel = sel or Selection()
        _check_projection(projection)
        ties = self.selected_ties(sel)
        if projection == "two-mode":
            graph = self._two_mode(ties)
        elif projection == "networks":
            graph = self._networks(ties)
        else:
            graph = self._actors(ties, sel, ORGANISATION_TYPES if projection == "organisations" else ACTOR_TYPES)
        graph.graph.update(self._graph_attributes(sel, projection))
        return graph

    def ego_network(self, center: str, radius: int = 1, sel: Selection | None = None,
                    projection: str = "organisations") -> nx.Graph:
        """``nx.ego_graph(self.network(sel, projection), center, radius)``, built from the ties of the
        actors within ``radius`` only: their neighbourhood is found in the array projection (kept
        for the measures), so the evidence of the millions of other ties is never built."""
        sel = sel or Selection()
        _check_projection(projection)
        if projection in ("two-mode", "networks"):  # contexts are nodes here: the whole graph, then the ego
            graph = self.network(sel, projection)
            return nx.ego_graph(graph, center, radius=radius) if center in graph else _empty(graph.graph)
        net = self.projection(sel, projection)
        if center not in net.index:
            return _empty(net.graph)
        reached = np.zeros(len(net.nodes), dtype=bool)
        reached[net.index[center]] = True
        for _ in range(radius):  # one vectorised step over the tie arrays per ring
            ends = reached[net.source] | reached[net.target]
            reached[net.source[ends]] = True
            reached[net.target[ends]] = True
        keep = {net.nodes[i] for i in np.flatnonzero(reached).tolist()}
        ties = [tie for tie in self.selected_ties(sel) if tie.actor in keep]
        graph = self._actors(ties, sel, ORGANISATION_TYPES if projection == "organisations" else ACTOR_TYPES)
        graph.graph.update(self._graph_attributes(sel, projection))
        return nx.ego_graph(graph, center, radius=radius)

    def projection(self, sel: Selection | None = None, projection: str = "organisations") -> Projection:
        """The network of a selection as arrays (nodes, attributes, edges and weights, without the
        evidence), as :meth:`network` would build it: what the measures compute on. The last
        :data:`PROJECTION_CACHE` are kept, so the measures of one run share one build."""
        sel = sel or Selection()
        _check_projection(projection)
        key = (projection, sel)
        found = self._recall(self._projections, key)
        if found is not None:
            return found
        ties = self.selected_ties(sel)
        if projection == "two-mode":
            built = self._two_mode_arrays(ties)
        elif projection == "networks":
            built = self._network_pairs(ties)[0]
        else:
            built = self._actor_pairs(ties, sel, ORGANISATION_TYPES if projection == "organisations" else ACTOR_TYPES)[0]
        built.kind = projection
        built.graph.update(self._graph_attributes(sel, projection))
        return self._keep(self._projections, key, built)

    def _recall(self, cache: OrderedDict, key):
        """A kept result (the most recently used move to the end), or None."""
        with self._lock:
            found = cache.get(key)
            if found is not None:
                cache.move_to_end(key)
            return found

    def _keep(self, cache: OrderedDict, key, value):
        """Keep a result, forgetting the least recently used beyond PROJECTION_CACHE."""
        with self._lock:
            cache[key] = value
            while len(cache) > PROJECTION_CACHE:
                cache.popitem(last=False)
        return value

    def _graph_attributes(self, sel: Selection, projection: str) -> dict:
        return {"projection": projection, "period": sel.period_label, "base": self.base,
                "filters": ";".join(v for v in (sel.theme, sel.region, sel.programme, sel.network_type) if v)}


def _empty(attributes: dict) -> nx.Graph:
    graph = nx.Graph()
    graph.graph.update(attributes)
    return graph


def _check_projection(projection: str) -> None:
    if projection not in PROJECTIONS:
        raise InputError(f"projection {projection!r} does not exist", [f"use one of: {', '.join(PROJECTIONS)}"])
