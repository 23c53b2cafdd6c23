"""Structural holes, betweenness, communities and the ties that bridge communities.

- ``constraint`` and ``effective_size``: Burt's (1992) measures, as networkx defines them (Burt
  and, for unweighted undirected graphs, Borgatti's 1997 simplification n - 2t/n). Weights are
  tie strengths (mutual weights, as Burt); isolates get None. Undirected graphs are computed with
  numpy (dense, about n^3 operations) or igraph (about the sum of squared degrees), whichever
  is cheaper; the effective size of an unweighted graph from igraph's triangle counts.
  Directed graphs and multigraphs use networkx.
- ``betweenness``: Freeman's betweenness by Brandes' algorithm; with ``weight`` (a tie
  strength) a tie's length is 1 / weight (Opsahl, Agneessens and Skvoretz 2010, alpha = 1).
  Unnormalised values count each pair once in an undirected graph, ordered pairs in a
  directed one (as R's sna::betweenness). Unweighted graphs are computed with igraph, scaled as
  networkx scales them; ``k`` estimates it from the shortest paths out of k pivots, the pivots
  networkx's ``betweenness_centrality(k=k, seed=seed)`` would draw (Brandes and Pich 2007), so
  the result equals networkx's.
- ``communities``: Louvain modularity optimisation (Blondel et al. 2008) with a fixed seed, so
  the result is reproducible: networkx's implementation, and above :data:`LOUVAIN_NETWORKX_TIES`
  ties igraph's (``community_multilevel``, the same method in C, with its random numbers drawn
  from ``random.Random(seed)``); the two find different, equally valid partitions, and the result
  says which was used (``method``). Directed ties are treated as undirected (the weights of
  reciprocal arcs add up).
- ``community_bridges``: the ties between communities, per pair of communities, with the nodes
  that hold them and which of those ties are cut edges (their removal disconnects the graph).

References:
    Burt, R. S. (1992). Structural Holes: The Social Structure of Competition. Harvard UP.
    Borgatti, S. P. (1997). Structural holes: unpacking Burt's redundancy measures.
    Connections 20(1), 35-38.
    Freeman, L. C. (1977). A set of measures of centrality based on betweenness. Sociometry
    40(1), 35-41. doi:10.2307/3033543
    Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal of Mathematical
    Sociology 25(2), 163-177. doi:10.1080/0022250X.2001.9990249
    Opsahl, T., Agneessens, F. and Skvoretz, J. (2010). Node centrality in weighted networks.
    Social Networks 32(3), 245-251. doi:10.1016/j.socnet.2010.03.006
    Blondel, V. D., Guillaume, J.-L., Lambiotte, R. and Lefebvre, E. (2008). Fast unfolding of
    communities in large networks. J. Stat. Mech. P10008. doi:10.1088/1742-5468/2008/10/P10008
    Brandes, U. and Pich, C. (2007). Centrality estimation in large networks. International
    Journal of Bifurcation and Chaos 17(7), 2303-2318. doi:10.1142/S0218127407018403
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.analysis.measures._arrays import (
    betweenness_values,
    constraint_values,
    effective_size_values,
    igraph_of,
    louvain,
    ties_of,
)
from graph.analysis.measures._common import Rows, simple_edges
from graph.errors import InputError

_LENGTH = "__leernet_length"
LOUVAIN_NETWORKX_TIES = 200_000  # above this many ties, communities are found with igraph


def _values(nodes: list, values, only: Iterable[Hashable] | None = None) -> dict[Hashable, float | None]:
    """Node -> value, NaN as None, for all nodes or ``only`` those."""
    found = {v: None if math.isnan(x) else x for v, x in zip(nodes, values.tolist())}
    return found if only is None else {v: found[v] for v in only}


def _nan_to_none(values: dict[Hashable, float]) -> dict[Hashable, float | None]:
    """Replace networkx's NaN (undefined, e.g. for isolates) with None."""
    return {v: None if isinstance(x, float) and math.isnan(x) else x for v, x in values.items()}


