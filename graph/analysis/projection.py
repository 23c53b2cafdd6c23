"""Networks as arrays: the one-mode projections the measures run on, and the pair arithmetic that
builds them without a Python loop per pair.

A projection ties two nodes when they share a block: the members of a context (organisations
projection) or the contexts of an actor (networks projection). :func:`pair_table` turns the
blocks into one row per tied pair, in the order in which the pairs first occur (so that a
networkx graph built from it has the node and edge order of one built pair by pair), with the
number of blocks each pair shares; with ``enclosing`` a block only counts for a pair when no other
block the pair shares lies inside it (the *closest* shared contexts of :mod:`graph.analysis.build_arrays`).

:class:`Projection` holds a network as node IRIs, node attributes and edge arrays. It is what
:func:`graph.analysis.results.run_measure` computes on; ``to_networkx()`` and ``to_igraph()``
give the graph for other tools.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

_TRIU: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _triu(k: int) -> tuple[np.ndarray, np.ndarray]:
    """The index pairs (i, j), i < j, of k items, in the order of itertools.combinations."""
    if k not in _TRIU:
        if len(_TRIU) > 512:
            _TRIU.clear()
        _TRIU[k] = np.triu_indices(k, 1)
    return _TRIU[k]


def contains(sorted_keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """For each query, whether it occurs in ``sorted_keys`` (a sorted int64 array)."""
    if sorted_keys.size == 0 or queries.size == 0:
        return np.zeros(queries.shape, dtype=bool)
    pos = np.searchsorted(sorted_keys, queries)
    pos[pos == sorted_keys.size] = sorted_keys.size - 1
    return sorted_keys[pos] == queries


@dataclass
class PairTable:
    """Tied pairs in order of first occurrence: ends ``source``/``target`` (node ids, in the order
    they have in their blocks), ``weight`` (blocks counted) and, if asked for, the counted blocks
    of edge e as ``blocks[block_ptr[e]:block_ptr[e + 1]]``."""

    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    block_ptr: np.ndarray | None = None
    blocks: np.ndarray | None = None


def pair_table(blocks: Iterable[tuple[int, np.ndarray]], n: int, *,
               enclosing: tuple[np.ndarray, np.ndarray] | None = None, block_count: int = 0,
               keep_blocks: bool = False) -> PairTable:
    """The pairs of nodes (ids below ``n``) that share a block.

    ``blocks`` yields (block id, member ids in a fixed global order, without repeats); the pairs of
    a block are its members' combinations in that order, so a pair always has the same
    orientation. Pairs come out in the order in which they first occur over the blocks.
    ``enclosing`` is (ptr, ids), ids[ptr[b]:ptr[b + 1]] being the blocks that enclose block b (of
    ``block_count`` blocks): an enclosing block does not count for a pair that also shares a block
    inside it. ``keep_blocks`` also returns the blocks that count, per pair, in the order given.
    """
    keys_parts, ids_parts = [], []
    for block, members in blocks:
        k = len(members)
        if k < 2:
            continue
        i, j = _triu(k)
        members = np.asarray(members, dtype=np.int64)
        keys_parts.append(members[i] * n + members[j])
        ids_parts.append(np.full(i.size, block, dtype=np.int64))
    if not keys_parts:
        empty = np.zeros(0, dtype=np.int64)
        return PairTable(empty, empty.copy(), empty.copy(), np.zeros(1, dtype=np.int64) if keep_blocks else None,
                         empty.copy() if keep_blocks else None)
    keys = np.concatenate(keys_parts)
    ids = np.concatenate(ids_parts)
    del keys_parts, ids_parts
    order, sorted_keys = _stable_order(keys)
    del keys
    sorted_ids = ids[order]
    del ids
    total = sorted_keys.size
    first_of_group = np.empty(total, dtype=bool)
    first_of_group[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=first_of_group[1:])
    group = np.cumsum(first_of_group) - 1
    starts = np.flatnonzero(first_of_group)
    del first_of_group
    counted = np.ones(total, dtype=bool)
    if enclosing is not None:
        _mark_enclosing(counted, group, sorted_ids, enclosing, max(block_count, int(sorted_ids.max()) + 1))
    weight = np.add.reduceat(counted.astype(np.int64), starts)
    first_seen = order[starts]
    del order
    edge_order = np.argsort(first_seen)  # positions are unique: any sort is stable
    pair_keys = sorted_keys[starts][edge_order]
    table = PairTable(pair_keys // n, pair_keys % n, weight[edge_order])
    if keep_blocks:
        position = np.empty(starts.size, dtype=np.int64)
        position[edge_order] = np.arange(starts.size)
        arranged = np.argsort(position[group[counted]], kind="stable")
        table.blocks = sorted_ids[counted][arranged]
        table.block_ptr = np.concatenate([[0], np.cumsum(table.weight)])
    return table


def _stable_order(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stable sorting permutation of non-negative int64 keys, and the sorted keys: one plain
    sort of key * 2^b + position when that fits in 63 bits (several times faster than a stable argsort)."""
    shift = max(1, int(keys.size).bit_length())
    if keys.size and int(keys.max()) < (1 << (63 - shift)):
        combined = (keys << shift) | np.arange(keys.size, dtype=np.int64)
        combined.sort()
        return combined & ((1 << shift) - 1), combined >> shift
    order = np.argsort(keys, kind="stable")
    return order, keys[order]


