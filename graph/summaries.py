"""Whole-graph questions answered from kept results: which pairs of organisations share the most
networks, and how sectors mix across all collaborations.

Asked of the store directly, these are self-joins over every membership (53 s at 10M triples in
pyoxigraph). Instead they are computed once per state of the store from one read of the memberships
(numpy counts the pairs), kept as JSON in the named graph ``{base}graph/summary`` together with the
state of the store they describe, and served from there. The state is a digest of what the metadata
graph says about every loaded graph (when and with how many triples it was written), so a kept
result is recognised as current after a restart; ``leernet summarise`` (or the API, in the
background, when it finds the kept result out of date) computes them again.

What counts: two organisations (or lectoraten) share a network when both have a membership of it
(``org:organization``); persons, role groups and anything marked ``ln:isPublic false`` are left out,
so the kept result can be published as it is. An organisation's sector is its
first top-level sector (``org:classification`` up ``skos:broader`` to a concept without a broader
one, in ``def/sector/``); a lectoraat takes the sector of its hogeschool.

>>> from graph.settings import load_settings
>>> from graph.store import open_store
>>> store = open_store(load_settings(store_path=None))
>>> summary = compute(store)
>>> summary.pairs[0]["shared"] >= summary.pairs[-1]["shared"]
True
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

import numpy as np
import pyoxigraph as ox

from graph.namespaces import sparql_prefixes

TOP_PAIRS = 1000  # pairs kept, most shared networks first
TOP_PARTNERS = 100  # organisations kept, most partners first


@dataclass
class Summary:
    """The kept answers: ``pairs`` (a, b, shared networks, most first), ``mixing`` (sector a,
    sector b, pairs of collaborating organisations) and ``partners`` (organisation, how many
    organisations share a network with it, most first), for the store in ``state``."""

    state: str
    computed: str
    organisations: int
    networks: int
    collaborating_pairs: int
    pairs: list[dict] = field(default_factory=list)
    mixing: list[dict] = field(default_factory=list)
    partners: list[dict] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


def summary_graph(base: str) -> str:
    """The named graph that keeps the summary."""
    return f"{base}graph/summary"


def state_of(store) -> str:
    """A digest of the store's state as the metadata graph records it (graph, time written, size)."""
    base = store.settings.base_iri
    rows = store.select(
        f"{sparql_prefixes(base)}SELECT ?g ?t ?n WHERE {{ GRAPH <{base}graph/meta> {{ ?g prov:generatedAtTime ?t . "
        "OPTIONAL { ?g void:triples ?n } } }")
    lines = sorted(f"{r['g'].value} {r['t'].value} {r['n'].value if 'n' in r else ''}" for r in rows
                   if r["g"].value != summary_graph(base))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def compute(store) -> Summary:
    """Read the memberships and sectors once and count shared networks and sector mixing."""
    base = store.settings.base_iri
    prefix = sparql_prefixes(base)
    state = state_of(store)
    rows = store.select(f"""{prefix}SELECT DISTINCT ?n ?o WHERE {{
  ?m org:organization ?n ; org:member ?o .
  {{ ?o a org:FormalOrganization }} UNION {{ ?o a ln:Lectoraat }}
  FILTER NOT EXISTS {{ ?o ln:isPublic ?hidden FILTER(STR(?hidden) IN ("false", "0")) }}
  FILTER NOT EXISTS {{ ?n ln:isPublic ?closed FILTER(STR(?closed) IN ("false", "0")) }} }}""")
    orgs: dict[str, int] = {}
    nets: dict[str, int] = {}
    net_index = np.fromiter((nets.setdefault(r["n"].value, len(nets)) for r in rows), dtype=np.int64, count=len(rows))
    org_index = np.fromiter((orgs.setdefault(r["o"].value, len(orgs)) for r in rows), dtype=np.int64, count=len(rows))
    pair_codes, shared = _shared_networks(net_index, org_index, len(orgs))
    names = list(orgs)
    pairs = _top_pairs(pair_codes, shared, names)
    sectors = _sectors(store, prefix)
    codes = {s: k for k, s in enumerate(sorted(set(sectors.values())))}
    sector_of = np.array([codes.get(sectors.get(o, ""), -1) for o in names], dtype=np.int64)
    mixing = _mixing(pair_codes, len(orgs), sector_of, list(codes))
    return Summary(state=state, computed=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                   organisations=len(orgs), networks=len(nets), collaborating_pairs=int(len(pair_codes)),
                   pairs=pairs, mixing=mixing, partners=_top_partners(pair_codes, names))


