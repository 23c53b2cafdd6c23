"""The Python API for notebooks: open the knowledge graph, get networkx graphs and plain tables.

>>> from graph.analysis import open_graph                      # doctest: +SKIP
>>> with open_graph("~/.local/share/leernet/store") as kg:     # doctest: +SKIP
...     G = kg.network(period="2020", theme="kindermishandeling")
...     table = kg.measure("ei", attribute="sector")

``measure`` returns a pandas DataFrame when pandas is installed, else a list of dicts.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from graph.analysis.build import KnowledgeGraphNetworks, Selection
from graph.analysis.progress import SILENT, Progress
from graph.analysis.results import AnalysisRun, run_measure, save_run
from graph.settings import Settings, load_settings
from graph.store import Store, open_store

SELECTION_OPTIONS = ("include_undated", "indirect", "units")


class KnowledgeGraph:
    """The knowledge graph of one store, for analysis: networks, measures, saved results, reports."""

    def __init__(self, store: Store, *, owns_store: bool = False, progress: Progress | None = None):
        self.store = store
        self._owns_store = owns_store
        self.progress = progress or SILENT
        self._networks: KnowledgeGraphNetworks | None = None

    @property
    def networks(self) -> KnowledgeGraphNetworks:
        """The facts the networks are built from, read once per state of the store (its write
        ``generation``); the networks built from them are kept for the measures that follow."""
        generation = getattr(self.store, "generation", 0)
        if self._networks is None or self._networks.generation != generation:
            with self.progress.step("reading the knowledge graph"):
                self._networks = KnowledgeGraphNetworks(self.store, progress=self.progress)
        return self._networks

    def selection(self, period: str | None = None, theme: str | None = None, region: str | None = None,
                  programme: str | None = None, network_type: str | None = None, **options) -> Selection:
        """A selection from slugs (``theme="kindermishandeling"``) or IRIs and a period text ("2020")."""
        return self.networks.selection(period=period, theme=theme, region=region, programme=programme,
                                       network_type=network_type, **options)

    def network(self, period: str | None = None, theme: str | None = None, region: str | None = None,
                programme: str | None = None, network_type: str | None = None, *,
                projection: str = "organisations", **options) -> nx.Graph:
        """The networkx graph of a selection: ``projection`` is organisations (default), actors,
        networks or two-mode. Nodes are IRIs with label, type, sector, region, role; edges have
        weight and evidence (which contexts, periods and source documents)."""
        selection = self.selection(period, theme, region, programme, network_type, **options)
        return self.networks.network(selection, projection)

    def run(self, name: str, *, attribute: str = "sector", projection: str = "organisations", period: str | None = None,
            theme: str | None = None, region: str | None = None, programme: str | None = None,
            network_type: str | None = None, before: str | None = None, after: str | None = None,
            seed: int = 0, top: int | None = None, **options) -> AnalysisRun:
        """Compute a measure (ei, brokerage, blau, composition, assortativity, constraint,
        betweenness, communities, spanners, change) and keep its provenance."""
        selection = self.selection(period, theme, region, programme, network_type, **options)
        filters = dict(theme=theme, region=region, programme=programme, network_type=network_type, **options)
        return run_measure(self.networks, name, selection, attribute=attribute, projection=projection, seed=seed, top=top,
                           before=self.selection(before, **filters) if before else None,
                           after=self.selection(after, **filters) if after else None, progress=self.progress)

    def measure(self, name: str, **parameters):
        """The result of a measure as a table: a pandas DataFrame if pandas is installed, else a list of dicts."""
        return as_table(self.run(name, **parameters).rows)

    def save(self, run: AnalysisRun) -> str:
        """Write a run into its own named graph (as linked data); returns the graph IRI."""
        return save_run(self.store, run, command="graph.analysis.open_graph().save")

    def export(self, path: str | Path, fmt: str = "graphml", *, projection: str = "organisations", **filters) -> list[Path]:
        """Write the network of a selection as graphml, gexf or csv; returns the files written."""
        from graph.analysis.export import write_network

        return write_network(self.network(projection=projection, **filters), fmt, path)

    def report(self, path: str | Path, **filters) -> Path:
        """Write the HTML report of a selection to ``path``."""
        from graph.analysis.report import write_report

        return write_report(self, Path(path), **filters)

    def close(self) -> None:
        """Release the store if this object opened it."""
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> "KnowledgeGraph":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def as_table(rows: list[dict]):
    """Rows as a pandas DataFrame when pandas is installed, else the list of dicts itself."""
    try:
        import pandas
    except ImportError:
        return rows
    return pandas.DataFrame(rows)


def open_graph(source: str | Path | Settings | Store | None = None, **settings) -> KnowledgeGraph:
    """Open the knowledge graph: a store directory, a :class:`Settings`, an open :class:`Store`, or
    (``None``) the store the environment names (``LEERNET_STORE``). A new store is filled with the
    curated data first. Close it (or use ``with``) to let other leernet processes use the store."""
    if isinstance(source, Store):
        return KnowledgeGraph(source)
    if isinstance(source, Settings):
        config = source
    elif source is None:
        config = load_settings(**settings)
    else:
        config = load_settings(store_path=Path(source).expanduser(), **settings)
    return KnowledgeGraph(open_store(config), owns_store=True)
