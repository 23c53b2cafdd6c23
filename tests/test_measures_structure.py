"""Constraint, effective size, betweenness, Louvain communities, community bridges, spanners."""

from __future__ import annotations


import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.analysis import (
    betweenness,
    boundary_spanners,
    brokerage,
    communities,
    community_bridges,
    constraint,
    effective_size,
)
from graph.errors import InputError
from reference_networks import FIXTURES, EMON, read_csv, emon


# Borgatti (1997), "Structural holes: unpacking Burt's redundancy measures", Connections 20(1),
# 35-38 (http://www.analytictech.com/connections/v20(1)/holes.htm): the example network that
# networkx's tests also use, with the weights of networkx/algorithms/tests/test_structuralholes.py.
BORGATTI_WEIGHTS = {
    ("A", "B"): 2, ("A", "F"): 3, ("A", "G"): 5, ("A", "E"): 2, ("E", "G"): 8,
    ("F", "G"): 3, ("B", "G"): 4, ("B", "D"): 1, ("D", "G"): 3, ("G", "C"): 10,
}


def borgatti(weighted: bool = False) -> nx.Graph:
    G = nx.Graph()
    for (u, v), w in BORGATTI_WEIGHTS.items():
        G.add_edge(u, v, **({"weight": w} if weighted else {}))
    return G


def test_effective_size_matches_borgatti_1997():
    """Borgatti (1997) works the example by hand: effective size of G is 4.67, of A 2.50,
    of C (a pendant) 1."""
    sizes = effective_size(borgatti())
    assert sizes["G"] == pytest.approx(4.67, abs=0.005)
    assert sizes["A"] == pytest.approx(2.50, abs=0.005)
    assert sizes["C"] == pytest.approx(1)


def test_weighted_effective_size_matches_networkx_reference():
    """networkx's test_structuralholes.py (values computed with UCINET and igraph, then checked
    by hand, as its docstring says): weighted effective size G 5.47, A 2.47, C 1."""
    sizes = effective_size(borgatti(weighted=True), weight="weight")
    assert sizes["G"] == pytest.approx(5.47, abs=0.005)
    assert sizes["A"] == pytest.approx(2.47, abs=0.005)
    assert sizes["C"] == pytest.approx(1)


@pytest.mark.parametrize("weighted", [False, True])
def test_constraint_matches_igraph(weighted):
    """Reference: R igraph 1.3.5 constraint() on Borgatti's network, all seven nodes
    (tests/fixtures/measures/r_output/constraint_borgatti.csv); e.g. G 0.400, A 0.595 unweighted
    and G 0.299, A 0.795 weighted, as networkx's tests also state."""
    values = constraint(borgatti(weighted), weight="weight" if weighted else None)
    column = "constraint_weighted" if weighted else "constraint"
    for row in read_csv(FIXTURES / "r_output" / "constraint_borgatti.csv"):
        assert values[row["node"]] == pytest.approx(float(row[column]), abs=1e-12), row["node"]


def test_isolates_have_no_constraint_or_effective_size():
    G = borgatti()
    G.add_node("Z")
    assert constraint(G)["Z"] is None
    assert effective_size(G)["Z"] is None


@pytest.mark.parametrize("name", EMON)
def test_betweenness_matches_sna(name):
    """Reference: sna 2.7-1 betweenness(gmode = "digraph") and, on the symmetrised network,
    betweenness(gmode = "graph") for each emon network (r_output/betweenness_<net>.csv)."""
    directed, undirected = betweenness(emon(name)), betweenness(emon(name, directed=False))
    for row in read_csv(FIXTURES / "r_output" / f"betweenness_{name}.csv"):
        assert directed[int(row["id"])] == pytest.approx(float(row["directed"]), abs=1e-9)
        assert undirected[int(row["id"])] == pytest.approx(float(row["symmetrised"]), abs=1e-9)


def test_weighted_betweenness_uses_inverse_weights_as_lengths():
    """By hand: square a-b-d-c-a with strong ties a-c and c-d (weight 4, length 1/4) and weak
    a-b, b-d (weight 1). a-d goes through c (0.5 < 2); b-c has two paths of length 1.25, via a
    and via d. So c = 1, a = d = 0.5, b = 0. Unweighted every node scores 0.5."""
    G = nx.Graph()
    G.add_edge("a", "b", weight=1)
    G.add_edge("b", "d", weight=1)
    G.add_edge("a", "c", weight=4)
    G.add_edge("c", "d", weight=4)
    assert betweenness(G, weight="weight") == pytest.approx({"a": 0.5, "b": 0, "c": 1, "d": 0.5})
    assert betweenness(G) == pytest.approx(dict.fromkeys("abcd", 0.5))
    G["a"]["b"]["weight"] = 0
    with pytest.raises(InputError, match="weights > 0"):
        betweenness(G, weight="weight")


