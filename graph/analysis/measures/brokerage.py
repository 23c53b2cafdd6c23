"""Gould and Fernandez brokerage roles per node, with expected counts and z-scores.

A node v brokers the ordered pair (a, c) when a -> v -> c and there is no arc a -> c (a, v, c
distinct). By the groups of a, v and c the pair is brokered in one of five roles:

==============  ===============  ==========================================
role            two-path         R sna::brokerage column
==============  ===============  ==========================================
coordinator     A -> A -> A      w_I
itinerant       A -> B -> A      w_O
gatekeeper      A -> B -> B      b_OI (an outsider's tie into v's group)
representative  A -> A -> B      b_IO (v's group's tie out to an outsider)
liaison         A -> B -> C      b_O
==============  ===============  ==========================================

Expected counts and standard deviations are those of Gould and Fernandez's null model (a
random digraph of the observed density d = arcs / (N(N - 1)) with the observed group sizes), in
the closed forms of R's sna::brokerage (Butts), which this module reproduces number for number
(tests/fixtures/measures holds sna's output for the emon networks). z = (observed - expected) /
sd; z is None where sd is 0.

Undirected graphs (a documented adaptation): an edge is read as a tie both ways, i.e. the graph
is analysed as the symmetric digraph, exactly what sna::brokerage does with a symmetric
adjacency matrix. Each unordered pair {a, c} brokered by v is then counted twice, once per
direction: twice as coordinator, itinerant or liaison, and once as gatekeeper plus once as
representative when v shares its group with one end only (an undirected tie has no "in" or
"out" side, so the two roles are equal). Counts are therefore ordered pairs in both cases.
Edge weights are ignored: brokerage is about the presence of ties.

References:
    Gould, R. V. and Fernandez, R. M. (1989). Structures of mediation: a formal approach to
    brokerage in transaction networks. Sociological Methodology 19, 89-126. doi:10.2307/270949
    Butts, C. T. (2008). Social network analysis with sna. Journal of Statistical Software
    24(6). doi:10.18637/jss.v024.i06 (sna 2.7-1, function brokerage)
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass, field
from itertools import permutations
from typing import Any

import networkx as nx
import numpy as np

from graph.analysis.measures._arrays import Brokered, Ties, brokered, codes, ties_of
from graph.analysis.measures._common import _MISSING, Rows, group_sizes, node_groups

MANY_GROUPS = 64  # with more groups the expectations are summed in closed form, not group by group

ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")
ROLES_AND_TOTAL = ROLES + ("total",)


@dataclass
class NodeBrokerage:
    """One node's brokerage: observed counts per role and total, expected, sd and z."""

    group: Hashable
    counts: dict[str, int]
    expected: dict[str, float]
    sd: dict[str, float]
    z: dict[str, float | None]


