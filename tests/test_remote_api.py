"""The web application on a remote store: two real servers with the same quads (the curated data and the
privacy canary, as in tests/api_server.py), one on the embedded store and one on a RemoteStore on
Virtuoso, must answer the REST API, the linked-data documents, the explorer pages and /sparql alike.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import defaultdict
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
import uvicorn

from api import queries as q
from api.app import create_app
from api.sparql import endpoint_path, start_endpoint
from api_server import CANARY_GRAPH, CANARY_SECRETS, FIXTURES, load_file
from conftest import BASE, remote_settings
from graph.remote_store import RemoteStore
from graph.settings import load_settings
from graph.store import EmbeddedStore


class Running:
    """A server in a thread: its URL and how to stop it."""

    def __init__(self, app, endpoint):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.endpoint = endpoint
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "the test server did not start"
            time.sleep(0.05)
        self.client = httpx.Client(base_url=self.url, timeout=60)

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.client.get(urlsplit(BASE).path + path.lstrip("/"), **kwargs)

    def stop(self) -> None:
        self.client.close()
        self.endpoint.close()
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve(store) -> Running:
    app = create_app(store.settings.with_(max_concurrent_queries=1), store)
    return Running(app, start_endpoint(app))


@pytest.fixture(scope="module")
def servers(virtuoso_server, curated_quads):
    """(embedded server, Virtuoso server) over the same quads: the curated data and the privacy canary."""
    embedded_store = EmbeddedStore(load_settings(store_path=None, base_iri=BASE, lang="nl"))
    embedded_store.oxigraph.extend(curated_quads)
    load_file(embedded_store, FIXTURES / "privacy-canary.ttl", BASE, CANARY_GRAPH)
    quads = list(embedded_store.quads())
    graphs: dict[str, list] = defaultdict(list)
    for quad in quads:
        graphs[quad.graph_name.value].append(quad)
    virtuoso_server.clear()
    settings = remote_settings(virtuoso_server, embedded_store.settings,
                               store_graph_store_url=virtuoso_server.graph_store_url)
    remote_store = RemoteStore(settings)
    remote_store.replace_graphs(graphs)
    assert sorted(map(str, remote_store.quads())) == sorted(map(str, quads))
    embedded, remote = serve(embedded_store), serve(remote_store)
    yield embedded, remote
    for running in (embedded, remote):
        running.stop()
    embedded_store.close()
    remote_store.close()


def unordered(value):
    """JSON with every list sorted: for answers whose order of tied rows follows the store's row order."""
    if isinstance(value, dict):
        return {k: unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((unordered(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def links(html: str) -> list[str]:
    """The title and every link of a page, sorted (a page whose tables and drawings follow row order)."""
    return sorted(re.findall(r'href="([^"]*)"', html) + re.findall(r"<title>(.*?)</title>", html))


def same(servers, path: str, *, order_free: bool = False, **kwargs) -> httpx.Response:
    """GET ``path`` from both servers and require the same status, media type and body (``order_free``:
    the same rows or lines in any order, or for HTML the same links)."""
    embedded, remote = servers
    a, b = embedded.get(path, **kwargs), remote.get(path, **kwargs)
    assert (b.status_code, b.headers.get("content-type")) == (a.status_code, a.headers.get("content-type")), \
        (path, kwargs.get("params"))
    if "json" in a.headers.get("content-type", ""):
        if order_free:
            assert unordered(b.json()) == unordered(a.json()), (path, kwargs.get("params"))
        else:
            assert b.json() == a.json(), (path, kwargs.get("params"))
    elif order_free and "html" in a.headers.get("content-type", ""):
        assert links(b.text) == links(a.text), path
    elif order_free:
        assert sorted(b.text.splitlines()) == sorted(a.text.splitlines()), path
    else:
        assert b.text == a.text, (path, kwargs.get("params"))
    for secret in CANARY_SECRETS:
        assert secret not in b.text, (path, secret)
    return b


def slugs(store, space: str, limit: int = 3) -> list[str]:
    prefix = BASE + space
    found = sorted({quad.subject.value[len(prefix):] for quad in store.quads()
                    if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(prefix)
                    and "/" not in quad.subject.value[len(prefix):] and "#" not in quad.subject.value[len(prefix):]
                    and "canary" not in quad.subject.value})
    return found[:limit]


def test_rest_api_lists_items_and_relations(servers):
    assert same(servers, "api/v1").status_code == 200
    for kind in q.KINDS.values():
        page = same(servers, f"api/v1/{kind.name}", params={"pageSize": 100}).json()
        items = page.get("items") or page.get("member") or []
        for item in items[:1]:
            slug = str(item.get("id", "")).rstrip("/").rsplit("/", 1)[-1]
            if slug:
                same(servers, f"api/v1/{kind.name}/{slug}")
    organisation = same(servers, "api/v1/organisations", params={"pageSize": 1}).json()
    network = same(servers, "api/v1/networks", params={"pageSize": 1}).json()
    for listing, path in ((organisation, "api/v1/organisations/{}/collaborators"), (network, "api/v1/networks/{}/members")):
        for item in (listing.get("items") or [])[:1]:
            assert same(servers, path.format(str(item["id"]).rstrip("/").rsplit("/", 1)[-1])).status_code == 200


def test_rest_api_filters_by_theme_sector_region_programme_and_period(servers):
    embedded_store = servers[0].endpoint.ctx.store
    for (kind, name), _pattern in q.FILTER_PATTERNS.items():
        for slug in slugs(embedded_store, q.FILTER_SPACES[name], limit=1):
            assert same(servers, f"api/v1/{kind}", params={name: slug, "pageSize": 100}).status_code == 200
    for kind in ("organisations", "networks", "programmes", "events"):
        for period in ("2019", "2020-03-01/2021-12-31"):
            assert same(servers, f"api/v1/{kind}", params={"period": period, "pageSize": 100}).status_code == 200
    assert same(servers, "api/v1/organisations", params={"q": "leiden"}).json()["totalItems"] > 0


def test_analysis_endpoints(servers):
    assert same(servers, "api/v1/analysis").status_code == 200
    for measure in ("ei", "spanners"):  # ties come in the order the store answers
        assert same(servers, f"api/v1/analysis/{measure}", order_free=True).status_code == 200


def test_linked_data_documents_and_dumps(servers):
    embedded_store = servers[0].endpoint.ctx.store
    slug = slugs(embedded_store, "id/organisatie/", limit=1)[0]
    assert same(servers, f"doc/organisatie/{slug}.jsonld").status_code == 200
    assert same(servers, f"id/organisatie/{slug}", headers={"Accept": "text/turtle"}, follow_redirects=True).status_code == 200
    for path in ("def/thema.ttl", ".well-known/void"):
        assert same(servers, path, headers={"Accept": "text/turtle"}).status_code == 200
    assert same(servers, "dumps/leernet.nq", order_free=True).text  # in the order of the in-memory public copy


def test_explorer_pages(servers):
    embedded_store = servers[0].endpoint.ctx.store
    slug = slugs(embedded_store, "id/organisatie/", limit=1)[0]
    for path in ("", "?lang=en", "zoeken?q=Leiden", f"doc/organisatie/{slug}"):
        assert same(servers, path, headers={"Accept": "text/html"}).status_code == 200
    for path in (f"samenwerking/organisatie/{slug}", "grensoverschrijding"):  # tables and drawings of a network
        assert same(servers, path, headers={"Accept": "text/html"}, order_free=True).status_code == 200


def test_sparql_endpoint_answers_from_the_public_data(servers):
    embedded, remote = servers
    path = endpoint_path(BASE)
    for query in ("SELECT ?label WHERE { ?n a <https://data.leernet.nl/def/leernet#LearningNetwork> ; "
                  "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?label",
                  "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                  "ASK { ?s ?p \"Geheime Student Kanarie\" }"):
        a = embedded.client.get(path, params={"query": query}, headers={"Accept": "application/sparql-results+json"})
        b = remote.client.get(path, params={"query": query}, headers={"Accept": "application/sparql-results+json"})
        assert b.status_code == a.status_code == 200, b.text
        assert json.loads(b.content) == json.loads(a.content)
    assert json.loads(b.content)["boolean"] is False  # the canary is not public on either
    assert remote.endpoint.runner.worker_pids()  # the mirror of the public quads, not the server, answers


def test_remote_store_behind_the_app_is_the_remote_one(servers):
    assert isinstance(servers[1].endpoint.ctx.store, RemoteStore)
    assert isinstance(servers[0].endpoint.ctx.store, EmbeddedStore)
