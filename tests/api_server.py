"""A real leernet server for the API tests: uvicorn in a thread on a free 127.0.0.1 port, over an
on-disk store loaded from the curated graph (or, until data/ exists, tests/fixtures/api/), plus the
privacy canary graph that must never leave through the API.

One server per base IRI per test session; the API test modules share them through :func:`server`.
"""

from __future__ import annotations

import atexit
import os
import importlib.util
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import uvicorn

from api.app import create_app
from graph.settings import DEFAULT_BASE_IRI, load_settings
from graph.store import Store, open_store

FIXTURES = Path(__file__).parent / "fixtures" / "api"
CANARY_GRAPH = "graph/test-privacy-canary"
# Strings from the canary graph that must never appear in any output.
CANARY_SECRETS = ("Geheime Student Kanarie", "Anonieme Ouder Kanarie", "Verborgen Onderzoeker Kanarie",
                  "Verborgen Organisatie Kanarie", "p-0badc0ffee", "p-00ddba11ed", "p-5ec4e7cafe",
                  "canary-verborgen", "canary-student")


@dataclass
class Server:
    """A running server: its URL, the base IRI it publishes, and the store behind it."""

    url: str
    base: str
    store: Store
    uses_real_data: bool
    _server: uvicorn.Server
    _thread: threading.Thread

    def local(self, iri: str) -> str:
        """The URL on this server for a link built from the base IRI."""
        assert iri.startswith(self.base), f"{iri} is not under the base {self.base}"
        return self.url + urlsplit(self.base).path + iri[len(self.base):]

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)

    def get(self, iri_or_path: str, **kwargs) -> httpx.Response:
        """GET a base IRI (mapped to this server) or a path under the base's path."""
        url = self.local(iri_or_path) if iri_or_path.startswith(self.base) else self.local(self.base + iri_or_path.lstrip("/"))
        return httpx.get(url, timeout=60, **kwargs)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self.store.close()


def real_data_available(settings) -> bool:
    """Whether the curated graph and its loader exist (LEERNET_API_TEST_FIXTURES=1 forces the fixtures)."""
    if os.environ.get("LEERNET_API_TEST_FIXTURES") == "1":
        return False
    return importlib.util.find_spec("graph.ingest") is not None and any(settings.data_dir.glob("*.ttl"))


def load_file(store: Store, path: Path, base: str, graph: str) -> None:
    triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base)
    store.replace_graphs({base + graph: list(triples)})


def build_store(directory: Path | None, base: str) -> tuple[Store, bool]:
    """An on-disk (or, with ``directory=None``, in-memory) store with the data and the canary."""
    settings = load_settings(store_path=directory, base_iri=base)
    real = real_data_available(settings)
    if real:
        store = open_store(settings)
    else:
        store = open_store(settings, initialise=False)
        load_file(store, FIXTURES / "vocab.ttl", base, "graph/test-vocab")
        load_file(store, FIXTURES / "curated.ttl", base, "graph/curated")
    load_file(store, FIXTURES / "privacy-canary.ttl", base, CANARY_GRAPH)
    return store, real


_servers: dict[str, Server] = {}
_lock = threading.Lock()


def server(base: str | None = None, on_disk: bool = True) -> Server:
    """The session's server for ``base`` (default: leernet's default base IRI); ``"{port}"`` in
    ``base`` is replaced by the port the server listens on."""
    key = base or DEFAULT_BASE_IRI
    with _lock:
        if key not in _servers:
            _servers[key] = _start(key, on_disk)
        return _servers[key]


def _start(base_template: str, on_disk: bool) -> Server:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    base = base_template.replace("{port}", str(port))
    directory = Path(tempfile.mkdtemp(prefix="leernet-api-test-")) / "store" if on_disk else None
    store, real = build_store(directory, base)
    settings = store.settings
    app = create_app(settings, store)
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    running = Server(f"http://127.0.0.1:{port}", base, store, real, uv, thread)
    atexit.register(running.stop)
    return running
