"""What all importers share: the conversion result, organisation labels, and source datasets."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, SKOS

from graph.importers.matching import Entity
from graph.namespaces import SCHEMA, ln, prefixes


@dataclass(frozen=True)
class Note:
    """Something the user should know about an import: 'Warning' (data left out or doubtful) or
    'Info' (e.g. a new organisation was minted)."""

    severity: str
    message: str
    focus: str = ""
    location: str | None = None


@dataclass
class Conversion:
    """An import batch as RDF, with warnings and, per IRI, where in the input it comes from."""

    graph: Graph
    warnings: list[Note] = field(default_factory=list)
    locations: dict[str, str] = field(default_factory=dict)

    def warn(self, message: str, *, focus="", where: str | None = None, severity: str = "Warning") -> None:
        """Add a :class:`Note` for the user."""
        self.warnings.append(Note(severity, message, str(focus), where))

    def locate(self, iri) -> str | None:
        """Where the resource ``iri`` was read from (e.g. 'sheet Deelnemers, row 7'), if known."""
        return self.locations.get(str(iri))

    def place(self, iri, where: str) -> None:
        """Remember the first place in the input that produced ``iri``."""
        self.locations.setdefault(str(iri), where)


def new_graph(base_iri: str) -> Graph:
    """An empty rdflib graph with leernet's prefixes bound."""
    graph = Graph()
    for prefix, iri in prefixes(base_iri).items():
        graph.bind(prefix, iri, override=True)
    return graph


def add_labels(graph: Graph, iri: URIRef, pref: dict[str, str], alt: list[tuple[str, str | None]],
               existing: Entity | None) -> None:
    """Add ``skos:prefLabel`` (one per language) and ``skos:altLabel`` to an organisation.

    When another graph already gives the organisation a different preferred label in a language,
    this batch's label in that language becomes an alternative label: at most one prefLabel per
    language in the store.
    """
    written: set[tuple[str, str | None]] = set()
    for lang, value in pref.items():
        taken = existing.other_pref.get(lang, set()) if existing else set()
        predicate = SKOS.altLabel if taken and value not in taken else SKOS.prefLabel
        graph.add((iri, predicate, Literal(value, lang=lang or None)))
        written.add((value, lang or None))
    for value, lang in alt:
        if (value, lang) not in written:
            graph.add((iri, SKOS.altLabel, Literal(value, lang=lang)))
            written.add((value, lang))


REFERENCE_DATASETS = {
    "ror": ("Research Organization Registry (ROR)", "Research Organization Registry (ROR)",
            "https://ror.org/", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "duo": ("DUO: adressen hogescholen en universiteiten", "DUO: addresses of universities of applied "
            "sciences and universities", "https://onderwijsdata.duo.nl/",
            "https://creativecommons.org/publicdomain/zero/1.0/"),
}


def describe_source(graph: Graph, base_iri: str, key: str, index) -> URIRef:
    """Describe the reference dataset ``id/bron/{key}`` unless another graph already does
    (the curated data/sources.ttl describes both ROR and DUO)."""
    title_nl, title_en, url, licence = REFERENCE_DATASETS[key]
    source = URIRef(f"{base_iri}id/bron/{key}")
    if str(source) in index.used:
        return source
    graph.add((source, RDF.type, PROV.Entity))
    graph.add((source, RDF.type, DCAT.Dataset))
    graph.add((source, DCTERMS.title, Literal(title_nl, lang="nl")))
    graph.add((source, DCTERMS.title, Literal(title_en, lang="en")))
    graph.add((source, SCHEMA.name, Literal(title_nl, lang="nl")))
    graph.add((source, DCAT.landingPage, URIRef(url)))
    graph.add((source, DCTERMS.license, URIRef(licence)))
    return source


def ln_term(base_iri: str, name: str) -> URIRef:
    """The IRI of the leernet ontology term ``name``."""
    return ln(base_iri)[name]