def test_louvain_on_zachary_reaches_the_known_optimum():
    """Zachary's karate club (networkx.karate_club_graph, unweighted): the maximum modularity is
    0.4198 with four communities (Brandes et al. 2008, On modularity clustering, IEEE TKDE 20(2);
    proved optimal by Aloise et al. 2010, Phys. Rev. E 82, 046112). Louvain with seed 0 finds
    it; no partition can exceed it. Each community lies within one of the two factions the club
    split into (attribute 'club'), but for one member at most."""
    G = nx.karate_club_graph()
    result = communities(G, seed=0)
    assert 0.415 <= result.modularity <= 0.41979 + 1e-5
    assert result.modularity == pytest.approx(0.4198, abs=1e-4)
    assert len(result.communities) == 4
    assert sorted(result.membership) == sorted(G)
    for community in result.communities:
        clubs = [G.nodes[v]["club"] for v in community]
        assert min(clubs.count("Mr. Hi"), clubs.count("Officer")) <= 1
    assert communities(G, seed=0) == result  # reproducible


def test_bridges_between_two_triangles():
    """By hand: triangles {1,2,3} and {4,5,6} joined by the edge 3-4, a cut edge."""
    G = nx.Graph([(1, 2), (2, 3), (1, 3), (4, 5), (5, 6), (4, 6), (3, 4)])
    found = communities(G, seed=1)
    assert sorted(map(sorted, found.communities)) == [[1, 2, 3], [4, 5, 6]]
    bridges = community_bridges(G, found)
    assert len(bridges.links) == 1
    link = bridges.links[0]
    assert (link.ties, link.weight, len(link.cut_edges)) == (1, 1, 1)
    assert sorted(link.nodes) == [3, 4]
    assert bridges.nodes == {3: [found.membership[4]], 4: [found.membership[3]]}
    assert bridges.to_rows() == [{"community_a": 0, "community_b": 1, "ties": 1, "weight": 1,
                                  "cut_edges": 1, "nodes": "3; 4"}]
    with pytest.raises(InputError, match="in no community"):
        community_bridges(G, {1: 0, 2: 0})


def test_boundary_spanners_by_hand():
    """A star-like spanner: s (zorg) tied to z2 (zorg), o1 (onderwijs) and w1 (welzijn);
    o1 also tied to w1. s reaches 2 other sectors, o1 and w1 one each.
    s brokers (z2, o1), (o1, z2), (z2, w1), (w1, z2) across sectors: 4 between-group pairs."""
    G = nx.Graph([("s", "z2"), ("s", "o1"), ("s", "w1"), ("o1", "w1")])
    nx.set_node_attributes(G, {"s": "zorg", "z2": "zorg", "o1": "onderwijs", "w1": "welzijn"}, "sector")
    ranking = boundary_spanners(G, "sector").ranking
    assert [s.node for s in ranking] == ["s", "o1", "w1"]
    top = ranking[0]
    assert (top.rank, top.group, top.external_ties, top.ties) == (1, "zorg", 2, 3)
    assert top.groups_reached == ["onderwijs", "welzijn"]
    assert top.connects == {"onderwijs": ["o1"], "welzijn": ["w1"]}
    assert top.brokerage_between_groups == 4
    assert top.external_share == pytest.approx(2 / 3)
    assert boundary_spanners(G, "sector", top=1).to_rows()[0]["connects"] == "onderwijs: o1 | welzijn: w1"


@pytest.mark.parametrize("name", EMON)
def test_boundary_spanners_agree_with_brokerage_on_emon(name):
    """The spanners' between-group brokerage is sna's total minus coordination (checked against
    sna in test_measures_brokerage), and the ranking is ordered by groups reached."""
    G = emon(name)
    ranking = boundary_spanners(G, "sponsorship").ranking
    roles = brokerage(G, "sponsorship").nodes
    for s in ranking:
        assert s.brokerage_between_groups == roles[s.node].counts["total"] - roles[s.node].counts["coordinator"]
    reached = [len(s.groups_reached) for s in ranking]
    assert reached == sorted(reached, reverse=True)


@st.composite
def graphs(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    G = nx.Graph()
    G.add_nodes_from(range(n))
    pairs = [(u, v) for u in range(n) for v in range(u + 1, n)]
    if pairs:
        G.add_edges_from(draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))))
    return G


@settings(max_examples=100, deadline=None)
@given(graphs(), st.integers(min_value=0, max_value=5))
def test_communities_partition_the_nodes_and_bridges_count_the_crossing_edges(G, seed):
    found = communities(G, seed=seed)
    assert sorted(v for c in found.communities for v in c) == sorted(G)
    bridges = community_bridges(G, found)
    crossing = sum(1 for u, v in G.edges() if found.membership[u] != found.membership[v])
    assert sum(link.ties for link in bridges.links) == crossing


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_unit_weights_change_no_betweenness_and_constraint_is_positive(G):
    nx.set_edge_attributes(G, 1, "weight")
    assert betweenness(G, weight="weight") == pytest.approx(betweenness(G))
    for value in constraint(G).values():
        assert value is None or value > 0
