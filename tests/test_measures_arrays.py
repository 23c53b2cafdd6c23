"""The array kernels (numpy, igraph) behind the measures give networkx's numbers.

Each igraph or numpy computation is checked against networkx (to 1e-9) on the reference networks
of tests/fixtures/measures and on random graphs; the brokerage kernel against the plain
definition; the estimates (sampled betweenness, sampled brokerage) against what they estimate.
"""

from __future__ import annotations

import importlib
import math
import random
from itertools import permutations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.analysis import betweenness, brokered_pairs, communities, constraint, effective_size
from graph.analysis.measures import _arrays as A
from reference_networks import EMON, emon

structure = importlib.import_module("graph.analysis.measures.structure")
brokerage_module = importlib.import_module("graph.analysis.measures.brokerage")


@st.composite
def graphs(draw, max_nodes: int = 14, directed: bool = False):
    """A random simple graph with integer weights 1-5 and a group (0-3) per node."""
    n = draw(st.integers(min_value=1, max_value=max_nodes))
    G = nx.DiGraph() if directed else nx.Graph()
    for v in range(n):
        G.add_node(v, group=draw(st.integers(min_value=0, max_value=3)))
    pairs = [(u, v) for u in range(n) for v in range(n) if u != v and (directed or u < v)]
    if pairs:
        for u, v in draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))):
            G.add_edge(u, v, weight=draw(st.integers(min_value=1, max_value=5)))
    return G


def assert_same(expected: dict, found: dict) -> None:
    assert expected.keys() == found.keys()
    for v, x in expected.items():
        y = found[v]
        if x is None or (isinstance(x, float) and math.isnan(x)):
            assert y is None or (isinstance(y, float) and math.isnan(y)), v
        else:
            assert y == pytest.approx(x, abs=1e-9, rel=1e-9), v


def reference() -> list[nx.Graph]:
    """The emon networks (symmetrised) and networkx's classic small social networks."""
    return [emon(name, directed=False) for name in EMON] + [
        nx.karate_club_graph(), nx.florentine_families_graph(), nx.davis_southern_women_graph()]


# -- betweenness -------------------------------------------------------------------------------------

@pytest.mark.parametrize("G", reference(), ids=lambda G: str(len(G)))
def test_igraph_betweenness_equals_networkx_on_reference_networks(G):
    for normalized in (False, True):
        assert_same(nx.betweenness_centrality(G, normalized=normalized), betweenness(G, normalized=normalized))


@pytest.mark.parametrize("name", EMON)
def test_igraph_betweenness_equals_networkx_on_directed_emon(name):
    G = emon(name)
    assert_same(nx.betweenness_centrality(G, normalized=False), betweenness(G))


@settings(max_examples=150, deadline=None)
@given(graphs(), st.integers(min_value=1, max_value=14), st.integers(min_value=0, max_value=99), st.booleans())
def test_sampled_betweenness_equals_networkx_with_the_same_pivots(G, k, seed, normalized):
    """k pivots drawn with a seed: the pivots and the scaling networkx's betweenness_centrality uses."""
    k = min(k, len(G))
    assert_same(nx.betweenness_centrality(G, k=k, seed=seed, normalized=normalized),
                betweenness(G, k=k, seed=seed, normalized=normalized))


@settings(max_examples=80, deadline=None)
@given(graphs(directed=True), st.integers(min_value=1, max_value=14), st.integers(min_value=0, max_value=99))
def test_directed_betweenness_equals_networkx_exact_and_sampled(G, k, seed):
    assert_same(nx.betweenness_centrality(G, normalized=False), betweenness(G))
    k = min(k, len(G))
    assert_same(nx.betweenness_centrality(G, k=k, seed=seed, normalized=False), betweenness(G, k=k, seed=seed))


@settings(max_examples=60, deadline=None)
@given(graphs(), st.integers(min_value=1, max_value=14))
def test_betweenness_in_batches_of_sources_adds_up_to_one_run(G, k):
    """The progress bar splits the sources into batches; the paths out of each source add up."""
    ties = A.ties_of(G)
    k = min(k, len(G))
    for pivots in (None, k):
        whole = A.betweenness_values(ties, k=pivots, seed=3)
        batched = A.betweenness_values(ties, k=pivots, seed=3, tick=lambda done: None)
        assert batched.tolist() == pytest.approx(whole.tolist(), nan_ok=True, abs=1e-9)


def test_sampled_betweenness_estimates_the_exact_values():
    """Brandes and Pich (2007): the estimate from k pivots is unbiased; with half the nodes as
    pivots, the ranking of the top nodes of a 300-node scale-free graph stays."""
    G = nx.barabasi_albert_graph(300, 3, seed=1)
    exact = betweenness(G)
    estimate = betweenness(G, k=150, seed=1)
    top = sorted(exact, key=exact.get, reverse=True)[:5]
    assert set(top) <= set(sorted(estimate, key=estimate.get, reverse=True)[:10])
    assert sum(estimate.values()) == pytest.approx(sum(exact.values()), rel=0.15)


