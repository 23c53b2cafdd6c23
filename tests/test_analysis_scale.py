"""Analyses on large networks: the projection built once as arrays (equal to the networkx graph
with evidence), shared by the measures of a run, read again only when the store changes; the
budgets above which a measure is estimated, and how the estimate is stated (run metadata, saved
linked data, CLI, report); progress on stderr. Real stores: the curated data and a small synthetic
ecosystem from ``graph.generate``."""

from __future__ import annotations

import importlib
import io
import json
import math

import networkx as nx
import numpy as np
import pyoxigraph as ox
import pytest

from conftest import BASE
from graph.analysis import KnowledgeGraph, KnowledgeGraphNetworks, run_measure, save_run
from graph.analysis.build import snapshot
from graph.analysis.commands import progress_of
from graph.analysis.progress import Progress
from graph.analysis.projection import pair_table
from graph.errors import QueryRefused
from graph.store import EmbeddedStore

results = importlib.import_module("graph.analysis.results")
HL = BASE + "id/organisatie/hogeschool-leiden"


@pytest.fixture(scope="module")
def synthetic_quads(tmp_path_factory, curated_quads) -> list:
    """The curated data plus a synthetic ecosystem of about 20,000 triples (programmes, umbrella
    networks, events, products, lectoraten), as quads."""
    from graph.generate import generate

    path = tmp_path_factory.mktemp("synthetic") / "ecosystem.nt"
    generate(path, 20_000, seed=3)
    store = ox.Store()
    store.extend(curated_quads)
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(BASE + "graph/load/synthetic"))
    return list(store)


@pytest.fixture
def synthetic_store(memory_settings, synthetic_quads):
    store = EmbeddedStore(memory_settings)
    store.oxigraph.extend(synthetic_quads)
    yield store
    store.close()


@pytest.fixture
def kg(memory_store) -> KnowledgeGraphNetworks:
    return KnowledgeGraphNetworks(memory_store)


def edge_list(graph) -> list[tuple]:
    return [(a, b, graph.edges[a, b]["weight"]) for a, b in graph.edges()]


# -- the projection as arrays ----------------------------------------------------------------------------

def test_pair_table_counts_the_closest_shared_blocks_by_hand():
    """Blocks 0 {0,1,2} and 1 {2,3} lie inside block 2 {0,1,2,3}. Pair (0,1) shares 0 and 2: only
    the closest, 0, counts; (0,3) shares only 2. First occurrence order: block 0's pairs, then 1's,
    then 2's new ones."""
    blocks = [(0, np.array([0, 1, 2])), (1, np.array([2, 3])), (2, np.array([0, 1, 2, 3]))]
    enclosing = (np.array([0, 1, 2, 2]), np.array([2, 2]))  # blocks 0 and 1: inside 2; block 2: inside none
    table = pair_table(blocks, 4, enclosing=enclosing, block_count=3, keep_blocks=True)
    pairs = list(zip(table.source.tolist(), table.target.tolist()))
    assert pairs == [(0, 1), (0, 2), (1, 2), (2, 3), (0, 3), (1, 3)]
    assert table.weight.tolist() == [1, 1, 1, 1, 1, 1]
    assert [table.blocks[table.block_ptr[e]:table.block_ptr[e + 1]].tolist() for e in range(6)] == \
        [[0], [0], [0], [1], [2], [2]]
    everything = pair_table(blocks, 4)  # without enclosure every shared block counts
    assert everything.weight.tolist() == [2, 2, 2, 2, 1, 1]


@pytest.mark.parametrize("options", [{}, {"indirect": False}, {"period": "2020"}, {"units": "keep"},
                                     {"theme": "kindermishandeling"}, {"programme": "samen-werken-samen-leren"},
                                     {"period": "2023", "include_undated": True}])
