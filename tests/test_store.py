"""The store interface on both backends (``any_store``: embedded pyoxigraph and a RemoteStore on Virtuoso):
graph replacement, blank nodes, datasets, query results; and what only the embedded store has (locking,
on-disk persistence, its stale staging graphs)."""

from __future__ import annotations

import doctest

import pyoxigraph as ox
import pytest

import graph.store
from graph.errors import InputError, StoreBusy
from graph.settings import load_settings
from graph.store import STAGING_PREFIX, EmbeddedStore, locked, open_store

EX = "https://example.org/"


def q(s, p, o):
    return (EX + s, EX + p, EX + o)


def test_module_examples_run():
    assert doctest.testmod(graph.store).failed == 0


def test_replace_graphs_replaces_each_graph_and_keeps_others(any_store):
    with any_store as store:
        store.replace_graphs({EX + "g1": [q("a", "p", "b")], EX + "g2": [q("c", "p", "d")]})
        store.replace_graphs({EX + "g1": [q("x", "p", "y")]})
        assert store.named_graphs() == [EX + "g1", EX + "g2"]
        assert [str(t.subject) for t in store.quads(graph=EX + "g1")] == [f"<{EX}x>"]
        assert len(store) == 2


def test_empty_content_removes_the_graph(any_store):
    with any_store as store:
        store.replace_graphs({EX + "g1": [q("a", "p", "b")]})
        store.replace_graphs({EX + "g1": []})
        assert store.named_graphs() == []


def test_retract_removes_only_the_named_subjects_in_that_graph(any_store):
    meta = EX + "meta"
    with any_store as store:
        store.replace_graphs({EX + "g": [q("a", "p", "b")]},
                             metadata=[(EX + "g", EX + "n", EX + "one", meta), (EX + "h", EX + "n", EX + "two", meta)])
        store.replace_graphs({EX + "g": [q("a", "p", "c")]}, metadata=[(EX + "g", EX + "n", EX + "three", meta)],
                             retract={meta: [EX + "g"]})
        objects = sorted(o.object.value for o in store.quads(graph=meta))
        assert objects == [EX + "three", EX + "two"]


def test_blank_nodes_keep_their_identifiers_and_no_staging_graph_remains(any_store):
    node = ox.BlankNode("fixedlabel1")
    with any_store as store:
        for _ in range(2):
            store.replace_graphs({EX + "g": [ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), node),
                                             ox.Triple(node, ox.NamedNode(EX + "p"), ox.Literal("v"))]})
        assert {q.object for q in store.quads(subject=EX + "s")} == {node}
        assert len(store) == 2
        assert not [g for g in all_graphs(store) if g.startswith(STAGING_PREFIX)]
        assert [q.subject for q in store.quads(subject=node)] == [node]  # a blank node can be looked up


def test_a_failing_replacement_changes_nothing(any_store):
    with any_store as store:
        store.replace_graphs({EX + "g": [q("a", "p", "b")]})
        before = sorted(str(x) for x in store.quads())
        with pytest.raises((ValueError, TypeError)):
            store.replace_graphs({EX + "g": [q("x", "p", "y")], EX + "h": [("not an iri", EX + "p", 42)]})
        assert sorted(str(x) for x in store.quads()) == before


def all_graphs(store) -> list[str]:
    """Every named graph the backend holds, staging graphs included."""
    if isinstance(store, EmbeddedStore):
        return [g.value for g in store.oxigraph.named_graphs()]
    return store.server_graphs()


