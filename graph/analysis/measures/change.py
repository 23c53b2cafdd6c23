"""Change over time: ties gained and lost, membership churn, and a per-year summary.

Two snapshots are compared as sets: a tie is identified by its two ends (ordered in a directed
graph, unordered in an undirected one), a member by its node. Jaccard similarity of the tie
sets (|kept| / |before or after|) is the usual stability measure of a network panel
(e.g. Snijders 2005, the Jaccard index between consecutive waves). Churn is
(joined + left) / |members in either year|; retention is stayed / |members before|.

``change_over_time`` takes a sequence of (year, graph) and reports per year the composition
(with Blau's index), the E-I index with its expected value, the top brokers between groups
(Gould and Fernandez brokerage minus coordination) and the change from the previous year.

References:
    Snijders, T. A. B. (2005). Models for longitudinal network data. In Carrington, Scott and
    Wasserman (eds.), Models and Methods in Social Network Analysis, 215-247. Cambridge UP.
    Jaccard, P. (1901). Etude comparative de la distribution florale dans une portion des Alpes
    et du Jura. Bulletin de la Societe Vaudoise des Sciences Naturelles 37, 547-579.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from graph.analysis.measures._arrays import Ties, brokered, codes
from graph.analysis.measures._common import _MISSING, Rows, flatten, ratio
from graph.analysis.measures.brokerage import brokered_pairs
from graph.analysis.measures.diversity import Composition, composition, composition_of
from graph.analysis.measures.ei import ei_index, ei_of
from graph.errors import InputError


def _tie_key(G: nx.Graph, u: Hashable, v: Hashable) -> tuple:
    """A tie's identity: (u, v) in a directed graph, the pair in a stable order otherwise."""
    if G.is_directed():
        return (u, v)
    return (u, v) if (str(u), repr(u)) <= (str(v), repr(v)) else (v, u)


def _ties(G: nx.Graph) -> set[tuple]:
    """The set of ties of ``G`` (self-loops included, parallel edges merged)."""
    return {_tie_key(G, u, v) for u, v in G.edges()}


def _sorted(items: Iterable) -> list:
    """Items in a stable, readable order."""
    return sorted(items, key=lambda x: (str(x), repr(x)))


@dataclass
class TieChange(Rows):
    """Ties gained, lost and kept between two snapshots, and the Jaccard similarity of the two."""

    gained: list[tuple] = field(default_factory=list)
    lost: list[tuple] = field(default_factory=list)
    kept: list[tuple] = field(default_factory=list)
    jaccard: float | None = None

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per tie that changed or stayed, with column ``change``."""
        return [{"change": kind, "source": u, "target": v}
                for kind, ties in (("gained", self.gained), ("lost", self.lost), ("kept", self.kept))
                for u, v in ties]


def ties_gained_lost(before: nx.Graph, after: nx.Graph) -> TieChange:
    """Ties in ``after`` but not ``before`` (gained), the reverse (lost), and those in both."""
    if before.is_directed() != after.is_directed():
        raise InputError("cannot compare a directed graph with an undirected one",
                         ["convert both snapshots the same way (G.to_undirected() or G.to_directed())"])
    old, new = _ties(before), _ties(after)
    return TieChange(gained=_sorted(new - old), lost=_sorted(old - new), kept=_sorted(old & new),
                     jaccard=ratio(len(old & new), len(old | new)))


@dataclass
class MembershipChurn(Rows):
    """Members who joined, left and stayed between two snapshots; churn and retention rates."""

    joined: list[Hashable] = field(default_factory=list)
    left: list[Hashable] = field(default_factory=list)
    stayed: list[Hashable] = field(default_factory=list)
    churn: float | None = None
    retention: float | None = None

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per member with column ``change`` (joined, left or stayed)."""
        return [{"change": kind, "member": m}
                for kind, ms in (("joined", self.joined), ("left", self.left), ("stayed", self.stayed)) for m in ms]


def membership_churn(before: nx.Graph | Iterable[Hashable], after: nx.Graph | Iterable[Hashable]) -> MembershipChurn:
    """Who joined, left and stayed between two graphs (or two collections of members).

    churn = (joined + left) / members in either; retention = stayed / members before.
    """
    old, new = set(before), set(after)
    return MembershipChurn(joined=_sorted(new - old), left=_sorted(old - new), stayed=_sorted(old & new),
                           churn=ratio(len(new ^ old), len(new | old)), retention=ratio(len(old & new), len(old)))


@dataclass
class YearSummary:
    """One year's network: size, composition, E-I, top brokers, change since the previous year."""

    year: Any
    nodes: int
    ties: int
    composition: Composition
    ei: float | None
    ei_expected: float | None
    brokers: list[tuple[Hashable, int]]
    ties_gained: int | None = None
    ties_lost: int | None = None
    tie_jaccard: float | None = None
    joined: int | None = None
    left: int | None = None
    churn: float | None = None


@dataclass
class ChangeOverTime(Rows):
    """Per-year summaries in year order (``years``), plus the full comparisons of consecutive years."""

    attribute: str
    years: list[YearSummary] = field(default_factory=list)
    tie_changes: dict[tuple, TieChange] = field(default_factory=dict)
    membership_changes: dict[tuple, MembershipChurn] = field(default_factory=dict)
    estimated: list = field(default_factory=list)  # years whose brokers were estimated (change_over_time_of)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per year; composition counts as ``composition_counts_<category>`` columns."""
        rows = []
        for y in self.years:
            row = flatten({k: v for k, v in vars(y).items() if k not in ("composition", "brokers")})
            row.update(flatten({"counts": y.composition.counts, "blau": y.composition.blau,
                                "blau_normalised": y.composition.blau_normalised}, "composition_"))
            row["brokers"] = "; ".join(f"{v} ({n})" for v, n in y.brokers)
            rows.append(row)
        return rows


