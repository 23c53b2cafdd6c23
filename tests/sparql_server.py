"""Live leernet servers with the public SPARQL endpoint running, for the SPARQL and write tests.

Each test module starts its own (writes and short time limits must not leak into other modules):
uvicorn in a thread on a free 127.0.0.1 port, an on-disk store, the real query runner processes.
``"{port}"`` in a base IRI is replaced by the port, so that links and ``sd:endpoint`` point at the
server itself.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import uvicorn

from api.app import create_app
from api.sparql import PublicSparql, endpoint_path, start_endpoint
from api_server import Server, build_store
from graph.settings import load_settings
from graph.store import Store, open_store

TOKEN = "curator-test-token-7f3a"  # the write token of the test servers
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class SparqlServer(Server):
    """A running server with its public endpoint (close with :meth:`stop`)."""

    endpoint: PublicSparql

    @property
    def sparql(self) -> str:
        """The URL of the SPARQL endpoint."""
        return self.url + endpoint_path(self.base)

    def stop(self) -> None:
        self.endpoint.close()
        super().stop()


def start(base: str = "http://127.0.0.1:{port}/", *, fill: Callable[[Store], None] | None = None,
          write_token: str | None = TOKEN, **limits) -> SparqlServer:
    """A server over a fresh on-disk store: the curated data and the privacy canary (like the API tests),
    or, with ``fill``, an empty store that ``fill`` loads. ``limits`` override settings (query_timeout, …)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    base = base.replace("{port}", str(port))
    directory = Path(tempfile.mkdtemp(prefix="leernet-sparql-test-")) / "store"
    if fill is None:
        store, real = build_store(directory, base)
    else:
        store, real = open_store(load_settings(store_path=directory, base_iri=base), initialise=False), False
        fill(store)
    settings = store.settings.with_(write_token=write_token, **{"max_concurrent_queries": 3, **limits})
    app = create_app(settings, store)
    endpoint = start_endpoint(app)
    endpoint.wait_until_ready(120)  # the public data is made on a background thread
    uv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            endpoint.close()
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    running = SparqlServer(f"http://127.0.0.1:{port}", base, store, real, uv, thread)
    running.endpoint = endpoint
    return running
