"""Shared fixtures: real stores (in memory and on disk), settings for the real and the tiny test
resources, and ``run_cli`` to run the real ``leernet`` command in a subprocess."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import uvicorn

from graph.settings import DEFAULT_BASE_IRI, load_settings
from graph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
INGEST_FIXTURES = FIXTURES / "ingest"
MINI_RESOURCES = INGEST_FIXTURES / "resources"
BASE = DEFAULT_BASE_IRI


def leernet_command() -> list[str]:
    """The installed ``leernet`` console script of this interpreter, else ``python -m graph``."""
    script = Path(sys.executable).parent / "leernet"
    return [str(script)] if script.exists() else [sys.executable, "-m", "graph"]


def cli_env(store: Path | str | None, **extra: str) -> dict[str, str]:
    """The environment for a CLI subprocess: no inherited LEERNET_* settings, the given store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEERNET_")}
    if store is not None:
        env["LEERNET_STORE"] = str(store)
    env.update(extra)
    return env


def store_quads(path: Path) -> list[str]:
    """The sorted quads (as N-Quads text) of the on-disk store at ``path``; opens and closes it."""
    with EmbeddedStore(load_settings(store_path=path, base_iri=BASE, lock_timeout=30)) as store:
        return sorted(str(q) for q in store.quads())


@pytest.fixture
def store_path(tmp_path) -> Path:
    """A fresh path for an on-disk store (not created yet)."""
    return tmp_path / "store"


@pytest.fixture
def settings(store_path):
    """Settings for an on-disk store at ``store_path`` with the real ontology, shapes and data."""
    return load_settings(store_path=store_path, base_iri=BASE, lang="nl", lock_timeout=5)


@pytest.fixture
def memory_settings():
    """Settings for an in-memory store with the real resources."""
    return load_settings(store_path=None, base_iri=BASE, lang="nl")


@pytest.fixture
def mini_settings():
    """In-memory settings with the tiny test resources of tests/fixtures/ingest/resources."""
    return load_settings(store_path=None, base_iri=BASE, lang="nl", resources=MINI_RESOURCES)


@pytest.fixture(scope="session")
def curated_quads() -> list[ox.Quad]:
    """The quads of a store filled by ``load_curated`` with the real resources (computed once)."""
    from graph.ingest import load_curated

    with EmbeddedStore(load_settings(store_path=None, base_iri=BASE)) as store:
        load_curated(store)
        return list(store.quads())


@pytest.fixture
def memory_store(memory_settings, curated_quads):
    """An in-memory store holding the curated ontology, shapes and data."""
    store = EmbeddedStore(memory_settings)
    store.oxigraph.extend(curated_quads)
    yield store
    store.close()


@pytest.fixture
def disk_store(settings, curated_quads):
    """An on-disk store at ``store_path`` holding the curated ontology, shapes and data."""
    store = EmbeddedStore(settings)
    store.oxigraph.extend(curated_quads)
    yield store
    store.close()


@pytest.fixture
def mini_store(mini_settings):
    """An in-memory store initialised from the tiny test resources."""
    from graph.store import open_store

    store = open_store(mini_settings)
    yield store
    store.close()


@pytest.fixture(scope="session")
def initialised_store_template(tmp_path_factory) -> Path:
    """An on-disk store made once by the real ``leernet init``; copy it, never change it."""
    path = tmp_path_factory.mktemp("template") / "store"
    result = subprocess.run([*leernet_command(), "--quiet", "init"], env=cli_env(path), capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def cli_store(initialised_store_template, store_path) -> Path:
    """A private copy of an initialised on-disk store at ``store_path``."""
    shutil.copytree(initialised_store_template, store_path)
    return store_path


@pytest.fixture
def initialised_store(cli_store, settings):
    """An open, private copy of an initialised on-disk store (ontology, shapes and data loaded)."""
    from graph.store import open_store

    store = open_store(settings, initialise=False)
    yield store
    store.close()


@pytest.fixture
def run_cli(store_path):
    """Run the real ``leernet`` command: ``run_cli("load", "x.ttl", input=..., env={...}, store=...)``.

    LEERNET_STORE is ``store_path`` unless ``store=`` says otherwise; returns the CompletedProcess
    (text mode, stdout and stderr captured).
    """

    def run(*args, input: str | bytes | None = None, env: dict | None = None, store=None, timeout: float = 300,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*leernet_command(), *map(str, args)], input=input, capture_output=True,
            text=not isinstance(input, bytes), env=cli_env(store or store_path, **(env or {})),
            timeout=timeout, cwd=cwd or INGEST_FIXTURES,
        )

    return run


# -- remote store (tests/virtuoso.py) ---------------------------------------------------------------

@pytest.fixture(scope="session")
def virtuoso_server():
    """A Virtuoso server on free 127.0.0.1 ports for the whole session (started once, stopped at the end).
    Without ``virtuoso-t`` the tests that need it are skipped, or fail when the environment sets CI."""
    import virtuoso

    if virtuoso.binary() is None:
        message = "virtuoso-t is not installed (apt-get install virtuoso-opensource; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run the remote-store tests")
        pytest.skip(message)
    server = virtuoso.start()
    yield server
    server.stop()


def remote_settings(server, base_settings, **changes):
    """``base_settings`` pointed at the Virtuoso ``server`` (its anonymous /sparql endpoint)."""
    return base_settings.with_(**{"store_url": server.url, "store_timeout": 30.0, **changes})


@pytest.fixture(params=["embedded", "virtuoso"])
def any_store(request, memory_settings):
    """An empty store of each backend in turn: in-memory pyoxigraph, and a RemoteStore on the session's
    Virtuoso (emptied first; staged uploads with INSERT DATA, the Graph Store Protocol is tested apart)."""
    if request.param == "embedded":
        store = EmbeddedStore(memory_settings)
    else:
        from graph.remote_store import RemoteStore

        server = request.getfixturevalue("virtuoso_server")
        server.clear()
        store = RemoteStore(remote_settings(server, memory_settings))
    yield store
    store.close()


@pytest.fixture
def served(memory_store):
    """A real server (uvicorn, 127.0.0.1, a free port) over ``memory_store``; yields (url, app)."""
    from api.app import create_app

    app = create_app(memory_store.settings, memory_store)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", app
    server.should_exit = True
    thread.join(timeout=10)
