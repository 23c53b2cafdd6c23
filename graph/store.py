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
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

try:  # POSIX advisory locks; elsewhere RocksDB's own lock is the only guard
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

import pyoxigraph as ox

from graph.errors import InputError, StoreBusy
from graph.settings import Settings

QuadLike = ox.Quad | tuple  # a pyoxigraph Quad, or (s, p, o) of IRI strings / terms

# New graph content is first written to a staging graph under this prefix and then moved into place
# in one transaction; staging graphs left behind by a killed process are removed on the next open.
STAGING_PREFIX = "urn:leernet:staging:"
PENDING = ox.NamedNode(f"{STAGING_PREFIX}pending")  # marks a graph whose bulk write has not finished
BULK_WRITE = 100_000  # new graphs of at least this many quads are written with bulk_extend


class Store(ABC):
    """What leernet needs from a quad store; implemented by :class:`EmbeddedStore` and by
    :class:`graph.remote_store.RemoteStore` (any SPARQL 1.1 server).

    ``generation`` counts the writes made through this object: caches key on it (cheap, unlike
    ``len()``, which counts every quad of an on-disk store).
    """

    settings: Settings
    generation: int = 0

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
    def replace_graphs(
        self,
        graphs: Mapping[str, Iterable[QuadLike]],
        metadata: Iterable[QuadLike] = (),
        *,
        retract: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        """Atomically replace each given named graph by the given triples, and add ``metadata``
        quads (which carry their own graph). Either everything is written or nothing.

        ``retract`` maps a graph IRI to subject IRIs whose triples in that graph are removed first,
        in the same transaction (used to replace the metadata of a replaced graph). An empty
        triple list removes the graph. Blank nodes keep their identifiers.
        """

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


def quads_in(items: Iterable[QuadLike], graph: str) -> list[ox.Quad]:
    """``items`` as quads in ``graph``: :func:`to_quad` for each, with one graph term for all (1M
    triples: 1 s instead of 6)."""
    name = ox.NamedNode(graph)
    return [ox.Quad(t.subject, t.predicate, t.object, name) if isinstance(t, (ox.Triple, ox.Quad)) else to_quad(t, graph)
            for t in items]


def _term(value):
    if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple, ox.DefaultGraph)):
        return value
    if isinstance(value, str):
        return ox.NamedNode(value)
    raise TypeError(f"cannot make an RDF term of {value!r}")


