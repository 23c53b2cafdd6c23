"""What every request handler needs: settings, the store, the privacy rules and cached dumps."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import Request

from api.privacy import Privacy
from graph.settings import Settings
from graph.store import Store

API_VERSION = "1.0.0"  # semver of the REST API; the major version is the /api/v1 in its paths


class Context:
    """Shared state of one running app. Caches are keyed by the store's write generation, so every
    write through the store refreshes them."""

    def __init__(self, settings: Settings, store: Store, query_runner: Any = None):
        self.settings = settings
        self.store = store
        self.query_runner = query_runner  # graph.query_runner's protected runner, for the /sparql endpoint
        self.base = settings.base_iri
        self._lock = threading.Lock()
        self._privacy: tuple[int, Privacy] | None = None
        self.cache: dict[tuple, Any] = {}

    @property
    def version(self) -> int:
        """A cheap fingerprint of the store's state: its write generation."""
        return self.store.generation

    @property
    def privacy(self) -> Privacy:
        """The privacy rules for the current state of the store."""
        with self._lock:
            if self._privacy is None or self._privacy[0] != self.version:
                self._privacy = (self.version, Privacy(self.store))
            return self._privacy[1]

    def cached(self, key: tuple, build):
        """``build()``'s result, kept until the store changes."""
        full_key = (self.version, *key)
        with self._lock:
            if full_key in self.cache:
                return self.cache[full_key]
        value = build()
        with self._lock:
            self.cache = {k: v for k, v in self.cache.items() if k[0] == self.version}
            self.cache[full_key] = value
        return value

    def api_url(self, path: str = "") -> str:
        """An absolute URL in the REST API, built from the base IRI (never from the request's host)."""
        return f"{self.base}api/v1{path}"


def get_context(request: Request) -> Context:
    """The request's :class:`Context` (a FastAPI dependency)."""
    return request.app.state.context
