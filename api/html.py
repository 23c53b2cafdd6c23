"""HTML pages for people: a thing's description built from the same triples as its RDF, Dutch first."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api import rdf_docs
from api.context import Context
from graph.namespaces import prefixes

ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                  autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DESCRIPTIONS = ("http://purl.org/dc/terms/description", "http://www.w3.org/2004/02/skos/core#definition",
                "http://www.w3.org/2000/01/rdf-schema#comment")
PRIMARY_TOPIC = "http://xmlns.com/foaf/0.1/primaryTopic"
FORMAT_NAMES = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML"}

# Dutch and English names of the standard properties the model uses (ln: terms are named by the ontology).
PROPERTY_NAMES = {
    "rdf:type": ("soort", "type"), "skos:prefLabel": ("naam", "name"), "skos:altLabel": ("andere naam", "other name"),
    "schema:name": ("naam", "name"), "dcterms:description": ("beschrijving", "description"),
    "dcterms:title": ("titel", "title"), "schema:url": ("website", "website"), "schema:sameAs": ("zelfde als", "same as"),
    "org:classification": ("classificatie", "classification"), "dcterms:type": ("organisatietype", "organisation type"),
    "org:unitOf": ("onderdeel van", "unit of"), "org:subOrganizationOf": ("valt onder", "sub-organisation of"),
    "org:headOf": ("leidt", "head of"), "org:member": ("lid", "member"), "org:organization": ("in", "in"),
    "org:role": ("rol", "role"), "org:memberDuring": ("periode", "period"), "schema:location": ("locatie", "location"),
    "schema:areaServed": ("werkgebied", "area served"), "dcterms:subject": ("thema", "theme"),
    "schema:funder": ("financier", "funder"), "schema:parentOrganization": ("onderdeel van netwerk", "part of network"),
    "schema:foundingDate": ("opgericht", "founded"), "schema:dissolutionDate": ("opgeheven", "dissolved"),
    "schema:startDate": ("datum", "date"), "schema:organizer": ("organisator", "organiser"),
    "schema:superEvent": ("onderdeel van reeks", "part of series"), "schema:creator": ("maker", "creator"),
    "schema:author": ("auteur", "author"), "schema:datePublished": ("gepubliceerd", "published"),
    "schema:about": ("over", "about"), "schema:member": ("lid", "member"), "schema:jobTitle": ("functie", "job title"),
    "schema:affiliation": ("verbonden aan", "affiliation"), "schema:containedInPlace": ("ligt in", "contained in"),
    "skos:inScheme": ("begrippenlijst", "concept scheme"), "skos:broader": ("ruimer begrip", "broader"),
    "skos:definition": ("definitie", "definition"), "skos:notation": ("code", "notation"),
    "skos:topConceptOf": ("topbegrip van", "top concept of"), "time:hasBeginning": ("begin", "beginning"),
    "time:hasEnd": ("einde", "end"), "time:inXSDDate": ("datum", "date"), "prov:wasDerivedFrom": ("bron", "source"),
    "foaf:primaryTopic": ("gaat over", "primary topic"), "dcterms:issued": ("uitgegeven", "issued"),
    "dcterms:license": ("licentie", "licence"), "rdfs:comment": ("opmerking", "comment"),
    "rdfs:label": ("naam", "label"), "dcterms:identifier": ("kenmerk", "identifier"),
}


def curie(base: str, iri: str) -> str:
    for prefix, ns in prefixes(base).items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


class Names:
    """Dutch/English names of the IRIs in a set of triples, with the store's ontology as fallback."""

    def __init__(self, ctx: Context, triples):
        self.ctx = ctx
        self.by_iri: dict[str, dict[str, str]] = defaultdict(dict)
        self.triples = triples
        for t in triples:
            if t.predicate.value in rdf_docs.LABELS and isinstance(t.object, ox.Literal):
                self._add(t.subject.value, t.object)

    def _add(self, iri: str, literal: ox.Literal) -> None:
        lang = (literal.language or "").split("-")[0]
        current = self.by_iri[iri].get(lang)
        if current is None or literal.value < current:
            self.by_iri[iri][lang] = literal.value

    def name(self, iri: str, lang: str = "nl") -> str | None:
        found = self.by_iri.get(iri, {})
        return found.get(lang) or found.get("") or (found.get("nl") or found.get("en") if lang == "nl" else None)

    def property_name(self, iri: str) -> tuple[str, str]:
        short = curie(self.ctx.base, iri)
        if iri not in self.by_iri:
            for t in rdf_docs.triples_of(self.ctx, rdf_docs.nn(iri), rdf_docs.nn(RDFS_LABEL)):
                if isinstance(t.object, ox.Literal):
                    self._add(iri, t.object)
        nl, en = self.name(iri, "nl"), self.name(iri, "en")
        fallback = PROPERTY_NAMES.get(short, (short, short))
        return nl or fallback[0], en or fallback[1]

    def node_name(self, node) -> str:
        """What to call a node: its name, a composed name for memberships/counts/periods, or its CURIE."""
        iri = node.value
        if self.name(iri):
            return self.name(iri)
        facts = defaultdict(list)
        for t in self.triples:
            if t.subject == node:
                facts[curie(self.ctx.base, t.predicate.value)].append(t.object)
        if facts.get("org:member"):
            parts = [self.node_name(facts["org:member"][0])] + [self.node_name(o) for o in facts.get("org:role", [])]
            return " — ".join(parts)
        if facts.get("ln:role"):
            counts = [o.value for key in ("ln:count", "ln:minCount", "ln:maxCount") for o in facts.get(key, [])]
            if not counts and facts.get("rdfs:comment"):  # the privacy rules suppressed the number
                counts = [f"<{self.ctx.settings.min_public_count}"]
            return f"{'–'.join(counts) or '?'} × {self.node_name(facts['ln:role'][0])}"
        if facts.get("time:inXSDDate"):
            return facts["time:inXSDDate"][0].value
        if facts.get("time:hasBeginning") or facts.get("time:hasEnd"):
            ends = [self.node_name(facts[k][0]) if facts.get(k) else "…" for k in ("time:hasBeginning", "time:hasEnd")]
            return " – ".join(ends)
        return curie(self.ctx.base, iri)