def constraint(G: nx.Graph, weight: str | None = None, nodes: Iterable[Hashable] | None = None) -> dict[Hashable, float | None]:
    """Burt's constraint of each node (higher: more closed-in); None for isolates."""
    if G.is_directed() or G.is_multigraph():
        return _nan_to_none(nx.constraint(G, nodes=nodes, weight=weight))
    ties = ties_of(G, weight)
    return _values(ties.nodes, constraint_values(ties, weighted=weight is not None), nodes)


def effective_size(G: nx.Graph, weight: str | None = None, nodes: Iterable[Hashable] | None = None) -> dict[Hashable, float | None]:
    """Burt's effective size of each node's ego network (non-redundant contacts); None for isolates."""
    if weight is not None or G.is_directed() or G.is_multigraph():
        return _nan_to_none(nx.effective_size(G, nodes=nodes, weight=weight))
    ties = ties_of(G)
    return _values(ties.nodes, effective_size_values(ties), nodes)


def betweenness(G: nx.Graph, weight: str | None = None, normalized: bool = False, k: int | None = None,
                seed: int = 0) -> dict[Hashable, float]:
    """Freeman betweenness of each node; ``weight`` is a tie strength, its length 1 / weight.
    ``k``: estimated from k pivots drawn with ``seed`` (as networkx's betweenness_centrality)."""
    if k is not None and k >= G.number_of_nodes():
        k = None
    if weight is None:
        ties = ties_of(G)
        return dict(zip(ties.nodes, betweenness_values(ties, normalized=normalized, k=k, seed=seed).tolist()))
    H = nx.DiGraph() if G.is_directed() else nx.Graph()
    H.add_nodes_from(G)
    for u, v, w in simple_edges(G, weight):
        if w <= 0:
            raise InputError(f"edge {u!r} - {v!r} has weight {w!r}; betweenness needs weights > 0",
                             ["drop ties of weight 0 or less, or pass weight=None"])
        H.add_edge(u, v, **{_LENGTH: 1 / w})
    return nx.betweenness_centrality(H, normalized=normalized, weight=_LENGTH, k=k, seed=seed if k else None)


def _undirected(G: nx.Graph, weight: str | None) -> nx.Graph:
    """``G`` as a simple undirected graph whose 'weight' sums the ties between each pair."""
    H = nx.Graph()
    H.add_nodes_from(G)
    for u, v, w in simple_edges(G, weight):
        if H.has_edge(u, v):
            H[u][v]["weight"] += w
        else:
            H.add_edge(u, v, weight=w)
    return H


@dataclass
class Communities(Rows):
    """Louvain communities, largest first; ``membership`` maps each node to its community index."""

    communities: list[frozenset] = field(default_factory=list)
    membership: dict[Hashable, int] = field(default_factory=dict)
    modularity: float | None = None
    seed: int = 0
    resolution: float = 1.0
    method: str = "networkx"  # or "igraph" (see the module docstring)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per node: node, community index, community size."""
        return [{"node": v, "community": c, "size": len(self.communities[c])} for v, c in self.membership.items()]


def communities(G: nx.Graph, weight: str | None = None, resolution: float = 1.0, seed: int = 0) -> Communities:
    """Louvain communities of ``G`` (directed ties as undirected), reproducible by ``seed``; networkx's
    implementation, igraph's above :data:`LOUVAIN_NETWORKX_TIES` ties."""
    H = _undirected(G, weight)
    method = "networkx"
    if H.number_of_edges() == 0:
        found = [{v} for v in H]
    elif H.number_of_edges() > LOUVAIN_NETWORKX_TIES:
        ties = ties_of(H, "weight")
        found = [{ties.nodes[i] for i in c} for c in louvain(ties, resolution=resolution, seed=seed)]
        method = "igraph"
    else:
        found = nx.community.louvain_communities(H, weight="weight", resolution=resolution, seed=seed)
    ordered = sorted((frozenset(c) for c in found), key=lambda c: (-len(c), sorted(map(str, c))))
    membership = {v: i for i, c in enumerate(ordered) for v in c}
    quality = nx.community.modularity(H, ordered, weight="weight", resolution=resolution) if H.number_of_edges() else None
    return Communities(communities=ordered, membership=membership, modularity=quality, seed=seed, resolution=resolution,
                       method=method)


