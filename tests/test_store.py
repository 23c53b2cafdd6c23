"""The embedded store: atomic graph replacement, blank nodes, locking, stale staging graphs."""

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


def test_replace_graphs_replaces_each_graph_and_keeps_others(memory_settings):
    with EmbeddedStore(memory_settings) as store:
        store.replace_graphs({EX + "g1": [q("a", "p", "b")], EX + "g2": [q("c", "p", "d")]})
        store.replace_graphs({EX + "g1": [q("x", "p", "y")]})
        assert store.named_graphs() == [EX + "g1", EX + "g2"]
        assert [str(t.subject) for t in store.quads(graph=EX + "g1")] == [f"<{EX}x>"]
        assert len(store) == 2


def test_empty_content_removes_the_graph(memory_settings):
    with EmbeddedStore(memory_settings) as store:
        store.replace_graphs({EX + "g1": [q("a", "p", "b")]})
        store.replace_graphs({EX + "g1": []})
        assert store.named_graphs() == []


def test_retract_removes_only_the_named_subjects_in_that_graph(memory_settings):
    meta = EX + "meta"
    with EmbeddedStore(memory_settings) as store:
        store.replace_graphs({EX + "g": [q("a", "p", "b")]},
                             metadata=[(EX + "g", EX + "n", EX + "one", meta), (EX + "h", EX + "n", EX + "two", meta)])
        store.replace_graphs({EX + "g": [q("a", "p", "c")]}, metadata=[(EX + "g", EX + "n", EX + "three", meta)],
                             retract={meta: [EX + "g"]})
        objects = sorted(o.object.value for o in store.quads(graph=meta))
        assert objects == [EX + "three", EX + "two"]


def test_blank_nodes_keep_their_identifiers_and_no_staging_graph_remains(memory_settings):
    node = ox.BlankNode("fixedlabel1")
    with EmbeddedStore(memory_settings) as store:
        for _ in range(2):
            store.replace_graphs({EX + "g": [ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), node),
                                             ox.Triple(node, ox.NamedNode(EX + "p"), ox.Literal("v"))]})
        assert {q.object for q in store.quads(subject=EX + "s")} == {node}
        assert len(store) == 2
        assert not [g for g in store.oxigraph.named_graphs() if g.value.startswith(STAGING_PREFIX)]


def test_a_failing_replacement_changes_nothing(memory_settings):
    with EmbeddedStore(memory_settings) as store:
        store.replace_graphs({EX + "g": [q("a", "p", "b")]})
        before = sorted(str(x) for x in store.quads())
        with pytest.raises((ValueError, TypeError)):
            store.replace_graphs({EX + "g": [q("x", "p", "y")], EX + "h": [("not an iri", EX + "p", 42)]})
        assert sorted(str(x) for x in store.quads()) == before


def test_stale_staging_graphs_are_removed_on_open(settings):
    with EmbeddedStore(settings) as store:
        store.oxigraph.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("left over"),
                                   ox.NamedNode(STAGING_PREFIX + "killed")))
        store.replace_graphs({EX + "g": [q("a", "p", "b")]})
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


def test_open_store_initialises_an_empty_store_once(tmp_path):
    from conftest import MINI_RESOURCES

    settings = load_settings(store_path=tmp_path / "s", resources=MINI_RESOURCES, lock_timeout=5)
    with open_store(settings) as store:
        first = sorted(str(x) for x in store.quads())
        assert "https://data.leernet.nl/graph/mini" in store.named_graphs()
    with open_store(settings) as store:  # not empty: not loaded again (timestamps would differ)
        assert sorted(str(x) for x in store.quads()) == first
