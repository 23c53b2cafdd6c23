"""Krackhardt and Stern's E-I index for the whole network, each group and each node.

E-I = (E - I) / (E + I), with E the ties that cross a group boundary and I the ties inside a
group; -1 means every tie stays inside its group, +1 means every tie crosses.

Conventions used here:

- A tie is an edge of an undirected graph or an arc of a directed graph, so a reciprocated pair
  of arcs counts twice (as UCINET and R's homophily package count a directed network).
- Whole network: every tie counted once, internal when both ends share the attribute value.
- Group g: internal = ties with both ends in g; external = ties with exactly one end in g, in
  either direction (the convention of Krackhardt and Stern 1988 and of ITNr's ``ei_group``).
- Node v: the ties incident on v (in- and out-arcs alike), external when the other end is in
  another group (Everett and Borgatti 2012).
- With ``weight``, E and I are sums of tie weights instead of counts.
- ``expected`` is the E-I of the complete graph with the same group sizes: the value expected
  when ties fall at random, whatever the density (under a uniform random graph with the same
  number of ties, E(E) and E(I) are proportional to the possible external and internal ties).
- An index with no ties to count (E + I = 0) is None.

References:
    Krackhardt, D. and Stern, R. N. (1988). Informal networks and organizational crises: an
    experimental simulation. Social Psychology Quarterly 51(2), 123-140. doi:10.2307/2786835
    Everett, M. G. and Borgatti, S. P. (2012). Categorical attribute based centrality: E-I and
    G-F centrality. Social Networks 34(4), 562-569. doi:10.1016/j.socnet.2012.06.002
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from graph.analysis.measures._arrays import Ties, codes, ei_sums, ties_of
from graph.analysis.measures._common import _MISSING, Rows, flatten, node_groups, ratio


@dataclass
class EIScore:
    """External and internal ties of one unit, its E-I index and the value expected at random."""

    external: float = 0
    internal: float = 0
    index: float | None = None
    expected: float | None = None
    possible_external: int = 0
    possible_internal: int = 0


@dataclass
class EIResult(Rows):
    """E-I index of a network (``network``), of each group (``groups``) and node (``nodes``)."""

    attribute: str
    directed: bool
    network: EIScore
    groups: dict[Hashable, EIScore] = field(default_factory=dict)
    nodes: dict[Hashable, EIScore] = field(default_factory=dict)
    node_group: dict[Hashable, Hashable] = field(default_factory=dict)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row for the network, one per group and one per node (column ``level``)."""
        rows = [{"level": "network", "key": None, "group": None, **flatten(self.network)}]
        rows += [{"level": "group", "key": g, "group": g, **flatten(s)} for g, s in self.groups.items()]
        rows += [{"level": "node", "key": v, "group": self.node_group[v], **flatten(s)}
                 for v, s in self.nodes.items()]
        return rows


def _score(external: float, internal: float, possible_external: int, possible_internal: int) -> EIScore:
    """An EIScore from its counts and the counts possible in the complete graph."""
    return EIScore(
        external=external,
        internal=internal,
        index=ratio(external - internal, external + internal),
        expected=ratio(possible_external - possible_internal, possible_external + possible_internal),
        possible_external=possible_external,
        possible_internal=possible_internal,
    )


def ei_index(G: nx.Graph, attribute: str, weight: str | None = None, default: Any = _MISSING) -> EIResult:
    """Krackhardt-Stern E-I index of ``G`` by the node attribute ``attribute``, at three levels.

    Group convention: a group's external ties have exactly one end in the group (either
    direction), its internal ties both; a node's ties are all ties incident on it. ``expected``
    is the index of the complete graph with the same group sizes. Nodes without the attribute
    get ``default`` when given, else InputError.
    """
    groups = node_groups(G, attribute, default)
    ties = ties_of(G, weight)
    return ei_of(ties, [groups[v] for v in ties.nodes], attribute)


def ei_of(ties: Ties, values: list, attribute: str) -> EIResult:
    """The E-I index of a graph given as arrays (see :mod:`graph.analysis.measures._arrays`), the
    group of node i being ``values[i]``: the computation behind :func:`ei_index`."""
    group, categories = codes(values)
    sums = ei_sums(ties, group, len(categories))
    sizes = np.bincount(group, minlength=len(categories)).tolist()
    n = ties.n
    arcs = 2 if ties.directed else 1  # a directed pair can hold two ties

    possible_internal = arcs * sum(k * (k - 1) // 2 for k in sizes)
    possible_all = arcs * n * (n - 1) // 2
    network = _score(sums.external, sums.internal, possible_all - possible_internal, possible_internal)
    ext_g, int_g = sums.group_external.tolist(), sums.group_internal.tolist()
    group_scores = {
        categories[g]: _score(ext_g[g], int_g[g], arcs * k * (n - k), arcs * k * (k - 1) // 2) for g, k in enumerate(sizes)
    }
    ext_v, int_v = sums.node_external.tolist(), sums.node_internal.tolist()
    node_scores = {
        v: _score(ext_v[i], int_v[i], arcs * (n - sizes[g]), arcs * (sizes[g] - 1))
        for i, (v, g) in enumerate(zip(ties.nodes, group.tolist()))
    }
    return EIResult(attribute=attribute, directed=ties.directed, network=network, groups=group_scores,
                    nodes=node_scores, node_group=dict(zip(ties.nodes, values)))