def test_query_forms_give_pyoxigraph_results(any_store):
    with any_store as store:
        store.replace_graphs({EX + "g1": [q("a", "p", "b")], EX + "g2": [q("c", "p", "d")]})
        solutions = store.query(f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s")
        assert isinstance(solutions, ox.QuerySolutions)
        assert [v.value for v in solutions.variables] == ["s", "o"]
        assert [(row["s"].value, row["o"].value) for row in solutions] == [(EX + "a", EX + "b"), (EX + "c", EX + "d")]
        assert store.ask(f"ASK {{ <{EX}a> ?p ?o }}") is True
        assert not store.query(f"ASK {{ <{EX}nothing> ?p ?o }}")
        triples = store.query(f"CONSTRUCT {{ ?o <{EX}back> ?s }} WHERE {{ ?s <{EX}p> ?o }}")
        assert isinstance(triples, ox.QueryTriples)
        assert sorted(str(t) for t in triples) == sorted(
            f"<{EX}{o}> <{EX}back> <{EX}{s}>" for s, o in (("a", "b"), ("c", "d")))
        assert store.select(f"SELECT ?x WHERE {{ OPTIONAL {{ <{EX}a> <{EX}nope> ?x }} }}") == [{}]
        with pytest.raises(SyntaxError):
            store.query("SELECT WHERE nonsense {")


def test_default_graph_is_the_union_unless_a_dataset_is_given(any_store):
    with any_store as store:
        store.replace_graphs({EX + "g1": [q("a", "p", "b")], EX + "g2": [q("c", "p", "d")]})
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        assert int(store.select(count)[0]["n"].value) == 2
        assert int(next(store.query(count, default_graph=[EX + "g2"]))["n"].value) == 1
        graphs = sorted(r["g"].value for r in store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))
        assert graphs == [EX + "g1", EX + "g2"]
        only = store.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", default_graph=[], named_graphs=[EX + "g1"])
        assert [r["g"].value for r in only] == [EX + "g1"]


def test_quad_patterns_and_literals_round_trip(any_store):
    literals = [ox.Literal("plain"), ox.Literal("Utrecht", language="nl"), ox.Literal("line\nbreak \"quoted\" é ☃"),
                ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")),
                ox.Literal("false", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")),
                ox.Literal("2020-09-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
                ox.Literal("2021-03-04T05:06:07Z", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")),
                ox.Literal("2019", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")),
                ox.Literal("x", datatype=ox.NamedNode(EX + "custom"))]
    s, p = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p")
    with any_store as store:
        store.replace_graphs({EX + "g": [ox.Triple(s, p, o) for o in literals] + [q("s", "other", "o")]})
        assert sorted(str(x.object) for x in store.quads(subject=s, predicate=p)) == sorted(str(o) for o in literals)
        for literal in literals:
            assert [str(x.subject) for x in store.quads(obj=literal)] == [str(s)], literal
        assert len(list(store.quads(predicate=EX + "other", graph=EX + "g"))) == 1
        assert list(store.quads(s, p, literals[1], EX + "g")) == [ox.Quad(s, p, literals[1], ox.NamedNode(EX + "g"))]
        assert list(store.quads(s, p, ox.Literal("missing"), EX + "g")) == []
        assert list(store.quads(graph=EX + "nothing")) == []
        assert len(store) == len(literals) + 1


def test_update_drop_graph_and_generation(any_store):
    with any_store as store:
        before = store.generation
        store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> <{EX}b> }} }}")
        store.replace_graphs({EX + "h": [q("c", "p", "d")]})
        assert store.generation == before + 2
        assert store.named_graphs() == [EX + "g", EX + "h"]
        store.drop_graph(EX + "g")
        assert store.named_graphs() == [EX + "h"]
        assert store.generation == before + 3


def test_stale_staging_graphs_are_removed_on_open(settings):
    with EmbeddedStore(settings) as store:
        store.oxigraph.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("left over"),
                                   ox.NamedNode(STAGING_PREFIX + "killed")))
        store.replace_graphs({EX + "g": [q("a", "p", "b")]})
    with EmbeddedStore(settings) as store:
        assert store.named_graphs() == [EX + "g"]
        assert len(store) == 1


def test_a_big_new_graph_is_written_in_bulk_with_its_metadata_and_no_mark(settings, monkeypatch):
    monkeypatch.setattr(graph.store, "BULK_WRITE", 10)
    quads = [q(f"s{i}", "p", f"o{i}") for i in range(50)]
    meta = [ox.Quad(ox.NamedNode(EX + "g"), ox.NamedNode(EX + "count"), ox.Literal("50"), ox.NamedNode(EX + "meta"))]
    with EmbeddedStore(settings) as store:
        store.replace_graphs({EX + "g": quads}, meta)
        assert store.named_graphs() == [EX + "g", EX + "meta"]
        assert len(store) == 51
        assert not [g for g in store.oxigraph.named_graphs() if g.value.startswith(STAGING_PREFIX)]