def value_view(names: Names, term) -> dict:
    if isinstance(term, ox.Literal):
        return {"text": term.value, "lang": term.language or None, "href": None}
    if isinstance(term, ox.BlankNode):
        return {"text": "(anoniem)", "lang": None, "href": None}
    return {"text": names.node_name(term), "lang": None, "href": term.value}


def render_description(ctx: Context, iri: str, triples, document: str) -> str:
    """The HTML page about ``iri`` from its description triples."""
    names = Names(ctx, triples)
    node = ox.NamedNode(iri)
    outgoing, incoming = defaultdict(list), defaultdict(list)
    for t in triples:
        if t.subject == node and t.predicate.value not in rdf_docs.LABELS + DESCRIPTIONS:
            outgoing[t.predicate.value].append(t.object)
        elif t.object == node and isinstance(t.subject, ox.NamedNode) and t.predicate.value != PRIMARY_TOPIC:
            incoming[t.predicate.value].append(t.subject)

    def section(groups):
        rows = []
        for predicate, terms in groups.items():
            nl, en = names.property_name(predicate)
            values = sorted((value_view(names, t) for t in terms), key=lambda v: (v["text"].casefold(), v["href"] or ""))
            rows.append({"name": nl, "name_en": en, "iri": predicate, "terms": values})
        return sorted(rows, key=lambda r: (r["iri"] != RDF_TYPE, r["name"]))

    texts = [{"text": t.object.value, "lang": t.object.language or None} for t in triples
             if t.subject == node and t.predicate.value in DESCRIPTIONS and isinstance(t.object, ox.Literal)]
    texts.sort(key=lambda x: (x["lang"] != "nl", x["lang"] or "", x["text"]))
    members = sorted(({"iri": t.subject.value, "name": names.node_name(t.subject)} for t in triples
                      if t.predicate.value == "http://www.w3.org/2004/02/skos/core#inScheme" and t.object == node),
                     key=lambda m: m["name"].casefold())
    alternates = [{"ext": ext, "name": FORMAT_NAMES[ext], "media": media, "href": f"{document}.{ext}"}
                  for ext, (media, _) in rdf_docs.FORMATS.items()] if not document.endswith("void") else []
    return render_page(ctx, "entity.html", title=names.name(iri) or curie(ctx.base, iri),
                       title_en=names.name(iri, "en"), iri=iri, texts=texts, properties=section(outgoing),
                       incoming=section(incoming), members=members, alternates=alternates)


def render_page(ctx: Context, template: str, **values) -> str:
    """Render a template with the values every page needs."""
    return ENV.get_template(template).render(base=ctx.base, **values)
