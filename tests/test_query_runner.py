"""The query runner: real stores, real worker processes, real deadlines."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.errors import LeernetError, QueryRefused
from graph.query_runner import QueryRunner, _Snapshot, _Worker, result_format
from graph.settings import DEFAULT_BASE_IRI, load_settings
from graph.sparql_guard import CheckedQuery, check_query
from graph.store import EmbeddedStore

G = DEFAULT_BASE_IRI + "graph/"
PUBLIC = [G + "a", G + "b"]
SECRET = G + "secret"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
QUERIES = Path(__file__).parent / "queries"


def limits(path: Path | None, **changes):
    values = dict(store_path=path, base_iri=DEFAULT_BASE_IRI, lock_timeout=5, query_timeout=1.5, max_rows=100,
                  max_concurrent_queries=3)
    values.update(changes)
    return load_settings(**values)


def fill(store: EmbeddedStore) -> None:
    """1,500 triples in each public graph, one in a secret graph and one in the store's default graph."""
    store.replace_graphs({
        G + "a": [(f"http://example.org/s{i}", "http://example.org/p", f"http://example.org/o{i}") for i in range(1500)],
        G + "b": [(f"http://example.org/s{i}", "http://example.org/q", f"http://example.org/o{i}") for i in range(1500)],
        SECRET: [("http://example.org/secret", "http://example.org/p", "http://example.org/hidden")],
    })
    store.oxigraph.add(ox.Quad(ox.NamedNode("http://example.org/default"), ox.NamedNode("http://example.org/p"),
                               ox.Literal("in the store's own default graph")))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with EmbeddedStore(limits(tmp_path_factory.mktemp("runner") / "store")) as opened:
        fill(opened)
        yield opened


@pytest.fixture(scope="module")
def runner(store):
    with QueryRunner(store.settings, store, lambda: PUBLIC) as opened:
        yield opened


def ask(runner, text, accept=None, **kwargs):
    return runner.run(check_query(text, runner.settings), accept, **kwargs)


def count(runner, text=COUNT, **kwargs) -> int:
    outcome = ask(runner, text, **kwargs)
    return int(json.loads(outcome.content)["results"]["bindings"][0]["n"]["value"])


def children() -> dict[int, str]:
    """The child processes of this test process: pid -> state letter (Z = zombie)."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == os.getpid():
                found[int(entry)] = state
    return found


def resident_kib() -> int:
    """This process's resident memory in KiB."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0])


def test_a_normal_query_answers_from_the_public_graphs_only(runner):
    assert count(runner) == 3000
    outcome = ask(runner, "SELECT ?o WHERE { <http://example.org/s7> <http://example.org/p> ?o }")
    assert json.loads(outcome.content)["results"]["bindings"] == [{"o": {"type": "uri", "value": "http://example.org/o7"}}]
    assert outcome.media_type == "application/sparql-results+json" and not outcome.truncated and outcome.rows == 1


def test_a_cartesian_product_is_stopped_and_its_worker_replaced(runner):
    before = set(runner.worker_pids())
    started = time.monotonic()
    with pytest.raises(QueryRefused) as caught:
        ask(runner, CARTESIAN)
    elapsed = time.monotonic() - started
    assert caught.value.reason == "timeout" and "1.5 s" in caught.value.message
    assert 1.4 < elapsed < 3.0
    after = set(runner.worker_pids())
    assert len(after) == 3 and len(before - after) == 1
    killed = (before - after).pop()
    assert killed not in children()  # killed and reaped: neither running nor a zombie
    started = time.monotonic()
    assert count(runner) == 3000
    assert time.monotonic() - started < 1.5


def test_other_queries_answer_promptly_while_a_runaway_query_runs(runner):
    outcome: dict = {}

    def runaway():
        try:
            ask(runner, CARTESIAN)
        except QueryRefused as error:
            outcome["reason"] = error.reason

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    for _ in range(3):
        started = time.monotonic()
        assert count(runner) == 3000
        assert time.monotonic() - started < 1.0
    thread.join()
    assert outcome["reason"] == "timeout"


