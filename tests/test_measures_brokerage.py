"""Gould-Fernandez brokerage (graph.analysis.brokerage) against R's sna::brokerage and by hand."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.analysis import ROLES, brokerage, brokered_pairs
from reference_networks import EMON, FIXTURES, emon, read_csv

# sna::brokerage's column names and ours (sna's help page: b_IO representative, b_OI gatekeeper)
SNA_ROLES = {"w_I": "coordinator", "w_O": "itinerant", "b_IO": "representative", "b_OI": "gatekeeper",
             "b_O": "liaison", "t": "total"}


def _same(reference: str, ours: float | None) -> bool:
    """sna prints NA/NaN/Inf for a z whose sd is 0; we give None there."""
    if reference in ("NA", "NaN", "Inf", "-Inf"):
        return ours is None
    return ours is not None and math.isclose(float(reference), ours, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("variant", ["directed", "symmetrised"])
@pytest.mark.parametrize("name", EMON)
def test_node_level_matches_sna(name, variant):
    """Reference: sna 2.7-1 ``brokerage(adjacency, Sponsorship)`` on the seven emon networks of
    Drabek et al. (1981), R package network 1.18.1; script tests/fixtures/measures/r/
    make_reference.R, output r_output/brokerage_<net>_<variant>_nodes.csv. "symmetrised" is
    sna's symmetrize(rule = "weak"), which our undirected adaptation must equal."""
    result = brokerage(emon(name, variant == "directed"), "sponsorship")
    for row in read_csv(FIXTURES / "r_output" / f"brokerage_{name}_{variant}_nodes.csv"):
        node = result.nodes[int(row["id"])]
        for sna, role in SNA_ROLES.items():
            assert node.counts[role] == int(float(row[f"raw_{sna}"])), (row["id"], role)
            assert node.expected[role] == pytest.approx(float(row[f"exp_{sna}"]), rel=1e-9, abs=1e-12)
            assert node.sd[role] == pytest.approx(float(row[f"sd_{sna}"]), rel=1e-9, abs=1e-12)
            assert _same(row[f"z_{sna}"], node.z[role]), (row["id"], role, row[f"z_{sna}"], node.z[role])


@pytest.mark.parametrize("variant", ["directed", "symmetrised"])
@pytest.mark.parametrize("name", EMON)
def test_network_level_matches_sna(name, variant):
    """Reference: the same sna run, raw.gli, exp.gli, sd.gli and z.gli
    (r_output/brokerage_<net>_<variant>_global.csv)."""
    result = brokerage(emon(name, variant == "directed"), "sponsorship")
    for row in read_csv(FIXTURES / "r_output" / f"brokerage_{name}_{variant}_global.csv"):
        role = SNA_ROLES[row["role"]]
        assert result.counts[role] == int(float(row["raw"]))
        assert result.expected[role] == pytest.approx(float(row["exp"]), rel=1e-9)
        assert result.sd[role] == pytest.approx(float(row["sd"]), rel=1e-9)
        assert _same(row["z"], result.z[role])


def test_mt_si_values_as_printed_by_sna():
    """A few numbers read off sna's output for emon$MtSi (13 organisations, 33 arcs): the
    network brokers 33 ordered pairs (6 coordinator, 7 itinerant, 4 gatekeeper,
    5 representative, 11 liaison), against 60.545 expected; z(total) = -1.557."""
    result = brokerage(emon("MtSi"), "sponsorship")
    assert [result.counts[r] for r in (*ROLES, "total")] == [6, 7, 4, 5, 11, 33]
    assert result.expected["total"] == pytest.approx(60.5447485207101)
    assert result.z["total"] == pytest.approx(-1.55667111906495)
    assert result.density == pytest.approx(33 / (13 * 12))


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ("AAA", "coordinator"),     # A -> A -> A
        ("ABA", "itinerant"),       # A -> B -> A
        ("ABB", "gatekeeper"),      # A -> B -> B: an outsider's tie into the broker's group
        ("AAB", "representative"),  # A -> A -> B: the broker's group reaching out
        ("ABC", "liaison"),         # A -> B -> C
    ],
)
def test_each_role_by_its_definition(groups, role):
    """Gould and Fernandez (1989), Figure 1: the five two-paths a -> v -> c (a not -> c).
    sna agrees on the labels (checked by hand in R: a(A) -> v(A) -> c(B) scores b_IO)."""
    G = nx.DiGraph([("a", "v"), ("v", "c")])
    nx.set_node_attributes(G, dict(zip("avc", groups)), "g")
    counts = brokered_pairs(G, "g")
    assert counts["v"] == {**dict.fromkeys(ROLES, 0), role: 1, "total": 1}
    assert counts["a"]["total"] == counts["c"]["total"] == 0


