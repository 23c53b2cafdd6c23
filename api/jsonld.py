"""The two published JSON-LD contexts: one for the linked-data documents, one for the REST API's JSON."""

from __future__ import annotations

from api import queries as q
from graph.namespaces import prefixes

HYDRA = "http://www.w3.org/ns/hydra/core#"


def document_context(base: str) -> dict:
    """The context of /doc/, /def/, /.well-known/void and the JSON-LD dump: leernet's prefixes."""
    return {"@context": {**prefixes(base), "hydra": HYDRA}}


def _term(path: str, value: str) -> dict | None:
    """A context term for a simple property path (``p`` or ``^p``); None for anything more complex."""
    if any(c in path for c in "|/*+?"):
        return None
    if path.startswith("^"):
        return {"@reverse": path[1:]}
    term: dict = {"@id": path}
    if value == "date":
        term["@type"] = "xsd:date"
    elif value == "int":
        term["@type"] = "xsd:integer"
    elif value == "iri":
        term["@type"] = "@id"
    return term


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def rest_context(base: str) -> dict:
    """The context of the REST API's JSON-LD: maps the JSON fields to the properties they come from.

    Fields whose meaning depends on where they appear get property-scoped contexts; fields with
    no single property behind them (links, paging, display texts) are left unmapped.
    """
    terms: dict = {**prefixes(base), "hydra": HYDRA}
    conflicts: set[str] = set()
    for kind in q.KINDS.values():
        for rel in q.all_rels(kind):
            if rel.name in ("types", "period"):
                continue
            key, term = _camel(rel.name), _term(rel.path, rel.value)
            if term is None or (key in terms and terms[key] != term):
                conflicts.add(key)
            else:
                terms[key] = term
    for key in conflicts:
        terms.pop(key, None)
    period = {"@id": "time:hasTime", "@context": {"start": {"@id": "schema:startDate", "@type": "xsd:date"},
                                                  "end": {"@id": "schema:endDate", "@type": "xsd:date"}}}
    membership = {"period": {**period, "@id": "org:memberDuring"}}
    terms.update({
        "iri": "@id",
        "types": "@type",
        "id": "dcterms:identifier",
        "name": "rdfs:label",
        "nameEn": {"@id": "rdfs:label", "@language": "en"},
        "description": "dcterms:description",
        "descriptionEn": {"@id": "dcterms:description", "@language": "en"},
        "altNames": "skos:altLabel",
        "definitions": "skos:definition",
        "href": {"@id": "rdfs:seeAlso", "@type": "@id"},
        "items": {"@id": "hydra:member", "@container": "@set"},
        "totalItems": "hydra:totalItems",
        "period": {**period, "@id": "ln:period"},
        "member": {"@id": "org:member"},
        "organization": {"@id": "org:organization"},
        "role": {"@id": "org:role"},
        "memberships": {"@reverse": "org:member", "@context": membership},
        "members": {"@reverse": "org:organization", "@context": membership},
        "participantCounts": {"@reverse": "ln:inNetwork",
                              "@context": {"role": {"@id": "ln:role"}, "period": {**period, "@id": "ln:period"}}},
        "count": {"@id": "ln:count", "@type": "xsd:nonNegativeInteger"},
        "minCount": {"@id": "ln:minCount", "@type": "xsd:nonNegativeInteger"},
        "maxCount": {"@id": "ln:maxCount", "@type": "xsd:nonNegativeInteger"},
        "fromOrganisation": {"@id": "ln:fromOrganization"},
    })
    return {"@context": terms}