# -- constraint and effective size -----------------------------------------------------------------------

@pytest.mark.parametrize("G", reference(), ids=lambda G: str(len(G)))
@pytest.mark.parametrize("method", ["dense", "igraph"])
def test_constraint_equals_networkx_on_reference_networks(G, method):
    """numpy (dense) and igraph's Graph.constraint() both compute Burt's constraint as networkx does."""
    ties = A.ties_of(G)
    found = dict(zip(ties.nodes, A.constraint_values(ties, method=method).tolist()))
    assert_same(nx.constraint(G), found)


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_constraint_and_effective_size_equal_networkx_with_and_without_weights(G):
    for method in ("dense", "igraph"):
        for weight in (None, "weight"):
            ties = A.ties_of(G, weight)
            found = dict(zip(ties.nodes, A.constraint_values(ties, weighted=weight is not None, method=method).tolist()))
            assert_same(nx.constraint(G, weight=weight), found)
    assert_same({v: None if math.isnan(x) else x for v, x in nx.effective_size(G).items()}, effective_size(G))
    assert_same({v: None if math.isnan(x) else x for v, x in nx.constraint(G).items()}, constraint(G))


def test_directed_constraint_and_weighted_effective_size_stay_with_networkx():
    G = emon("Texas")
    assert_same({v: None if math.isnan(x) else x for v, x in nx.constraint(G).items()}, constraint(G))
    W = nx.karate_club_graph()
    assert_same(nx.effective_size(W, weight="weight"), effective_size(W, weight="weight"))


# -- brokerage -------------------------------------------------------------------------------------------

def brokered_by_definition(G: nx.Graph, attribute: str) -> dict:
    """Gould and Fernandez's definition, literally: ordered pairs (a, c) of v's contacts, not tied."""
    roles = {}
    for v in G:
        counts = dict.fromkeys(A.ROLE_NAMES, 0)
        for a, c in permutations(G[v], 2):
            if not G.has_edge(a, c):
                ga, gv, gc = G.nodes[a][attribute], G.nodes[v][attribute], G.nodes[c][attribute]
                role = ("coordinator" if gc == gv else "representative") if ga == gv else (
                    "gatekeeper" if gc == gv else ("itinerant" if ga == gc else "liaison"))
                counts[role] += 1
        counts["total"] = sum(counts.values())
        roles[v] = counts
    return roles


@settings(max_examples=150, deadline=None)
@given(graphs(max_nodes=20))
def test_bit_matrix_brokerage_equals_the_definition_and_the_symmetric_digraph(G):
    expected = brokered_by_definition(G, "group")
    assert brokered_pairs(G, "group") == expected
    assert brokered_pairs(G.to_directed(), "group") == expected  # the plain loop over a symmetric digraph
    ties = A.ties_of(G)
    group, categories = A.codes([G.nodes[v]["group"] for v in ties.nodes])
    without_bits = A.brokered(ties, group, len(categories), bitset_bytes=0)  # sorted keys instead of the bit matrix
    assert {v: dict(zip(A.ROLE_NAMES, row)) for v, row in zip(ties.nodes, without_bits.counts.tolist())} == \
        {v: {r: c[r] for r in A.ROLE_NAMES} for v, c in expected.items()}


def test_brokerage_with_many_groups_keeps_the_expectations():
    """Above MANY_GROUPS groups the expected counts come from closed forms; they equal the sums
    over pairs and triples of groups (here: 80 groups, every expectation to 1e-12)."""
    rng = random.Random(5)
    sizes = {g: rng.randint(1, 9) for g in range(80)}
    N = sum(sizes.values())
    d = 0.3
    expected, sd = brokerage_module._network_expectations_closed(list(sizes.values()), N, d)
    saved = brokerage_module.MANY_GROUPS
    try:
        brokerage_module.MANY_GROUPS = 10_000
        plain_e, plain_sd = brokerage_module._network_expectations(list(sizes.values()), N, d)
        per_group = {g: brokerage_module._node_expectations(g, sizes, N, d) for g in sizes}
        brokerage_module.MANY_GROUPS = 0
        closed_groups = brokerage_module._node_expectations_all(sizes, N, d)
    finally:
        brokerage_module.MANY_GROUPS = saved
    assert expected == pytest.approx(plain_e, rel=1e-12) and sd == pytest.approx(plain_sd, rel=1e-12)
    for g in sizes:
        assert closed_groups[g][0] == pytest.approx(per_group[g][0], rel=1e-12)
        assert closed_groups[g][1] == pytest.approx(per_group[g][1], rel=1e-12)


