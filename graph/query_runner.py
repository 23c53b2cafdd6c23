"""Runs checked SPARQL queries in worker processes that are killed at their deadline.

Why processes: pyoxigraph evaluates a query inside Rust without any way to interrupt it, and a
Python thread cannot be killed, so a runaway query can only be stopped by ending the process that
runs it. Each of ``settings.max_concurrent_queries`` workers answers one query at a time; at the
deadline the parent sends SIGKILL (the OS frees all the worker's memory), reaps it and starts a
fresh one, while the other workers keep answering. A worker also guards itself: a heap limit
(``settings.max_query_memory``), a big stack for the query thread (so chains of thousands of
UNIONs or ``||`` do not overflow it), SIGALRM shortly after the deadline (should the parent be gone),
death with its parent, and, without a federation allow-list, a network namespace of its own so no
SERVICE can reach any host. Workers are fresh interpreters, never forks of the threaded server.

Why snapshots: ``Store.read_only`` on a store another process writes is undefined behaviour. The
workers therefore open an immutable snapshot: ``Store.backup()`` of the on-disk store (a RocksDB
checkpoint of hard links beside the store, cheap), or for an in-memory store or an N-Quads dump a
small on-disk store built from it. :meth:`QueryRunner.refresh` (call it after writing) takes a new
snapshot, replaces idle workers at once and busy ones when they finish; a snapshot is deleted when no
worker uses it any more. Dataset: the default graph is the union of the public graphs and only those
are named graphs; FROM, FROM NAMED or protocol graphs must be public (pyoxigraph's dataset argument
overrides the query's own FROM, so nothing else is reachable).

A remote store (:class:`graph.remote_store.RemoteStore`) as the source: no workers and no snapshots;
each checked query is forwarded to the SPARQL server with the public graphs as its protocol dataset,
``settings.query_timeout`` as the HTTP timeout and the row cap applied to the answer, within the same
``max_concurrent_queries`` slots. The server does the stopping (it keeps running a query the runner gave
up on until its own limit, e.g. Virtuoso's MaxQueryExecutionTime), and the privacy of non-public graphs
then rests on the server honouring the dataset: every FROM and FROM NAMED must be public (Virtuoso adds
a query's FROM graphs to the protocol's instead of replacing them). The API's /sparql does not use
this: it runs on an in-memory mirror of the public quads whatever the store (:mod:`api.sparql`).
"""

from __future__ import annotations

import ctypes
import itertools
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from graph.errors import LeernetError, StoreUnavailable
from graph.settings import Settings
from graph.sparql_guard import CheckedQuery, refusal

RESULT_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                  "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                 "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
_ROOT_PREFIX = ".leernet-query-snapshots-"


@dataclass(frozen=True)
class QueryOutcome:
    """A query's serialized answer; ``rows`` solutions or triples were kept, more were cut if ``truncated``."""

    content: bytes
    media_type: str
    truncated: bool
    rows: int


