"""The measures leernet runs (:data:`MEASURES`, with their concepts and names), the attributes
their groups come from, and :class:`AnalysisRun`: one computed measure with its provenance."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import networkx as nx

from graph import __version__
from graph.analysis.build import KnowledgeGraphNetworks, Selection
from graph.errors import InputError


@dataclass(frozen=True)
class Measure:
    """A measure leernet runs: its concept in def/netwerkmaat and its Dutch and English names."""

    name: str
    concept: str
    label_nl: str
    label_en: str
    grouped: bool = True  # needs an attribute


MEASURES = {x.name: x for x in (
    Measure("ei", "ei-index", "E-I-index", "E-I index"),
    Measure("brokerage", "makelaarsrollen", "Makelaarsrollen", "Brokerage roles"),
    Measure("blau", "blau-index", "Blau-index per netwerk", "Blau index per network"),
    Measure("composition", "samenstelling", "Samenstelling per netwerk", "Composition per network"),
    Measure("assortativity", "assortativiteit", "Assortativiteit", "Assortativity"),
    Measure("constraint", "burt-constraint", "Netwerkbeperking en effectieve omvang", "Constraint and effective size", False),
    Measure("betweenness", "betweenness-centraliteit", "Betweenness-centraliteit", "Betweenness centrality", False),
    Measure("communities", "gemeenschappen", "Gemeenschappen", "Communities", False),
    Measure("spanners", "grensoverschrijders", "Grensoverschrijders", "Boundary spanners"),
    Measure("change", "veranderde-banden", "Verandering in de tijd", "Change over time"),
)}
ATTRIBUTES = ("sector", "subsector", "region", "role", "type", "network_type")
ATTRIBUTE_SCHEMES = {"sector": "def/sector/", "subsector": "def/sector/", "region": "id/regio/", "role": "def/rol/",
                     "network_type": "def/netwerktype/"}
UNKNOWN = "onbekend"  # the group of a node without a value for the attribute


@dataclass
class AnalysisRun:
    """One computed measure: rows for tables, and everything needed to cite and repeat it.

    ``approximation`` says in words what was estimated rather than computed exactly (None: all
    exact); it is also ``parameters["approximation"]``. ``graph`` (the network with the evidence of
    every tie) and ``snapshot`` (what was read) are made when first asked for."""

    measure: Measure
    parameters: dict
    selection: Selection
    rows: list[dict]
    started: str
    ended: str
    version: str = f"leernet {__version__}"
    extra: dict = field(default_factory=dict)
    approximation: str | None = None
    networks: KnowledgeGraphNetworks | None = field(default=None, repr=False)
    _graph: nx.Graph | None = field(default=None, repr=False)
    _snapshot: dict | None = field(default=None, repr=False)

    @property
    def graph(self) -> nx.Graph:
        """The network the measure was computed on, with the evidence of every tie."""
        if self._graph is None:
            self._graph = self.networks.network(self.selection, self.parameters["projection"])
        return self._graph

    @property
    def snapshot(self) -> dict:
        """The data graphs read, their triple counts and a digest of their quads (see build.snapshot)."""
        if self._snapshot is None:
            self._snapshot = self.networks.snapshot()
        return self._snapshot

    @property
    def key(self) -> str:
        """A hash of the parameters: equal parameters, equal results graph."""
        return hashlib.sha1(json.dumps(self.parameters, sort_keys=True).encode()).hexdigest()[:12]

    def graph_iri(self, base: str) -> str:
        """``{base}graph/analysis/{measure}-{hash of the parameters}``."""
        return f"{base}graph/analysis/{self.measure.name}-{self.key}"


def measure_spec(name: str) -> Measure:
    """The :class:`Measure` called ``name``; :class:`InputError` listing the measures otherwise."""
    if name not in MEASURES:
        raise InputError(f"measure {name!r} does not exist", [f"use one of: {', '.join(MEASURES)}"])
    return MEASURES[name]