@pytest.mark.parametrize("projection", ["organisations", "actors", "networks", "two-mode"])
def test_the_arrays_are_the_network_without_its_evidence(kg, options, projection):
    """Same nodes in the same order with the same attributes, same ties and weights; as networkx,
    the same adjacency order (so Louvain with a seed finds the same communities)."""
    sel = kg.selection(**options)
    graph, net = kg.network(sel, projection), kg.projection(sel, projection)
    assert net.nodes == list(graph) and net.attributes == [d for _, d in graph.nodes(data=True)]
    light = net.to_networkx()
    assert edge_list(light) == edge_list(graph)
    assert all(list(light[n]) == list(graph[n]) for n in graph)
    assert light.graph == graph.graph


@pytest.mark.parametrize("options", [{}, {"indirect": False}, {"period": "2021"}])
@pytest.mark.parametrize("projection", ["organisations", "networks"])
def test_the_arrays_are_the_network_of_a_synthetic_ecosystem(synthetic_store, options, projection):
    """Programmes, umbrella networks, events and products enclosing networks: the closest shared
    contexts count, as in the graph with evidence."""
    kg = KnowledgeGraphNetworks(synthetic_store)
    sel = kg.selection(**options)
    graph, net = kg.network(sel, projection), kg.projection(sel, projection)
    assert graph.number_of_edges() > 500
    assert net.nodes == list(graph)
    assert edge_list(net.to_networkx()) == edge_list(graph)
    assert {(a, b): d["weight"] for a, b, d in graph.edges(data=True)} == \
        {(a, b): len(d["contexts" if projection == "organisations" else "actors"]) for a, b, d in graph.edges(data=True)}


def test_the_network_is_built_once_per_selection_and_shared(kg):
    sel = kg.selection(period="2020")
    first = kg.projection(sel)
    assert kg.projection(kg.selection(period="2020")) is first  # equal selections, one build
    assert kg.selected_ties(sel) is kg.selected_ties(kg.selection(period="2020"))
    run_measure(kg, "ei", sel)
    run_measure(kg, "betweenness", sel)
    assert kg.projection(sel) is first
    assert kg.projection(sel, "actors") is not first


def test_the_knowledge_graph_is_read_again_only_when_the_store_changes(memory_store):
    graph = KnowledgeGraph(memory_store)
    networks = graph.networks
    assert graph.networks is networks
    graph.run("spanners")
    assert graph.networks is networks
    memory_store.replace_graphs({BASE + "graph/extra": [(BASE + "id/a", BASE + "p", BASE + "id/b")]})
    assert graph.networks is not networks and graph.networks.generation == memory_store.generation


class SparqlOnly:
    """A real store seen only through SPARQL (as a remote store is): no native index access."""

    def __init__(self, store: EmbeddedStore):
        self._store, self.settings, self.generation = store, store.settings, store.generation

    def query(self, sparql, **kwargs):
        return self._store.query(sparql, **kwargs)

    def quads(self, *args, **kwargs):
        return self._store.quads(*args, **kwargs)


def test_reading_through_the_index_gives_what_the_sparql_query_gives(synthetic_store):
    native, remote = KnowledgeGraphNetworks(synthetic_store), KnowledgeGraphNetworks(SparqlOnly(synthetic_store))
    assert {s: dict(p) for s, p in native.facts.items()} == {s: dict(p) for s, p in remote.facts.items()}
    assert dict(native.graphs_of) == dict(remote.graphs_of) and native.sources == remote.sources


def test_the_snapshot_is_taken_once_per_state_of_the_store(memory_store, kg):
    run = run_measure(kg, "ei")
    assert run.snapshot == snapshot(memory_store) and kg.snapshot() is run.snapshot
    memory_store.replace_graphs({BASE + "graph/extra": [(BASE + "id/a", BASE + "p", BASE + "id/b")]})
    assert kg.snapshot() != run.snapshot
    assert run.graph.number_of_edges() == kg.projection().number_of_edges()  # the graph with evidence, on demand
    assert "evidence" in run.graph.edges[HL, BASE + "id/organisatie/cardea"]


# -- budgets and approximations --------------------------------------------------------------------------