def result_format(form: str, accept: str | None) -> str:
    """The media type for answering a ``form`` query in ``accept`` (a media type or a short name such
    as ``json`` or ``turtle``; None for the default); refuses formats that do not fit the form."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    table = GRAPH_FORMATS if graph else RESULT_FORMATS
    if accept is None:
        fmt = next(iter(table.values()))
    else:
        wanted = accept.split(";")[0].strip().lower()
        fmt = table.get(wanted) or (ox.RdfFormat if graph else ox.QueryResultsFormat).from_media_type(wanted)
    if fmt is None or fmt not in table.values():
        offered = ", ".join(f.media_type for f in table.values())
        raise refusal("unsupported-format", f"a {form} query cannot be answered as {accept!r}",
                      f"ask for one of: {offered}")
    return fmt.media_type


class QueryRunner:
    """Runs :class:`CheckedQuery` objects with a time limit, a row cap and a bounded number at once.

    ``source`` is an open store (:class:`graph.store.EmbeddedStore` or a ``pyoxigraph.Store``), a
    path to an on-disk store that nothing writes while the runner uses it, or an N-Quads dump
    (bytes). ``public_graphs()`` names the graphs queries may read; it is asked on every run.
    ``version()``, if given, is compared on every run and a change refreshes the snapshot.
    Thread-safe; close it (or use it as a context manager) to stop the workers.
    """

    def __init__(self, settings: Settings, source, public_graphs: Callable[[], Iterable[str]], *,
                 version: Callable[[], object] | None = None, queue_wait: float = 1.0,
                 start_timeout: float = 60.0, snapshot_root: Path | None = None):
        self.settings = settings
        self.queue_wait = queue_wait
        self.start_timeout = start_timeout
        self._public_graphs = public_graphs
        self._version = version
        self._seen_version = version() if version else None
        stack = max(256 * 2**20, 3 * 1024 * settings.max_query_bytes)
        self._limits = (stack, settings.max_query_memory, int(not settings.federation_allow_list))
        self._lock = threading.Lock()
        self._refresh_lock = threading.RLock()
        self._slots = threading.BoundedSemaphore(settings.max_concurrent_queries)
        self._remote = source if _is_remote(source) else None
        if self._remote is not None:  # queries are forwarded to the server: no workers, no snapshots
            self._workers, self._idle, self._closed = set(), [], False
            self._finalizer = weakref.finalize(self, _shutdown, self._workers, None)
            return
        self._snapshots = _Snapshots(source, snapshot_root)
        self._workers: set[_Worker] = set()
        self._idle: list[_Worker] = []
        self._closed = False
        self._finalizer = weakref.finalize(self, _shutdown, self._workers, self._snapshots.root)
        self._current = self._snapshots.take()
        with self._lock:
            self._idle.extend(self._spawn() for _ in range(settings.max_concurrent_queries))

    # -- public API ---------------------------------------------------------------------------

    def run(self, checked: CheckedQuery, accept_format: str | None = None,
            default_graph_uris: Iterable[str] | None = None,
            named_graph_uris: Iterable[str] | None = None) -> QueryOutcome:
        """Answer a checked query in ``accept_format``; :class:`QueryRefused` when it is stopped
        (``timeout``, ``too-complex``), cannot start (``busy``) or asks for a non-public graph."""
        media_type = result_format(checked.form, accept_format)
        default, named = self.dataset(checked, default_graph_uris, named_graph_uris)
        if self._remote is not None:
            return self._forward(checked, media_type, default, named)
        if self._version is not None:
            self._refresh_if_changed()
        job = {"query": checked.text, "base_iri": self.settings.base_iri, "default_graph": default,
               "named_graphs": named, "media_type": media_type,
               "max_rows": self.settings.max_rows, "timeout": self.settings.query_timeout}
        if not self._slots.acquire(timeout=self.queue_wait):
            raise refusal("busy", f"all {self.settings.max_concurrent_queries} query workers are busy",
                          "try again in a moment")
        try:
            worker = self._take()
            try:
                worker.wait_ready(self.start_timeout)
                reply = worker.execute(job, self.settings.query_timeout)
            except BaseException as error:
                self._replace(worker)
                if isinstance(error, _Stopped):
                    raise self._stopped(str(error)) from None
                raise
            self._give_back(worker)
        finally:
            self._slots.release()
        if reply[0] == "ok":
            return QueryOutcome(reply[1], media_type, reply[2], reply[3])
        if reply[0] == "syntax":
            raise refusal("syntax", f"the query does not parse: {reply[1].splitlines()[0][:300]}",
                          "correct the query at the line and column named")
        raise LeernetError(f"the query failed: {reply[1]}")

    def _forward(self, checked: CheckedQuery, media_type: str, default: list[str], named: list[str]) -> QueryOutcome:
        """Answer a query on the remote store's server (see the module doc)."""
        public = set(self._public_graphs())
        for graph in (*checked.from_graphs, *checked.from_named_graphs):
            if graph not in public:
                raise refusal("graph-not-public", f"<{graph}> is not a public graph of this endpoint",
                              "leave out FROM to query the union of all public graphs")
        if not self._slots.acquire(timeout=self.queue_wait):
            raise refusal("busy", f"all {self.settings.max_concurrent_queries} query slots are busy",
                          "try again in a moment")
        try:
            if self._closed:
                raise LeernetError("the query runner is closed")
            try:
                result = self._remote.query(f"BASE <{self.settings.base_iri}>\n{checked.text}",
                                            default_graph=default, named_graphs=named,
                                            timeout=self.settings.query_timeout)
                content, truncated, rows = _serialise(result, media_type, self.settings.max_rows)
            except StoreUnavailable as error:
                if getattr(error, "timed_out", False):
                    raise self._stopped("timeout") from None
                raise
            except SyntaxError as error:
                raise refusal("syntax", f"the query failed on the store: {str(error).splitlines()[0][:300]}",
                              "correct the query, or avoid features the SPARQL server does not support") from None
        finally:
            self._slots.release()
        return QueryOutcome(content, media_type, truncated, rows)

    def _stopped(self, why: str) -> LeernetError:
        if self._closed:
            return LeernetError("the query was stopped because the query runner was closed")
        if why == "timeout":
            return refusal("timeout", f"the query ran longer than {self.settings.query_timeout:g} s and was "
                           "stopped", "make it more selective: bind subjects or predicates, add a LIMIT, and "
                           "avoid patterns that share no variable (they multiply into a cartesian product)")
        return refusal("too-complex", f"the query needed more memory or stack than a query may use and was "
                       f"stopped ({why})", "simplify it: fewer joins, UNIONs or OPTIONALs, more selective "
                       "patterns, or a LIMIT")

    def dataset(self, checked: CheckedQuery, default_graph_uris=None, named_graph_uris=None):
        """``(default graphs, named graphs)`` for a query: the protocol's graphs, else its FROM and
        FROM NAMED, else all public graphs; refuses any graph that is not public."""
        public = list(dict.fromkeys(self._public_graphs()))
        default, named = list(default_graph_uris or ()), list(named_graph_uris or ())
        if not default and not named:
            default, named = list(checked.from_graphs), list(checked.from_named_graphs)
        if not default and not named:
            return public, public
        for graph in default + named:
            if graph not in public:
                raise refusal("graph-not-public", f"<{graph}> is not a public graph of this endpoint",
                              "leave out FROM and default-graph-uri to query the union of all public graphs")
        return default, named

    def use_source(self, source) -> None:
        """Answer from another source from now on (the same kinds as the constructor takes)."""
        if self._remote is not None:
            return
        self._snapshots.source = source
        self.refresh()

    def refresh(self) -> None:
        """Take a new snapshot of the source (call after writing to it): queries started from now on
        see the new data; workers on the old snapshot are replaced."""
        if self._remote is not None:
            return  # the server always answers from its current data
        with self._refresh_lock:
            snapshot = self._snapshots.take()
            with self._lock:
                if self._closed:
                    self._snapshots.delete(snapshot)
                    return
                self._current = snapshot
                stale, self._idle = self._idle, []
                for worker in stale:
                    self._retire(worker)
                    self._idle.append(self._spawn())
        self._collect()

    @property
    def network_isolated(self) -> bool:
        """Whether every ready worker runs without network access."""
        with self._lock:
            ready = [w for w in self._workers if w.ready]
        return bool(ready) and all(w.isolated for w in ready)

    def worker_pids(self) -> list[int]:
        """The process ids of the live workers (for monitoring and tests)."""
        with self._lock:
            return sorted(w.process.pid for w in self._workers)

    def close(self) -> None:
        """Stop every worker and delete the snapshots."""
        with self._lock:
            self._closed = True
            self._idle.clear()
        self._finalizer()

    def __enter__(self) -> "QueryRunner":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- workers ------------------------------------------------------------------------------

    def _spawn(self) -> "_Worker":  # caller holds self._lock
        worker = _Worker(self._current, self._limits)
        self._workers.add(worker)
        return worker

    def _retire(self, worker: "_Worker") -> None:  # caller holds self._lock
        self._workers.discard(worker)
        worker.stop()

    def _take(self) -> "_Worker":
        with self._lock:
            if self._closed:
                raise LeernetError("the query runner is closed")
            if not self._idle:
                return self._spawn()
            # the longest-idle worker that has finished starting, so fresh replacements can warm up
            worker = next((w for w in self._idle if w.ready or w.conn.poll(0)), self._idle[0])
            self._idle.remove(worker)
            return worker

    def _give_back(self, worker: "_Worker") -> None:
        with self._lock:
            if self._closed or worker.snapshot is not self._current:
                self._retire(worker)
                if self._closed:
                    return
                worker = self._spawn()
            self._idle.append(worker)
        self._collect()

    def _replace(self, worker: "_Worker") -> None:
        with self._lock:
            self._retire(worker)
            if not self._closed:
                self._idle.append(self._spawn())
        self._collect()

    def _collect(self) -> None:
        with self._lock:
            keep = {w.snapshot for w in self._workers} | {self._current}
            for snapshot in self._snapshots.live - keep:
                self._snapshots.delete(snapshot)

    def _refresh_if_changed(self) -> None:
        if self._version() == self._seen_version:
            return
        with self._refresh_lock:
            current = self._version()
            if current != self._seen_version:
                self.refresh()
                self._seen_version = current