def _top_partners(pair_codes: np.ndarray, names: list[str]) -> list[dict]:
    """The :data:`TOP_PARTNERS` organisations with the most partners (ties in IRI order)."""
    n = len(names)
    degree = np.bincount(pair_codes // n, minlength=n) + np.bincount(pair_codes % n, minlength=n) if n else np.zeros(0)
    ranked = sorted(range(n), key=lambda i: (-int(degree[i]), names[i]))[:TOP_PARTNERS]
    return [{"organisation": names[i], "partners": int(degree[i])} for i in ranked if degree[i] > 0]


def _shared_networks(net_index: np.ndarray, org_index: np.ndarray, n_orgs: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct organisation pairs (coded a * n + b, a < b) and how many networks each pair shares."""
    order = np.argsort(net_index, kind="stable")
    nets, members = net_index[order], org_index[order]
    bounds = np.flatnonzero(np.diff(nets)) + 1
    chunks = []
    for group in np.split(members, bounds):
        group = np.unique(group)
        if len(group) > 1:
            a, b = np.triu_indices(len(group), k=1)
            chunks.append(group[a] * n_orgs + group[b])
    if not chunks:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(chunks), return_counts=True)


def _top_pairs(pair_codes: np.ndarray, shared: np.ndarray, names: list[str]) -> list[dict]:
    """The :data:`TOP_PAIRS` pairs sharing most networks; ties in IRI order, each pair as a < b."""
    if len(shared) > TOP_PAIRS:
        floor = np.partition(shared, len(shared) - TOP_PAIRS)[len(shared) - TOP_PAIRS]
        chosen = np.flatnonzero(shared >= floor)
    else:
        chosen = np.arange(len(shared))
    n = len(names)
    pairs = []
    for i in chosen:
        a, b = sorted((names[int(pair_codes[i] // n)], names[int(pair_codes[i] % n)]))
        pairs.append({"a": a, "b": b, "shared": int(shared[i])})
    return sorted(pairs, key=lambda p: (-p["shared"], p["a"], p["b"]))[:TOP_PAIRS]


def _mixing(pair_codes: np.ndarray, n_orgs: int, sector_of: np.ndarray, sectors: list[str]) -> list[dict]:
    """Pairs of collaborating organisations per (unordered) pair of sectors."""
    a, b = sector_of[pair_codes // n_orgs], sector_of[pair_codes % n_orgs]
    known = (a >= 0) & (b >= 0)
    low, high = np.minimum(a[known], b[known]), np.maximum(a[known], b[known])
    codes, counts = np.unique(low * max(len(sectors), 1) + high, return_counts=True)
    return [{"a": sectors[int(c // len(sectors))], "b": sectors[int(c % len(sectors))], "pairs": int(n)}
            for c, n in sorted(zip(codes, counts), key=lambda x: (-x[1], x[0]))]


def _sectors(store, prefix: str) -> dict[str, str]:
    """Organisation IRI -> its first top-level sector IRI (a lectoraat: its hogeschool's)."""
    base = store.settings.base_iri
    rows = store.select(f"""{prefix}SELECT ?o ?top WHERE {{
  ?top skos:inScheme <{base}def/sector> FILTER NOT EXISTS {{ ?top skos:broader ?above }}
  ?c skos:broader* ?top . ?holder org:classification ?c . ?o org:unitOf? ?holder }}""")
    found: dict[str, str] = {}
    for r in rows:
        o, top = r["o"].value, r["top"].value
        if o not in found or top < found[o]:
            found[o] = top
    return found


def keep(store, summary: Summary) -> None:
    """Store the summary in its named graph (replacing the previous one)."""
    graph = summary_graph(store.settings.base_iri)
    subject = ox.NamedNode(graph)
    store.replace_graphs({graph: [
        ox.Triple(subject, ox.NamedNode("http://www.w3.org/ns/prov#value"),
                  ox.Literal(summary.to_json(), datatype=ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"))),
    ]})


def kept(store) -> Summary | None:
    """The summary kept in the store, if any (current or not: compare its ``state`` with :func:`state_of`)."""
    graph = summary_graph(store.settings.base_iri)
    for quad in store.quads(graph=graph):
        if quad.predicate.value == "http://www.w3.org/ns/prov#value":
            return Summary(**json.loads(quad.object.value))
    return None


def current(store, *, refresh: bool = True) -> Summary:
    """The kept summary if it describes the store as it is now; else computed (and kept when ``refresh``)."""
    found = kept(store)
    if found is not None and found.state == state_of(store):
        return found
    summary = compute(store)
    if refresh:
        keep(store, summary)
    return summary