def test_all_measures_are_exact_within_the_budgets(kg):
    for name in results.MEASURES:
        run = run_measure(kg, name)
        assert run.approximation is None and "approximation" not in run.parameters, name


def test_betweenness_above_its_budget_is_estimated_from_pivots_and_says_so(kg, monkeypatch):
    """With a budget of 1 node x tie, betweenness is estimated from MIN_PIVOTS pivots (here 5 of
    the 18 organisations), exactly networkx's betweenness_centrality(k=5, seed=2)."""
    monkeypatch.setattr(results, "BETWEENNESS_BUDGET", 1)
    monkeypatch.setattr(results, "MIN_PIVOTS", 5)
    run = run_measure(kg, "betweenness", seed=2)
    assert run.approximation.startswith("betweenness estimated from the shortest paths out of 5 of the 18 nodes")
    assert "seed 2" in run.approximation and run.parameters["approximation"] == run.approximation
    assert run.parameters["seed"] == 2
    graph = kg.network()
    expected = nx.betweenness_centrality(graph, k=5, seed=2, normalized=False)
    normalised = nx.betweenness_centrality(graph, k=5, seed=2, normalized=True)
    for row in run.rows:
        if math.isnan(expected[row["iri"]]):
            assert row["betweenness"] is None
        else:
            assert row["betweenness"] == pytest.approx(expected[row["iri"]], abs=1e-9)
            assert row["betweenness_normalised"] == pytest.approx(normalised[row["iri"]], abs=1e-9)


def test_an_estimate_is_saved_with_its_description(memory_store, kg, monkeypatch):
    monkeypatch.setattr(results, "BROKERAGE_BUDGET", 0)
    monkeypatch.setattr(results, "BROKERAGE_SAMPLES", 6)
    run = run_measure(kg, "brokerage", seed=4)
    assert "estimated for the" in run.approximation and "6 random pairs" in run.approximation
    graph = save_run(memory_store, run)
    [row] = memory_store.select(f"PREFIX ln: <{BASE}def/leernet#> SELECT ?p WHERE {{ GRAPH <{graph}> {{ ?run ln:parameters ?p }} }}")
    saved = json.loads(row["p"].value)
    assert saved["approximation"] == run.approximation and saved["seed"] == 4


def test_spanners_and_change_say_when_their_brokerage_is_estimated(kg, monkeypatch):
    monkeypatch.setattr(results, "BROKERAGE_BUDGET", 0)
    monkeypatch.setattr(results, "BROKERAGE_SAMPLES", 6)
    assert run_measure(kg, "spanners").approximation.startswith("spanners: brokered pairs counted exactly")
    assert run_measure(kg, "change").approximation.startswith("change: brokers between groups estimated in 20")


def test_the_report_states_the_estimate(memory_store, monkeypatch, tmp_path):
    from graph.analysis.report import build_report

    page = build_report(KnowledgeGraph(memory_store))
    assert "geschat" not in page
    monkeypatch.setattr(results, "BROKERAGE_BUDGET", 0)
    monkeypatch.setattr(results, "BROKERAGE_SAMPLES", 6)
    page = build_report(KnowledgeGraph(memory_store))
    assert "sommige getallen geschat" in page and "some numbers are estimated" in page and "6 random pairs" in page


def test_constraint_is_computed_for_every_projection_and_refused_only_beyond_both_budgets(kg, monkeypatch):
    """The actors projection used to be refused (networkx's sum of degree^3 budget); now both the
    dense and the igraph computation fit. With both budgets at 0 it is refused, with advice."""
    actors = run_measure(kg, "constraint", projection="actors")
    assert len(actors.rows) == kg.projection(projection="actors").number_of_nodes()
    some = sorted(actors.rows, key=lambda r: r["degree"])[:8:2]  # networkx needs minutes for all of them
    expected = nx.constraint(kg.network(projection="actors"), nodes=[row["iri"] for row in some])
    for row in some:
        value = expected[row["iri"]]
        assert (row["constraint"] is None) if math.isnan(value) else row["constraint"] == pytest.approx(value, abs=1e-9)
    monkeypatch.setattr(results, "CONSTRAINT_DENSE_NODES", 0)
    monkeypatch.setattr(results, "CONSTRAINT_SPARSE_BUDGET", 0)
    with pytest.raises(QueryRefused) as refused:
        run_measure(kg, "constraint")
    assert "would take too long" in refused.value.message and "--direct-only" in refused.value.details[-1]


