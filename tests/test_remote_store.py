"""The remote store on a real Virtuoso (tests/virtuoso.py): what only a remote store has (Graph Store
Protocol uploads, hidden server graphs, stale staging graphs, writes by others, HTTP errors, the query
runner's forwarding), and leernet on it: ingest, validation, an analysis and the CLI give the same
answers as on the embedded store. The store interface itself runs on both backends in test_store.py.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import BASE, INGEST_FIXTURES, remote_settings
from graph.errors import InputError, QueryRefused, StoreRejected, StoreUnavailable, ValidationFailed
from graph.ingest import load_curated, load_files, meta_graph
from graph.query_runner import QueryRunner
from graph.remote_store import RemoteStore
from graph.sparql_guard import check_query
from graph.store import STAGING_PREFIX, EmbeddedStore
from graph.validation import validate_store

EX = "https://example.org/"
PROV = "http://www.w3.org/ns/prov#"
TIMESTAMPS = {PROV + "generatedAtTime", PROV + "endedAtTime"}  # differ between two loads


def by_graph(quads) -> dict[str, list[ox.Quad]]:
    graphs: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        graphs[quad.graph_name.value].append(quad)
    return graphs


def nquads(store, *, timeless: bool = False) -> list[str]:
    return sorted(str(q) for q in store.quads() if not (timeless and q.predicate.value in TIMESTAMPS))


@pytest.fixture
def remote(virtuoso_server, memory_settings):
    """A RemoteStore on the emptied Virtuoso (INSERT DATA uploads)."""
    virtuoso_server.clear()
    with RemoteStore(remote_settings(virtuoso_server, memory_settings)) as store:
        yield store


@pytest.fixture
def remote_curated(virtuoso_server, memory_settings, curated_quads):
    """A RemoteStore on Virtuoso holding exactly the quads of the embedded curated store, copied in with
    the Graph Store Protocol."""
    virtuoso_server.clear()
    settings = remote_settings(virtuoso_server, memory_settings, store_graph_store_url=virtuoso_server.graph_store_url)
    with RemoteStore(settings) as store:
        store.replace_graphs(by_graph(curated_quads))
        yield store


# -- the remote store itself ------------------------------------------------------------------------

def test_graph_store_protocol_uploads_keep_every_quad_and_leave_no_staging(remote_curated, curated_quads):
    assert nquads(remote_curated) == sorted(str(q) for q in curated_quads)
    assert not [g for g in remote_curated.server_graphs() if g.startswith(STAGING_PREFIX)]
    blank = next(q for q in curated_quads if isinstance(q.object, ox.BlankNode))
    assert {str(q) for q in remote_curated.quads(subject=blank.object)} == \
        {str(q) for q in curated_quads if q.subject == blank.object}


def test_server_graphs_are_hidden_and_outside_the_default_graph(remote):
    remote.replace_graphs({EX + "g": [(EX + "a", EX + "p", EX + "b")]})
    assert "http://www.openlinksw.com/schemas/virtrdf#" in remote.server_graphs()
    assert remote.named_graphs() == [EX + "g"]
    assert len(remote) == 1
    assert remote.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].value == "1"
    assert [q.graph_name.value for q in remote.quads()] == [EX + "g"]


def test_skolem_iris_are_what_other_clients_see(remote, virtuoso_server):
    remote.replace_graphs({EX + "g": [ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.BlankNode("n1"))]})
    raw = RemoteStore(remote.settings.with_(base_iri="https://elsewhere.example/"))  # does not know the prefix
    assert [str(q.object) for q in raw.quads()] == [f"<{BASE}.well-known/genid/n1>"]
    assert [q.object for q in remote.quads()] == [ox.BlankNode("n1")]


def test_stale_staging_graphs_are_removed_on_open(remote):
    old = f"{STAGING_PREFIX}{int(time.time()) - 7200}-dead"
    fresh = f"{STAGING_PREFIX}{int(time.time())}-busy"
    remote.update(f"INSERT DATA {{ GRAPH <{old}> {{ <{EX}a> <{EX}p> 1 }} GRAPH <{fresh}> {{ <{EX}a> <{EX}p> 2 }} }}")
    assert remote.named_graphs() == [] and len(remote) == 0
    RemoteStore(remote.settings).close()
    graphs = remote.server_graphs()
    assert old not in graphs and fresh in graphs  # another process may be writing that one


def test_generation_counts_own_writes_and_fingerprint_sees_others(remote):
    other = RemoteStore(remote.settings)
    generation, fingerprint = remote.generation, remote.fingerprint()
    other.replace_graphs({EX + "g": [(EX + "a", EX + "p", EX + "b")]})
    assert remote.generation == generation
    assert remote.fingerprint() != fingerprint
    assert remote.named_graphs() == [EX + "g"]


def test_a_failed_replacement_drops_its_staging_graphs_and_changes_nothing(remote):
    remote.replace_graphs({EX + "g": [(EX + "a", EX + "p", EX + "b")]})
    with pytest.raises(ValueError):  # the bad graph IRI is found after staging, before the switch
        remote.replace_graphs({EX + "g": [(EX + "x", EX + "p", EX + "y")]}, retract={"urn:x:bad graph": [EX + "a"]})
    assert not [g for g in remote.server_graphs() if g.startswith(STAGING_PREFIX)]
    assert [str(q.subject) for q in remote.quads()] == [f"<{EX}a>"]


def test_rejected_queries_are_syntax_and_input_errors(remote):
    with pytest.raises(StoreRejected) as caught:
        remote.query("SELECT * WHERE { ?s ?p }")
    assert isinstance(caught.value, SyntaxError) and isinstance(caught.value, InputError)
    assert remote.url in caught.value.message
    with pytest.raises(StoreRejected):
        remote.update("INSERT DATA { nonsense")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_server_is_store_unavailable_naming_the_url(memory_settings):
    url = f"http://127.0.0.1:{free_port()}/sparql"
    with pytest.raises(StoreUnavailable) as caught:
        RemoteStore(memory_settings.with_(store_url=url, store_timeout=2))
    assert url in caught.value.message and caught.value.exit_code == 5 and caught.value.http_status == 503
    assert any("LEERNET_STORE_URL" in line for line in caught.value.details)


def test_a_silent_server_times_out(memory_settings):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as caught:
            RemoteStore(memory_settings.with_(store_url=url, store_timeout=0.5))
        assert time.monotonic() - started < 5
    assert "did not answer within 0.5 s" in caught.value.message


def test_wrong_endpoint_and_credentials(virtuoso_server, memory_settings):
    missing = f"http://127.0.0.1:{virtuoso_server.http_port}/no-such-endpoint"
    with pytest.raises(StoreUnavailable) as caught:
        RemoteStore(memory_settings.with_(store_url=missing))
    assert "404" in caught.value.message
    digest = memory_settings.with_(store_url=virtuoso_server.auth_url, store_user="dba", store_password="dba")
    assert RemoteStore(digest).ask("ASK {}") is True  # digest authentication works
    with pytest.raises(StoreUnavailable) as caught:
        RemoteStore(digest.with_(store_password="wrong"))
    assert "refused access" in caught.value.message
    assert "wrong" not in repr(digest.with_(store_password="wrong"))


class _Canned(http.server.BaseHTTPRequestHandler):
    """Answers every request with ``reply`` (status, headers, body) set on the server."""

    def do_POST(self):  # noqa: N802 - the http.server API
        self.rfile.read(int(self.headers.get("content-length", 0)))
        status, headers, body = self.server.reply
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def canned(memory_settings):
    """A fake SPARQL server whose answer a test sets: (server, settings pointing at it)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    server.reply = (200, {"Content-Type": "application/sparql-results+json"},
                    json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": []}}).encode())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, memory_settings.with_(store_url=f"http://127.0.0.1:{server.server_address[1]}/sparql")
    server.shutdown()
    server.server_close()


def test_cut_off_and_partial_results_are_errors_not_silent(canned):
    server, settings = canned
    store = RemoteStore(settings)
    rows = [{"s": {"type": "uri", "value": f"{EX}{i}"}} for i in range(3)]
    server.reply = (200, {"Content-Type": "application/sparql-results+json", "X-SPARQL-MaxRows": "3"},
                    json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": rows}}).encode())
    with pytest.raises(StoreUnavailable) as caught:
        store.query("SELECT ?s WHERE { ?s ?p ?o }")
    assert "ResultSetMaxRows" in " ".join(caught.value.details)
    server.reply = (200, {"Content-Type": "application/sparql-results+json", "X-SQL-State": "S1TAT",
                          "X-SQL-Message": "RC...: Returning incomplete results, query interrupted by result timeout"},
                    json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": rows[:1]}}).encode())
    with pytest.raises(StoreUnavailable) as caught:
        store.query("SELECT ?s WHERE { ?s ?p ?o }")
    assert "only part of it" in caught.value.message
    server.reply = (200, {"Content-Type": "text/html"}, b"<html>a web page</html>")
    with pytest.raises(StoreUnavailable) as caught:
        store.query("SELECT ?s WHERE { ?s ?p ?o }")
    assert "not SPARQL JSON results" in caught.value.message


def test_query_runner_forwards_to_the_server_within_the_public_graphs(remote):
    public, secret = [EX + "graph/a", EX + "graph/b"], EX + "graph/secret"
    remote.replace_graphs({public[0]: [(f"{EX}s{i}", EX + "p", f"{EX}o{i}") for i in range(30)],
                           public[1]: [(EX + "x", EX + "q", EX + "y")],
                           secret: [(EX + "secret", EX + "p", EX + "hidden")]})
    settings = remote.settings.with_(max_rows=10, query_timeout=5)
    with QueryRunner(settings, remote, lambda: public) as runner:
        def run(text, accept=None, **kwargs):
            return runner.run(check_query(text, settings), accept, **kwargs)

        counted = json.loads(run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").content)
        assert counted["results"]["bindings"][0]["n"]["value"] == "31"
        outcome = run("SELECT ?s WHERE { ?s ?p ?o }", "csv")
        assert outcome.truncated and outcome.rows == 10 and outcome.media_type.startswith("text/csv")
        assert b"secret" not in run("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }").content
        assert b"hidden" not in run(f"SELECT * WHERE {{ GRAPH <{secret}> {{ ?s ?p ?o }} }}").content
        for text in (f"SELECT * FROM <{secret}> WHERE {{ ?s ?p ?o }}",
                     f"SELECT * FROM NAMED <{secret}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
            with pytest.raises(QueryRefused) as caught:
                run(text, default_graph_uris=[public[0]])
            assert caught.value.reason == "graph-not-public"
        turtle = run("CONSTRUCT WHERE { ?s <https://example.org/q> ?o }", "text/turtle")
        assert turtle.rows == 1 and b"example.org/y" in turtle.content
        assert run("ASK { <s0> ?p ?o }").content  # relative IRIs resolve against the base IRI
        assert runner.worker_pids() == []


# -- leernet on Virtuoso --------------------------------------------------------------------------

def test_load_curated_gives_the_embedded_quads_and_reloads_the_same(remote, curated_quads):
    load_curated(remote)
    expected = sorted(str(q) for q in curated_quads if q.predicate.value not in TIMESTAMPS)
    assert nquads(remote, timeless=True) == expected
    first = nquads(remote)
    load_curated(remote)  # idempotent: blank nodes are named canonically, metadata replaced
    assert nquads(remote, timeless=True) == expected
    assert len(nquads(remote)) == len(first)
    assert remote.named_graphs() == sorted({q.graph_name.value for q in curated_quads})


def test_a_file_with_blank_nodes_reloads_to_the_same_quads(remote, memory_settings):
    path = INGEST_FIXTURES / "blank-nodes.ttl"
    with EmbeddedStore(memory_settings) as embedded:
        load_files(embedded, [path], command="test")
        expected = nquads(embedded, timeless=True)
    load_files(remote, [path], command="test")
    first = nquads(remote)
    load_files(remote, [path], command="test")
    assert nquads(remote, timeless=True) == expected
    assert [q for q in first if "generatedAtTime" not in q and "endedAtTime" not in q] == \
        nquads(remote, timeless=True)
    assert any(q.startswith("_:") for q in first)


def test_a_violation_changes_nothing(remote_curated):
    before = nquads(remote_curated)
    with pytest.raises(ValidationFailed):
        load_files(remote_curated, [INGEST_FIXTURES / "one-violation.ttl"], command="test")
    assert nquads(remote_curated) == before


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_validate_store_gives_the_embedded_report(remote_curated, memory_store, engine):
    def results(store):
        report = validate_store(store, store.settings, lang="en", engine=engine)
        return sorted((r.severity, r.focus_node, r.path or "", r.constraint, r.location or "") for r in report.results)

    assert results(remote_curated) == results(memory_store)


def test_an_analysis_gives_the_embedded_answer_and_saves_on_the_server(remote_curated, memory_store):
    from graph.analysis import open_graph

    def rows(store, name, **parameters):  # the order of tied rows follows the order the store answers in
        return sorted(json.dumps(row, sort_keys=True, default=str) for row in open_graph(store).run(name, **parameters).rows)

    for name, parameters in (("ei", {"attribute": "sector"}), ("betweenness", {}), ("spanners", {})):
        assert rows(remote_curated, name, **parameters) == rows(memory_store, name, **parameters), name
    kg = open_graph(remote_curated)
    graph = kg.save(kg.run("ei", attribute="sector"))
    assert graph in remote_curated.named_graphs()
    assert meta_graph(BASE) in remote_curated.named_graphs()


def test_cli_works_on_the_server_and_refuses_backup(remote_curated, memory_store, run_cli, tmp_path):
    from graph.stats import store_stats

    url = remote_curated.url
    result = run_cli("--store-url", url, "stats", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(json.dumps(store_stats(memory_store)))
    result = run_cli("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s a ln:LearningNetwork }", "--format", "csv",
                     env={"LEERNET_STORE_URL": url})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == memory_store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://data.leernet.nl/def/leernet#LearningNetwork> }")[0]["n"].value
    for command in ("backup", "restore"):
        result = run_cli(command, tmp_path / "copy", env={"LEERNET_STORE_URL": url})
        assert result.returncode == 2, result.stderr
        assert "backup tooling" in result.stderr and url in result.stderr
    result = run_cli("--store-url", f"http://127.0.0.1:{free_port()}/sparql", "stats")
    assert result.returncode == 5 and "cannot reach the store" in result.stderr


def test_settings_read_the_remote_store_variables(monkeypatch):
    from graph.settings import load_settings

    monkeypatch.setenv("LEERNET_STORE_URL", "http://db.example:8890/sparql")
    monkeypatch.setenv("LEERNET_STORE_GSP_URL", "http://db.example:8890/sparql-graph-crud")
    monkeypatch.setenv("LEERNET_STORE_USER", "leernet")
    monkeypatch.setenv("LEERNET_STORE_PASSWORD", "s3cret")
    monkeypatch.setenv("LEERNET_STORE_TIMEOUT", "12.5")
    settings = load_settings()
    assert (settings.store_url, settings.store_update_url, settings.store_graph_store_url) == (
        "http://db.example:8890/sparql", None, "http://db.example:8890/sparql-graph-crud")
    assert settings.store_user == "leernet" and settings.store_timeout == 12.5
    assert "s3cret" not in repr(settings)
    monkeypatch.setenv("LEERNET_STORE_UPDATE_URL", "http://db.example:8890/update")
    assert load_settings().store_update_url == "http://db.example:8890/update"
    monkeypatch.setenv("LEERNET_STORE_TIMEOUT", "soon")
    with pytest.raises(InputError):
        load_settings()


def test_docs_name_every_variable():
    text = (Path(__file__).resolve().parent.parent / "docs" / "remote-store.md").read_text(encoding="utf-8")
    for variable in ("LEERNET_STORE_URL", "LEERNET_STORE_UPDATE_URL", "LEERNET_STORE_GSP_URL", "LEERNET_STORE_USER",
                     "LEERNET_STORE_PASSWORD", "LEERNET_STORE_TIMEOUT", "LEERNET_STORE_HIDDEN_GRAPHS"):
        assert variable in text, variable
