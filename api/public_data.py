"""The public data: a store that holds only the publishable quads, in their named graphs. The SPARQL
endpoint answers from it, and the dumps, the Graph Store reads, the VoID and the Service Description
counts are read from it.

It is made without holding the data in Python: a consistent copy of the store (hard links for an
on-disk store, so a 10M-triple store is copied in a second) from which SPARQL updates delete what the
privacy rules of :mod:`api.privacy` hide: everything about or pointing at a hidden resource (listed,
or an IRI under ``id/persoon/`` without a publishable role) and counts of people below the threshold,
which are replaced by a note that a count was suppressed. An on-disk copy lives beside the store
(``<store>.public-<pid>-<n>``) and is deleted when it is replaced; copies left by a killed process
are removed the next time one is made.
"""

from __future__ import annotations

import itertools
import os
import shutil
import weakref
from pathlib import Path

import pyoxigraph as ox

from api.privacy import RDFS_COMMENT, Privacy
from graph.store import Store

BATCH = 2000  # IRIs per DELETE request
_numbers = itertools.count(1)


class PublicData:
    """The publishable quads of one state of ``store`` under ``privacy``, in a pyoxigraph store."""

    def __init__(self, store: Store, privacy: Privacy):
        self.base = privacy.base
        self.path = _new_path(getattr(store, "path", None))
        self.store = self._copy(store)
        if self.path is not None:
            self._finalizer = weakref.finalize(self, shutil.rmtree, self.path, True)
        self._remove_hidden(privacy)
        self._suppress_small_counts(privacy)
        self.graphs: list[str] = sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))
        self._counts: tuple[int, dict[str, int]] | None = None

    def _copy(self, source: Store) -> ox.Store:
        native = getattr(source, "oxigraph", None)
        if self.path is not None and native is not None:
            native.backup(str(self.path))
            return ox.Store(str(self.path))
        copy = ox.Store(str(self.path)) if self.path is not None else ox.Store()
        copy.bulk_extend(source.quads())
        return copy

    def _remove_hidden(self, privacy: Privacy) -> None:
        people = self.store.query(
            f'SELECT DISTINCT ?x WHERE {{ {{ GRAPH ?g {{ ?x ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p ?x }} }} '
            f'FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{privacy.person_prefix}")) }}')
        hidden = set(privacy.hidden) | {row["x"].value for row in people if not privacy.visible(row["x"].value)}
        ordered = sorted(hidden)
        for start in range(0, len(ordered), BATCH):
            values = " ".join(f"<{iri}>" for iri in ordered[start:start + BATCH])
            self.store.update(
                f"DELETE {{ GRAPH ?g {{ ?x ?p ?o }} }} WHERE {{ VALUES ?x {{ {values} }} GRAPH ?g {{ ?x ?p ?o }} }} ;\n"
                f"DELETE {{ GRAPH ?g {{ ?s ?p ?x }} }} WHERE {{ VALUES ?x {{ {values} }} GRAPH ?g {{ ?s ?p ?x }} }}")

    def _suppress_small_counts(self, privacy: Privacy) -> None:
        values = " ".join(f"<{p}>" for p in sorted(privacy.count_properties))
        rows = self.store.query(f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        small = [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows if privacy.is_suppressed_triple(r["p"].value, r["o"])]
        for quad in small:
            self.store.remove(quad)
        notes = {(q.subject, q.graph_name) for q in small}
        self.store.extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                          for subject, graph in notes for t in privacy.suppression_note(subject))

    def __len__(self) -> int:
        return len(self.store)

    def quads(self, graph: str | None = None):
        """The public quads, of one named graph if given."""
        return self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph) if graph else None)

    def ask(self, sparql: str) -> bool:
        """An ASK query over the union of the public graphs."""
        return bool(self.store.query(sparql, use_default_graph_as_union=True))

    def counts(self) -> tuple[int, dict[str, int]]:
        """The number of distinct triples over all graphs, and the number of quads per named graph."""
        if self._counts is None:
            distinct = self.store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE "
                                        "{ GRAPH ?g { ?s ?p ?o } } }")
            per_graph = self.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            self._counts = (int(next(iter(distinct))["n"].value),
                            {r["g"].value: int(r["n"].value) for r in per_graph if isinstance(r["g"], ox.NamedNode)})
        return self._counts

    def triples(self) -> list[ox.Triple]:
        """The distinct public triples (all graphs merged), sorted."""
        return sorted({ox.Triple(q.subject, q.predicate, q.object) for q in self.quads()}, key=str)

    def dump_quads(self) -> bytes:
        """Every public quad as N-Quads."""
        return self.store.dump(format=ox.RdfFormat.N_QUADS)


def _new_path(store_path) -> Path | None:
    if store_path is None:
        return None
    store_path = Path(store_path)
    prefix = f"{store_path.name}.public-"
    for folder in store_path.parent.glob(prefix + "*"):  # left by a process that is gone
        pid = folder.name[len(prefix):].split("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)
    return store_path.parent / f"{prefix}{os.getpid()}-{next(_numbers)}"


__all__ = ["PublicData", "RDFS_COMMENT"]
