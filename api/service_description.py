"""The SPARQL 1.1 Service Description of the public endpoint, served at ``/sparql`` when no query is given.

It says where the endpoint is (``sd:endpoint``), what it speaks (``sd:SPARQL11Query``; updates are for
curators only and not described here), the result formats it offers, that its default graph is the
union of the named graphs (``sd:UnionDefaultGraph``), and its default dataset: the default graph and
every public named graph with a VoID triple count. Serialised as Turtle, N-Triples, JSON-LD or RDF/XML.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from api.rdf_docs import LICENCE
from graph.settings import Settings

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
SIMPLE_ENTAILMENT = "http://www.w3.org/ns/entailment/Simple"
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML")
SERIALISATIONS = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
                  "application/ld+json": ox.RdfFormat.JSON_LD, "application/rdf+xml": ox.RdfFormat.RDF_XML}
PREFIXES = {"sd": SD, "formats": FORMATS_NS, "void": VOID, "dcterms": DCTERMS, "rdfs": RDFS}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def describe_service(settings: Settings, triples: int, per_graph: Mapping[str, int]) -> list[ox.Triple]:
    """The service description of ``{base}sparql`` answering from the public data: ``triples``
    distinct triples over all graphs, and ``per_graph`` quads in each named graph."""
    base = settings.base_iri
    endpoint = _n(base + "sparql")
    dataset, default = _n(base + "sparql#dataset"), _n(base + "sparql#default-graph")
    out: list[ox.Triple] = []

    def add(s, p: str, o) -> None:
        out.append(ox.Triple(s, _n(p), o))

    def count(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=_n(XSD_INTEGER))

    add(endpoint, RDF_TYPE, _n(SD + "Service"))
    add(endpoint, SD + "endpoint", endpoint)
    add(endpoint, SD + "supportedLanguage", _n(SD + "SPARQL11Query"))
    for name in RESULT_FORMATS:
        add(endpoint, SD + "resultFormat", _n(FORMATS_NS + name))
    add(endpoint, SD + "feature", _n(SD + "UnionDefaultGraph"))
    if settings.federation_allow_list:
        add(endpoint, SD + "feature", _n(SD + "BasicFederatedQuery"))
    add(endpoint, SD + "defaultEntailmentRegime", _n(SIMPLE_ENTAILMENT))
    add(endpoint, DCTERMS + "title", ox.Literal("SPARQL 1.1-eindpunt van leernet", language="nl"))
    add(endpoint, DCTERMS + "title", ox.Literal("leernet SPARQL 1.1 endpoint", language="en"))
    add(endpoint, DCTERMS + "description", ox.Literal(
        f"Read-only and public data only. A query runs at most {settings.query_timeout:g} s and returns at most "
        f"{settings.max_rows:,} rows; OFFSET at most {settings.max_offset:,}; at most {settings.max_query_bytes:,} "
        "bytes; SERVICE and LOAD are refused unless allow-listed.", language="en"))
    add(endpoint, DCTERMS + "license", _n(LICENCE))
    add(endpoint, RDFS + "seeAlso", _n(base + ".well-known/void"))
    add(endpoint, SD + "defaultDataset", dataset)
    add(dataset, RDF_TYPE, _n(SD + "Dataset"))
    add(dataset, SD + "defaultGraph", default)
    add(default, RDF_TYPE, _n(SD + "Graph"))
    add(default, RDF_TYPE, _n(VOID + "Dataset"))
    add(default, VOID + "triples", count(triples))
    add(default, DCTERMS + "description", ox.Literal("The union of all public named graphs.", language="en"))
    add(default, RDFS + "seeAlso", _n(base + ".well-known/void#leernet"))
    for number, (graph, size) in enumerate(sorted(per_graph.items()), start=1):
        named, description = _n(f"{base}sparql#graph-{number}"), _n(f"{base}sparql#graph-{number}-description")
        add(dataset, SD + "namedGraph", named)
        add(named, RDF_TYPE, _n(SD + "NamedGraph"))
        add(named, SD + "name", _n(graph))
        add(named, SD + "graph", description)
        add(description, RDF_TYPE, _n(SD + "Graph"))
        add(description, RDF_TYPE, _n(VOID + "Dataset"))
        add(description, VOID + "triples", count(size))
    return out


def serialise(triples: list[ox.Triple], media_type: str) -> bytes:
    """The description in one of :data:`SERIALISATIONS` (Turtle with the sd:, void: … prefixes)."""
    fmt = SERIALISATIONS[media_type]
    return ox.serialize(triples, format=fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TURTLE else None)
