"""What the store already knows, for linking imported rows to it instead of duplicating.

An :class:`Index` holds the organisations, networks, people, role and other concepts of the store
(or of any quads), looked up by identifier and by normalised name, and the IRIs in use, so that new
IRIs are minted unique and deterministic. Converters register what they mint, so later rows of the
same batch find it too. The graph being replaced by the import (``exclude_graph``) does not count
for labels and IRIs in use, so that re-importing a file gives the same result; it does count for
identities (a person minted by an earlier run of the same file keeps its opaque IRI).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, RDF, SKOS

from graph.importers.naming import normalise_name, web_host
from graph.namespaces import SCHEMA

IDENTIFIERS = ("rorId", "isni", "wikidataId", "brin", "fundrefId", "gridId", "kvk")


@dataclass
class Concept:
    """A SKOS concept: its IRI, notation, labels and (for roles) whether persons in it are public."""

    iri: str
    notation: str = ""
    pref_labels: dict[str, str] = field(default_factory=dict)
    alt_labels: list[str] = field(default_factory=list)
    publishable: bool | None = None

    def label(self, lang: str = "nl") -> str:
        """The preferred label in ``lang`` (else any), else the notation."""
        return self.pref_labels.get(lang) or next(iter(self.pref_labels.values()), self.notation)

    def keys(self) -> set[str]:
        """Everything a curator may type to mean this concept, case-folded."""
        words = {self.notation, *self.pref_labels.values(), *self.alt_labels}
        return {w.strip().casefold() for w in words if w and w.strip()}


@dataclass
class Entity:
    """An organisation or network known to the index."""

    iri: str
    ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    pref: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # lang → labels
    alt: set[str] = field(default_factory=set)
    other_pref: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # outside exclude_graph
    has_url_elsewhere: bool = False
    hosts: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    elsewhere: bool = False  # described by a graph other than the one being replaced
    described_elsewhere: set[str] = field(default_factory=set)  # languages of descriptions outside exclude_graph


class Index:
    """Organisations, networks, people and concepts known before (and during) an import."""

    def __init__(self, base_iri: str, exclude_graph: str | None = None):
        self.base_iri = base_iri
        self.exclude_graph = exclude_graph
        self.organisations: dict[str, Entity] = {}
        self.networks: dict[str, Entity] = {}
        self.persons: dict[tuple[str, str], str] = {}
        self.concepts: dict[str, dict[str, Concept]] = defaultdict(dict)  # scheme → iri → concept
        self.collections: dict[str, set[str]] = defaultdict(set)  # skos:Collection → member IRIs
        self.used: set[str] = set()
        self.known: set[str] = set()
        self._pending_concepts: dict[str, Concept] = {}
        self._person_names: dict[str, set[str]] = defaultdict(set)
        self._person_affiliations: dict[str, set[str]] = defaultdict(set)

    # ---- building -------------------------------------------------------------------------
    @classmethod
    def from_store(cls, store, exclude_graph: str | None = None) -> "Index":
        """An index of everything in ``store`` (a :class:`graph.store.Store`)."""
        index = cls(store.settings.base_iri, exclude_graph)
        for predicate in index._predicates():
            for quad in store.quads(predicate=predicate):
                graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None
                index._feed(quad.subject, quad.predicate.value, quad.object, graph)
        index._link_concepts()
        return index

    @classmethod
    def from_quads(cls, base_iri: str, quads: Iterable, exclude_graph: str | None = None) -> "Index":
        """An index of pyoxigraph quads (e.g. ``pyoxigraph.parse(...)``); an empty one for ``()``."""
        index = cls(base_iri, exclude_graph)
        wanted = set(index._predicates())
        for quad in quads:
            if quad.predicate.value in wanted:
                graph = quad.graph_name.value if isinstance(getattr(quad, "graph_name", None), ox.NamedNode) else None
                index._feed(quad.subject, quad.predicate.value, quad.object, graph)
        index._link_concepts()
        return index

    def _predicates(self) -> list[str]:
        ln = f"{self.base_iri}def/leernet#"
        return [str(RDF.type), str(SKOS.prefLabel), str(SKOS.altLabel), str(SKOS.notation),
                str(SKOS.inScheme), str(SCHEMA.name), str(SCHEMA.affiliation), str(SCHEMA.url),
                str(DCTERMS.description), str(SKOS.member),
                f"{ln}publishable", *(f"{ln}{name}" for name in IDENTIFIERS)]

    def _feed(self, subject, predicate: str, obj, graph: str | None) -> None:
        if not isinstance(subject, ox.NamedNode):
            return
        s = subject.value
        own = graph is not None and graph == self.exclude_graph
        self.known.add(s)
        if not own:
            self.used.add(s)
        ln = f"{self.base_iri}def/leernet#"
        kind = self._kind(s)
        value = obj.value
        lang = obj.language if isinstance(obj, ox.Literal) else None
        if predicate == str(SKOS.inScheme):
            scheme = value.removeprefix(f"{self.base_iri}def/")
            self.concepts[scheme].setdefault(s, Concept(s))
            return
        if predicate == str(SKOS.member):
            self.collections[s].add(value)
            return
        if kind == "concept":
            concept = self._pending_concepts.setdefault(s, Concept(s))
            if predicate == str(SKOS.notation):
                concept.notation = value
            elif predicate == str(SKOS.prefLabel):
                concept.pref_labels.setdefault(lang or "", value)
            elif predicate == str(SKOS.altLabel):
                concept.alt_labels.append(value)
            elif predicate == f"{ln}publishable":
                concept.publishable = value.strip().lower() in ("true", "1")
            return
        if kind == "persoon":
            if predicate == str(SCHEMA.name):
                self._person_names[s].add(value)
            elif predicate == str(SCHEMA.affiliation):
                self._person_affiliations[s].add(value)
            return
        tables = {"organisatie": self.organisations, "lectoraat": self.organisations, "netwerk": self.networks}
        table = tables.get(kind)
        if table is None:
            return
        entity = table.setdefault(s, Entity(s))
        entity.elsewhere = entity.elsewhere or not own
        if predicate.startswith(ln) and predicate[len(ln):] in IDENTIFIERS:
            entity.ids[predicate[len(ln):]].add(value)
        elif predicate == str(RDF.type):
            entity.types.add(value)
        elif predicate == str(DCTERMS.description):
            if not own:
                entity.described_elsewhere.add(lang or "")
        elif predicate == str(SKOS.prefLabel):
            entity.pref[lang or ""].add(value)
            if not own:
                entity.other_pref[lang or ""].add(value)
        elif predicate == str(SKOS.altLabel):
            entity.alt.add(value)
        elif predicate == str(SCHEMA.url):
            host = web_host(value)
            if host:
                entity.hosts.add(host)
            if not own:
                entity.has_url_elsewhere = True

    def _kind(self, iri: str) -> str | None:
        if iri.startswith(f"{self.base_iri}def/") and "#" not in iri:
            return "concept"
        prefix = f"{self.base_iri}id/"
        if iri.startswith(prefix):
            return iri[len(prefix):].split("/", 1)[0]
        return None

    def _link_concepts(self) -> None:
        for scheme, members in self.concepts.items():
            for iri in members:
                members[iri] = self._pending_concepts.get(iri, members[iri])
        for person, names in self._person_names.items():
            affiliations = self._person_affiliations.get(person) or {""}
            for name in names:
                for affiliation in affiliations:
                    self.persons.setdefault((normalise_name(name), affiliation), person)

    # ---- looking up -----------------------------------------------------------------------
    def organisations_with(self, identifier: str, value: str) -> list[str]:
        """The organisations that carry ``ln:{identifier}`` ``value`` (sorted IRIs)."""
        return sorted(e.iri for e in self.organisations.values() if value in e.ids.get(identifier, ()))

    def by_name(self, table: dict[str, Entity], name: str, *, usable=lambda e: True) -> list[str]:
        """Entities whose preferred label (else, alternative label) normalises like ``name``."""
        key = normalise_name(name)
        pref = sorted(e.iri for e in table.values() if usable(e)
                      and any(normalise_name(v) == key for vs in e.pref.values() for v in vs))
        if pref:
            return pref
        return sorted(e.iri for e in table.values() if usable(e) and any(normalise_name(v) == key for v in e.alt))

    def organisations_named(self, name: str, *, usable=lambda e: True) -> list[str]:
        """Organisations called ``name`` (normalised), preferred labels first."""
        return self.by_name(self.organisations, name, usable=usable)

    def networks_named(self, name: str) -> list[str]:
        """Networks called ``name`` (normalised), preferred labels first; else collaborations
        (``org:OrganizationalCollaboration``) called so."""
        found = self.by_name(self.networks, name)
        if found:
            return found
        collaboration = "http://www.w3.org/ns/org#OrganizationalCollaboration"
        return self.by_name(self.organisations, name, usable=lambda e: collaboration in e.types)

    def organisations_at(self, host: str) -> list[str]:
        """Organisations whose website has this host."""
        return sorted(e.iri for e in self.organisations.values() if host in e.hosts)

    def scheme(self, name: str) -> dict[str, Concept]:
        """The concepts of ``def/{name}`` by IRI."""
        return self.concepts.get(name, {})

    def find_concept(self, scheme: str, text: str) -> Concept | None:
        """The concept of ``def/{scheme}`` whose notation, prefLabel or altLabel is ``text``
        (case-insensitive), or whose IRI it is."""
        key = text.strip().casefold()
        for concept in self.scheme(scheme).values():
            if key == concept.iri.casefold() or key in concept.keys():
                return concept
        return None

    def person(self, name: str, affiliation: str | None) -> str | None:
        """The IRI of a known person with this name and affiliation."""
        return self.persons.get((normalise_name(name), affiliation or ""))

    # ---- registering what a batch mints ---------------------------------------------------
    def unique_iri(self, type_segment: str, slug: str, suffix: str) -> str:
        """``id/{type}/{slug}``, or with ``-{suffix}`` (then -2, -3 …) when that is in use."""
        candidates = [slug, f"{slug}-{suffix}"] if suffix else [slug]
        candidates += [f"{slug}-{suffix + '-' if suffix else ''}{n}" for n in range(2, 1000)]
        for candidate in candidates:
            iri = f"{self.base_iri}id/{type_segment}/{candidate}"
            if iri not in self.used:
                self.used.add(iri)
                return iri
        raise RuntimeError(f"no free IRI for {slug}")

    def claim(self, iri: str) -> None:
        """Mark an IRI as in use by this batch."""
        self.used.add(iri)
        self.known.add(iri)

    def register(self, table: dict[str, Entity], iri: str, *, ids: dict[str, str] | None = None,
                 labels: dict[str, str] | None = None, alt: Iterable[str] = (), url: str | None = None) -> Entity:
        """Add what this batch says about an organisation or network, so later rows find it."""
        self.claim(iri)
        entity = table.setdefault(iri, Entity(iri))
        for key, value in (ids or {}).items():
            entity.ids[key].add(value)
        for lang, label in (labels or {}).items():
            entity.pref[lang].add(label)
        entity.alt.update(alt)
        if url and web_host(url):
            entity.hosts.add(web_host(url))
        return entity

    def register_person(self, name: str, affiliation: str | None, iri: str) -> None:
        """Remember a person minted in this batch."""
        self.claim(iri)
        self.persons[(normalise_name(name), affiliation or "")] = iri
