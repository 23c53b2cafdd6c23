"""What may leave leernet for anonymous clients: hidden resources and suppressed small counts.

One rule set for the REST API, the linked-data pages and the dumps:

- a resource with ``ln:isPublic false`` is hidden;
- a person (``schema:Person`` or an IRI under ``id/persoon/``) is hidden unless one of its
  ``ln:publicRole`` concepts has ``ln:publishable true``;
- a membership or participant count that points at a hidden resource is hidden with it;
- numbers of people (``ln:count``, ``ln:minCount``, ``ln:maxCount``, ``ln:attendeeCount``) below
  ``settings.min_public_count`` are suppressed: left out, and shown as "<5" where a value is expected.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from graph.namespaces import ln, sparql_prefixes
from graph.store import Store

RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


def count_properties(base: str) -> frozenset[str]:
    """The properties whose integer values are numbers of people."""
    ns = ln(base)
    return frozenset(str(ns[p]) for p in ("count", "minCount", "maxCount", "attendeeCount"))


def publishable_query(base: str) -> str:
    """SELECT every resource (``?x``) with a publishable public role (the people who may be shown)."""
    return (f"{sparql_prefixes(base)}SELECT DISTINCT ?x WHERE {{ "
            '?x ln:publicRole/ln:publishable ?ok FILTER(STR(?ok) IN ("true", "1")) }')


def hidden_query(base: str) -> str:
    """SELECT every resource (``?x``) that is explicitly not public: ``ln:isPublic false``, or a
    ``schema:Person`` without a publishable role. (Untyped IRIs under ``id/persoon/`` are hidden by
    rule in :meth:`Privacy.visible`, without scanning the store for them.)"""
    return f"""{sparql_prefixes(base)}SELECT DISTINCT ?x WHERE {{
  {{ ?x ln:isPublic ?pub FILTER(STR(?pub) IN ("false", "0")) }}
  UNION {{ ?x a schema:Person
          FILTER NOT EXISTS {{ ?x ln:publicRole/ln:publishable ?ok FILTER(STR(?ok) IN ("true", "1")) }} }}
}}"""


def dependants_query(base: str, hidden: Iterable[str]) -> str:
    """SELECT memberships and counts (``?x``) with what they point at (``?on``): a resource in
    ``hidden``, or a member under ``id/persoon/`` (hidden unless its role is publishable). Only
    indexed patterns are read."""
    values = " ".join(f"<{iri}>" for iri in sorted(hidden))
    explicit = (f"UNION {{ VALUES ?on {{ {values} }} ?x org:member|org:organization|ln:inNetwork ?on }}"
                if values else "")
    return f"""{sparql_prefixes(base)}SELECT ?x ?on WHERE {{
  {{ ?x org:member ?on FILTER(STRSTARTS(STR(?on), "{base}id/persoon/")) }}
  {explicit}
}}"""


class Privacy:
    """The privacy rules applied to one state of the store.

    Built from indexed patterns only (publishable roles, ``ln:isPublic``, typed persons, memberships),
    so that it stays quick on a store of millions of triples; the rule "an IRI under ``id/persoon/``
    without a publishable role is hidden" is applied per IRI by :meth:`visible`.
    """

    def __init__(self, store: Store):
        settings = store.settings
        self.base = settings.base_iri
        self.person_prefix = f"{self.base}id/persoon/"
        self.threshold = settings.min_public_count
        self.count_properties = count_properties(self.base)
        self.publishable: frozenset[str] = frozenset(
            row["x"].value for row in store.select(publishable_query(self.base)) if "x" in row)
        hidden = {row["x"].value for row in store.select(hidden_query(self.base)) if "x" in row}
        self.hidden: frozenset[str] = frozenset(hidden)
        dependants = {row["x"].value for row in store.select(dependants_query(self.base, hidden))
                      if not self.visible(row["on"].value)}
        self.hidden = frozenset(hidden | dependants)

    def visible(self, iri: str) -> bool:
        """Whether the resource with this IRI may be shown."""
        if iri in self.hidden:
            return False
        return not iri.startswith(self.person_prefix) or iri in self.publishable

    def number(self, value: int | None) -> int | None:
        """A count of people as it may be published: ``None`` when it is below the threshold."""
        if value is None or value < self.threshold:
            return None
        return value

    def display(self, count: int | None, low: int | None = None, high: int | None = None) -> str | None:
        """A human-readable count: "12", "8–15", "<5", or ``None`` when nothing is known."""
        if count is not None:
            return str(count) if count >= self.threshold else f"<{self.threshold}"
        if low is None and high is None:
            return None
        if high is not None and high < self.threshold:
            return f"<{self.threshold}"
        low = self.number(low)
        if high is None:
            return f"≥{low}" if low is not None else None
        return f"{low}–{high}" if low is not None else f"≤{high}"

    def is_suppressed_triple(self, predicate: str, obj) -> bool:
        """Whether a triple states a count of people below the threshold."""
        if predicate not in self.count_properties or not isinstance(obj, ox.Literal):
            return False
        try:
            return int(obj.value) < self.threshold
        except ValueError:
            return False

    def filter_triples(self, triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
        """The publishable triples: none about or pointing at hidden resources, no small counts.

        A resource that lost a count gets an ``rdfs:comment`` saying the count was suppressed.
        """
        marked: set = set()
        for t in triples:
            s, p, o = t.subject, t.predicate, t.object
            if not self.visible(s.value) or (isinstance(o, ox.NamedNode) and not self.visible(o.value)):
                continue
            if self.is_suppressed_triple(p.value, o):
                if s not in marked:
                    marked.add(s)
                    yield from self.suppression_note(s)
                continue
            yield t

    def suppression_note(self, subject) -> list[ox.Triple]:
        """The comments put on a resource whose count was suppressed."""
        comment = ox.NamedNode(RDFS_COMMENT)
        return [
            ox.Triple(subject, comment, ox.Literal(
                f"Aantal onder {self.threshold}: niet gepubliceerd ter bescherming van de privacy.", language="nl")),
            ox.Triple(subject, comment, ox.Literal(
                f"Count below {self.threshold}: suppressed to protect privacy.", language="en")),
        ]
