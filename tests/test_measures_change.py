"""Change over time: ties gained and lost, membership churn, per-year summaries."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.analysis import change_over_time, ei_index, membership_churn, ties_gained_lost
from graph.errors import InputError
from reference_networks import read_csv

SAMPSON = Path(__file__).parent / "fixtures" / "measures" / "sampson"


def sampson_wave(name: str) -> nx.DiGraph:
    """Sampson's monks: a liking wave (samplk1-3) or the cumulative ``samplike``, from R's ergm."""
    G = nx.DiGraph()
    for row in read_csv(SAMPSON / "samplike_nodes.csv"):
        G.add_node(row["name"], group=row["group"])
    for row in read_csv(SAMPSON / f"{name}_edges.csv"):
        G.add_edge(row["from"], row["to"], **({"nominations": int(row["nominations"])} if "nominations" in row else {}))
    return G


def test_ties_gained_lost_by_hand():
    """Before a-b, b-c; after b-a (the same undirected tie), c-d: kept {a-b}, lost {b-c},
    gained {c-d}; Jaccard 1/3."""
    change = ties_gained_lost(nx.Graph([("a", "b"), ("b", "c")]), nx.Graph([("b", "a"), ("c", "d")]))
    assert change.kept == [("a", "b")]
    assert change.lost == [("b", "c")]
    assert change.gained == [("c", "d")]
    assert change.jaccard == pytest.approx(1 / 3)
    assert [r["change"] for r in change.to_rows()] == ["gained", "lost", "kept"]


def test_directed_ties_keep_their_direction():
    change = ties_gained_lost(nx.DiGraph([(1, 2)]), nx.DiGraph([(2, 1)]))
    assert (change.gained, change.lost, change.kept) == ([(2, 1)], [(1, 2)], [])
    with pytest.raises(InputError, match="directed graph with an undirected one"):
        ties_gained_lost(nx.DiGraph([(1, 2)]), nx.Graph([(1, 2)]))


def test_membership_churn_by_hand():
    """Members {a, b, c} then {b, c, d, e}: joined d, e; left a; stayed b, c.
    Churn (2 + 1) / 5 = 0.6; retention 2 / 3."""
    churn = membership_churn(nx.Graph([("a", "b"), ("b", "c")]), ["b", "c", "d", "e"])
    assert (churn.joined, churn.left, churn.stayed) == (["d", "e"], ["a"], ["b", "c"])
    assert churn.churn == pytest.approx(0.6)
    assert churn.retention == pytest.approx(2 / 3)
    assert membership_churn([], []).churn is None


def test_sampson_waves_against_ergms_nomination_counts():
    """R's ergm builds ``samplike`` from the three liking waves samplk1-3 (Sampson 1968), with
    edge attribute nominations = the number of waves holding the arc. Our kept/gained/lost sets
    must reproduce those counts: arcs in all three waves = kept 1->2 that are kept 2->3, etc."""
    w1, w2, w3, like = (sampson_wave(n) for n in ("samplk1", "samplk2", "samplk3", "samplike"))
    c12, c23 = ties_gained_lost(w1, w2), ties_gained_lost(w2, w3)
    in_all_three = set(c12.kept) & set(c23.kept)
    assert in_all_three == {(u, v) for u, v, n in like.edges(data="nominations") if n == 3}
    # every arc of wave 2 was kept or gained from wave 1, and is kept or lost into wave 3
    assert set(c12.kept) | set(c12.gained) == set(w2.edges()) == set(c23.kept) | set(c23.lost)
    assert len(w1.edges()) - len(c12.lost) + len(c12.gained) == len(w2.edges())
    union = set(w1.edges()) | set(w2.edges()) | set(w3.edges())
    assert union == set(like.edges())


def test_change_over_time_on_the_sampson_waves():
    """Per wave: 18 monks (no churn), the wave's arcs, composition 7 Turks, 7 Loyal, 4 Outcasts
    (Blau 1 - (49 + 49 + 16) / 324 by hand), E-I as ei_index computes it, and tie changes."""
    snapshots = [(3, sampson_wave("samplk3")), (1, sampson_wave("samplk1")), (2, sampson_wave("samplk2"))]
    result = change_over_time(snapshots, "group", top=3)
    assert [y.year for y in result.years] == [1, 2, 3]
    first, second = result.years[0], result.years[1]
    assert [y.ties for y in result.years] == [55, 57, 56]
    assert first.ties_gained is None and first.churn is None
    assert first.composition.blau == pytest.approx(1 - (49 + 49 + 16) / 324)
    assert first.ei == pytest.approx(ei_index(sampson_wave("samplk1"), "group").network.index)
    assert first.ei_expected == pytest.approx(114 / 306)
    assert (second.joined, second.left, second.churn) == (0, 0, 0)
    change = result.tie_changes[(1, 2)]
    assert (second.ties_gained, second.ties_lost) == (len(change.gained), len(change.lost))
    assert len(first.brokers) <= 3 and all(n > 0 for _, n in first.brokers)
    assert [n for _, n in first.brokers] == sorted((n for _, n in first.brokers), reverse=True)
    rows = result.to_rows()
    assert [r["year"] for r in rows] == [1, 2, 3]
    assert rows[0]["composition_counts_Turks"] == 7


def test_duplicate_years_are_refused():
    G = nx.Graph([(1, 2)])
    nx.set_node_attributes(G, "zorg", "sector")
    with pytest.raises(InputError, match=r"year\(s\) \[2020\] occur more than once"):
        change_over_time([(2020, G), (2020, G)], "sector")


@st.composite
def snapshot_pairs(draw):
    nodes = list(range(draw(st.integers(min_value=1, max_value=8))))
    pairs = [(u, v) for u in nodes for v in nodes if u < v]

    def one():
        G = nx.Graph()
        G.add_nodes_from(draw(st.lists(st.sampled_from(nodes), unique=True, min_size=1)))
        possible = [(u, v) for u, v in pairs if u in G and v in G]
        if possible:
            G.add_edges_from(draw(st.lists(st.sampled_from(possible), unique=True)))
        return G

    return one(), one()


@settings(max_examples=150, deadline=None)
@given(snapshot_pairs())
def test_changes_account_for_every_tie_and_member(pair):
    before, after = pair
    ties = ties_gained_lost(before, after)
    assert len(ties.kept) + len(ties.gained) == after.number_of_edges()
    assert len(ties.kept) + len(ties.lost) == before.number_of_edges()
    assert ties.jaccard is None or 0 <= ties.jaccard <= 1
    members = membership_churn(before, after)
    assert len(members.stayed) + len(members.joined) == after.number_of_nodes()
    assert len(members.stayed) + len(members.left) == before.number_of_nodes()
    assert 0 <= members.churn <= 1
    reverse = ties_gained_lost(after, before)
    assert (reverse.gained, reverse.lost) == (ties.lost, ties.gained)