class EmbeddedStore(Store):
    """The default store: pyoxigraph, on disk in ``settings.store_path`` or in memory when it is None.

    One process uses an on-disk store at a time: it holds ``<store>.lock`` (and RocksDB's own lock)
    while the store is open; a second process waits up to ``settings.lock_timeout`` seconds and
    then gets :class:`StoreBusy`. Writes are transactions, so a killed process leaves the store as
    it was before its unfinished write (stale staging graphs are removed on the next open). New
    graphs of :data:`BULK_WRITE` quads or more are written in bulk and marked pending until their
    last transaction; the next open removes what a killed process left pending.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.path: Path | None = settings.store_path
        self._lock: StoreLock | None = None
        if self.path is not None:
            self._lock = StoreLock(self.path, settings.lock_timeout)
            self._lock.acquire()
        try:
            self._store = self._open()
            self._drop_stale_staging()
        except BaseException:
            if self._lock is not None:
                self._lock.release()
            raise

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
                    raise _busy(self.path, self.settings.lock_timeout) from error
                time.sleep(0.2)

    def _drop_stale_staging(self) -> None:
        for graph in list(self._store.named_graphs()):
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(STAGING_PREFIX):
                if graph.value.startswith(f"{STAGING_PREFIX}pending-"):
                    self._drop_pending(graph)  # a bulk write that did not finish: its graphs too
                elif self._store.contains_named_graph(graph):
                    self._store.remove_graph(graph)

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
        try:
            self._store.update(sparql)
        finally:
            self.generation += 1

    def quads(self, subject=None, predicate=None, obj=None, graph=None):
        graph_term = ox.NamedNode(graph) if isinstance(graph, str) else graph
        return self._store.quads_for_pattern(
            _term(subject) if subject is not None else None,
            _term(predicate) if predicate is not None else None,
            _term(obj) if obj is not None else None,
            graph_term,
        )

    def named_graphs(self):
        return sorted(
            g.value
            for g in self._store.named_graphs()
            if isinstance(g, ox.NamedNode) and not g.value.startswith(STAGING_PREFIX)
        )

    def replace_graphs(self, graphs, metadata=(), *, retract=None):
        # ONE SPARQL update is one transaction in oxigraph: drops, retractions and inserts land
        # together or not at all. INSERT DATA gives blank nodes fresh ids, so graphs with blank
        # nodes are first staged with extend() (transactional, keeps ids) and then MOVEd into
        # place in that same update; until then only the staging graph holds them.
        content = {iri: quads_in(triples, iri) for iri, triples in graphs.items()}
        if self._all_new(content, retract or {}):
            try:
                if self.path is not None and sum(map(len, content.values())) >= BULK_WRITE:
                    self._write_in_bulk(content, [to_quad(q) for q in metadata])
                else:  # one extend() is one transaction, much faster than parsing an INSERT DATA
                    self._store.extend([*(q for quads in content.values() for q in quads), *map(to_quad, metadata)])
            finally:
                self.generation += 1
            return
        staged: dict[str, str] = {}
        try:
            operations = []
            inserts = [to_quad(q) for q in metadata]
            for iri, quads in content.items():
                if any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in quads):
                    staged[iri] = f"{STAGING_PREFIX}{uuid.uuid4().hex}"
                    self._store.extend(to_quad(q, staged[iri]) for q in quads)
                    operations.append(f"MOVE SILENT GRAPH <{staged[iri]}> TO <{iri}>")
                else:
                    operations.append(f"DROP SILENT GRAPH <{iri}>")
                    inserts.extend(quads)
            for graph, subjects in (retract or {}).items():
                values = " ".join(f"<{s}>" for s in subjects)
                if values:
                    operations.append(
                        f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} "
                        f"WHERE {{ GRAPH <{graph}> {{ VALUES ?s {{ {values} }} ?s ?p ?o }} }}"
                    )
            if inserts:
                operations.append(f"INSERT DATA {{\n{insert_data_body(inserts)}\n}}")
            if operations:
                self._store.update(" ;\n".join(operations))
        finally:
            self.generation += 1
            for staging in staged.values():
                if self._store.contains_named_graph(ox.NamedNode(staging)):
                    self._store.remove_graph(ox.NamedNode(staging))

    def _write_in_bulk(self, content: Mapping[str, list[ox.Quad]], metadata: list[ox.Quad]) -> None:
        """Write big new graphs with bulk_extend (1M quads: 12 s instead of 40 s, and without holding
        a transaction of them in memory), safely: the graphs are first marked pending in a staging
        graph, in one transaction; the metadata that makes them loaded and the removal of the mark
        are the last transaction. A failure removes them; a killed process leaves the mark, and the
        next open removes the marked graphs (:meth:`_drop_stale_staging`). Until the end, readers
        of this process may see the graphs arrive."""
        pending = ox.NamedNode(f"{STAGING_PREFIX}pending-{uuid.uuid4().hex}")
        self._store.extend(ox.Quad(ox.NamedNode(iri), PENDING, PENDING, pending) for iri in content)
        try:
            self._store.bulk_extend(q for quads in content.values() for q in quads)
            self._store.update(f"INSERT DATA {{\n{insert_data_body(metadata)}\n}} ; DROP SILENT GRAPH <{pending.value}>"
                               if metadata else f"DROP SILENT GRAPH <{pending.value}>")
        except BaseException:
            self._drop_pending(pending)
            raise

    def _drop_pending(self, pending: ox.NamedNode) -> None:
        for quad in list(self._store.quads_for_pattern(None, PENDING, PENDING, pending)):
            self._store.remove_graph(quad.subject)
        self._store.remove_graph(pending)

    def _all_new(self, content: Mapping[str, list], retract: Mapping[str, Iterable[str]]) -> bool:
        """Whether none of the graphs exists and none of the subjects to retract has triples."""
        if any(self._store.contains_named_graph(ox.NamedNode(iri)) for iri in content):
            return False
        for graph, subjects in retract.items():
            for subject in subjects:
                if next(iter(self._store.quads_for_pattern(ox.NamedNode(subject), None, None, ox.NamedNode(graph))), None):
                    return False
        return True

    def drop_graph(self, graph):
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def __len__(self):
        return len(self._store)

    def close(self):
        if self.path is not None and self._store is not None:
            self._store.flush()
        self._store = None  # RocksDB releases its lock when the object is freed
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def backup(self, target: Path) -> None:
        """A consistent on-disk copy of the store in ``target``, which must not exist yet."""
        self._store.backup(str(target))


class StoreLock:
    """An advisory lock beside an on-disk store (``<store>.lock``) that every leernet process takes
    before opening it, so that restore can swap directories while nobody has the store open."""

    def __init__(self, store_path: Path, timeout: float):
        self.path = Path(store_path).with_name(Path(store_path).name + ".lock")
        self.store_path = Path(store_path)
        self.timeout = timeout
        self._handle = None

    def acquire(self) -> None:
        """Take the lock, waiting up to ``timeout`` seconds; :class:`StoreBusy` when it stays taken."""
        if fcntl is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+b")
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._handle = handle
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    raise _busy(self.store_path, self.timeout) from None
                time.sleep(0.1)

    def release(self) -> None:
        """Give the lock back (closing the file releases it)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None


@contextmanager
def locked(settings: Settings) -> Iterator[StoreLock]:
    """Hold the store's lock without opening the store (for restoring a backup into its place)."""
    if settings.store_path is None:
        raise InputError("this needs an on-disk store", ["give --store PATH or set LEERNET_STORE"])
    lock = StoreLock(settings.store_path, settings.lock_timeout)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()


def _busy(path: Path, timeout: float) -> StoreBusy:
    return StoreBusy(
        f"the store at {path} is in use by another leernet process",
        [f"waited {timeout:g} s; stop the other process "
         "(e.g. 'leernet serve') or set LEERNET_LOCK_TIMEOUT to wait longer"],
    )


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

    ``initialise=False`` opens it as it is (used by ``leernet init`` itself and by tests). With
    ``settings.store_url`` set it is a :class:`graph.remote_store.RemoteStore` on that SPARQL server.
    """
    if settings.store_url:
        from graph.remote_store import RemoteStore  # late import: it builds on this module

        store: Store = RemoteStore(settings)
    else:
        store = EmbeddedStore(settings)
    if initialise and len(store) == 0:
        from graph.ingest import load_curated  # late import: ingest builds on this module

        load_curated(store)
    return store