def change_over_time(snapshots: Sequence[tuple[Any, nx.Graph]], attribute: str, top: int = 5,
                     categories: Iterable[Hashable] | None = None, default: Any = _MISSING) -> ChangeOverTime:
    """Per year: composition (Blau), E-I with its expected value, top brokers, ties and churn.

    ``snapshots`` is a sequence of (year, graph), sorted here by year; years must be unique.
    Brokers are ranked by Gould-Fernandez brokerage between groups (all roles but coordinator).
    """
    ordered = sorted(snapshots, key=lambda s: s[0])
    years = [y for y, _ in ordered]
    duplicates = _sorted({y for y in years if years.count(y) > 1})
    if duplicates:
        raise InputError(f"year(s) {duplicates} occur more than once among the snapshots",
                         ["give one graph per year (merge the graphs of a year first)"])
    categories = list(categories) if categories is not None else None
    result = ChangeOverTime(attribute=attribute)
    previous = None
    for year, G in ordered:
        ei = ei_index(G, attribute, default=default)
        pairs = brokered_pairs(G, attribute, default)
        crossing = [(v, p["total"] - p["coordinator"]) for v, p in pairs.items()]
        crossing = sorted((c for c in crossing if c[1] > 0), key=lambda c: (-c[1], str(c[0])))[:top]
        summary = YearSummary(year=year, nodes=G.number_of_nodes(), ties=len(_ties(G)),
                              composition=composition(G, attribute, categories, default),
                              ei=ei.network.index, ei_expected=ei.network.expected, brokers=crossing)
        if previous is not None:
            prev_year, prev_G = previous
            ties = ties_gained_lost(prev_G, G)
            members = membership_churn(prev_G, G)
            result.tie_changes[(prev_year, year)] = ties
            result.membership_changes[(prev_year, year)] = members
            summary.ties_gained, summary.ties_lost, summary.tie_jaccard = len(ties.gained), len(ties.lost), ties.jaccard
            summary.joined, summary.left, summary.churn = len(members.joined), len(members.left), members.churn
        result.years.append(summary)
        previous = (year, G)
    return result


def change_over_time_of(snapshots: Sequence[tuple[Any, Ties, list]], attribute: str, top: int = 5,
                        categories: Iterable[Hashable] | None = None, *, budget: float | None = None,
                        samples: int = 4000, seed: int = 0) -> ChangeOverTime:
    """:func:`change_over_time` of undirected graphs given as arrays: (year, ties, each node's
    group, with missing values already replaced). The summaries are the same; the per-pair
    comparisons (``tie_changes``, ``membership_changes``) are left empty, and with ``budget``
    the brokerage of the nodes with the most contacts may be estimated (see _arrays.brokered):
    ``estimated`` lists those years."""
    ordered = sorted(snapshots, key=lambda s: s[0])
    years = [y for y, _, _ in ordered]
    duplicates = _sorted({y for y in years if years.count(y) > 1})
    if duplicates:
        raise InputError(f"year(s) {duplicates} occur more than once among the snapshots",
                         ["give one graph per year (merge the graphs of a year first)"])
    categories = list(categories) if categories is not None else None
    index: dict[Hashable, int] = {}
    for _, ties, _ in ordered:
        for node in ties.nodes:
            index.setdefault(node, len(index))
    size = max(len(index), 1)
    result = ChangeOverTime(attribute=attribute)
    previous = None
    for year, ties, values in ordered:
        ei = ei_of(ties, values, attribute)
        group, found_categories = codes(values)
        found = brokered(ties, group, len(found_categories), budget=budget, samples=samples, seed=seed)
        if found.sampled.size:
            result.estimated.append(year)
        crossing = (found.counts.sum(axis=1) - found.counts[:, 0]).tolist()
        ranked = sorted(((v, c) for v, c in zip(ties.nodes, crossing) if c > 0), key=lambda c: (-c[1], str(c[0])))[:top]
        ids = np.array([index[v] for v in ties.nodes], dtype=np.int64)
        low = np.minimum(ids[ties.source], ids[ties.target]) if ties.m else np.zeros(0, dtype=np.int64)
        high = np.maximum(ids[ties.source], ids[ties.target]) if ties.m else np.zeros(0, dtype=np.int64)
        keys = np.unique(low * size + high)
        members = np.unique(ids)
        summary = YearSummary(year=year, nodes=ties.n, ties=int(keys.size),
                              composition=composition_of(values, attribute, categories),
                              ei=ei.network.index, ei_expected=ei.network.expected, brokers=ranked)
        if previous is not None:
            old_keys, old_members = previous
            kept = np.intersect1d(old_keys, keys, assume_unique=True).size
            summary.ties_gained, summary.ties_lost = int(keys.size - kept), int(old_keys.size - kept)
            summary.tie_jaccard = ratio(kept, old_keys.size + keys.size - kept)
            stayed = np.intersect1d(old_members, members, assume_unique=True).size
            summary.joined, summary.left = int(members.size - stayed), int(old_members.size - stayed)
            either = old_members.size + members.size - stayed
            summary.churn = ratio(summary.joined + summary.left, either)
        result.years.append(summary)
        previous = (keys, members)
    return result
