"""One settings object for leernet, read from the environment (``LEERNET_*``) with sensible defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_BASE_IRI = "https://data.leernet.nl/"


def _default_store_path() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "leernet" / "store"


def _resources_root() -> Path:
    """Where ontology/, shapes/ and data/ live: the checkout (editable install) or the wheel."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "ontology").is_dir():
        return checkout
    return Path(__file__).resolve().parent / "resources"


@dataclass(frozen=True)
class Settings:
    """All configuration of leernet in one place; build with :func:`load_settings`."""

    base_iri: str = DEFAULT_BASE_IRI
    store_path: Path | None = field(default_factory=_default_store_path)  # None: in memory
    lang: str = "nl"
    resources: Path = field(default_factory=_resources_root)
    min_public_count: int = 5
    lock_timeout: float = 10.0
    validator: str = "sparql"  # SHACL engine (LEERNET_VALIDATOR): "sparql" (fast) or "pyshacl" (the reference)
    # Protection of the public SPARQL endpoint (graph.sparql_guard, graph.query_runner).
    query_timeout: float = 10.0  # seconds after which a running query is stopped
    max_query_bytes: int = 100_000
    max_nesting: int = 64  # depth of { ( [ and unary ! in a query
    max_rows: int = 10_000  # solutions or triples returned; more are cut off (reported as truncated)
    max_offset: int = 100_000
    max_concurrent_queries: int = 4  # query worker processes
    max_query_memory: int = 2 * 1024**3  # bytes of heap one query worker may use
    federation_allow_list: tuple[str, ...] = ()  # SERVICE/LOAD IRIs allowed; an entry ending in / allows all below it
    # The curators' bearer token for the write endpoints (LEERNET_WRITE_TOKEN); None: writes are disabled.
    write_token: str | None = field(default=None, repr=False)
    # A remote SPARQL 1.1 store (graph.remote_store) instead of the embedded one: set store_url, the query
    # endpoint. The update endpoint defaults to it; the Graph Store Protocol endpoint is optional.
    store_url: str | None = None
    store_update_url: str | None = None  # None: store_url
    store_graph_store_url: str | None = None
    store_user: str | None = None
    store_password: str | None = field(default=None, repr=False)
    store_timeout: float = 30.0  # seconds per HTTP request to the remote store
    # Graphs of the remote server that are not leernet's data (an entry ending in / or # hides all below it).
    store_hidden_graphs: tuple[str, ...] = ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#",
                                            "http://localhost:8890/sparql", "http://localhost:8890/DAV/")

    @property
    def ontology_dir(self) -> Path:
        return self.resources / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.resources / "shapes"

    @property
    def data_dir(self) -> Path:
        return self.resources / "data"

    def with_(self, **changes) -> "Settings":
        """A copy with some fields changed."""
        return replace(self, **changes)


_QUERY_LIMITS = (
    ("query_timeout", "LEERNET_QUERY_TIMEOUT", float),
    ("max_query_bytes", "LEERNET_MAX_QUERY_BYTES", int),
    ("max_nesting", "LEERNET_MAX_NESTING", int),
    ("max_rows", "LEERNET_MAX_ROWS", int),
    ("max_offset", "LEERNET_MAX_OFFSET", int),
    ("max_concurrent_queries", "LEERNET_MAX_CONCURRENT_QUERIES", int),
    ("max_query_memory", "LEERNET_MAX_QUERY_MEMORY", int),
)


def load_settings(**overrides) -> Settings:
    """Settings from ``LEERNET_*`` environment variables, then explicit overrides.

    ``LEERNET_STORE=:memory:`` or ``store_path=None`` gives an in-memory store.
    """
    env = os.environ
    values: dict = {}
    if env.get("LEERNET_BASE_IRI"):
        values["base_iri"] = env["LEERNET_BASE_IRI"]
    if env.get("LEERNET_STORE"):
        values["store_path"] = None if env["LEERNET_STORE"] == ":memory:" else Path(env["LEERNET_STORE"])
    if env.get("LEERNET_LANG"):
        values["lang"] = env["LEERNET_LANG"]
    if env.get("LEERNET_MIN_COUNT"):
        values["min_public_count"] = int(env["LEERNET_MIN_COUNT"])
    if env.get("LEERNET_LOCK_TIMEOUT"):
        values["lock_timeout"] = float(env["LEERNET_LOCK_TIMEOUT"])
    if env.get("LEERNET_VALIDATOR"):
        values["validator"] = env["LEERNET_VALIDATOR"]
    for name, variable, kind in _QUERY_LIMITS:
        if env.get(variable):
            try:
                values[name] = kind(env[variable])
            except ValueError:
                from graph.errors import InputError

                raise InputError(f"{variable}={env[variable]!r} is not a number",
                                 [f"set {variable} to a {'number of seconds' if kind is float else 'whole number'}"]) from None
    if env.get("LEERNET_FEDERATION_ALLOW_LIST"):
        values["federation_allow_list"] = tuple(env["LEERNET_FEDERATION_ALLOW_LIST"].replace(",", " ").split())
    if env.get("LEERNET_WRITE_TOKEN"):
        values["write_token"] = env["LEERNET_WRITE_TOKEN"]
    for name, variable in (("store_url", "LEERNET_STORE_URL"), ("store_update_url", "LEERNET_STORE_UPDATE_URL"),
                           ("store_graph_store_url", "LEERNET_STORE_GSP_URL"), ("store_user", "LEERNET_STORE_USER"),
                           ("store_password", "LEERNET_STORE_PASSWORD")):
        if env.get(variable):
            values[name] = env[variable]
    if env.get("LEERNET_STORE_TIMEOUT"):
        try:
            values["store_timeout"] = float(env["LEERNET_STORE_TIMEOUT"])
        except ValueError:
            from graph.errors import InputError

            raise InputError(f"LEERNET_STORE_TIMEOUT={env['LEERNET_STORE_TIMEOUT']!r} is not a number",
                             ["set LEERNET_STORE_TIMEOUT to a number of seconds"]) from None
    if env.get("LEERNET_STORE_HIDDEN_GRAPHS"):
        values["store_hidden_graphs"] = tuple(env["LEERNET_STORE_HIDDEN_GRAPHS"].replace(",", " ").split())
    values.update(overrides)  # explicit values win, including store_path=None (in memory)
    if isinstance(values.get("store_path"), str):
        values["store_path"] = Path(values["store_path"])
    base = values.get("base_iri", DEFAULT_BASE_IRI)
    if not base.endswith("/"):
        values["base_iri"] = base + "/"
    return Settings(**values)