def test_a_direct_arc_closes_the_pair_but_the_reverse_arc_does_not():
    """Only an arc a -> c removes the need for a broker; c -> a does not (G&F, sna)."""
    G = nx.DiGraph([("a", "v"), ("v", "c"), ("c", "a")])
    nx.set_node_attributes(G, "A", "g")
    assert brokered_pairs(G, "g")["v"]["coordinator"] == 1
    G.add_edge("a", "c")
    assert brokered_pairs(G, "g")["v"]["total"] == 0


def test_undirected_adaptation_counts_each_pair_in_both_directions():
    """Documented adaptation: an undirected path a - v - c is the symmetric digraph, so v
    brokers (a, c) and (c, a): with a in v's group and c outside, once as representative and
    once as gatekeeper; with all three in one group, twice as coordinator."""
    G = nx.Graph([("a", "v"), ("v", "c")])
    nx.set_node_attributes(G, {"a": "A", "v": "A", "c": "B"}, "g")
    counts = brokered_pairs(G, "g")["v"]
    assert (counts["representative"], counts["gatekeeper"], counts["total"]) == (1, 1, 2)
    nx.set_node_attributes(G, "A", "g")
    assert brokered_pairs(G, "g")["v"]["coordinator"] == 2


def test_to_rows_gives_one_row_per_node_and_one_for_the_network():
    rows = brokerage(emon("MtSi"), "sponsorship").to_rows()
    assert len(rows) == 14
    assert rows[-1]["node"] is None and rows[-1]["total"] == 33
    assert {"coordinator", "liaison_z", "total_expected"} <= set(rows[0])


@st.composite
def labelled_digraphs(draw, directed=True):
    n = draw(st.integers(min_value=1, max_value=9))
    G = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from(range(n))
    pairs = [(u, v) for u in range(n) for v in range(n) if u != v and (directed or u < v)]
    if pairs:
        G.add_edges_from(draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))))
    labels = draw(st.lists(st.sampled_from("xyz"), min_size=n, max_size=n))
    nx.set_node_attributes(G, dict(enumerate(labels)), "g")
    return G


def _brokered_ordered_pairs(G: nx.DiGraph, v) -> int:
    """Brute force: ordered pairs (a, c), a != c, both != v, with a -> v -> c and no a -> c."""
    return sum(1 for a in G for c in G
               if len({a, v, c}) == 3 and G.has_edge(a, v) and G.has_edge(v, c) and not G.has_edge(a, c))


@settings(max_examples=150, deadline=None)
@given(labelled_digraphs())
def test_role_counts_sum_to_the_brokered_ordered_pairs(G):
    for v, counts in brokered_pairs(G, "g").items():
        assert sum(counts[r] for r in ROLES) == counts["total"] == _brokered_ordered_pairs(G, v)


@settings(max_examples=100, deadline=None)
@given(labelled_digraphs(directed=False))
def test_undirected_equals_symmetric_digraph_and_is_symmetric_in_roles(G):
    """Undirected counts are those of the symmetric digraph; every brokered unordered pair is
    counted twice, and a node is as often gatekeeper as representative."""
    undirected = brokered_pairs(G, "g")
    assert undirected == brokered_pairs(G.to_directed(), "g")
    for counts in undirected.values():
        assert counts["gatekeeper"] == counts["representative"]
        assert counts["total"] % 2 == 0


@settings(max_examples=100, deadline=None)
@given(labelled_digraphs(), st.permutations("xyz"))
def test_relabelling_groups_changes_nothing(G, image):
    rename = dict(zip("xyz", image))
    H = G.copy()
    nx.set_node_attributes(H, {v: rename[g] for v, g in G.nodes(data="g")}, "g")
    before, after = brokerage(G, "g"), brokerage(H, "g")
    for v in G:
        assert after.nodes[v].counts == before.nodes[v].counts
        assert after.nodes[v].expected == pytest.approx(before.nodes[v].expected)
    assert after.counts == before.counts
    assert after.expected == pytest.approx(before.expected)


@settings(max_examples=100, deadline=None)
@given(labelled_digraphs())
def test_expected_totals_follow_from_density(G):
    """Under the null model each ordered triple is an open two-path with probability d^2(1-d),
    so the expected network total is that times N(N-1)(N-2) and roles add up to it."""
    r = brokerage(G, "g")
    N, d = G.number_of_nodes(), r.density
    assert r.expected["total"] == pytest.approx(d * d * (1 - d) * N * (N - 1) * (N - 2))
    assert sum(r.expected[role] for role in ROLES) == pytest.approx(r.expected["total"])
