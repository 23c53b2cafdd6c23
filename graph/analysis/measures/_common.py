"""Shared helpers of the network measures: reading a node attribute as groups, and table rows."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import fields, is_dataclass
from typing import Any

import networkx as nx

from graph.errors import InputError

_MISSING = object()


def node_groups(G: nx.Graph, attribute: str, default: Any = _MISSING) -> dict[Hashable, Hashable]:
    """Map each node of ``G`` to its value of ``attribute`` (one category per node).

    A node without the attribute (or with ``None``) gets ``default`` when one is given; otherwise
    an InputError names the node, the attribute and the fix. Values must be hashable scalars.
    """
    groups: dict[Hashable, Hashable] = {}
    for node, data in G.nodes(data=True):
        value = data.get(attribute)
        if value is None:
            if default is _MISSING:
                raise InputError(
                    f"node {node!r} has no value for attribute {attribute!r}",
                    [f"give every node a {attribute!r} value, or pass default=... to put "
                     "nodes without one into a category of their own"],
                )
            value = default
        if isinstance(value, (list, set, frozenset, dict)):
            raise InputError(
                f"node {node!r} has several values for attribute {attribute!r}: {value!r}",
                ["these measures need one category per node; pick one value per node"],
            )
        groups[node] = value
    return groups


def group_sizes(groups: dict[Hashable, Hashable]) -> dict[Hashable, int]:
    """Count the nodes in each category, in order of first appearance."""
    sizes: dict[Hashable, int] = {}
    for value in groups.values():
        sizes[value] = sizes.get(value, 0) + 1
    return sizes


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or None when the denominator is zero (undefined)."""
    return None if denominator == 0 else numerator / denominator


def tie_weight(data: dict, weight: str | None) -> float:
    """The weight of one edge: its ``weight`` attribute (default 1), or 1 when weight is None."""
    if weight is None:
        return 1
    value = data.get(weight, 1)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"edge weight {weight!r} is not a number: {value!r}",
                         ["give every edge a numeric weight, or pass weight=None"])
    return value


def simple_edges(G: nx.Graph, weight: str | None = None) -> Iterable[tuple[Hashable, Hashable, float]]:
    """The ties of ``G`` as (u, v, w), without self-loops; parallel edges of a multigraph merge."""
    if G.is_multigraph():
        merged: dict[tuple, float] = {}
        for u, v, data in G.edges(data=True):
            if u == v:
                continue
            key = (u, v) if G.is_directed() else _undirected_key(u, v, merged)
            merged[key] = merged.get(key, 0) + tie_weight(data, weight)
        return [(u, v, w) for (u, v), w in merged.items()]
    return [(u, v, tie_weight(data, weight)) for u, v, data in G.edges(data=True) if u != v]


def _undirected_key(u: Hashable, v: Hashable, seen: dict) -> tuple:
    """The key an undirected pair already has in ``seen``, else (u, v)."""
    return (v, u) if (v, u) in seen else (u, v)


class Rows:
    """Mixin giving a result dataclass ``to_rows()``: a list of flat dicts for tables and CSV."""

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat dict per row; nested dicts become ``prefix_key`` columns."""
        return [flatten(self)]


def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten a dataclass (or dict) into one level of ``prefix_key`` columns."""
    items = ((f.name, getattr(obj, f.name)) for f in fields(obj)) if is_dataclass(obj) else obj.items()
    row: dict[str, Any] = {}
    for key, value in items:
        name = f"{prefix}{key}"
        if is_dataclass(value) or isinstance(value, dict):
            row.update(flatten(value, f"{name}_"))
        elif isinstance(value, (list, tuple, set, frozenset)):
            row[name] = "; ".join(sorted(str(v) for v in value))
        else:
            row[name] = value
    return row
