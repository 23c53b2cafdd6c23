"""The quad store behind leernet: a small interface, and its embedded pyoxigraph implementation.

Everything above this module (ingest, validation, the API, the analyses) talks to a :class:`Store`
only, so that a remote SPARQL 1.1 server can stand in for the embedded store. Results are always
pyoxigraph objects (``QuerySolutions``, ``QueryTriples``, ``QueryBoolean``, ``Quad``) whatever the
backend.

Data lives in named graphs, one per loaded file or import batch; queries see the union of all
graphs as their default graph unless a dataset is given.

>>> from graph.settings import load_settings
>>> store = open_store(load_settings(store_path=None), initialise=False)
>>> store.replace_graphs({"https://example.org/graph/a": [
...     ("https://example.org/s", "https://example.org/p", "https://example.org/o")]})
>>> store.ask("ASK { <https://example.org/s> ?p ?o }")
True
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox

from graph.errors import InputError, StoreBusy
from graph.settings import Settings

QuadLike = ox.Quad | tuple  # a pyoxigraph Quad, or (s, p, o) of IRI strings / terms


class Store(ABC):
    """What leernet needs from a quad store; implemented by :class:`EmbeddedStore` and later remotes."""

    settings: Settings

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ):
        """Run a SPARQL query; the default graph is the union of all graphs unless one is given."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL update atomically: all of it or nothing."""

    @abstractmethod
    def quads(self, subject=None, predicate=None, obj=None, graph: str | None = None) -> Iterator[ox.Quad]:
        """The quads matching a pattern (``None`` matches anything; ``graph`` is an IRI string)."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """The IRIs of all named graphs."""

    @abstractmethod
    def replace_graphs(self, graphs: Mapping[str, Iterable[QuadLike]], metadata: Iterable[QuadLike] = ()) -> None:
        """Atomically replace each given named graph by the given triples, and add ``metadata``
        quads (which carry their own graph). Either everything is written or nothing."""

    @abstractmethod
    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and everything in it."""

    @abstractmethod
    def __len__(self) -> int:
        """The number of quads in the store."""

    def close(self) -> None:
        """Release the store (flushes and unlocks an on-disk store)."""

    def ask(self, sparql: str) -> bool:
        """The answer of an ASK query."""
        return bool(self.query(sparql))

    def select(self, sparql: str) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]:
        """The rows of a SELECT query as dictionaries from variable name to term (unbound left out)."""
        solutions = self.query(sparql)
        names = [v.value for v in solutions.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in solutions]

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def to_quad(item: QuadLike, graph: str | None = None) -> ox.Quad:
    """Turn a pyoxigraph Quad/Triple or an (s, p, o[, g]) tuple of strings or terms into a Quad."""
    if isinstance(item, ox.Quad):
        if graph is None:
            return item
        return ox.Quad(item.subject, item.predicate, item.object, ox.NamedNode(graph))
    if isinstance(item, ox.Triple):
        s, p, o, g = item.subject, item.predicate, item.object, None
    else:
        s, p, o, *rest = item
        g = rest[0] if rest else None
    graph_term = ox.NamedNode(graph) if graph is not None else _term(g) if g is not None else ox.DefaultGraph()
    return ox.Quad(_term(s), _term(p), _term(o), graph_term)


def _term(value):
    if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple, ox.DefaultGraph)):
        return value
    if isinstance(value, str):
        return ox.NamedNode(value)
    raise TypeError(f"cannot make an RDF term of {value!r}")


class EmbeddedStore(Store):
    """The default store: pyoxigraph, on disk in ``settings.store_path`` or in memory when it is None.

    One process writes at a time: the on-disk store is locked by RocksDB while open; a second
    process waits up to ``settings.lock_timeout`` seconds and then gets :class:`StoreBusy`.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.path: Path | None = settings.store_path
        self._store = self._open()

    def _open(self) -> ox.Store:
        if self.path is None:
            return ox.Store()
        self.path.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.settings.lock_timeout
        while True:
            try:
                return ox.Store(str(self.path))
            except OSError as error:
                if "lock" not in str(error).lower():
                    raise InputError(f"cannot open the store at {self.path}: {error}") from error
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"the store at {self.path} is in use by another leernet process",
                        [f"waited {self.settings.lock_timeout:g} s; stop the other process "
                         "(e.g. 'leernet serve') or set LEERNET_LOCK_TIMEOUT to wait longer"],
                    ) from error
                time.sleep(0.2)

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store, for code that needs its native features."""
        return self._store

    def query(self, sparql, *, default_graph=None, named_graphs=None):
        kwargs: dict = {}
        if default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self._store.query(sparql, **kwargs)

    def update(self, sparql):
        self._store.update(sparql)

    def quads(self, subject=None, predicate=None, obj=None, graph=None):
        graph_term = ox.NamedNode(graph) if isinstance(graph, str) else graph
        return self._store.quads_for_pattern(
            _term(subject) if subject is not None else None,
            _term(predicate) if predicate is not None else None,
            _term(obj) if obj is not None else None,
            graph_term,
        )

    def named_graphs(self):
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def replace_graphs(self, graphs, metadata=()):
        quads: list[ox.Quad] = []
        for iri, triples in graphs.items():
            quads.extend(to_quad(t, iri) for t in triples)
        quads.extend(to_quad(q) for q in metadata)
        # One SPARQL update is one transaction in oxigraph: the drops and the inserts land together.
        drops = "".join(f"DROP SILENT GRAPH <{iri}> ;\n" for iri in graphs)
        self._store.update(f"{drops}INSERT DATA {{\n{insert_data_body(quads)}\n}}")

    def drop_graph(self, graph):
        self._store.update(f"DROP SILENT GRAPH <{graph}>")

    def __len__(self):
        return len(self._store)

    def close(self):
        if self.path is not None and self._store is not None:
            self._store.flush()
        self._store = None  # RocksDB releases its lock when the object is freed

    def backup(self, target: Path) -> None:
        """A consistent on-disk copy of the store in ``target`` (an empty or missing directory)."""
        self._store.backup(str(target))


def insert_data_body(quads: Iterable[ox.Quad]) -> str:
    """The body of a SPARQL ``INSERT DATA`` block for the quads, grouped by graph."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        key = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
        by_graph.setdefault(key, []).append(f"{q.subject} {q.predicate} {q.object} .")
    parts = []
    for graph, lines in by_graph.items():
        block = "\n".join(lines)
        parts.append(f"GRAPH {graph} {{\n{block}\n}}" if graph else block)
    return "\n".join(parts)


def open_store(settings: Settings, *, initialise: bool = True) -> Store:
    """Open the store the settings name; on first use fill it with ontology/, shapes/ and data/.

    ``initialise=False`` opens it as it is (used by ``leernet init`` itself and by tests).
    """
    store = EmbeddedStore(settings)
    if initialise and len(store) == 0:
        from graph.ingest import load_curated  # late import: ingest builds on this module

        load_curated(store)
    return store