def _mark_enclosing(counted: np.ndarray, group: np.ndarray, block: np.ndarray,
                    enclosing: tuple[np.ndarray, np.ndarray], block_count: int, chunk: int = 2_000_000) -> None:
    """Clear ``counted`` for each (pair group, block) whose block encloses another block of the group."""
    ptr, outer = enclosing
    if outer.size == 0:
        return
    where, present = _stable_order(group * block_count + block)
    fanout = ptr[block + 1] - ptr[block]
    rows = np.flatnonzero(fanout)
    step = max(1, chunk // max(1, int(fanout.max())))
    for begin in range(0, rows.size, step):
        part = rows[begin:begin + step]
        counts = fanout[part]
        repeated = np.repeat(part, counts)
        offset = np.arange(repeated.size) - np.repeat(np.cumsum(counts) - counts, counts)
        query = group[repeated] * block_count + outer[ptr[block[repeated]] + offset]
        found = contains(present, query)
        counted[where[np.searchsorted(present, query[found])]] = False


@dataclass(eq=False)
class Projection:
    """A network of a selection as arrays: node ``i`` is the IRI ``nodes[i]`` with
    ``attributes[i]``; edge ``e`` ties ``source[e]`` and ``target[e]`` with ``weight[e]``. Nodes
    and edges are in the order of the networkx graph of the same selection. Treat it as
    read-only: it is shared by the measures of a run."""

    kind: str
    nodes: list[str]
    attributes: list[dict]
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    graph: dict = field(default_factory=dict)
    directed: bool = False

    def __post_init__(self):
        self.index = {node: i for i, node in enumerate(self.nodes)}

    def number_of_nodes(self) -> int:
        """How many nodes."""
        return len(self.nodes)

    def number_of_edges(self) -> int:
        """How many edges."""
        return int(self.source.size)

    def degree(self) -> np.ndarray:
        """The number of ties of each node."""
        return np.bincount(np.concatenate([self.source, self.target]), minlength=len(self.nodes))

    def is_directed(self) -> bool:
        """Whether ties have a direction (never, for leernet's projections)."""
        return self.directed

    def __iter__(self):
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, node) -> bool:
        return node in self.index

    def edges(self):
        """The ties as (node, node) pairs of IRIs, in order."""
        nodes = self.nodes
        return [(nodes[u], nodes[v]) for u, v in zip(self.source.tolist(), self.target.tolist())]

    def values(self, attribute: str, default=None) -> list:
        """Each node's value of ``attribute`` (``default`` when it has none)."""
        return [a.get(attribute, default) if a.get(attribute) is not None else default for a in self.attributes]

    def to_networkx(self, weight: str | None = "weight") -> nx.Graph:
        """A networkx graph with the node attributes and (unless ``weight`` is None) the weights."""
        graph = nx.DiGraph() if self.directed else nx.Graph()
        graph.graph.update(self.graph)
        graph.add_nodes_from((node, dict(attrs)) for node, attrs in zip(self.nodes, self.attributes))
        nodes = self.nodes
        if weight is None:
            graph.add_edges_from((nodes[u], nodes[v]) for u, v in zip(self.source.tolist(), self.target.tolist()))
        else:
            graph.add_edges_from((nodes[u], nodes[v], {weight: w}) for u, v, w in
                                 zip(self.source.tolist(), self.target.tolist(), self.weight.tolist()))
        return graph

    def to_igraph(self, weight: str | None = None):
        """An igraph graph with the same vertex ids (vertex i is ``nodes[i]``; no attributes; with
        ``weight`` the weights as the edge attribute "weight")."""
        from graph.analysis.measures._arrays import Ties, igraph_of

        return igraph_of(Ties(self.nodes, self.source, self.target, self.weight, self.directed), weighted=bool(weight))
