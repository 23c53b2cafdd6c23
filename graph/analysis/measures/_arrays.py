"""Array kernels behind the measures: the definitions of the measure modules, computed with numpy
and igraph on a graph given as arrays (node ids 0..n-1 and each tie once), so that a national-scale
network needs neither a networkx graph nor a Python loop per tie.

The measure functions convert a networkx graph with :func:`ties_of` and call these kernels;
:mod:`graph.analysis.results` passes the arrays of a projection directly. Tests check the kernels
against the networkx implementations and against published reference values.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from graph.analysis.measures._common import simple_edges

ROLE_NAMES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")
CHUNK_WORDS = 4_000_000  # 64-bit words handled per numpy call in the brokerage kernel (about 32 MB)
BITSET_BYTES = 1_500_000_000  # the largest adjacency bit matrix the brokerage kernel builds


@dataclass
class Ties:
    """A graph as arrays: ``nodes`` (the node keys; a node's id is its position), ``source`` and
    ``target`` (node ids, each tie once, no self-loops) and ``weight`` (int or float)."""

    nodes: list
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    directed: bool = False

    @property
    def n(self) -> int:
        return len(self.nodes)

    @property
    def m(self) -> int:
        return int(self.source.size)

    def degree(self) -> np.ndarray:
        """Ties per node (in and out alike)."""
        return np.bincount(np.concatenate([self.source, self.target]), minlength=self.n)

    def unit(self) -> Ties:
        """The same ties, every weight 1."""
        return Ties(self.nodes, self.source, self.target, np.ones(self.m, dtype=np.int64), self.directed)


def ties_of(G, weight: str | None = None) -> Ties:
    """The ties of a networkx graph as arrays (parallel edges merged, self-loops left out)."""
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    edges = simple_edges(G, weight)
    source = np.fromiter((index[u] for u, _, _ in edges), dtype=np.int64, count=len(edges))
    target = np.fromiter((index[v] for _, v, _ in edges), dtype=np.int64, count=len(edges))
    values = [w for _, _, w in edges]
    integral = all(isinstance(w, int) for w in values)
    weights = np.array(values, dtype=np.int64 if integral else np.float64).reshape(-1)
    return Ties(nodes, source, target, weights, G.is_directed())


def codes(values: Sequence[Hashable]) -> tuple[np.ndarray, list]:
    """Each value's category number, categories numbered in order of first appearance."""
    index: dict = {}
    numbers = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64, count=len(values))
    return numbers, list(index)


def _sum(values: np.ndarray):
    """A sum as a Python number: an int for integer input."""
    total = values.sum()
    return int(total) if values.dtype.kind in "iu" else float(total)


def _counts(index: np.ndarray, weight: np.ndarray, size: int) -> np.ndarray:
    """Summed weights per index (exact integers for integer weights)."""
    if weight.dtype.kind in "iu":
        if index.size == 0:
            return np.zeros(size, dtype=np.int64)
        if bool((weight == 1).all()):
            return np.bincount(index, minlength=size).astype(np.int64)
        return np.rint(np.bincount(index, weights=weight, minlength=size)).astype(np.int64)
    return np.bincount(index, weights=weight, minlength=size)


# -- E-I and mixing ----------------------------------------------------------------------------------

@dataclass
class EISums:
    """Ties inside and across groups: for the network, each group and each node."""

    internal: float
    external: float
    group_internal: np.ndarray
    group_external: np.ndarray
    node_internal: np.ndarray
    node_external: np.ndarray


def ei_sums(ties: Ties, group: np.ndarray, groups: int) -> EISums:
    """The sums of the E-I index (graph.analysis.measures.ei): a tie is internal when both ends
    are in one group; a group's external ties have one end in it; a node's, the other end outside."""
    s, t, w = ties.source, ties.target, ties.weight
    gs, gt = group[s], group[t]
    same = gs == gt
    cross = ~same
    return EISums(
        internal=_sum(w[same]), external=_sum(w[cross]),
        group_internal=_counts(gs[same], w[same], groups),
        group_external=_counts(gs[cross], w[cross], groups) + _counts(gt[cross], w[cross], groups),
        node_internal=_counts(s[same], w[same], ties.n) + _counts(t[same], w[same], ties.n),
        node_external=_counts(s[cross], w[cross], ties.n) + _counts(t[cross], w[cross], ties.n))