class _Stopped(Exception):
    pass


class _Worker:
    """The parent's handle on one worker process (a fresh interpreter, so nothing of the server's
    threads, locks or open store is inherited)."""

    def __init__(self, snapshot: "_Snapshot", limits: tuple):
        here, there = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PACKAGE_ROOT), env.get("PYTHONPATH")]))
        arguments = [there.fileno(), os.getpid(), *limits, snapshot.path]
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from graph.query_runner import worker_main; worker_main()",
                 *map(str, arguments)], pass_fds=[there.fileno()], env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL)
        finally:
            there.close()
        self.conn = Connection(here.detach())
        self.snapshot = snapshot
        self.ready = False
        self.isolated = False
        self._stopped = False

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        if not self.conn.poll(timeout):
            raise LeernetError(f"a query worker did not start within {timeout:g} s")
        try:
            message = self.conn.recv()
        except (EOFError, OSError):
            raise LeernetError(f"a query worker ended while starting (exit code {self.process.poll()})") from None
        if message[0] != "ready":
            raise LeernetError(f"a query worker could not open the store snapshot: {message[1]}")
        self.ready, self.isolated = True, message[1]

    def execute(self, job: dict, timeout: float) -> tuple:
        """Send the job and wait for the answer; :class:`_Stopped` when the deadline passes or the worker dies."""
        try:
            self.conn.send(job)
            if self.conn.poll(timeout):
                return self.conn.recv()
        except (EOFError, OSError):
            self.stop()
            raise _Stopped(f"worker exit code {self.process.returncode}") from None
        raise _Stopped("timeout")

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        self.conn.close()


