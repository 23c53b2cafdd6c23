"""A ranking of boundary spanners: the nodes whose ties cross the most groups, and what they connect.

A boundary spanner (Tushman 1977; Aldrich and Herker 1977) links its own group to others. Each
node with at least one tie to another group is ranked by, in order:

1. the number of other groups its ties reach (in either direction);
2. its ties to other groups (a count, or summed weights with ``weight``);
3. its Gould-Fernandez brokerage between groups: the ordered pairs it brokers in any role but
   coordinator (itinerant, gatekeeper, representative, liaison), i.e. the pairs whose two-path
   crosses a group boundary (see ``brokerage``);
4. the node's name, so the order is stable.

``connects`` lists, per other group, the neighbours the spanner reaches there.

References:
    Tushman, M. L. (1977). Special boundary roles in the innovation process. Administrative
    Science Quarterly 22(4), 587-605. doi:10.2307/2392402
    Aldrich, H. and Herker, D. (1977). Boundary spanning roles and organization structure.
    Academy of Management Review 2(2), 217-230. doi:10.5465/amr.1977.4409044
    Gould, R. V. and Fernandez, R. M. (1989). Structures of mediation. Sociological
    Methodology 19, 89-126. doi:10.2307/270949
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from graph.analysis.measures._arrays import Ties, _counts, codes
from graph.analysis.measures._common import _MISSING, Rows, node_groups, ratio, simple_edges
from graph.analysis.measures.brokerage import brokered_pairs


@dataclass
class BoundarySpanner:
    """One spanner: its group, the groups it reaches and through whom, its crossing ties."""

    rank: int
    node: Hashable
    group: Hashable
    groups_reached: list[Hashable]
    external_ties: float
    ties: float
    external_share: float | None
    brokerage_between_groups: int
    connects: dict[Hashable, list[Hashable]] = field(default_factory=dict)


@dataclass
class BoundarySpanners(Rows):
    """Boundary spanners, best first."""

    attribute: str
    ranking: list[BoundarySpanner] = field(default_factory=list)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per spanner; groups reached and neighbours as '; '-joined text."""
        return [{
            "rank": s.rank, "node": s.node, "group": s.group, "groups_reached": len(s.groups_reached),
            "groups": "; ".join(map(str, s.groups_reached)), "external_ties": s.external_ties, "ties": s.ties,
            "external_share": s.external_share, "brokerage_between_groups": s.brokerage_between_groups,
            "connects": " | ".join(f"{g}: {', '.join(map(str, ns))}" for g, ns in s.connects.items()),
        } for s in self.ranking]


def boundary_spanners(G: nx.Graph, attribute: str, weight: str | None = None, top: int | None = None,
                      default: Any = _MISSING) -> BoundarySpanners:
    """Rank the nodes of ``G`` whose ties cross groups of ``attribute`` (see module docstring).

    Ranked by groups reached, then ties to other groups, then brokerage between groups;
    ``top`` keeps the first ``top`` only.
    """
    groups = node_groups(G, attribute, default)
    ties = dict.fromkeys(groups, 0)
    external = dict.fromkeys(groups, 0)
    reach: dict[Hashable, dict[Hashable, set]] = {v: {} for v in groups}
    for u, v, w in simple_edges(G, weight):
        ties[u] += w
        ties[v] += w
        if groups[u] != groups[v]:
            external[u] += w
            external[v] += w
            reach[u].setdefault(groups[v], set()).add(v)
            reach[v].setdefault(groups[u], set()).add(u)
    pairs = brokered_pairs(G, attribute, default)
    candidates = []
    for v, reached in reach.items():
        if not reached:
            continue
        crossing = pairs[v]["total"] - pairs[v]["coordinator"]
        candidates.append((v, reached, crossing))
    candidates.sort(key=lambda c: (-len(c[1]), -external[c[0]], -c[2], str(c[0])))
    ranking = []
    for rank, (v, reached, crossing) in enumerate(candidates[:top] if top is not None else candidates, start=1):
        order = sorted(reached, key=lambda g: (-len(reached[g]), str(g)))
        ranking.append(BoundarySpanner(
            rank=rank, node=v, group=groups[v], groups_reached=order, external_ties=external[v], ties=ties[v],
            external_share=ratio(external[v], ties[v]), brokerage_between_groups=crossing,
            connects={g: sorted(reached[g], key=str) for g in order},
        ))
    return BoundarySpanners(attribute=attribute, ranking=ranking)


def spanners_of(ties: Ties, values: list, crossing: np.ndarray) -> list[dict[str, Any]]:
    """The ranking of :func:`boundary_spanners` for a graph given as arrays (node i in group
    ``values[i]``, ``crossing[i]`` its brokerage between groups), without the neighbours per group:
    one dict per spanner with node, group, groups_reached (in order), external_ties, ties and
    brokerage_between_groups, best first."""
    group, categories = codes(values)
    k, n = max(len(categories), 1), ties.n
    s, t, w = ties.source, ties.target, ties.weight
    total = (_counts(s, w, n) + _counts(t, w, n)).tolist()
    cross = group[s] != group[t]
    external = (_counts(s[cross], w[cross], n) + _counts(t[cross], w[cross], n)).tolist()
    keys = np.concatenate([s[cross] * k + group[t[cross]], t[cross] * k + group[s[cross]]])
    found, reached = np.unique(keys, return_counts=True)
    reach: dict[int, list[tuple[int, int]]] = {}
    for node, other, count in zip((found // k).tolist(), (found % k).tolist(), reached.tolist()):
        reach.setdefault(node, []).append((other, count))
    crossing = crossing.tolist()
    nodes = ties.nodes
    order = sorted(reach, key=lambda v: (-len(reach[v]), -external[v], -crossing[v], str(nodes[v])))
    return [{"node": nodes[v], "group": values[v],
             "groups_reached": [categories[g] for g, _ in sorted(reach[v], key=lambda x: (-x[1], str(categories[x[0]])))],
             "external_ties": external[v], "ties": total[v], "brokerage_between_groups": crossing[v]} for v in order]