KILLED_WRITER = """
import os, signal, sys
import pyoxigraph as ox
import graph.store
from graph.settings import load_settings
from graph.store import EmbeddedStore
EX = "https://example.org/"


class Dying(list):  # quads of a big graph; the process dies while bulk_extend reads them
    def __init__(self, graph):
        super().__init__([None] * 100_000)
        self.graph = ox.NamedNode(graph)

    def __iter__(self):
        for i in range(100_000):
            if i == 60_000:
                os.kill(os.getpid(), signal.SIGKILL)
            yield ox.Quad(ox.NamedNode(EX + f"s{i}"), ox.NamedNode(EX + "p"), ox.Literal(str(i)), self.graph)


graph.store.quads_in = lambda items, graph: Dying(graph)
store = EmbeddedStore(load_settings(store_path=sys.argv[1]))
store.replace_graphs({EX + "big": ["unused"]}, [ox.Quad(ox.NamedNode(EX + "big"), ox.NamedNode(EX + "loaded"),
                                                        ox.Literal("yes"), ox.NamedNode(EX + "meta"))])
"""


def test_a_bulk_write_killed_halfway_leaves_nothing_behind(settings, tmp_path):
    import subprocess
    import sys

    with EmbeddedStore(settings) as store:
        store.replace_graphs({EX + "g": [q("a", "p", "b")]})
    script = tmp_path / "killed.py"
    script.write_text(KILLED_WRITER)
    done = subprocess.run([sys.executable, str(script), str(settings.store_path)], capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    raw = ox.Store(str(settings.store_path))  # the killed process left its pending mark (and maybe part of the graph)
    assert [g for g in raw.named_graphs() if g.value.startswith(STAGING_PREFIX + "pending-")]
    del raw
    with EmbeddedStore(settings) as store:
        assert store.named_graphs() == [EX + "g"]
        assert len(store) == 1


def test_graphs_marked_pending_are_removed_on_open(settings):
    """What a bulk write killed after writing part of its graph leaves: the mark and that part."""
    with EmbeddedStore(settings) as store:
        store.replace_graphs({EX + "g": [q("a", "p", "b")]})
        mark = ox.NamedNode(STAGING_PREFIX + "pending-1")
        store.oxigraph.add(ox.Quad(ox.NamedNode(EX + "half"), graph.store.PENDING, graph.store.PENDING, mark))
        store.oxigraph.bulk_extend([ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("part"),
                                            ox.NamedNode(EX + "half"))])
        assert EX + "half" in store.named_graphs()
    with EmbeddedStore(settings) as store:
        assert store.named_graphs() == [EX + "g"]
        assert len(store) == 1


def test_on_disk_store_persists(settings):
    with EmbeddedStore(settings) as store:
        store.replace_graphs({EX + "g": [q("a", "p", "b")]})
    with EmbeddedStore(settings) as store:
        assert store.ask(f"ASK {{ <{EX}a> <{EX}p> <{EX}b> }}")


def test_second_open_of_the_same_store_gets_store_busy(settings):
    short = settings.with_(lock_timeout=0.3)
    with EmbeddedStore(settings):
        with pytest.raises(StoreBusy) as caught:
            EmbeddedStore(short)
    assert "in use" in caught.value.message
    assert caught.value.exit_code == 4
    with EmbeddedStore(short) as store:  # released on close
        assert len(store) == 0


def test_held_lock_keeps_the_store_closed(settings):
    with locked(settings):
        with pytest.raises(StoreBusy):
            EmbeddedStore(settings.with_(lock_timeout=0.2))


def test_lock_needs_an_on_disk_store(memory_settings):
    with pytest.raises(InputError):
        with locked(memory_settings):
            pass


@pytest.mark.parametrize("backend", ["embedded", "virtuoso"])
def test_open_store_initialises_an_empty_store_once(tmp_path, backend, request):
    from conftest import MINI_RESOURCES

    settings = load_settings(store_path=tmp_path / "s", resources=MINI_RESOURCES, lock_timeout=5)
    if backend == "virtuoso":
        from conftest import remote_settings

        server = request.getfixturevalue("virtuoso_server")
        server.clear()
        settings = remote_settings(server, settings)
    with open_store(settings) as store:
        first = sorted(str(x) for x in store.quads())
        assert "https://data.leernet.nl/graph/mini" in store.named_graphs()
    with open_store(settings) as store:  # not empty: not loaded again (timestamps would differ)
        assert sorted(str(x) for x in store.quads()) == first
