"""What every request handler needs: settings, the store, the privacy rules and cached dumps."""

from __future__ import annotations

import logging
import threading
from typing import Any

from fastapi import Request

from api.privacy import Privacy
from graph.settings import Settings
from graph.store import Store
from graph.theme_index import ThemeIndex

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
        self._theme_index: tuple[int, ThemeIndex] | None = None
        self._building_theme_index: int | None = None

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

    def theme_index(self) -> ThemeIndex | None:
        """The :class:`ThemeIndex` of the current state of the store, or None while a background
        thread builds it (the caller then asks the store itself)."""
        version = self.version
        with self._lock:
            if self._theme_index is not None and self._theme_index[0] == version:
                return self._theme_index[1]
            if self._building_theme_index is not None:
                return None
            self._building_theme_index = version
        threading.Thread(target=self._build_theme_index, args=(version,), daemon=True,
                         name="leernet-theme-index").start()
        return None

    def _build_theme_index(self, version: int) -> None:
        try:
            index = ThemeIndex.build(self.store)
            with self._lock:
                if self.version == version:  # else the store changed while reading: the next request builds anew
                    self._theme_index = (version, index)
        except Exception:  # noqa: BLE001 - the store answers instead; the next request tries again
            logging.getLogger("leernet").warning("the theme index could not be built", exc_info=True)
        finally:
            with self._lock:
                self._building_theme_index = None

    def api_url(self, path: str = "") -> str:
        """An absolute URL in the REST API, built from the base IRI (never from the request's host)."""
        return f"{self.base}api/v1{path}"


def get_context(request: Request) -> Context:
    """The request's :class:`Context` (a FastAPI dependency)."""
    return request.app.state.context
