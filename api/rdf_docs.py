"""The RDF behind the linked-data documents: descriptions of things, ontology and scheme documents, the
VoID/DCAT dataset description and the dumps, and their serialisation in five formats.

Everything passes :meth:`api.privacy.Privacy.filter_triples` before it is serialised.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

from api.context import Context
from api.jsonld import document_context
from api.public_data import PublicData
from graph.namespaces import SCHEMA, prefixes
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, VOID, XSD

FORMATS = {  # extension -> (media type, pyoxigraph format or None for JSON-LD)
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", None),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}
MEDIA_EXTENSION = {media: ext for ext, (media, _) in FORMATS.items()}
LABELS = (str(SKOS.prefLabel), str(SCHEMA.name), str(RDFS.label), str(DCTERMS.title))
STRUCTURAL = ("id/periode/", "id/datum/", "id/lidmaatschap/", "id/deelname/")
DUMP_FORMATS = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
                "nq": "application/n-quads"}
LICENCE = "https://creativecommons.org/licenses/by/4.0/"


def nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def triples_of(ctx: Context, subject=None, predicate=None, obj=None) -> set[ox.Triple]:
    """The distinct triples matching a pattern across all named graphs."""
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ctx.store.quads(subject, predicate, obj)}


def closure(ctx: Context, nodes: Iterable, triples: set[ox.Triple], depth: int = 3) -> None:
    """Add the triples of structural nodes (periods, dates, memberships, counts, blank nodes), recursively."""
    todo, seen = list(nodes), set()
    for _ in range(depth):
        following = []
        for node in todo:
            if node in seen or not is_structural(ctx, node):
                continue
            seen.add(node)
            found = triples_of(ctx, node)
            triples |= found
            following.extend(t.object for t in found)
        todo = following


def is_structural(ctx: Context, node) -> bool:
    if isinstance(node, ox.BlankNode):
        return True
    return isinstance(node, ox.NamedNode) and any(node.value.startswith(ctx.base + s) for s in STRUCTURAL)


def add_labels(ctx: Context, triples: set[ox.Triple], skip=()) -> None:
    """Add names and types of every IRI mentioned, so that a document can show names, not IRIs."""
    mentioned = {t.object for t in triples if isinstance(t.object, ox.NamedNode)} | {t.subject for t in triples}
    for node in mentioned:
        if node in skip or not isinstance(node, ox.NamedNode):
            continue
        for predicate in (*LABELS, str(RDF.type)):
            triples |= triples_of(ctx, node, nn(predicate))


def graphs_about(ctx: Context, iri: str) -> list[str]:
    """The named graphs that state something about ``iri``."""
    return sorted({q.graph_name.value for q in ctx.store.quads(nn(iri)) if isinstance(q.graph_name, ox.NamedNode)})


def describe(ctx: Context, iri: str, document: str) -> list[ox.Triple]:
    """The publishable description of a thing: its own triples, structural nodes, incoming links, names,
    and a few triples about the document itself (primary topic, source graphs)."""
    node = nn(iri)
    triples = triples_of(ctx, node)
    closure(ctx, [t.object for t in triples], triples)
    incoming = triples_of(ctx, None, None, node)
    triples |= incoming
    closure(ctx, [t.subject for t in incoming], triples)
    add_labels(ctx, triples)
    doc = nn(document)
    triples.add(ox.Triple(doc, nn(RDF.type), nn(FOAF.Document)))
    triples.add(ox.Triple(doc, nn(FOAF.primaryTopic), node))
    for graph in graphs_about(ctx, iri):
        triples.add(ox.Triple(doc, nn(PROV.wasDerivedFrom), nn(graph)))
        triples |= triples_of(ctx, nn(graph), nn(PROV.wasDerivedFrom))
    return sorted(ctx.privacy.filter_triples(triples), key=str)


def describe_definitions(ctx: Context, iri: str) -> list[ox.Triple]:
    """The document of a /def/ IRI: the ontology (all its terms), a concept scheme (with its concepts)
    or one concept, with names of what they point at."""
    node = nn(iri)
    triples = triples_of(ctx, node)
    if iri == ctx.base + "def/leernet":
        namespace = iri + "#"
        for s in {q.subject for q in ctx.store.quads() if isinstance(q.subject, ox.NamedNode)
                  and q.subject.value.startswith(namespace)}:
            triples |= triples_of(ctx, s)
    for concept in {t.subject for t in triples_of(ctx, None, nn(SKOS.inScheme), node)}:
        triples |= triples_of(ctx, concept)
    closure(ctx, [t.object for t in triples], triples)
    add_labels(ctx, triples)
    return sorted(ctx.privacy.filter_triples(triples), key=str)


def exists(ctx: Context, iri: str) -> bool:
    """Whether the store says anything about ``iri`` and it may be shown."""
    return ctx.privacy.visible(iri) and next(iter(ctx.store.quads(nn(iri))), None) is not None


def public_data(ctx: Context) -> PublicData:
    """The publishable quads of the current state of the store (:mod:`api.public_data`), made once
    per state of the store."""
    return ctx.cached(("public-data",), lambda: PublicData(ctx.store, ctx.privacy))


def public_triples(ctx: Context) -> list[ox.Triple]:
    """The distinct publishable triples (all graphs merged), sorted."""
    return ctx.cached(("triples",), lambda: public_data(ctx).triples())


def to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def serialize(ctx: Context, triples: Iterable[ox.Triple], extension: str) -> bytes:
    """Triples in the format of ``extension`` (ttl, jsonld, nt, rdf); JSON-LD refers to the published context."""
    if extension == "jsonld":
        graph = rdflib.Graph()
        for t in triples:
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        context = document_context(ctx.base)["@context"]
        data = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
        if isinstance(data, dict):
            data["@context"] = ctx.base + "context.jsonld"
        else:
            data = {"@context": ctx.base + "context.jsonld", "@graph": data}
        return json.dumps(data, ensure_ascii=False, indent=1).encode()
    fmt = FORMATS[extension][1]
    return ox.serialize(sorted(triples, key=str), format=fmt, prefixes=prefixes(ctx.base) if extension == "ttl" else None)


def dump(ctx: Context, extension: str) -> bytes:
    """The full public dump in one format, built once per state of the store."""
    def build() -> bytes:
        if extension == "nq":
            return public_data(ctx).dump_quads()
        return serialize(ctx, public_triples(ctx), extension)
    return ctx.cached(("dump", extension), build)


def void_triples(ctx: Context) -> list[ox.Triple]:
    """VoID and DCAT description of the dataset: title, licence, counts, vocabularies, dumps, SPARQL endpoint."""
    return ctx.cached(("void",), lambda: _void(ctx))


def _void(ctx: Context) -> list[ox.Triple]:
    base = ctx.base
    ds = nn(base + ".well-known/void#leernet")
    data = public_data(ctx)
    out: list[ox.Triple] = []

    def add(s, p, o):
        out.append(ox.Triple(s, nn(p), o))

    def lit(value, lang=None, dt=None):
        return ox.Literal(str(value), language=lang) if lang else ox.Literal(str(value), datatype=nn(dt)) if dt else ox.Literal(str(value))

    integer = str(XSD.integer)
    for cls in (VOID.Dataset, DCAT.Dataset):
        add(ds, RDF.type, nn(cls))
    add(ds, DCTERMS.title, lit("leernet: kennisgraaf van leernetwerken in jeugd, sociaal werk en onderwijs", "nl"))
    add(ds, DCTERMS.title, lit("leernet: knowledge graph of learning networks in youth care, social work and education", "en"))
    add(ds, DCTERMS.description, lit("Welke organisaties in welke leernetwerken samen leren, op welke thema's, "
                                     "in welke regio, gefinancierd door welk programma, sinds wanneer, en waar "
                                     "elk feit vandaan komt.", "nl"))
    add(ds, DCTERMS.license, nn(LICENCE))
    add(ds, DCTERMS.language, lit("nl"))
    add(ds, VOID.uriSpace, lit(base + "id/"))
    add(ds, VOID.sparqlEndpoint, nn(base + "sparql"))
    stats = void_counts(data, base)
    for prop in ("triples", "distinctSubjects", "properties", "distinctObjects", "entities"):
        add(ds, VOID[prop], lit(stats[prop], dt=integer))
    classes = stats["classes"]
    add(ds, VOID.classes, lit(len(classes), dt=integer))
    for number, (cls, n) in enumerate(sorted(classes.items()), start=1):
        part = nn(f"{base}.well-known/void#class-{number}")
        add(ds, VOID.classPartition, part)
        add(part, VOID["class"], nn(cls))
        add(part, VOID.entities, lit(n, dt=integer))
    for ns in sorted(set(prefixes(base).values())):
        add(ds, VOID.vocabulary, nn(ns))
    if stats["example"]:
        add(ds, VOID.exampleResource, nn(stats["example"]))
    for ext, media in DUMP_FORMATS.items():
        dump_iri = nn(f"{base}dumps/leernet.{ext}")
        dist = nn(f"{base}.well-known/void#dump-{ext}")
        add(ds, VOID.dataDump, dump_iri)
        add(ds, DCAT.distribution, dist)
        add(dist, RDF.type, nn(DCAT.Distribution))
        add(dist, DCAT.downloadURL, dump_iri)
        add(dist, DCAT.mediaType, nn(f"https://www.iana.org/assignments/media-types/{media}"))
        add(dist, DCTERMS.license, nn(LICENCE))
    service = nn(base + ".well-known/void#sparql")
    add(service, RDF.type, nn(DCAT.DataService))
    add(service, DCAT.endpointURL, nn(base + "sparql"))
    add(service, DCAT.servesDataset, ds)
    add(service, DCTERMS.title, lit("SPARQL 1.1-eindpunt van leernet", "nl"))
    add(service, DCTERMS.title, lit("leernet SPARQL 1.1 endpoint", "en"))
    for graph, n in sorted(data.counts()[1].items()):
        add(ds, VOID.subset, nn(graph))
        add(nn(graph), RDF.type, nn(VOID.Dataset))
        add(nn(graph), VOID.triples, lit(n, dt=integer))
        for t in triples_of(ctx, nn(graph), nn(PROV.wasDerivedFrom)):
            add(nn(graph), PROV.wasDerivedFrom, t.object)
    add(ds, RDFS.seeAlso, nn(base + "api/v1/openapi.json"))
    return out


def void_counts(data: PublicData, base: str) -> dict:
    """VoID's statistics of the public data, counted by the store (SPARQL aggregates, not in Python)."""
    union = "{ SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"

    def one(sparql: str):
        row = next(iter(data.store.query(sparql)), None)
        return row[0] if row is not None and row[0] is not None else None

    def number(expression: str) -> int:
        value = one(f"SELECT ({expression} AS ?n) WHERE {union}")
        return int(value.value) if value is not None else 0

    entity = f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base}id/"))'
    classes = data.store.query(f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?c }} FILTER(isIRI(?c)) }} "
                               "GROUP BY ?c")
    example = one(f"SELECT (MIN(STR(?s)) AS ?e) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {entity} }}")
    return {"triples": data.counts()[0], "distinctSubjects": number("COUNT(DISTINCT ?s)"),
            "properties": number("COUNT(DISTINCT ?p)"), "distinctObjects": number("COUNT(DISTINCT ?o)"),
            "entities": int(one(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {entity} }}").value),
            "classes": {r["c"].value: int(r["n"].value) for r in classes},
            "example": example.value if example is not None else None}