def test_sampled_brokerage_is_exact_where_a_sample_covers_all_pairs_and_estimates_the_rest():
    """A hub tied to 60 nodes in 3 groups (no ties among them): its 60 x 59 ordered pairs are all
    open, 1/3 within a group. With a budget of 0, nodes with at most ``samples`` pairs of contacts
    are counted exactly; the hub is estimated from 2,000 pairs, within 10% per role, the same for
    the same seed."""
    G = nx.star_graph(60)
    for v in G:
        G.nodes[v]["group"] = "hub" if v == 0 else f"g{v % 3}"
    G.add_edge(1, 2)
    ties = A.ties_of(G)
    group, categories = A.codes([G.nodes[v]["group"] for v in ties.nodes])
    exact = A.brokered(ties, group, len(categories))
    found = A.brokered(ties, group, len(categories), budget=0, samples=2000, seed=7)
    assert found.sampled.tolist() == [0] and found.threshold == 2 and found.samples == 2000  # nodes 1, 2: two ties
    assert found.counts[1:].tolist() == exact.counts[1:].tolist()
    assert found.counts[0].sum() == pytest.approx(exact.counts[0].sum(), rel=0.02)
    for role in range(5):
        assert found.counts[0][role] == pytest.approx(exact.counts[0][role], rel=0.1, abs=30)
    again = A.brokered(ties, group, len(categories), budget=0, samples=2000, seed=7)
    assert again.counts.tolist() == found.counts.tolist()


# -- communities -------------------------------------------------------------------------------------------

def test_igraph_louvain_above_the_threshold_is_reproducible_and_good(monkeypatch):
    """Zachary's karate club (unweighted) with igraph's multilevel method (the threshold set to 0):
    a partition of every node, the same for the same seed, with the modularity networkx computes
    for that partition, near the known optimum 0.4198 (Brandes et al. 2008): Louvain stops in a
    local optimum, here 0.392 for seed 0 (igraph 0.11 with seeds 0-5 finds 0.392-0.4198)."""
    monkeypatch.setattr(structure, "LOUVAIN_NETWORKX_TIES", 0)
    G = nx.karate_club_graph()
    found = communities(G, seed=0)
    assert found.method == "igraph"
    assert sorted(found.membership) == sorted(G)
    assert found.modularity == pytest.approx(nx.community.modularity(G, found.communities, weight=None), abs=1e-12)
    assert 0.38 <= found.modularity <= 0.41979 + 1e-5
    assert communities(G, seed=0) == found
    assert max(communities(G, seed=s).modularity for s in range(6)) == pytest.approx(0.4198, abs=1e-4)
    ties = A.ties_of(G)
    membership = np.array([found.membership[v] for v in ties.nodes])
    assert A.modularity_of(ties.unit(), membership) == pytest.approx(found.modularity, abs=1e-12)


def test_cut_edges_are_the_bridges_networkx_finds():
    G = nx.barbell_graph(5, 3)
    G.add_edges_from([(20, 21), (21, 22)])
    assert structure._cut_edges(G) == {frozenset(e) for e in nx.bridges(G)}


def test_brokerage_counts_bits_the_same_without_numpy_2(monkeypatch):
    """numpy < 2 has no bitwise_count: the bits are then counted byte by byte, with equal results."""
    G = nx.gnp_random_graph(40, 0.3, seed=2)
    for v in G:
        G.nodes[v]["group"] = v % 3
    native = brokered_pairs(G, "group")
    monkeypatch.delattr(np, "bitwise_count")
    assert brokered_pairs(G, "group") == native == brokered_by_definition(G, "group")


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=3000), st.integers(min_value=2, max_value=50))
def test_a_budget_keeps_every_node_up_to_the_stated_number_of_ties_exact(budget, samples):
    """The note says "exact for the nodes with at most T ties": no node with T ties or fewer is sampled."""
    G = nx.barabasi_albert_graph(120, 4, seed=budget)
    for v in G:
        G.nodes[v]["group"] = v % 4
    ties = A.ties_of(G)
    group, categories = A.codes([G.nodes[v]["group"] for v in ties.nodes])
    exact = A.brokered(ties, group, len(categories))
    found = A.brokered(ties, group, len(categories), budget=budget, samples=samples, seed=1)
    degree = ties.degree()
    if found.sampled.size:
        assert degree[found.sampled].min() > found.threshold
        kept = np.setdiff1d(np.arange(ties.n), found.sampled)
        assert found.counts[kept].tolist() == exact.counts[kept].tolist()
    else:
        assert found.counts.tolist() == exact.counts.tolist()