@dataclass
class CommunityLink:
    """The ties between two communities ``a`` < ``b``: count, total weight, edges, cut edges."""

    a: int
    b: int
    ties: int
    weight: float
    edges: list[tuple] = field(default_factory=list)
    cut_edges: list[tuple] = field(default_factory=list)
    nodes: list[Hashable] = field(default_factory=list)


@dataclass
class CommunityBridges(Rows):
    """Links between communities, and per bridging node the other communities it reaches."""

    membership: dict[Hashable, int]
    links: list[CommunityLink] = field(default_factory=list)
    nodes: dict[Hashable, list[int]] = field(default_factory=dict)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per pair of linked communities."""
        return [{"community_a": link.a, "community_b": link.b, "ties": link.ties, "weight": link.weight,
                 "cut_edges": len(link.cut_edges), "nodes": "; ".join(sorted(map(str, link.nodes)))}
                for link in self.links]


def _membership(partition: Communities | Mapping[Hashable, int] | Iterable[Iterable[Hashable]]) -> dict[Hashable, int]:
    """A node -> community index mapping from any of the accepted partition forms."""
    if isinstance(partition, Communities):
        return dict(partition.membership)
    if isinstance(partition, Mapping):
        return dict(partition)
    return {v: i for i, c in enumerate(partition) for v in c}


def community_bridges(G: nx.Graph, partition: Communities | Mapping | Iterable | None = None,
                      weight: str | None = None, seed: int = 0) -> CommunityBridges:
    """Ties between communities (Louvain with ``seed`` unless a ``partition`` is given).

    ``partition`` may be a Communities result, a node -> community mapping or a list of node
    sets. Cut edges are inter-community ties whose removal disconnects the (undirected) graph.
    """
    membership = _membership(partition if partition is not None else communities(G, weight, seed=seed))
    missing = [v for v in G if v not in membership]
    if missing:
        raise InputError(f"{len(missing)} nodes are in no community, e.g. {missing[0]!r}",
                         ["give a partition that covers every node of the graph"])
    H = _undirected(G, weight)
    cut = _cut_edges(H)
    links: dict[tuple[int, int], CommunityLink] = {}
    reached: dict[Hashable, set[int]] = {}
    for u, v, data in H.edges(data=True):
        cu, cv = membership[u], membership[v]
        if cu == cv:
            continue
        a, b = min(cu, cv), max(cu, cv)
        link = links.setdefault((a, b), CommunityLink(a, b, 0, 0))
        edge = (u, v) if cu == a else (v, u)
        link.ties += 1
        link.weight += data["weight"]
        link.edges.append(edge)
        if frozenset((u, v)) in cut:
            link.cut_edges.append(edge)
        for node in (u, v):
            if node not in link.nodes:
                link.nodes.append(node)
        reached.setdefault(u, set()).add(cv)
        reached.setdefault(v, set()).add(cu)
    ordered = sorted(links.values(), key=lambda link: (-link.ties, link.a, link.b))
    return CommunityBridges(membership=membership, links=ordered,
                            nodes={v: sorted(cs) for v, cs in sorted(reached.items(), key=lambda x: (-len(x[1]), str(x[0])))})


def _cut_edges(H: nx.Graph) -> set[frozenset]:
    """The cut edges (bridges) of an undirected graph, found by igraph (the set networkx.bridges gives)."""
    ties = ties_of(H)
    graph = igraph_of(ties)
    return {frozenset((ties.nodes[int(ties.source[e])], ties.nodes[int(ties.target[e])])) for e in graph.bridges()}
