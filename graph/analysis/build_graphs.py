"""The networks of a selection as networkx graphs, every edge keeping its evidence: the two-mode
graph of actors and contexts, and the actor and network projections (made from their arrays)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator

import networkx as nx

from graph.analysis.attributes import span_text
from graph.analysis.projection import Projection
from graph.analysis.selection import Selection
from graph.analysis.ties import Tie

Evidence = tuple[list, set, set]  # evidence items, with their periods and their sources


class GraphBuilders:
    """networkx graphs with evidence: the part of :class:`~graph.analysis.build.KnowledgeGraphNetworks`
    that builds what :meth:`network` returns."""

    def _add_node(self, graph: nx.Graph, iri: str, **extra) -> None:
        if iri not in graph:
            graph.add_node(iri, **self.node_attributes(iri), **extra)

    def _set_roles(self, graph: nx.Graph, ties: list[Tie]) -> None:
        for actor, top in self._roles(ties, graph).items():
            if "role" not in graph.nodes[actor]:
                graph.nodes[actor].update(role=self._slug(top), role_label=self.label(top))

    def _two_mode(self, ties: list[Tie]) -> nx.Graph:
        graph = nx.Graph()
        for tie in ties:
            self._add_node(graph, tie.actor, bipartite=0)
            self._add_node(graph, tie.context, bipartite=1)
            if graph.has_edge(tie.actor, tie.context):
                data = graph.edges[tie.actor, tie.context]
                data["evidence"].append(self.evidence(tie))
                data["weight"] = len(data["evidence"])
            else:
                graph.add_edge(tie.actor, tie.context, weight=1, relation=tie.relation, role=self._slug(tie.role),
                               period=span_text(tie.span), evidence=[self.evidence(tie)])
        self._set_roles(graph, ties)
        return graph

    def _actors(self, ties: list[Tie], sel: Selection, kinds: tuple[str, ...]) -> nx.Graph:
        built, (affiliations, contexts, table) = self._actor_pairs(ties, sel, kinds, keep=True)
        graph = _graph_of_nodes(built)
        evidence_of = self._evidence_memo(lambda actor, context: affiliations[actor][context])
        label = functools.cache(self.label)
        for a, b, closest in _edges_with_blocks(built, table, contexts):
            found, periods, sources = _joined(evidence_of(actor, c) for c in closest for actor in (a, b))
            graph.add_edge(a, b, weight=len(closest), contexts=closest, context_labels=sorted({label(c) for c in closest}),
                           periods=periods, sources=sources, evidence=found)
        return graph

    def _networks(self, ties: list[Tie]) -> nx.Graph:
        built, (by_actor, actors, table) = self._network_pairs(ties, keep=True)
        graph = _graph_of_nodes(built)
        evidence_of = self._evidence_memo(lambda actor, context: [(tie, None) for tie in by_actor[actor][context]])
        label = functools.cache(self.label)

        def tagged(actor: str, context: str) -> Evidence:  # each item names the actor (a new dict per edge)
            items, periods, sources = evidence_of(actor, context)
            return [dict(item, actor=actor) for item in items], periods, sources

        for a, b, sharing in _edges_with_blocks(built, table, actors):
            found, periods, sources = _joined(tagged(actor, c) for actor in sharing for c in (a, b))
            graph.add_edge(a, b, weight=len(sharing), actors=sharing, evidence=found,
                           context_labels=sorted(label(x) for x in sharing), periods=periods, sources=sources)
        return graph

    def _evidence_memo(self, ties_of: Callable[[str, str], Iterable[tuple[Tie, str | None]]]
                       ) -> Callable[[str, str], Evidence]:
        """The evidence of an actor in a context, made once per pair from ``ties_of(actor, context)``:
        (tie, enclosing context it counts for or None) pairs."""
        made: dict[tuple[str, str], Evidence] = {}

        def evidence_of(actor: str, context: str) -> Evidence:
            key = (actor, context)
            found = made.get(key)
            if found is None:
                items = [self.evidence(tie, outer) for tie, outer in ties_of(actor, context)]
                found = made[key] = (items, {x["period"] for x in items if x["period"]},
                                     {s for x in items for s in x["sources"]})
            return found

        return evidence_of


def _graph_of_nodes(built: Projection) -> nx.Graph:
    """A graph with the nodes (and their attributes) of a projection, in its order, and no edges."""
    graph = nx.Graph()
    graph.add_nodes_from(zip(built.nodes, built.attributes))
    return graph


def _edges_with_blocks(built: Projection, table, names: list[str]) -> Iterator[tuple[str, str, list[str]]]:
    """Each edge of a projection built with ``keep``: its two nodes and the sorted names of the
    blocks (shared contexts, or sharing actors) it counts."""
    nodes, ptr, blocks = built.nodes, table.block_ptr.tolist(), table.blocks.tolist()
    for e, (u, v) in enumerate(zip(built.source.tolist(), built.target.tolist())):
        yield nodes[u], nodes[v], sorted(names[x] for x in blocks[ptr[e]:ptr[e + 1]])


def _joined(pieces: Iterable[Evidence]) -> tuple[list, list, list]:
    """Several pieces of evidence as one: the items in order, the periods and the sources sorted."""
    found, periods, sources = [], set(), set()
    for items, item_periods, item_sources in pieces:
        found += items
        periods |= item_periods
        sources |= item_sources
    return found, sorted(periods), sorted(sources)
