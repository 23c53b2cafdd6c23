"""The learning networks of every theme, kept sorted by name: the answer to "a theme's networks".

A theme's networks are the learning networks with the theme, or a narrower one, as
``dcterms:subject``, and every network inside those (``schema:parentOrganization*``): the same as
``/api/v1/networks?theme=`` asks the store with ``api.queries.list_query``. At ten million
triples the biggest theme has some 22,000 networks; finding them in the store took 0.7–2 s per
request, and sorting them by name needed all their names. The index is built once per state of
the store from five plain scans (types, subjects, narrower themes, parent organisations, names),
after which a theme's networks are a lookup (tests/test_theme_index.py proves the two agree).

    >>> index = ThemeIndex.build(store)        # doctest: +SKIP
    >>> index.networks(f"{base}def/thema/jeugdzorg")[:3]
"""

from __future__ import annotations

from collections import defaultdict

from graph.names import LABEL_PATH, dutch_name, sort_key
from graph.namespaces import sparql_prefixes


class ThemeIndex:
    """For each theme IRI, the IRIs of its learning networks sorted by (name, IRI)."""

    def __init__(self, by_theme: dict[str, list[str]], names: dict[str, str | None]):
        self._by_theme = by_theme
        self.names = names  # network IRI -> the Dutch-first name the list is sorted by

    def networks(self, theme: str) -> list[str]:
        """The networks of ``theme`` (an IRI), sorted by name; empty for an unknown theme."""
        return self._by_theme.get(theme, [])

    @classmethod
    def build(cls, store) -> "ThemeIndex":
        """Read what the index needs from ``store`` (embedded or remote) and build it."""
        base = store.settings.base_iri
        prefixes = sparql_prefixes(base)

        def pairs(where: str, a: str = "a", b: str = "b") -> list[tuple[str, object]]:
            rows = store.query(f"{prefixes}SELECT ?{a} ?{b} WHERE {{ {where} }}")
            return [(row[a].value, row[b]) for row in rows]

        space = f"{base}id/netwerk/"
        networks = {s for s, _ in pairs("?a a ln:LearningNetwork BIND(1 AS ?b)") if s.startswith(space)}
        broader = defaultdict(set)
        for narrow, wide in pairs("?a skos:broader ?b"):
            broader[narrow].add(wide.value)
        children = defaultdict(set)
        for child, parent in pairs("?a schema:parentOrganization ?b"):
            children[parent.value].add(child)
        names: dict[str, list] = defaultdict(list)
        for network, name in pairs(f"?a a ln:LearningNetwork ; {LABEL_PATH} ?b"):
            if network in networks:
                names[network].append(name)
        shown = {n: dutch_name(names.get(n, [])) for n in networks}
        themed: dict[str, set[str]] = defaultdict(set)
        wider: dict[str, set[str]] = {}
        for thing, theme in pairs("?a dcterms:subject ?b"):
            if hasattr(theme, "language"):  # a literal subject is no theme
                continue
            inside = _closure(thing, children) & networks if thing in children else {thing} & networks
            if inside:
                if theme.value not in wider:
                    wider[theme.value] = _closure(theme.value, broader)
                for each in wider[theme.value]:
                    themed[each] |= inside
        order = {n: (sort_key(shown[n], n), n) for n in networks}
        return cls({theme: sorted(found, key=order.__getitem__) for theme, found in themed.items()}, shown)


def _closure(start: str, step: dict[str, set[str]]) -> set[str]:
    """``start`` and everything reachable from it along ``step`` (cycles are harmless)."""
    seen, todo = {start}, [start]
    while todo:
        for nxt in step.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
