"""Heterogeneity of a network's composition (Blau's index) and assortative mixing by category.

Blau's index of heterogeneity is 1 - sum(p_k^2) over the proportions p_k of the k categories:
0 when everyone is in one category, at most 1 - 1/k when the k categories are equally large.
The normalised form (Agresti and Agresti's index of qualitative variation) divides by that
maximum, 1 - 1/k, so it runs from 0 to 1; k is the number of categories that could occur (pass
``categories``), or else the number observed.

Assortativity is Newman's (2003) coefficient for categorical attributes,
r = (sum_i e_ii - sum_i a_i b_i) / (1 - sum_i a_i b_i), with e_ij the fraction of ties from
category i to j, a_i and b_i its row and column sums. An undirected edge counts in both
directions (e is symmetric). +1 is perfect homophily, 0 random mixing, negative
disassortative; None when undefined (all ties in one category).

References:
    Blau, P. M. (1977). Inequality and Heterogeneity: A Primitive Theory of Social Structure.
    New York: Free Press.
    Agresti, A. and Agresti, B. F. (1978). Statistical analysis of qualitative variation.
    Sociological Methodology 9, 204-237. doi:10.2307/270810
    Newman, M. E. J. (2003). Mixing patterns in networks. Physical Review E 67, 026126.
    doi:10.1103/PhysRevE.67.026126
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.analysis.measures._arrays import Ties, assortativity_of, codes, mixing, ties_of
from graph.analysis.measures._common import _MISSING, Rows, node_groups, simple_edges
from graph.errors import InputError


def _counts(values: Iterable[Hashable] | Mapping[Hashable, float]) -> dict[Hashable, float]:
    """Category counts from a sequence of labels or a mapping of category to count."""
    if isinstance(values, Mapping):
        counts = dict(values)
        for category, count in counts.items():
            if isinstance(count, bool) or not isinstance(count, (int, float)) or count < 0:
                raise InputError(f"count of category {category!r} is not a non-negative number: {count!r}",
                                 ["pass labels, or a mapping of category to a count >= 0"])
        return counts
    counts: dict[Hashable, float] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def blau(values: Iterable[Hashable] | Mapping[Hashable, float]) -> float | None:
    """Blau's heterogeneity 1 - sum(p_k^2) of category labels (or a category -> count mapping).

    None for an empty input.
    """
    counts = _counts(values)
    total = sum(counts.values())
    if total == 0:
        return None
    return 1 - sum((c / total) ** 2 for c in counts.values())


def blau_normalised(values: Iterable[Hashable] | Mapping[Hashable, float],
                    categories: int | Iterable[Hashable] | None = None) -> float | None:
    """Blau's index divided by its maximum 1 - 1/k (the index of qualitative variation).

    k is ``categories`` (a number, or the possible category values), else the number of
    categories observed. None for an empty input or k < 2.
    """
    counts = _counts(values)
    if categories is None:
        k = sum(1 for c in counts.values() if c > 0)
    elif isinstance(categories, int):
        k = categories
    else:
        possible = set(categories)
        unknown = [c for c, n in counts.items() if n > 0 and c not in possible]
        if unknown:
            raise InputError(f"categories {unknown!r} are not among the possible categories",
                             ["list every category that occurs in categories=..."])
        k = len(possible)
    index = blau(counts)
    if index is None or k < 2:
        return None
    observed = sum(1 for c in counts.values() if c > 0)
    if observed > k:
        raise InputError(f"{observed} categories occur but categories says there are {k}",
                         ["give the number of possible categories, at least the number observed"])
    return index / (1 - 1 / k)


@dataclass
class Composition(Rows):
    """A network's members by category: counts, proportions, Blau and normalised Blau."""

    attribute: str
    size: float
    counts: dict[Hashable, float] = field(default_factory=dict)
    proportions: dict[Hashable, float] = field(default_factory=dict)
    blau: float | None = None
    blau_normalised: float | None = None

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per category with its count and proportion, plus the indices on each row."""
        return [{"attribute": self.attribute, "category": c, "count": n, "proportion": self.proportions[c],
                 "blau": self.blau, "blau_normalised": self.blau_normalised} for c, n in self.counts.items()]


def composition(G: nx.Graph, attribute: str, categories: Iterable[Hashable] | None = None,
                default: Any = _MISSING) -> Composition:
    """Composition of the nodes of ``G`` by ``attribute`` (e.g. sector, role, knowledge source).

    A node whose value is a list or set (several sources) counts 1/len toward each value, so
    the counts add up to the number of nodes. ``categories`` fixes k for the normalised index
    and lists zero counts too. Missing values take ``default`` when given, else InputError.
    """
    return composition_of([data.get(attribute) for _, data in G.nodes(data=True)], attribute, categories, default,
                          nodes=list(G))


def composition_of(values: list, attribute: str, categories: Iterable[Hashable] | None = None,
                   default: Any = _MISSING, nodes: list | None = None) -> Composition:
    """:func:`composition` of the members whose values of ``attribute`` are ``values`` (None: missing)."""
    counts: dict[Hashable, float] = {c: 0 for c in categories} if categories is not None else {}
    for i, value in enumerate(values):
        if value is None or (isinstance(value, (list, tuple, set, frozenset)) and not value):
            if default is _MISSING:
                node = nodes[i] if nodes is not None else i
                raise InputError(f"node {node!r} has no value for attribute {attribute!r}",
                                 [f"give every node a {attribute!r} value, or pass default=..."])
            value = default
        parts = sorted(set(value), key=str) if isinstance(value, (list, tuple, set, frozenset)) else [value]
        for part in parts:
            counts[part] = counts.get(part, 0) + 1 / len(parts)
    total = sum(counts.values())
    proportions = {c: (n / total if total else 0.0) for c, n in counts.items()}
    return Composition(attribute=attribute, size=total, counts=counts, proportions=proportions,
                       blau=blau(counts), blau_normalised=blau_normalised(
                           counts, list(categories) if categories is not None else None))


def mixing_matrix(G: nx.Graph, attribute: str, weight: str | None = None,
                  default: Any = _MISSING) -> dict[Hashable, dict[Hashable, float]]:
    """Ties (or weights) from category i to category j; undirected edges count both ways."""
    groups = node_groups(G, attribute, default)
    cats = list(dict.fromkeys(groups.values()))
    matrix = {i: dict.fromkeys(cats, 0) for i in cats}
    for u, v, w in simple_edges(G, weight):
        matrix[groups[u]][groups[v]] += w
        if not G.is_directed():
            matrix[groups[v]][groups[u]] += w
    return matrix


def assortativity_from_mixing(matrix: Mapping[Hashable, Mapping[Hashable, float]] | list[list[float]]) -> float | None:
    """Newman's r from a mixing matrix of counts or fractions (rows: from, columns: to)."""
    if isinstance(matrix, Mapping):
        cats = list(dict.fromkeys([*matrix, *(j for row in matrix.values() for j in row)]))
        rows = [[matrix.get(i, {}).get(j, 0) for j in cats] for i in cats]
    else:
        rows = [list(r) for r in matrix]
    total = sum(sum(r) for r in rows)
    if total == 0:
        return None
    size = len(rows)
    trace = sum(rows[i][i] for i in range(size)) / total
    a = [sum(rows[i]) / total for i in range(size)]
    b = [sum(rows[i][j] for i in range(size)) / total for j in range(size)]
    expected = sum(x * y for x, y in zip(a, b))
    return None if 1 - expected < 1e-12 else (trace - expected) / (1 - expected)


def assortativity(G: nx.Graph, attribute: str, weight: str | None = None, default: Any = _MISSING) -> float | None:
    """Newman's (2003) assortativity coefficient of ``G`` by a categorical node attribute."""
    groups = node_groups(G, attribute, default)
    ties = ties_of(G, weight)
    return assortativity_of_ties(ties, [groups[v] for v in ties.nodes])


def assortativity_of_ties(ties: Ties, values: list) -> float | None:
    """Newman's r of a graph given as arrays, node i in group ``values[i]`` (what
    :func:`assortativity` computes, without a Python loop per tie)."""
    group, categories = codes(values)
    return assortativity_of(mixing(ties, group, len(categories)))