@dataclass
class BrokerageResult(Rows):
    """Brokerage per node (``nodes``) and for the whole network (``counts`` ... ``z``)."""

    attribute: str
    directed: bool
    density: float
    group_sizes: dict[Hashable, int]
    nodes: dict[Hashable, NodeBrokerage] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    expected: dict[str, float] = field(default_factory=dict)
    sd: dict[str, float] = field(default_factory=dict)
    z: dict[str, float | None] = field(default_factory=dict)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per node and a last row for the network (``node`` None)."""
        rows = []
        for node, b in self.nodes.items():
            rows.append({"node": node, "group": b.group, **_columns(b.counts, b.expected, b.sd, b.z)})
        rows.append({"node": None, "group": None, **_columns(self.counts, self.expected, self.sd, self.z)})
        return rows


def _columns(counts: dict, expected: dict, sd: dict, z: dict) -> dict[str, Any]:
    """Flat ``role``, ``role_expected``, ``role_sd``, ``role_z`` columns."""
    row: dict[str, Any] = {}
    for role in ROLES_AND_TOTAL:
        row[role] = counts[role]
        row[f"{role}_expected"] = expected[role]
        row[f"{role}_sd"] = sd[role]
        row[f"{role}_z"] = z[role]
    return row


def _role(ga: Hashable, gv: Hashable, gc: Hashable) -> int:
    """Index in ROLES of the role of a broker in group gv between groups ga -> gc."""
    if ga == gv:
        return 0 if gc == gv else 3  # coordinator / representative
    if gc == gv:
        return 2  # gatekeeper
    return 1 if ga == gc else 4  # itinerant / liaison


def brokered_pairs(G: nx.Graph, attribute: str, default: Any = _MISSING) -> dict[Hashable, dict[str, int]]:
    """Observed Gould-Fernandez role counts per node (ordered pairs a -> v -> c, no arc a -> c).

    Undirected graphs are read as symmetric digraphs (see the module docstring) and counted with
    an adjacency bit matrix (graph.analysis.measures._arrays.brokered), in about sum over v of
    degree(v) * n / 64 operations; directed graphs cost O(sum over v of indegree(v) * outdegree(v)).
    """
    groups = node_groups(G, attribute, default)
    if not G.is_directed():
        ties = ties_of(G)
        group, categories = codes([groups[v] for v in ties.nodes])
        found = brokered(ties, group, len(categories))
        return {v: _row(counts) for v, counts in zip(ties.nodes, found.counts.tolist())}
    succ = {v: set(G.successors(v)) - {v} for v in G}
    pred = {v: set(G.predecessors(v)) - {v} for v in G}
    result = {}
    for v in G:
        gv = groups[v]
        counts = [0] * len(ROLES)
        outs = succ[v]
        for a in pred[v]:
            ga, reach = groups[a], succ[a]
            for c in outs:
                if c != a and c not in reach:
                    counts[_role(ga, gv, groups[c])] += 1
        result[v] = _row(counts)
    return result


def _row(counts: list[int]) -> dict[str, int]:
    row = dict(zip(ROLES, counts))
    row["total"] = sum(counts)
    return row


def brokerage(G: nx.Graph, attribute: str, default: Any = _MISSING) -> BrokerageResult:
    """Gould-Fernandez brokerage roles of every node of ``G`` by ``attribute``, with z-scores.

    Directed graphs exactly as Gould and Fernandez define the roles (ordered pairs a -> v -> c
    with no arc a -> c); undirected graphs as the symmetric digraph, so each brokered unordered
    pair counts twice. Expected counts, sd and z follow sna::brokerage's null model.
    """
    groups = node_groups(G, attribute, default)
    observed = brokered_pairs(G, attribute, default)
    return _result(attribute, G.is_directed(), groups, observed, ties_of(G).m)


def brokerage_of(ties: Ties, values: list, attribute: str, *, budget: float | None = None, samples: int = 4000,
                 seed: int = 0, tick=None) -> tuple[BrokerageResult, Brokered]:
    """The brokerage of an undirected graph given as arrays (node i in group ``values[i]``): exact,
    or with ``budget`` (see _arrays.brokered) estimated for the nodes with the most contacts, which
    the returned :class:`Brokered` lists."""
    group, categories = codes(values)
    found = brokered(ties, group, len(categories), budget=budget, samples=samples, seed=seed, tick=tick)
    observed = {v: _row(counts) for v, counts in zip(ties.nodes, found.counts.tolist())}
    return _result(attribute, False, dict(zip(ties.nodes, values)), observed, ties.m), found


def _result(attribute: str, directed: bool, groups: dict, observed: dict, ties: int) -> BrokerageResult:
    sizes = group_sizes(groups)
    n_nodes = len(groups)
    arcs = ties * (1 if directed else 2)
    density = arcs / (n_nodes * (n_nodes - 1)) if n_nodes > 1 else 0.0
    by_group = _node_expectations_all(sizes, n_nodes, density)
    nodes = {}
    for v, counts in observed.items():
        expected, sd = by_group[groups[v]]
        nodes[v] = NodeBrokerage(groups[v], counts, expected, sd, _z(counts, expected, sd))
    totals = {role: sum(c[role] for c in observed.values()) for role in ROLES_AND_TOTAL}
    expected, sd = _network_expectations(list(sizes.values()), n_nodes, density)
    return BrokerageResult(
        attribute=attribute, directed=directed, density=density, group_sizes=sizes,
        nodes=nodes, counts=totals, expected=expected, sd=sd, z=_z(totals, expected, sd),
    )


def _z(counts: dict, expected: dict, sd: dict) -> dict[str, float | None]:
    """(observed - expected) / sd per role; None where sd is 0."""
    return {r: (counts[r] - expected[r]) / sd[r] if sd[r] > 0 else None for r in ROLES_AND_TOTAL}


def _sd(variance: float) -> float:
    """Standard deviation from a variance (0 for a non-positive one)."""
    return math.sqrt(variance) if variance > 0 else 0.0


def _node_expectations(g: Hashable, sizes: dict, N: int, d: float) -> tuple[dict, dict]:
    """Expected role counts and sd of one broker in group ``g`` (sna::brokerage, exp.grp)."""
    ni = sizes[g]
    others = [k for h, k in sizes.items() if h != g]
    p = d * d * (1 - d)  # probability of an open two-path a -> v -> c
    q = d**3 * (1 - d) ** 3
    expected = {
        "coordinator": p * (ni - 1) * (ni - 2),
        "itinerant": p * sum(k * (k - 1) for k in others),
        "gatekeeper": p * (N - ni) * (ni - 1),
        "liaison": p * (sum(others) ** 2 - sum(k * k for k in others)),
        "total": p * (N - 1) * (N - 2),
    }
    expected["representative"] = expected["gatekeeper"]
    extra = {
        "coordinator": 2 * (ni - 1) * (ni - 2) * (ni - 3) * q,
        "itinerant": 2 * sum(k * (k - 1) * (k - 2) for k in others) * q,
        "gatekeeper": 2 * ((ni - 1) * math.comb(N - ni, 2) + (N - ni) * math.comb(max(ni - 1, 0), 2)) * q,
        "liaison": 4 * sum(k * math.comb(max(N - k - ni, 0), 2) for k in others) * q,
        "total": 2 * (N - 1) * (N - 2) * (N - 3) * q,
    }
    extra["representative"] = extra["gatekeeper"]
    sd = {r: _sd(expected[r] * (1 - p) + extra[r]) for r in ROLES_AND_TOTAL}
    return {r: expected[r] for r in ROLES_AND_TOTAL}, sd


def _node_expectations_all(sizes: dict, N: int, d: float) -> dict:
    """_node_expectations for every group; with many groups from sums over all groups (same values)."""
    if len(sizes) <= MANY_GROUPS:
        return {g: _node_expectations(g, sizes, N, d) for g in sizes}
    k = np.array(list(sizes.values()), dtype=np.float64)
    p = d * d * (1 - d)
    q = d**3 * (1 - d) ** 3
    square_sum = int(sum(x * x for x in sizes.values()))
    falling3 = sum(x * (x - 1) * (x - 2) for x in sizes.values())
    result = {}
    for g, ni in sizes.items():
        rest = N - ni
        rest_squares = square_sum - ni * ni
        expected = {
            "coordinator": p * (ni - 1) * (ni - 2),
            "itinerant": p * (rest_squares - rest),
            "gatekeeper": p * (N - ni) * (ni - 1),
            "liaison": p * (rest ** 2 - rest_squares),
            "total": p * (N - 1) * (N - 2),
        }
        expected["representative"] = expected["gatekeeper"]
        free = np.maximum(N - k - ni, 0)
        liaison_pairs = float((k * free * (free - 1) / 2).sum()) - ni * max(N - 2 * ni, 0) * (max(N - 2 * ni, 0) - 1) / 2
        extra = {
            "coordinator": 2 * (ni - 1) * (ni - 2) * (ni - 3) * q,
            "itinerant": 2 * (falling3 - ni * (ni - 1) * (ni - 2)) * q,
            "gatekeeper": 2 * ((ni - 1) * math.comb(N - ni, 2) + (N - ni) * math.comb(max(ni - 1, 0), 2)) * q,
            "liaison": 4 * liaison_pairs * q,
            "total": 2 * (N - 1) * (N - 2) * (N - 3) * q,
        }
        extra["representative"] = extra["gatekeeper"]
        sd = {r: _sd(expected[r] * (1 - p) + extra[r]) for r in ROLES_AND_TOTAL}
        result[g] = ({r: expected[r] for r in ROLES_AND_TOTAL}, sd)
    return result


def _network_expectations(n: list[int], N: int, d: float) -> tuple[dict, dict]:
    """Expected whole-network role counts and sd (sna::brokerage, exp.gli and sd.gli); with many
    groups the sums over pairs and triples of groups are taken in closed form from power sums."""
    if len(n) > MANY_GROUPS:
        return _network_expectations_closed(n, N, d)
    p, d3, d4, d5 = _path_probabilities(d)
    return _network_moments(
        n, N, p, d3, d4, d5,
        spread=sum(x * (N - x) * (x - 1) for x in n),
        liaison_paths=sum(x * y * (N - x - y) for x in n for y in n) - sum(x * x * (N - 2 * x) for x in n),
        itinerant_variance=sum(
            n[i] * n[j] * (n[i] - 1) * ((2 * n[i] + 2 * n[j] - 6) * d3 + (N - n[i] - 1) * d5)
            for i in range(len(n)) for j in range(len(n)) if i != j),
        liaison_variance=sum(
            n[i] * n[j] * n[k] * ((4 * (N - n[j]) - 2 * (n[i] + n[k] + 1)) * d3
                                  - (4 * (N - n[k]) - 2 * (n[i] + n[j] + 1)) * d4
                                  + (N - (n[i] + n[k] + 1)) * d5)
            for i, j, k in permutations(range(len(n)), 3)))


def _network_expectations_closed(n: list[int], N: int, d: float) -> tuple[dict, dict]:
    """_network_expectations with the sums over ordered pairs and triples of distinct groups
    written with the power sums p1..p4 of the group sizes (exact integers)."""
    p, d3, d4, d5 = _path_probabilities(d)
    p1, p2, p3, p4 = (sum(x ** e for x in n) for e in (1, 2, 3, 4))
    triples = p1 ** 3 - 3 * p1 * p2 + 2 * p3  # sum over distinct ordered (i, j, k) of n_i n_j n_k
    squared = p2 * (p1 * p1 - p2) - 2 * p1 * p3 + 2 * p4  # ... of n_i^2 n_j n_k
    constant = (4 * N - 2) * (d3 - d4) + (N - 1) * d5
    linear = (-2 * d3 + 2 * d4 - d5) + (-4 * d3 + 2 * d4) + (-2 * d3 + 4 * d4 - d5)
    return _network_moments(
        n, N, p, d3, d4, d5,
        spread=sum(x * (N - x) * (x - 1) for x in n),
        liaison_paths=(N * p1 * p1 - 2 * p1 * p2) - (N * p2 - 2 * p3),
        itinerant_variance=sum(
            x * (x - 1) * (((2 * x - 6) * d3 + (N - x - 1) * d5) * (p1 - x) + 2 * d3 * (p2 - x * x)) for x in n),
        liaison_variance=constant * triples + linear * squared)


def _path_probabilities(d: float) -> tuple[float, float, float, float]:
    """For density d: p, the probability of an open two-path, and the d3, d4, d5 of the variances."""
    return d * d * (1 - d), d**3 * (1 - d) ** 3, d**4 * (1 - d) ** 2, d**5 * (1 - d)


def _network_moments(n: list[int], N: int, p: float, d3: float, d4: float, d5: float, *, spread, liaison_paths,
                     itinerant_variance, liaison_variance) -> tuple[dict, dict]:
    """Expected whole-network role counts and sd from the terms that differ between the sums group
    by group and in closed form (``spread``: the sum of n_i (N - n_i) (n_i - 1))."""
    expected = {
        "coordinator": p * sum(x * (x - 1) * (x - 2) for x in n),
        "itinerant": p * spread,
        "gatekeeper": p * spread,
        "liaison": p * liaison_paths,
        "total": p * N * (N - 1) * (N - 2),
    }
    expected["representative"] = expected["gatekeeper"]
    variance = {r: e * (1 - p) for r, e in expected.items()}
    variance["coordinator"] += sum(
        x * (x - 1) * (x - 2) * ((4 * x - 10) * d3 - 4 * (x - 3) * d4 + (x - 3) * d5) for x in n)
    variance["itinerant"] += itinerant_variance
    variance["gatekeeper"] += sum(x * (N - x) * (x - 1) * ((N - 3) * d3 + (x - 2) * d5) for x in n)
    variance["representative"] = variance["gatekeeper"]
    variance["liaison"] += liaison_variance
    variance["total"] += N * (N - 1) * (N - 2) * ((4 * N - 10) * d3 - 4 * (N - 3) * d4 + (N - 3) * d5)
    return ({r: expected[r] for r in ROLES_AND_TOTAL},
            {r: _sd(variance[r]) for r in ROLES_AND_TOTAL})