def mixing(ties: Ties, group: np.ndarray, groups: int) -> np.ndarray:
    """The mixing matrix: ties (or weights) from group i to group j; an undirected tie counts both ways."""
    s, t, w = ties.source, ties.target, ties.weight
    cells = _counts(group[s] * groups + group[t], w, groups * groups)
    if not ties.directed:
        cells = cells + _counts(group[t] * groups + group[s], w, groups * groups)
    return cells.reshape(groups, groups)


def assortativity_of(matrix: np.ndarray) -> float | None:
    """Newman's r of a mixing matrix (None when undefined), as assortativity_from_mixing."""
    total = matrix.sum()
    if total == 0:
        return None
    fractions = matrix / total
    expected = float((fractions.sum(axis=1) * fractions.sum(axis=0)).sum())
    trace = float(np.trace(fractions))
    return None if 1 - expected < 1e-12 else (trace - expected) / (1 - expected)


# -- brokerage -----------------------------------------------------------------------------------------

@dataclass
class Brokered:
    """Gould-Fernandez role counts per node (columns in ROLE_NAMES order) and how they were found:
    ``sampled`` lists the nodes whose counts are estimates, from ``samples`` pairs of contacts each,
    drawn with ``seed``; all others are exact. ``threshold``: nodes with more contacts than this
    were sampled (None when none were)."""

    counts: np.ndarray
    sampled: np.ndarray
    samples: int = 0
    seed: int = 0
    threshold: int | None = None


