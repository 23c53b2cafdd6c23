"""Blau's heterogeneity, its normalised form, composition and assortativity by category."""

from __future__ import annotations

from fractions import Fraction

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.analysis import (
    assortativity,
    assortativity_from_mixing,
    blau,
    blau_normalised,
    composition,
    mixing_matrix,
)
from graph.errors import InputError
from reference_networks import FIXTURES, EMON, read_csv, emon


def test_blau_by_hand_from_its_formula():
    """Blau (1977, p. 78), Inequality and Heterogeneity: 1 - sum p_k^2. By hand:
    labels a, a, b, c -> p = 1/2, 1/4, 1/4 -> 1 - (1/4 + 1/16 + 1/16) = 5/8;
    one category -> 0; two equal categories -> 1/2 (= the maximum 1 - 1/k for k = 2)."""
    assert blau(["a", "a", "b", "c"]) == pytest.approx(5 / 8)
    assert blau(["zorg"] * 7) == 0
    assert blau(["x", "y"]) == pytest.approx(1 / 2)
    assert blau({"a": 2, "b": 1, "c": 1}) == pytest.approx(5 / 8)
    assert blau([]) is None


def test_blau_normalised_by_hand():
    """Agresti and Agresti (1978): IQV = Blau / (1 - 1/k). By hand, 5/8 over 2/3 (k = 3
    observed) = 15/16; over 3/4 when k = 4 categories are possible = 5/6."""
    assert blau_normalised(["a", "a", "b", "c"]) == pytest.approx(15 / 16)
    assert blau_normalised(["a", "a", "b", "c"], categories=4) == pytest.approx(5 / 6)
    assert blau_normalised(["a", "a", "b", "c"], categories=["a", "b", "c", "d"]) == pytest.approx(5 / 6)
    assert blau_normalised(["a", "b", "c"]) == pytest.approx(1)
    assert blau_normalised(["a", "a"]) is None  # k = 1: no variation is possible


def test_blau_normalised_rejects_categories_that_do_not_cover_the_data():
    with pytest.raises(InputError, match="not among the possible categories"):
        blau_normalised(["a", "z"], categories=["a", "b"])
    with pytest.raises(InputError, match="3 categories occur"):
        blau_normalised(["a", "b", "c"], categories=2)


def test_emon_mt_si_composition_by_sponsorship():
    """Counts as R's table(emon$MtSi %v% "Sponsorship") prints them: County 2, Federal 1,
    Private 7, State 3 (13 organisations). By hand: Blau = 1 - (4 + 1 + 49 + 9) / 169 =
    106/169; over 1 - 1/4: 424/507."""
    comp = composition(emon("MtSi"), "sponsorship")
    assert comp.counts == {"County": 2, "Federal": 1, "Private": 7, "State": 3}
    assert comp.size == 13
    assert comp.blau == pytest.approx(106 / 169)
    assert comp.blau_normalised == pytest.approx(424 / 507)
    assert sum(comp.proportions.values()) == pytest.approx(1)
    assert {r["category"] for r in comp.to_rows()} == {"County", "Federal", "Private", "State"}


def test_composition_with_several_values_per_node_and_fixed_categories():
    """A node with two knowledge sources counts 1/2 toward each; categories list zeros too.
    By hand: counts practice 1.5, research 0.5, policy 0 -> p = 3/4, 1/4, 0; k = 3 possible."""
    G = nx.Graph()
    G.add_node(1, source=["practice", "research"])
    G.add_node(2, source="practice")
    comp = composition(G, "source", categories=["practice", "research", "policy"])
    assert comp.counts == {"practice": 1.5, "research": 0.5, "policy": 0}
    assert comp.blau == pytest.approx(1 - (0.75**2 + 0.25**2))
    assert comp.blau_normalised == pytest.approx((1 - (0.75**2 + 0.25**2)) / (2 / 3))


def test_newman_published_mixing_matrix():
    """Newman (2003), Mixing patterns in networks, Phys. Rev. E 67, 026126, Table I: the
    fractions e_ij of couples by race (black, hispanic, white, other; Catania et al. 1992),
    for which the paper reports r = 0.621. The table's entries are rounded to three decimals;
    from them the coefficient is 0.6227 (networkx's own test asserts 0.623), so 0.621 +- 0.002."""
    table = [
        [0.258, 0.016, 0.035, 0.013],
        [0.012, 0.157, 0.058, 0.019],
        [0.013, 0.023, 0.306, 0.035],
        [0.005, 0.007, 0.024, 0.016],
    ]
    assert assortativity_from_mixing(table) == pytest.approx(0.621, abs=0.002)


