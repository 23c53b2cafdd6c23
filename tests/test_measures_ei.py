"""Krackhardt-Stern E-I index (graph.analysis.ei_index) against published values and properties."""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.analysis import ei_index
from graph.errors import InputError

SAMPSON = Path(__file__).parent / "fixtures" / "measures" / "sampson"


def samplike() -> nx.DiGraph:
    """Sampson's monks as R's ergm has them (``samplike``, 18 nodes, 88 arcs, attribute group)."""
    G = nx.DiGraph()
    with open(SAMPSON / "samplike_nodes.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            G.add_node(row["name"], group=row["group"])
    with open(SAMPSON / "samplike_edges.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            G.add_edge(row["from"], row["to"], nominations=int(row["nominations"]))
    return G


def test_sampson_whole_network_matches_published_value():
    """Published: R package homophily (Knapp), reference page of ``ei_index``
    (https://knapply.github.io/homophily/reference/ei_index.html), example
    ``ei_index(samplike, node_attr_name = "group")`` prints -0.4318182.
    By hand: 63 of the 88 arcs stay inside a group, 25 cross: (25 - 63) / 88 = -0.431818..."""
    result = ei_index(samplike(), "group")
    assert result.network.internal == 63
    assert result.network.external == 25
    assert result.network.index == pytest.approx(-0.4318182, abs=1e-7)


# Published alongside the value above: ``ei_index(samplike, "group", scope = "node")``.
PUBLISHED_NODE_EI = {
    "John Bosco": -0.05882353, "Gregory": -0.46666667, "Basil": -0.25000000, "Peter": -1.00000000,
    "Bonaventure": -0.23076923, "Berthold": -0.66666667, "Mark": -0.45454545, "Victor": -0.27272727,
    "Ambrose": -0.50000000, "Romauld": -0.50000000, "Louis": -0.25000000, "Winfrid": -0.81818182,
    "Amand": 0.00000000, "Hugh": -0.45454545, "Boniface": -0.77777778, "Albert": -0.50000000,
    "Elias": -0.66666667, "Simplicius": -0.33333333,
}


def test_sampson_node_level_matches_published_values():
    """Published: the same homophily reference page, scope = "node", all 18 monks (in- and
    out-arcs of each monk counted, as our node convention)."""
    result = ei_index(samplike(), "group")
    assert set(result.nodes) == set(PUBLISHED_NODE_EI)
    for monk, value in PUBLISHED_NODE_EI.items():
        assert result.nodes[monk].index == pytest.approx(value, abs=1e-8), monk


def test_sampson_group_level_by_hand_from_the_mixing_matrix():
    """Group convention of Krackhardt and Stern (1988) and R's ITNr::ei_group: external = arcs
    with exactly one end in the group (rowSums + colSums of the off-diagonal mixing matrix).
    Mixing matrix of samplike (from -> to), counted by hand from the fixture:
    T->T 30, T->L 5, T->O 1; L->T 9, L->L 23, L->O 2; O->T 7, O->L 1, O->O 10.
    Turks E = 6 + 16 = 22, I = 30: -8/52; Loyal E = 11 + 6 = 17, I = 23: -6/40;
    Outcasts E = 8 + 3 = 11, I = 10: 1/21. (homophily's own group scope is not used: its
    .ei_group sums only the upper triangle of the mixing matrix, so it depends on group order.)"""
    groups = ei_index(samplike(), "group").groups
    assert (groups["Turks"].external, groups["Turks"].internal) == (22, 30)
    assert (groups["Loyal"].external, groups["Loyal"].internal) == (17, 23)
    assert (groups["Outcasts"].external, groups["Outcasts"].internal) == (11, 10)
    assert groups["Turks"].index == pytest.approx(-8 / 52)
    assert groups["Loyal"].index == pytest.approx(-6 / 40)
    assert groups["Outcasts"].index == pytest.approx(1 / 21)


def test_sampson_expected_values_for_the_group_sizes():
    """Expected E-I = E-I of the complete digraph with the same group sizes (7 Turks, 7 Loyal,
    4 Outcasts; n = 18), by hand: possible internal arcs 42 + 42 + 12 = 96 of 306, so
    (210 - 96) / 306; Turks (154 - 42) / 196; Outcasts (112 - 12) / 124; a Turk (11 - 6) / 17."""
    result = ei_index(samplike(), "group")
    assert result.network.expected == pytest.approx(114 / 306)
    assert (result.network.possible_external, result.network.possible_internal) == (210, 96)
    assert result.groups["Turks"].expected == pytest.approx(112 / 196)
    assert result.groups["Outcasts"].expected == pytest.approx(100 / 124)
    assert result.nodes["Gregory"].expected == pytest.approx(5 / 17)
    assert result.nodes["Basil"].expected == pytest.approx(11 / 17)


def test_weighted_ties_sum_weights():
    """With weight='nominations' (waves in which a monk named the other, 1-3), E and I are sums.
    By hand on a triangle: a-b inside (weight 3), a-c and b-c across (weights 1 and 2):
    E = 3, I = 3, index 0; unweighted E = 2, I = 1, index 1/3."""
    G = nx.Graph()
    G.add_nodes_from(["a", "b"], sector="onderwijs")
    G.add_node("c", sector="zorg")
    G.add_edge("a", "b", weight=3)
    G.add_edge("a", "c", weight=1)
    G.add_edge("b", "c", weight=2)
    assert ei_index(G, "sector", weight="weight").network.index == 0
    assert ei_index(G, "sector").network.index == pytest.approx(1 / 3)
    # the complete graph's value for sizes 2 and 1: (2 - 1) / 3, whatever the weights
    assert ei_index(G, "sector", weight="weight").network.expected == pytest.approx(1 / 3)


def test_undirected_graph_counts_each_edge_once_and_isolates_are_undefined():
    """Hand example: path a-b-c with a, b in group x and c in y; d (group y) isolated."""
    G = nx.Graph([("a", "b"), ("b", "c")])
    G.add_node("d")
    nx.set_node_attributes(G, {"a": "x", "b": "x", "c": "y", "d": "y"}, "g")
    result = ei_index(G, "g")
    assert (result.network.external, result.network.internal, result.network.index) == (1, 1, 0)
    assert result.nodes["b"].index == 0
    assert result.nodes["a"].index == -1
    assert result.nodes["c"].index == 1
    assert result.nodes["d"].index is None
    assert result.groups["y"].index == 1  # its only tie, c-b, crosses
    rows = result.to_rows()
    assert [r["level"] for r in rows].count("node") == 4
    assert rows[0]["level"] == "network" and rows[0]["index"] == 0


def test_missing_attribute_is_a_clear_error_unless_a_default_is_given():
    G = nx.Graph([(1, 2)])
    G.nodes[1]["sector"] = "zorg"
    with pytest.raises(InputError, match="node 2 has no value for attribute 'sector'"):
        ei_index(G, "sector")
    assert ei_index(G, "sector", default="onbekend").network.index == 1


@st.composite
def labelled_graphs(draw, directed=None):
    """Small random graphs (directed or not) with a categorical attribute 'g' on every node."""
    n = draw(st.integers(min_value=1, max_value=10))
    is_directed = draw(st.booleans()) if directed is None else directed
    G = nx.DiGraph() if is_directed else nx.Graph()
    G.add_nodes_from(range(n))
    pairs = [(u, v) for u in range(n) for v in range(n) if u != v and (is_directed or u < v)]
    if pairs:
        G.add_edges_from(draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))))
    labels = draw(st.lists(st.sampled_from("abcd"), min_size=n, max_size=n))
    nx.set_node_attributes(G, dict(enumerate(labels)), "g")
    return G