def test_row_cap_truncates_in_every_format(runner):
    outcome = ask(runner, "SELECT * WHERE { ?s ?p ?o }")
    assert outcome.truncated and outcome.rows == 100
    assert len(json.loads(outcome.content)["results"]["bindings"]) == 100
    exact = ask(runner, "SELECT * WHERE { ?s ?p ?o } LIMIT 100")
    assert not exact.truncated and exact.rows == 100
    csv = ask(runner, "SELECT ?s WHERE { ?s ?p ?o }", "text/csv")
    assert csv.truncated and csv.content.decode().count("\r\n") == 101 and csv.media_type.startswith("text/csv")
    tsv = ask(runner, "SELECT ?s WHERE { ?s ?p ?o }", "tsv")
    assert tsv.content.decode().splitlines()[0] == "?s" and len(tsv.content.decode().splitlines()) == 101
    xml = ask(runner, "SELECT ?s WHERE { ?s ?p ?o }", "application/sparql-results+xml")
    assert xml.content.count(b"<result>") == 100
    graph = ask(runner, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert graph.truncated and graph.rows == 100 and graph.content.count(b"\n") == 100
    small = ask(runner, "CONSTRUCT WHERE { ?s <http://example.org/q> ?o } LIMIT 3", "text/turtle")
    assert not small.truncated and small.rows == 3 and small.media_type == "text/turtle"
    assert ox.parse(small.content, format=ox.RdfFormat.TURTLE) is not None
    yes = ask(runner, "ASK { ?s ?p ?o }", "xml")
    assert b"<boolean>true</boolean>" in yes.content and yes.rows == 1


def test_unsupported_formats_are_refused_before_running(runner):
    with pytest.raises(QueryRefused) as caught:
        ask(runner, "SELECT * { ?s ?p ?o }", "text/turtle")
    assert caught.value.reason == "unsupported-format" and caught.value.http_status == 406
    assert "application/sparql-results+json" in caught.value.details[0]
    assert result_format("CONSTRUCT", "application/json") == "application/ld+json"
    assert result_format("ASK", "application/json") == "application/sparql-results+json"


@pytest.mark.parametrize("text", [
    f"SELECT * FROM <{SECRET}> WHERE {{ ?s ?p ?o }}",
    f"SELECT * FROM NAMED <{SECRET}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    f"PREFIX g: <{G}> SELECT * FROM g:secret WHERE {{ ?s ?p ?o }}",
    "BASE <https://data.leernet.nl/graph/> SELECT * FROM <secret> WHERE { ?s ?p ?o }",
])
def test_from_a_non_public_graph_is_refused(runner, text):
    with pytest.raises(QueryRefused) as caught:
        ask(runner, text)
    assert caught.value.reason == "graph-not-public" and SECRET in caught.value.message


def test_graph_patterns_and_protocol_graphs_cannot_reach_non_public_data(runner):
    empty = ask(runner, f"SELECT * WHERE {{ GRAPH <{SECRET}> {{ ?s ?p ?o }} }}")
    assert json.loads(empty.content)["results"]["bindings"] == []
    assert count(runner, "SELECT (COUNT(*) AS ?n) WHERE { <http://example.org/secret> ?p ?o }") == 0
    assert count(runner, "SELECT (COUNT(*) AS ?n) WHERE { <http://example.org/default> ?p ?o }") == 0
    graphs = ask(runner, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert sorted(b["g"]["value"] for b in json.loads(graphs.content)["results"]["bindings"]) == PUBLIC
    with pytest.raises(QueryRefused) as caught:
        ask(runner, COUNT, default_graph_uris=[SECRET])
    assert caught.value.reason == "graph-not-public"
    with pytest.raises(QueryRefused):
        ask(runner, COUNT, named_graph_uris=[PUBLIC[0], SECRET])


def test_from_and_protocol_graphs_narrow_the_dataset_to_public_graphs(runner):
    assert count(runner, f"SELECT (COUNT(*) AS ?n) FROM <{PUBLIC[0]}> WHERE {{ ?s ?p ?o }}") == 1500
    named_only = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{PUBLIC[1]}> WHERE {{ ?s ?p ?o }}"
    assert count(runner, named_only) == 0  # FROM NAMED alone: the default graph is empty
    assert count(runner, COUNT, default_graph_uris=[PUBLIC[1]]) == 1500
    # the protocol's graphs override the query's FROM, as the SPARQL protocol says
    assert count(runner, f"SELECT (COUNT(*) AS ?n) FROM <{PUBLIC[0]}> WHERE {{ ?s ?p ?o }}",
                 default_graph_uris=PUBLIC) == 3000


def test_a_syntax_error_is_refused_and_the_worker_kept(runner):
    before = runner.worker_pids()
    with pytest.raises(QueryRefused) as caught:
        ask(runner, "SELECT * WHERE { ?s ?p }")
    assert caught.value.reason == "syntax" and "1:" in caught.value.message
    assert runner.worker_pids() == before


def test_many_threads_share_the_workers(runner):
    results, errors = [], []

    def client():
        try:
            for _ in range(4):
                results.append(count(runner))
        except LeernetError as error:
            errors.append(error)

    threads = [threading.Thread(target=client) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == [3000] * 24


def test_a_query_beyond_the_concurrency_cap_waits_briefly_then_is_refused_busy(store):
    settings = limits(store.path, max_concurrent_queries=1)
    with QueryRunner(settings, store, lambda: PUBLIC, queue_wait=0.3) as single:
        assert count(single) == 3000
        thread = threading.Thread(target=lambda: pytest.raises(QueryRefused, ask, single, CARTESIAN))
        thread.start()
        time.sleep(0.2)
        started = time.monotonic()
        with pytest.raises(QueryRefused) as caught:
            count(single)
        assert caught.value.reason == "busy" and caught.value.http_status == 429
        assert 0.25 < time.monotonic() - started < 1.0
        thread.join()
        assert count(single) == 3000


def test_many_timeouts_leak_no_processes_files_or_memory(store):
    settings = limits(store.path, query_timeout=1.0, max_concurrent_queries=4)
    with QueryRunner(settings, store, lambda: PUBLIC) as busy:
        assert count(busy) == 3000
        processes, fds, memory = len(children()), len(os.listdir("/proc/self/fd")), resident_kib()
        first = set(busy.worker_pids())
        reasons = []
        for _ in range(2):
            threads = [threading.Thread(target=lambda: reasons.append(
                pytest.raises(QueryRefused, ask, busy, CARTESIAN).value.reason)) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert reasons == ["timeout"] * 8
        assert count(busy) == 3000
        now = children()
        assert len(now) == processes and "Z" not in now.values()
        assert not first & set(busy.worker_pids())  # every worker was replaced
        assert all(not Path(f"/proc/{pid}").exists() for pid in first)
        assert len(os.listdir("/proc/self/fd")) <= fds + 2
        assert resident_kib() - memory < 50 * 1024
        snapshots = [p for p in busy._snapshots.root.iterdir()]
        assert len(snapshots) == 1
    assert not busy._snapshots.root.exists()


def test_a_query_that_eats_memory_is_stopped_alone(store):
    settings = limits(store.path, query_timeout=8, max_query_memory=64 * 2**20, max_concurrent_queries=2)
    values = " ".join(f"VALUES ?{v} {{ 1 2 3 4 5 6 7 8 9 10 }}" for v in "abcdefg")  # ten million rows
    hungry = (f"SELECT ?x WHERE {{ {values} BIND(CONCAT(STR(?a), STR(?b), STR(?c), STR(?d), STR(?e), STR(?f), "
              f"STR(?g), '{'x' * 60}') AS ?x) }} ORDER BY DESC(?x)")
    with QueryRunner(settings, store, lambda: PUBLIC) as runner:
        assert count(runner) == 3000
        started = time.monotonic()
        with pytest.raises(QueryRefused) as caught:
            ask(runner, hungry)
        assert caught.value.reason == "too-complex" and "memory" in caught.value.message
        assert time.monotonic() - started < 8
        assert count(runner) == 3000


def test_a_flat_chain_that_overflows_a_normal_stack_is_answered(runner):
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://example.org/p> ?o " + "MINUS { } " * 5000 + "}"
    plain = subprocess.run([sys.executable, "-c", "import sys, pyoxigraph as ox; ox.Store().query(sys.stdin.read())"],
                           input=text, capture_output=True, text=True, timeout=60)
    assert plain.returncode < 0  # pyoxigraph on a normal 8 MB stack dies of it
    assert count(runner, text) == 1500


def test_workers_cannot_reach_the_network_even_if_a_service_slipped_through(runner):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    sneaky = CheckedQuery(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}", "SELECT")
    try:
        with pytest.raises(LeernetError) as caught:
            runner.run(sneaky)
        assert "unreachable" in caught.value.message.lower()
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()
    assert runner.network_isolated


def test_refresh_shows_new_data_and_drops_the_old_snapshot(tmp_path):
    settings = limits(tmp_path / "store", max_concurrent_queries=2)
    with EmbeddedStore(settings) as store, QueryRunner(settings, store, lambda: PUBLIC) as runner:
        fill(store)
        assert count(runner) == 0  # the snapshot was taken before the data was written
        runner.refresh()
        assert count(runner) == 3000
        store.replace_graphs({PUBLIC[0]: [("http://example.org/x", "http://example.org/p", "http://example.org/y")]})
        runner.refresh()
        assert count(runner) == 1501
        assert len(list(runner._snapshots.root.iterdir())) == 1
        assert runner._snapshots.root.parent == tmp_path  # beside the store: hard-linked checkpoints


def test_snapshots_left_by_a_dead_process_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = tmp_path / f".leernet-query-snapshots-{dead.stdout.strip()}-abc123"
    (orphan / "snapshot-000001").mkdir(parents=True)
    settings = limits(tmp_path / "store", max_concurrent_queries=1)
    with EmbeddedStore(settings) as store, QueryRunner(settings, store, lambda: PUBLIC) as runner:
        assert not orphan.exists() and runner._snapshots.root.exists()


def test_a_version_change_refreshes_automatically(tmp_path):
    settings = limits(tmp_path / "store", max_concurrent_queries=1)
    with EmbeddedStore(settings) as store:
        with QueryRunner(settings, store, lambda: PUBLIC, version=lambda: len(store)) as runner:
            assert count(runner) == 0
            fill(store)
            assert count(runner) == 3000


def test_an_in_memory_store_and_a_dump_are_served_too(memory_store, curated_quads):
    graphs = memory_store.named_graphs()
    settings = limits(None, max_rows=10_000, max_concurrent_queries=2)
    with QueryRunner(settings, memory_store, lambda: graphs) as runner:
        for path in sorted(QUERIES.glob("*.rq")):
            text = path.read_text(encoding="utf-8")
            dataset = {"default_graph": [ox.NamedNode(g) for g in graphs], "named_graphs": [ox.NamedNode(g) for g in graphs]}
            expected = len(list(memory_store.oxigraph.query(text, base_iri=DEFAULT_BASE_IRI, **dataset)))
            outcome = runner.run(check_query(text, settings))
            assert outcome.rows == expected > 0, path.name
    dump = ox.serialize(curated_quads, format=ox.RdfFormat.N_QUADS)
    expected = int(str(next(iter(memory_store.query(COUNT, default_graph=graphs, named_graphs=graphs)))["n"].value))
    with QueryRunner(settings, dump, lambda: graphs) as runner:
        assert count(runner) == expected > 1000


def test_a_store_directory_nobody_writes_can_be_the_source(store, tmp_path):
    store.backup(tmp_path / "backup")
    with QueryRunner(limits(None, max_concurrent_queries=1), tmp_path / "backup", lambda: PUBLIC) as runner:
        assert count(runner) == 3000
    with pytest.raises(TypeError):
        QueryRunner(limits(None), 42, lambda: PUBLIC)


def test_a_worker_ends_itself_soon_after_its_deadline_if_nobody_stops_it(store, tmp_path):
    store.backup(tmp_path / "snapshot")
    worker = _Worker(_Snapshot(tmp_path / "snapshot"), (256 * 2**20, 0, 1))
    try:
        worker.wait_ready(30)
        job = {"query": CARTESIAN, "base_iri": DEFAULT_BASE_IRI, "default_graph": PUBLIC, "named_graphs": PUBLIC,
               "media_type": "application/sparql-results+json", "max_rows": 10, "timeout": 0.2}
        worker.conn.send(job)
        assert worker.conn.poll(10)  # readable: the worker ended (SIGALRM at 1.5 x 0.2 + 1 s)
        assert worker.process.wait(5) == -signal.SIGALRM
    finally:
        worker.stop()


def test_a_closed_runner_stops_its_workers(store):
    runner = QueryRunner(limits(store.path, max_concurrent_queries=2), store, lambda: PUBLIC)
    assert count(runner) == 3000
    pids, root = runner.worker_pids(), runner._snapshots.root
    runner.close()
    assert not any(pid in children() for pid in pids) and not root.exists()
    with pytest.raises(LeernetError):
        count(runner)