def test_communities_above_the_networkx_threshold_use_igraph_and_say_so(kg, monkeypatch):
    monkeypatch.setattr(results, "LOUVAIN_NETWORKX_TIES", 0)
    run = run_measure(kg, "communities", seed=1)
    assert run.parameters["method"] == "louvain (igraph community_multilevel)" and run.approximation is None
    assert run.rows[0]["modularity"] > 0.1
    assert sorted(r["iri"] for r in run.rows[1:]) == sorted(kg.projection().nodes)
    assert run_measure(kg, "communities", seed=1).rows == run.rows


# -- progress and the CLI ----------------------------------------------------------------------------------

def test_progress_reports_the_steps_on_stderr_only_when_asked(memory_store):
    stream = io.StringIO()
    graph = KnowledgeGraph(memory_store, progress=Progress(True, stream))
    graph.run("betweenness")
    text = stream.getvalue()
    assert "reading the knowledge graph" in text and "building the network" in text and "computing betweenness" in text
    quiet = io.StringIO()
    run = KnowledgeGraph(memory_store, progress=Progress(False, quiet)).run("betweenness")
    assert quiet.getvalue() == "" and run.rows == graph.run("betweenness").rows


class Args:
    def __init__(self, **values):
        self.__dict__.update(values)


class Ui:
    def __init__(self, progress: bool):
        self.progress = progress


def test_the_cli_shows_progress_on_a_terminal_or_when_asked_never_when_quiet():
    assert progress_of(Args(quiet=False), Ui(True)).enabled
    assert not progress_of(Args(quiet=False), Ui(False)).enabled
    assert progress_of(Args(quiet=False, progress=True), Ui(False)).enabled
    assert not progress_of(Args(quiet=True, progress=True), Ui(True)).enabled


def test_the_cli_states_an_estimate(settings, curated_quads, monkeypatch, capsys):
    """The real command in this process (so that the budget can be lowered): JSON carries the
    approximation, the table is followed by a note on stderr."""
    from graph.cli import main

    with EmbeddedStore(settings) as store:
        store.oxigraph.extend(curated_quads)
    monkeypatch.setenv("LEERNET_STORE", str(settings.store_path))
    assert main(["analyse", "betweenness", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["approximation"] is None
    monkeypatch.setattr(results, "BETWEENNESS_BUDGET", 1)
    monkeypatch.setattr(results, "MIN_PIVOTS", 4)
    assert main(["analyse", "betweenness", "--format", "json", "--seed", "3"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert "out of 4 of the 18 nodes" in body["approximation"] and body["parameters"]["seed"] == 3
    assert main(["analyse", "betweenness"]) == 0
    captured = capsys.readouterr()
    assert "Hogeschool" in captured.out and "note: estimated, not exact: betweenness estimated" in captured.err


def test_the_report_map_of_a_large_network_shows_the_organisations_with_most_ties(memory_store, monkeypatch):
    """Above MAP_NODES organisations the map draws those with the most ties (a spring layout of
    thousands of nodes is unreadable, and networkx needs scipy beyond 500), and says so."""
    report = importlib.import_module("graph.analysis.report")
    monkeypatch.setattr(report, "MAP_NODES", 5)
    page = report.build_report(KnowledgeGraph(memory_store))
    assert "De kaart toont de 5 organisaties met de meeste banden, van de 18." in page
    assert "The map shows the 5 organisations with the most ties, of 18." in page
    assert "Netwerkkaart van 5 organisaties (de 5 met de meeste banden, van 18)" in page