def _shutdown(workers: set, root: Path | None) -> None:  # also run at exit by weakref.finalize
    for worker in list(workers):
        worker.stop()
    workers.clear()
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)


def _is_remote(source) -> bool:
    from graph.remote_store import RemoteStore  # late import: only needed to recognise one

    return isinstance(source, RemoteStore)


# -- snapshots --------------------------------------------------------------------------------

class _Snapshot:
    __slots__ = ("path",)

    def __init__(self, path: Path):
        self.path = path


class _Snapshots:
    """Immutable on-disk copies of the source that workers open read-only."""

    def __init__(self, source, root: Path | None):
        if not isinstance(source, (str, Path, bytes)) and not hasattr(getattr(source, "oxigraph", source), "backup"):
            raise TypeError(f"a query runner needs a store, a store directory or an N-Quads dump, not {source!r}")
        self.source = source
        store_path = getattr(source, "path", None) or (source if isinstance(source, (str, Path)) else None)
        if root is None:  # beside an on-disk store, so that backups are hard links
            parent = Path(store_path).resolve().parent if store_path else None
            if parent is not None:
                _remove_orphans(parent)
            root = tempfile.mkdtemp(prefix=f"{_ROOT_PREFIX}{os.getpid()}-", dir=parent)
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.live: set[_Snapshot] = set()
        self._numbers = itertools.count(1)

    def take(self) -> _Snapshot:
        target = self.root / f"snapshot-{next(self._numbers):06d}"
        source = getattr(self.source, "oxigraph", self.source)
        if isinstance(source, (str, Path)):
            ox.Store.read_only(str(source)).backup(str(target))
        elif isinstance(source, bytes):
            _fill(target, ox.parse(source, format=ox.RdfFormat.N_QUADS))
        else:
            try:
                source.backup(str(target))
            except RuntimeError:  # an in-memory store has no backup
                _fill(target, source.quads_for_pattern(None, None, None, None))
        snapshot = _Snapshot(target)
        self.live.add(snapshot)
        return snapshot

    def delete(self, snapshot: _Snapshot) -> None:
        self.live.discard(snapshot)
        shutil.rmtree(snapshot.path, ignore_errors=True)