@pytest.mark.parametrize("name", EMON)
def test_emon_assortativity_matches_igraph(name):
    """Reference: R igraph 1.3.5 assortativity_nominal(types = Sponsorship) on each emon network,
    directed and symmetrised (tests/fixtures/measures/r_output/assortativity_emon.csv)."""
    row = next(r for r in read_csv(FIXTURES / "r_output" / "assortativity_emon.csv") if r["network"] == name)
    assert assortativity(emon(name), "sponsorship") == pytest.approx(float(row["directed"]), abs=1e-12)
    assert assortativity(emon(name, directed=False), "sponsorship") == pytest.approx(float(row["symmetrised"]), abs=1e-12)


def test_assortativity_extremes_by_hand():
    """Two cliques of one sector each: perfect homophily, r = 1; a bipartite graph between two
    sectors: e = [[0, 1/2], [1/2, 0]], a = b = 1/2, r = (0 - 1/2) / (1 - 1/2) = -1; all ties in
    one sector: undefined."""
    G = nx.disjoint_union(nx.complete_graph(3), nx.complete_graph(3))
    nx.set_node_attributes(G, {v: "zorg" if v < 3 else "onderwijs" for v in G}, "sector")
    assert assortativity(G, "sector") == pytest.approx(1)
    B = nx.complete_bipartite_graph(2, 3)
    nx.set_node_attributes(B, {v: "zorg" if v < 2 else "onderwijs" for v in B}, "sector")
    assert assortativity(B, "sector") == pytest.approx(-1)
    nx.set_node_attributes(B, "zorg", "sector")
    assert assortativity(B, "sector") is None


def test_weighted_mixing_matrix_by_hand():
    G = nx.Graph()
    G.add_nodes_from([1, 2], s="a")
    G.add_node(3, s="b")
    G.add_edge(1, 2, weight=4)
    G.add_edge(2, 3, weight=1)
    assert mixing_matrix(G, "s", weight="weight") == {"a": {"a": 8, "b": 1}, "b": {"a": 1, "b": 0}}
    # e = [[8, 1], [1, 0]] / 10; a = b = (0.9, 0.1); r = (0.8 - 0.82) / (1 - 0.82)
    assert assortativity(G, "s", weight="weight") == pytest.approx((0.8 - 0.82) / 0.18)


labels = st.lists(st.sampled_from(["zorg", "onderwijs", "welzijn", "overheid", "overig"]), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(labels)
def test_blau_lies_between_zero_and_its_maximum(values):
    k = len(set(values))
    assert 0 <= blau(values) <= 1 - 1 / k + 1e-12
    normalised = blau_normalised(values)
    assert normalised is None if k == 1 else 0 <= normalised <= 1 + 1e-12


@settings(max_examples=200, deadline=None)
@given(labels, st.permutations(["a", "b", "c", "d", "e"]), st.randoms(use_true_random=False))
def test_blau_ignores_names_and_order(values, image, rnd):
    rename = dict(zip(["zorg", "onderwijs", "welzijn", "overheid", "overig"], image))
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert blau([rename[v] for v in shuffled]) == pytest.approx(blau(values))
    assert blau_normalised([rename[v] for v in values]) == blau_normalised(values)


@settings(max_examples=200, deadline=None)
@given(labels)
def test_blau_equals_its_exact_fraction(values):
    n = len(values)
    exact = 1 - sum(Fraction(values.count(c), n) ** 2 for c in set(values))
    assert blau(values) == pytest.approx(float(exact))


@st.composite
def labelled_graphs(draw):
    n = draw(st.integers(min_value=2, max_value=10))
    G = nx.DiGraph() if draw(st.booleans()) else nx.Graph()
    G.add_nodes_from(range(n))
    pairs = [(u, v) for u in range(n) for v in range(n) if u != v]
    G.add_edges_from(draw(st.lists(st.sampled_from(pairs), unique=True, min_size=1, max_size=len(pairs))))
    nx.set_node_attributes(G, dict(enumerate(draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n)))), "g")
    return G


@settings(max_examples=150, deadline=None)
@given(labelled_graphs(), st.permutations("abc"))
def test_assortativity_is_bounded_and_ignores_group_names(G, image):
    r = assortativity(G, "g")
    assert r is None or -1 - 1e-12 <= r <= 1 + 1e-12
    H = G.copy()
    nx.set_node_attributes(H, {v: dict(zip("abc", image))[g] for v, g in G.nodes(data="g")}, "g")
    renamed = assortativity(H, "g")
    assert (renamed is None and r is None) or renamed == pytest.approx(r)
