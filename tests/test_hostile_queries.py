"""Hostile queries against the live endpoint (query time limit 2 s): each is refused or bounded with a
4xx problem that says why, while a normal query sent at the same time still answers promptly, and the
server keeps answering afterwards."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from sparql_server import SparqlServer, start

TIMEOUT = 2.0
NORMAL = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"


@pytest.fixture(scope="module")
def srv():
    server = start(query_timeout=TIMEOUT, max_concurrent_queries=4)
    yield server
    server.stop()


def hostile(srv: SparqlServer) -> dict[str, tuple[str, dict]]:
    """name -> (how it is sent, request arguments)."""
    compact_unions = "SELECT * WHERE { " + "UNION".join(["{}"] * 10_001) + " }"
    long_unions = "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 10_001) + " }"
    return {
        "cartesian product with COUNT": ("form", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
                                                           "?g ?h ?i . ?j ?k ?l }"}),
        "SERVICE to the endpoint itself": ("form", {"query": f"SELECT * WHERE {{ SERVICE <{srv.sparql}> "
                                                             "{ ?s ?p ?o } }"}),
        "SERVICE by a variable": ("form", {"query": "SELECT * WHERE { VALUES ?e { <http://127.0.0.1/> } "
                                                    "SERVICE ?e { ?s ?p ?o } }"}),
        "5,000 nested braces": ("form", {"query": "SELECT * WHERE " + "{" * 5000 + "}" * 5000}),
        "huge OFFSET": ("form", {"query": "SELECT * WHERE { ?s ?p ?o } OFFSET 1000000000000"}),
        "1 MB query (form)": ("form", {"query": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 2**20}),
        "1 MB query (direct)": ("direct", {"query": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 2**20}),
        "10,000 UNIONs": ("form", {"query": long_unions}),
        "10,000 compact UNIONs": ("form", {"query": compact_unions}),
        "LOAD": ("form", {"query": "LOAD <http://127.0.0.1/data.ttl>"}),
    }


def send(srv: SparqlServer, how: str, arguments: dict) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    if how == "direct":
        response = httpx.post(srv.sparql, content=arguments["query"].encode(), timeout=60,
                              headers={"Content-Type": "application/sparql-query"})
    else:
        response = httpx.post(srv.sparql, data=arguments, timeout=60)
    return response, time.monotonic() - started


def assert_refused_or_bounded(name: str, response: httpx.Response, seconds: float, max_rows: int) -> None:
    """A 4xx problem with a reason, or an answer that kept to the limits."""
    if response.status_code == 200:
        rows = response.json()["results"]["bindings"]
        assert len(rows) <= max_rows and seconds < TIMEOUT + 5, name
        return
    assert 400 <= response.status_code < 500, (name, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/problem+json"), name
    body = response.json()
    assert body["reason"] and body["detail"] and body["status"] == response.status_code, name
    assert seconds < TIMEOUT + 5, (name, seconds)


def test_hostile_queries_are_refused_or_bounded_while_a_normal_query_answers(srv):
    cases = hostile(srv)
    with ThreadPoolExecutor(max_workers=len(cases)) as pool:
        futures = {name: pool.submit(send, srv, how, arguments) for name, (how, arguments) in cases.items()}
        time.sleep(0.3)  # the cartesian product is running now
        normal, seconds = send(srv, "form", {"query": NORMAL})
        assert normal.status_code == 200, normal.text
        assert int(normal.json()["results"]["bindings"][0]["n"]["value"]) > 0
        assert seconds < 3.0, f"a normal query took {seconds:.1f} s beside the hostile ones"
        outcomes = {name: future.result() for name, future in futures.items()}
    reasons = {}
    for name, (response, seconds) in outcomes.items():
        assert_refused_or_bounded(name, response, seconds, srv.endpoint.runner.settings.max_rows)
        reasons[name] = response.json().get("reason") if response.status_code != 200 else "answered"
    assert reasons["cartesian product with COUNT"] == "timeout"
    assert reasons["SERVICE to the endpoint itself"] == reasons["SERVICE by a variable"] == "service-forbidden"
    assert reasons["5,000 nested braces"] == "too-deep"
    assert reasons["huge OFFSET"] == "offset-too-large"
    assert reasons["1 MB query (form)"] == reasons["1 MB query (direct)"] == reasons["10,000 UNIONs"] == "too-large"
    assert reasons["LOAD"] == "load-forbidden"
    assert outcomes["cartesian product with COUNT"][0].status_code == 400


def test_server_is_up_and_whole_afterwards(srv):
    send(srv, "form", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
    for _ in range(3):
        response, seconds = send(srv, "form", {"query": NORMAL})
        assert response.status_code == 200 and seconds < 3.0
    assert httpx.get(srv.sparql, timeout=30).status_code == 200  # the service description
    assert len(srv.endpoint.runner.worker_pids()) == 4  # the stopped worker was replaced


def test_busy_is_503_with_retry_after():
    server = start(query_timeout=TIMEOUT, max_concurrent_queries=1)
    try:
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        with ThreadPoolExecutor(max_workers=2) as pool:
            first = pool.submit(send, server, "form", {"query": slow})
            time.sleep(0.3)
            second, _ = send(server, "form", {"query": NORMAL})
            assert first.result()[0].json()["reason"] == "timeout"
        assert second.status_code == 503 and second.headers["retry-after"] == "1"
        assert second.json()["reason"] == "busy"
        assert send(server, "form", {"query": NORMAL})[0].status_code == 200
    finally:
        server.stop()