def _remove_orphans(parent: Path) -> None:
    """Delete snapshot folders left beside the store by runners whose process no longer exists."""
    for folder in parent.glob(f"{_ROOT_PREFIX}*"):
        pid = folder.name[len(_ROOT_PREFIX):].split("-")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists() and os.path.exists("/proc/self"):
            shutil.rmtree(folder, ignore_errors=True)


def _fill(target: Path, quads) -> None:
    store = ox.Store(str(target))
    store.bulk_extend(quads)
    store.flush()
    del store  # closes RocksDB before any worker opens the directory


# -- the worker process -------------------------------------------------------------------------

def worker_main() -> None:
    """Entry point of a worker process (``sys.argv``: socket fd, parent pid, stack bytes, heap bytes,
    isolate network 0/1, snapshot directory): harden it, then serve jobs on a thread with a big stack."""
    fd, parent, stack, memory, isolate = (int(a) for a in sys.argv[1:6])
    snapshot = sys.argv[6]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C is for the server; it ends us
    _die_with_parent()
    if os.getppid() != parent:
        return
    conn = Connection(fd)
    isolated = _isolate_network() if isolate else False
    if memory:
        total = memory + stack + 256 * 2**20
        resource.setrlimit(resource.RLIMIT_DATA, (total, total))
    threading.stack_size(stack)
    thread = threading.Thread(target=_serve, args=(conn, snapshot, isolated), name="leernet-query")
    thread.start()
    thread.join()


def _serve(conn, snapshot: str, isolated: bool) -> None:
    try:
        store = ox.Store.read_only(snapshot)
    except BaseException as error:  # noqa: BLE001 - reported to the parent
        conn.send(("failed", f"{type(error).__name__}: {error}"))
        return
    conn.send(("ready", isolated))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        # should the parent not stop it in time, the kernel ends the process (SIGALRM's default action)
        signal.setitimer(signal.ITIMER_REAL, 1.5 * job["timeout"] + 1)
        try:
            reply = ("ok", *_execute(store, job))
        except SyntaxError as error:
            reply = ("syntax", str(error))
        except BaseException as error:  # noqa: BLE001 - pyo3 panics are BaseExceptions
            reply = ("error", f"{type(error).__name__}: {error}")
        try:
            conn.send(reply)
        except OSError:  # the parent is gone or gave up on this job
            return
        signal.setitimer(signal.ITIMER_REAL, 0)


def _execute(store: ox.Store, job: dict) -> tuple[bytes, bool, int]:
    result = store.query(job["query"], base_iri=job["base_iri"],
                         default_graph=[ox.NamedNode(g) for g in job["default_graph"]],
                         named_graphs=[ox.NamedNode(g) for g in job["named_graphs"]])
    return _serialise(result, job["media_type"], job["max_rows"])


def _serialise(result, media_type: str, max_rows: int) -> tuple[bytes, bool, int]:
    """A query result in ``media_type``, cut at ``max_rows``: (bytes, truncated, rows kept)."""
    if isinstance(result, ox.QueryBoolean):
        return result.serialize(format=ox.QueryResultsFormat.from_media_type(media_type)), False, 1
    if isinstance(result, ox.QuerySolutions):
        # The row cap is applied while streaming; the kept rows go through TSV (lossless) so that
        # pyoxigraph itself writes the requested format.
        names = [v.value for v in result.variables]
        lines = ["\t".join("?" + name for name in names)]
        truncated = False
        for solution in result:
            if len(lines) > max_rows:  # max_rows kept (after the header line) and there is one more
                truncated = True
                break
            lines.append("\t".join(_tsv_term(solution[name]) for name in names))
        kept = ox.parse_query_results(("\n".join(lines) + "\n").encode(), format=ox.QueryResultsFormat.TSV)
        fmt = ox.QueryResultsFormat.from_media_type(media_type)
        return kept.serialize(format=fmt), truncated, len(lines) - 1
    triples = list(itertools.islice(result, max_rows + 1))
    fmt = ox.RdfFormat.from_media_type(media_type)
    return ox.serialize(triples[:max_rows], format=fmt), len(triples) > max_rows, min(len(triples), max_rows)


def _tsv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} {_tsv_term(term.object)} )>>"
    return str(term)


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent (the server) ends."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _isolate_network() -> bool:
    """Linux: move this process into an empty network namespace (as root, else in a user namespace)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    return libc.unshare(clone_newnet) == 0 or libc.unshare(clone_newuser | clone_newnet) == 0
