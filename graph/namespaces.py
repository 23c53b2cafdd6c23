"""The namespaces leernet uses, and builders for its own base-relative IRIs."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, VOID, XSD

SCHEMA = Namespace("https://schema.org/")
REGORG = Namespace("http://www.w3.org/ns/regorg#")

STANDARD_PREFIXES = {
    "org": str(ORG),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "prov": str(PROV),
    "time": str(TIME),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "void": str(VOID),
    "regorg": str(REGORG),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
}


def ln(base_iri: str) -> Namespace:
    """The namespace of leernet's own ontology terms under ``base_iri``."""
    return Namespace(f"{base_iri}def/leernet#")


def prefixes(base_iri: str) -> dict[str, str]:
    """All prefixes including ``ln:`` for the given base; for SPARQL headers and serialisation."""
    return {"ln": f"{base_iri}def/leernet#", **STANDARD_PREFIXES}


def sparql_prefixes(base_iri: str) -> str:
    """The PREFIX lines for a SPARQL query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes(base_iri).items())