class _Adjacency:
    """The undirected neighbourhoods of a graph, sorted by group, with an adjacency bit matrix
    (when it fits in :data:`BITSET_BYTES`) or sorted pair keys to test ties."""

    def __init__(self, ties: Ties, group: np.ndarray, groups: int, bitset_bytes: int):
        n = ties.n
        self.n, self.group = n, group
        order = np.argsort(group, kind="stable")
        self.pos = np.empty(n, dtype=np.int64)
        self.pos[order] = np.arange(n)
        sizes = np.bincount(group, minlength=groups)
        self.group_start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self.group_end = self.group_start + sizes
        src = np.concatenate([ties.source, ties.target])
        dst = np.concatenate([ties.target, ties.source])
        arranged = np.argsort(src * n + self.pos[dst], kind="stable")
        src, dst = src[arranged], dst[arranged]
        self.neighbours = dst
        self.ptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=n))]).astype(np.int64)
        self.words = (n + 63) // 64 + 1  # one spare word: ranges may end at the last bit
        self.bits = None
        if n * self.words * 8 <= bitset_bytes:
            bit = self.pos[dst]
            cell = src * self.words + (bit >> 6)
            values = np.left_shift(np.uint64(1), (bit & 63).astype(np.uint64))
            if cell.size:
                first = np.flatnonzero(np.concatenate([[True], cell[1:] != cell[:-1]]))
                flat = np.zeros(n * self.words, dtype=np.uint64)
                flat[cell[first]] = np.bitwise_or.reduceat(values, first)
                self.bits = flat.reshape(n, self.words)
            else:
                self.bits = np.zeros((n, self.words), dtype=np.uint64)
        else:
            low, high = np.minimum(ties.source, ties.target), np.maximum(ties.source, ties.target)
            self.keys = np.sort(low * n + high)

    def tied(self, a: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Whether a[i] and c[i] are tied."""
        if self.bits is not None:
            bit = self.pos[c]
            return ((self.bits[a, bit >> 6] >> (bit & 63).astype(np.uint64)) & np.uint64(1)).astype(bool)
        low, high = np.minimum(a, c), np.maximum(a, c)
        keys = low * self.n + high
        where = np.searchsorted(self.keys, keys)
        where[where == self.keys.size] = max(self.keys.size - 1, 0)
        return self.keys[where] == keys if self.keys.size else np.zeros(a.shape, dtype=bool)


_LOW = np.array([(1 << b) - 1 for b in range(64)], dtype=np.uint64)
_BYTE_BITS = np.array([bin(b).count("1") for b in range(256)], dtype=np.uint8)


def _popcount(words: np.ndarray) -> np.ndarray:
    """Set bits per 64-bit word (numpy >= 2 counts them natively; older numpy byte by byte)."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(words)
    words = np.ascontiguousarray(words)
    return _BYTE_BITS[words.view(np.uint8)].reshape(*words.shape, 8).sum(axis=-1, dtype=np.uint8)


def _bits_in(x: np.ndarray, prefix: np.ndarray, rows: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Per row of the bit matrix ``x`` (with ``prefix``, its popcounts summed over the words before
    each word), how many bits are set in [start, end)."""
    first, last = start >> 6, end >> 6
    count = prefix[rows, last] - prefix[rows, first]
    count += _popcount(x[rows, last] & _LOW[end & 63])
    count -= _popcount(x[rows, first] & _LOW[start & 63])
    return count.astype(np.int64)


def _exact_roles(adj: _Adjacency, v: int, g: int) -> np.ndarray:
    """Exact open two-paths a - v - c (ordered, a and c not tied) of node v per role, from the bit matrix."""
    nb = adj.neighbours[adj.ptr[v]:adj.ptr[v + 1]]
    d = nb.size
    result = np.zeros(5, dtype=np.int64)
    if d < 2:
        return result
    group = adj.group
    ga = group[nb]
    own_start, own_end = adj.group_start[ga], adj.group_end[ga]
    total = np.empty(d, dtype=np.int64)
    own = np.empty(d, dtype=np.int64)
    inside = np.empty(d, dtype=np.int64)
    step = max(1, CHUNK_WORDS // adj.words)
    mine = adj.bits[v]
    for begin in range(0, d, step):
        rows = slice(begin, begin + step)
        x = adj.bits[nb[rows]] & mine
        counts = _popcount(x)
        prefix = np.zeros((counts.shape[0], adj.words + 1), dtype=np.int32)
        np.cumsum(counts, axis=1, out=prefix[:, 1:])
        local = np.arange(counts.shape[0])
        total[rows] = prefix[:, -1]
        own[rows] = _bits_in(x, prefix, local, own_start[rows], own_end[rows])
        inside[rows] = _bits_in(x, prefix, local, np.full(local.size, adj.group_start[g]),
                                np.full(local.size, adj.group_end[g]))
    same = ga == g
    runs = np.diff(np.flatnonzero(np.concatenate([[True], ga[1:] != ga[:-1], [True]])))
    n_g = int(same.sum())
    squares_other = int((runs.astype(np.int64) ** 2).sum()) - n_g * n_g
    d_other = d - n_g
    closed_gg = int(inside[same].sum())
    row_g = int(total[same].sum())
    column_g = int(inside.sum())
    other = ~same
    result[0] = n_g * (n_g - 1) - closed_gg  # coordinator
    result[1] = squares_other - d_other - int(own[other].sum())  # itinerant
    result[2] = d_other * n_g - (column_g - closed_gg)  # gatekeeper
    result[3] = n_g * d_other - (row_g - closed_gg)  # representative
    result[4] = (d_other * d_other - squares_other) - int((total[other] - own[other] - inside[other]).sum())  # liaison
    return result


def _role_index(ga: np.ndarray, gv: int, gc: np.ndarray) -> np.ndarray:
    """ROLE_NAMES index of the role of a broker in group gv between ga -> gc (brokerage._role)."""
    a_in, c_in, same = ga == gv, gc == gv, ga == gc
    return np.where(a_in, np.where(c_in, 0, 3), np.where(c_in, 2, np.where(same, 1, 4)))


def _pair_roles(adj: _Adjacency, v: int, g: int, a_index: np.ndarray, c_index: np.ndarray) -> np.ndarray:
    """Open two-paths of v per role among the given ordered pairs of its contacts."""
    nb = adj.neighbours[adj.ptr[v]:adj.ptr[v + 1]]
    a, c = nb[a_index], nb[c_index]
    open_ = ~adj.tied(a, c)
    roles = _role_index(adj.group[a[open_]], g, adj.group[c[open_]])
    return np.bincount(roles, minlength=5).astype(np.int64)


def brokered(ties: Ties, group: np.ndarray, groups: int, *, budget: float | None = None, samples: int = 4000,
             seed: int = 0, bitset_bytes: int = BITSET_BYTES, tick: Callable[[int], None] | None = None) -> Brokered:
    """Gould-Fernandez role counts of every node of an undirected graph (a tie read both ways; see
    graph.analysis.measures.brokerage), exact, or (with ``budget``, in 64-bit word operations)
    exact for the nodes with the fewest contacts that fit the budget and estimated for the others
    from ``samples`` random ordered pairs of contacts each (drawn with ``seed``): count x d(d-1)/samples.
    """
    n = ties.n
    adj = _Adjacency(ties, group, groups, bitset_bytes)
    degree = np.diff(adj.ptr)
    exact = np.ones(n, dtype=bool)
    threshold = None
    if adj.bits is not None:
        cost = degree * adj.words
    else:  # without the bit matrix a node costs its pairs of contacts
        cost = degree * np.maximum(degree - 1, 0)
    if budget is not None and cost.sum() > budget:
        # exact for every node with at most D contacts, D as large as the budget allows, and for
        # every node with no more pairs of contacts than a sample would draw
        degrees = np.unique(degree)
        spent = np.cumsum(np.bincount(np.searchsorted(degrees, degree), weights=cost, minlength=degrees.size))
        fits = degrees[spent <= budget]
        limit = int(fits.max()) if fits.size else -1
        exact = (degree <= limit) | (degree * np.maximum(degree - 1, 0) <= samples)
        threshold = int(degree[exact].max()) if exact.any() else 0
    counts = np.zeros((n, 5), dtype=np.int64)
    rng = np.random.default_rng(seed)
    for v in range(n):
        d = int(degree[v])
        if tick is not None and v % 256 == 255:
            tick(256)
        if d < 2:
            continue
        g = int(group[v])
        if exact[v] and adj.bits is not None:
            counts[v] = _exact_roles(adj, v, g)
        elif exact[v]:  # every ordered pair of contacts, a block of first contacts at a time
            step = max(1, CHUNK_WORDS // d)
            for begin in range(0, d, step):
                first = np.arange(begin, min(d, begin + step))
                a_index = np.repeat(first, d - 1)
                c_index = (a_index + 1 + np.tile(np.arange(d - 1), first.size)) % d
                counts[v] += _pair_roles(adj, v, g, a_index, c_index)
        else:
            a_index = rng.integers(0, d, samples)
            c_index = (a_index + 1 + rng.integers(0, d - 1, samples)) % d
            found = _pair_roles(adj, v, g, a_index, c_index)
            counts[v] = np.rint(found * (d * (d - 1) / samples)).astype(np.int64)
    sampled = np.flatnonzero(~exact & (degree >= 2))
    return Brokered(counts, sampled, samples if sampled.size else 0, seed, threshold if sampled.size else None)


# -- structure (igraph) -------------------------------------------------------------------------------

def igraph_of(ties: Ties, weighted: bool = False):
    """The ties as an igraph graph (vertex i is node i; with ``weighted`` the weights as 'weight')."""
    import igraph

    graph = igraph.Graph(n=ties.n, directed=ties.directed)
    step = 16_000_000  # edges handed over at a time (as Python pairs they take about 110 bytes each)
    for begin in range(0, ties.m, step):
        graph.add_edges(list(zip(ties.source[begin:begin + step].tolist(), ties.target[begin:begin + step].tolist())))
    if weighted:
        graph.es["weight"] = ties.weight.astype(float).tolist()
    return graph


def pivots(nodes: Sequence, k: int, seed: int) -> list[int]:
    """The sources networkx's betweenness_centrality(k=k, seed=seed) draws, as node ids."""
    chosen = random.Random(seed).sample(list(nodes), k)
    index = {v: i for i, v in enumerate(nodes)}
    return [index[v] for v in chosen]


def betweenness_values(ties: Ties, *, normalized: bool = False, k: int | None = None, seed: int = 0,
                       graph=None, tick: Callable[[int], None] | None = None) -> np.ndarray:
    """Freeman betweenness of each node (unweighted) by igraph, scaled exactly as networkx's
    betweenness_centrality(normalized=..., k=..., seed=...) scales it: with ``k`` < n, the shortest
    paths from k pivots (the ones networkx draws with ``seed``) to every node, extrapolated.
    ``tick`` (for a progress bar) is called with the number of sources done, batch by batch."""
    n = ties.n
    graph = graph if graph is not None else igraph_of(ties)
    if k is not None and k >= n:
        k = None
    sources = None if k is None else pivots(ties.nodes, k, seed)
    if tick is None:
        raw = np.array(graph.betweenness(directed=ties.directed, sources=sources), dtype=float)
    else:  # the paths out of each source add up: batch the sources to show progress
        todo = list(range(n)) if sources is None else sources
        raw = np.zeros(n)
        step = max(1, len(todo) // 100)
        for begin in range(0, len(todo), step):
            batch = todo[begin:begin + step]
            raw += np.array(graph.betweenness(directed=ties.directed, sources=batch), dtype=float)
            tick(len(batch))
    if not ties.directed:
        raw *= 2  # networkx accumulates ordered pairs (s, t), then halves
    N = n - 1  # networkx: pairs (s, t) through v, v not an end
    if N < 2:
        return raw
    correction = 1 if ties.directed else 2
    if sources is None:
        return raw * (1 / (N * (N - 1)) if normalized else N / (N * correction))
    if normalized:
        scale_source = 1 / ((k - 1) * (N - 1)) if k > 1 else math.nan
        scale_other = 1 / (k * (N - 1))
    else:
        scale_source = N / ((k - 1) * correction) if k > 1 else math.nan
        scale_other = N / (k * correction)
    scale = np.full(n, scale_other)
    scale[sources] = scale_source
    return raw * scale


def constraint_values(ties: Ties, weighted: bool = False, method: str | None = None,
                      tick: Callable[[int], None] | None = None) -> np.ndarray:
    """Burt's constraint of each node of an undirected graph (NaN for isolates), as networkx defines
    it: sum over contacts j of (p_ij + sum_q p_iq p_qj)^2 with p_ij = w_ij / sum_k w_ik.
    ``method`` "dense" (numpy, n^3 operations) or "igraph" (about sum of degree^2); default: the cheaper."""
    n = ties.n
    degree = ties.degree()
    if method is None:
        method = constraint_method(ties)
    if method == "igraph":
        graph = igraph_of(ties, weighted)
        return np.array(graph.constraint(weights="weight" if weighted else None), dtype=float)
    w = ties.weight.astype(float) if weighted else np.ones(ties.m)
    strength = np.zeros((n, n))  # mutual tie strengths a_ij + a_ji (the factor 2 cancels in p)
    np.add.at(strength, (ties.source, ties.target), w)
    np.add.at(strength, (ties.target, ties.source), w)
    total = strength.sum(axis=1)
    inverse = 1 / np.where(total > 0, total, 1)
    # sum_q p_iq p_qj = (W D^-1 W)_ij / s_i, and W D^-1 W = B B^T with B = W D^-1/2 (one symmetric product)
    scaled = strength * np.sqrt(inverse)[None, :]
    middle = scaled @ scaled.T
    del scaled
    values = np.zeros(n)
    step = max(1, CHUNK_WORDS // max(n, 1))
    for begin in range(0, n, step):
        rows = slice(begin, begin + step)
        direct = strength[rows] * inverse[rows, None]
        values[rows] = np.where(direct > 0, (direct + middle[rows] * inverse[rows, None]) ** 2, 0).sum(axis=1)
        if tick is not None:
            tick(min(step, n - begin))
    values[degree == 0] = np.nan
    return values


def constraint_method(ties: Ties) -> str:
    """The cheaper way to compute constraint: "dense" (numpy, about n^3 multiply-adds, fast BLAS)
    or "igraph" (about 900 times slower per step, but only sum of degree^2 steps)."""
    degree = ties.degree().astype(float)
    return "dense" if float(ties.n) ** 3 <= 900 * float((degree ** 2).sum()) else "igraph"


def effective_size_values(ties: Ties, graph=None) -> np.ndarray:
    """Burt's effective size of each node of an unweighted undirected graph (NaN for isolates):
    n - 2t/n with n contacts and t ties among them (Borgatti 1997; networkx's formula)."""
    graph = graph if graph is not None else igraph_of(ties)
    degree = np.array(graph.degree(), dtype=np.int64)
    local = np.array(graph.transitivity_local_undirected(mode="zero"), dtype=float)
    triangles = np.rint(local * degree * (degree - 1) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = degree - (2 * triangles) / degree
    values[degree == 0] = np.nan
    return values


def louvain(ties: Ties, *, resolution: float = 1.0, seed: int = 0, weighted: bool = True, graph=None) -> list[list[int]]:
    """Louvain communities (igraph's multilevel method, Blondel et al. 2008) as lists of node ids,
    reproducible: igraph draws its random numbers from a ``random.Random(seed)``."""
    import igraph

    graph = graph if graph is not None else igraph_of(ties, weighted)
    igraph.set_random_number_generator(random.Random(seed))
    try:
        found = graph.community_multilevel(weights="weight" if weighted else None, resolution=resolution)
    finally:
        igraph.set_random_number_generator(random)
    return [list(c) for c in found]


def modularity_of(ties: Ties, membership: np.ndarray, *, resolution: float = 1.0) -> float:
    """Newman's modularity of a partition (weighted by ``ties.weight``), as networkx computes it."""
    w = ties.weight.astype(float)
    communities = int(membership.max()) + 1 if membership.size else 0
    strength = _counts(ties.source, w, ties.n) + _counts(ties.target, w, ties.n)
    total = w.sum()
    if total == 0:
        return math.nan
    inside = w[membership[ties.source] == membership[ties.target]].sum()
    by_community = np.bincount(membership, weights=strength, minlength=communities)
    return float(inside / total - resolution * (by_community ** 2).sum() / (4 * total * total))
