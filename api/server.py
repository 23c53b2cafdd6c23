"""``leernet serve``: run the web application on the embedded store with uvicorn.

``graph/cli.py`` finds :func:`register` through an entry point, so that graph/ never imports api/.
"""

from __future__ import annotations

import argparse

from graph.settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def serve(settings: Settings, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, store=None,
          query_runner=None, routers=()) -> None:
    """Serve ``store`` (or the store the settings name, loading the curated graph into an empty one)
    until interrupted. ``query_runner`` and ``routers`` are passed to :func:`api.app.create_app`;
    without a ``query_runner`` the public SPARQL endpoint's runner is started (over the public data only)."""
    import uvicorn

    from api.app import create_app
    from api.sparql import start_endpoint
    from graph.store import open_store

    own = store is None
    store = open_store(settings) if own else store
    endpoint = None
    try:
        app = create_app(settings, store, query_runner=query_runner, routers=routers)
        if query_runner is None:
            endpoint = start_endpoint(app)
        print(f"leernet serves {settings.base_iri} at http://{host}:{port}/ (Ctrl-C stops)", flush=True)
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
    finally:
        if endpoint is not None:
            endpoint.close()
        if own:
            store.close()


def handle(args: argparse.Namespace, store, ui=None) -> None:
    """``serve`` on a store the CLI already opened (the ``(args, store, ui)`` handler shape)."""
    serve(store.settings, args.host, args.port, store=store)


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``serve`` subcommand to an argparse subparsers object; its handler is ``args.func``."""
    parser = subparsers.add_parser(
        "serve", help="serve the REST API, linked-data pages and dumps over HTTP",
        description="Serve leernet over HTTP: REST API at /api/v1, linked data at /id/ and /doc/, "
                    "definitions at /def/, dataset metadata at /.well-known/void, dumps at /dumps/, "
                    "SPARQL at /sparql; curators write with LEERNET_WRITE_TOKEN (docs/portals.md).",
        epilog="examples:\n  leernet serve                      http://127.0.0.1:8000/\n"
               "  leernet --store ./st serve --host 0.0.0.0 --port 8080\n"
               "  LEERNET_BASE_IRI=https://data.example.org/ leernet serve   links use that base",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.set_defaults(handler=handle)
    return parser