def _indices(result):
    yield result.network.index, result.network.expected
    for s in [*result.groups.values(), *result.nodes.values()]:
        yield s.index, s.expected


@settings(max_examples=150, deadline=None)
@given(labelled_graphs())
def test_every_index_lies_in_minus_one_to_one(G):
    for index, expected in _indices(ei_index(G, "g")):
        assert index is None or -1 <= index <= 1
        assert expected is None or -1 <= expected <= 1


@settings(max_examples=150, deadline=None)
@given(labelled_graphs(), st.permutations("abcd"))
def test_relabelling_groups_changes_nothing(G, image):
    """A bijection on attribute values leaves every index unchanged (groups are renamed)."""
    rename = dict(zip("abcd", image))
    H = G.copy()
    nx.set_node_attributes(H, {v: rename[g] for v, g in G.nodes(data="g")}, "g")
    before, after = ei_index(G, "g"), ei_index(H, "g")
    assert after.network == before.network
    assert after.nodes == before.nodes
    assert {rename[g]: s for g, s in before.groups.items()} == after.groups


@settings(max_examples=150, deadline=None)
@given(labelled_graphs())
def test_levels_add_up(G):
    """Each crossing tie is external to two groups and two nodes; each inside tie is internal
    to one group and two nodes; E + I is the number of ties."""
    r = ei_index(G, "g")
    assert r.network.external + r.network.internal == G.number_of_edges()
    assert sum(s.external for s in r.groups.values()) == 2 * r.network.external
    assert sum(s.internal for s in r.groups.values()) == r.network.internal
    assert sum(s.external for s in r.nodes.values()) == 2 * r.network.external
    assert sum(s.internal for s in r.nodes.values()) == 2 * r.network.internal


@settings(max_examples=100, deadline=None)
@given(labelled_graphs(directed=False))
def test_complete_graph_reaches_its_expected_value(G):
    """In the complete graph the observed index equals the expected one (exact fractions)."""
    K = nx.complete_graph(G.nodes)
    nx.set_node_attributes(K, dict(G.nodes(data="g")), "g")
    r = ei_index(K, "g")
    if r.network.index is not None:
        E, I = Fraction(r.network.external), Fraction(r.network.internal)
        assert (E - I) / (E + I) == Fraction(r.network.possible_external - r.network.possible_internal,
                                             r.network.possible_external + r.network.possible_internal)
        assert r.network.index == pytest.approx(r.network.expected)
