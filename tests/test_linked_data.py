"""Linked-data publishing against a running server: 303 redirects, content negotiation, /def/, VoID,
dumps, a base IRI with a path, and that nothing non-public leaves through pages or dumps."""

from __future__ import annotations

import json
from urllib.parse import urljoin

import httpx
import pytest
import rdflib
import pyoxigraph as ox
from pyld import jsonld
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, VOID

from api import rdf_docs
from api.context import Context
from api_server import CANARY_SECRETS, Server, server

FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
           "application/ld+json": "json-ld"}
EXTENSIONS = {"ttl": "text/turtle", "nt": "application/n-triples", "rdf": "application/rdf+xml",
              "jsonld": "application/ld+json"}


@pytest.fixture(scope="module")
def srv() -> Server:
    return server()


def find(srv: Server, collection: str, text: str) -> dict:
    """The first item of a REST collection whose name contains ``text``."""
    items = srv.get(f"api/v1/{collection}", params={"q": text, "pageSize": 100}).json()["items"]
    matching = [i for i in items if text.casefold() in (i["name"] or "").casefold()]
    assert matching, f"no {collection} named like {text!r}"
    return matching[0]


def loader_for(srv: Server):
    """A pyld document loader that fetches the base's URLs from the test server."""
    def load(url, options=None):
        response = httpx.get(srv.local(url), headers={"Accept": "application/ld+json"}, timeout=30)
        response.raise_for_status()
        return {"contextUrl": None, "documentUrl": url, "document": response.json()}
    return load


def parse(srv: Server, body: str | bytes, media: str) -> rdflib.Graph:
    """An RDF response as an rdflib graph; JSON-LD goes through pyld with the published context."""
    graph = rdflib.Graph()
    if media == "application/ld+json":
        nquads = jsonld.to_rdf(json.loads(body), {"format": "application/n-quads", "documentLoader": loader_for(srv)})
        return graph.parse(data=nquads, format="nt")
    return graph.parse(data=body, format=FORMATS[media])


def test_id_redirects_303_to_the_document(srv):
    hl = find(srv, "organisations", "Hogeschool Leiden")
    response = srv.get(hl["iri"], follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/")  # path-absolute: works on any host
    assert urljoin(hl["iri"], response.headers["location"]) == hl["iri"].replace("/id/", "/doc/")
    assert response.headers["api-version"] == "1.0.0"


@pytest.mark.parametrize("media", list(FORMATS))
def test_document_negotiates_each_rdf_format(srv, media):
    hl = find(srv, "organisations", "Hogeschool Leiden")
    doc = hl["iri"].replace("/id/", "/doc/")
    response = srv.get(doc, headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert response.headers["vary"] == "Accept"
    ext = {v: k for k, v in EXTENSIONS.items()}[media]
    assert response.headers["content-location"] == f"{doc}.{ext}"
    graph = parse(srv, response.content, media)
    subject = rdflib.URIRef(hl["iri"])
    assert (subject, SKOS.prefLabel, rdflib.Literal("Hogeschool Leiden", lang="nl")) in graph
    assert (rdflib.URIRef(doc), FOAF.primaryTopic, subject) in graph
    assert (subject, RDF.type, None) in graph


def test_all_formats_carry_the_same_triples(srv):
    network = find(srv, "networks", "Leerhuis Jeugd")
    doc = network["iri"].replace("/id/", "/doc/")
    graphs = {ext: parse(srv, srv.get(f"{doc}.{ext}").content, media) for ext, media in EXTENSIONS.items()}
    reference = set(graphs["nt"])
    assert len(reference) > 10
    for ext, graph in graphs.items():
        assert set(graph) == reference, f"{ext} differs from N-Triples"


def test_extension_selects_format_without_negotiation(srv):
    hl = find(srv, "organisations", "Hogeschool Leiden")
    doc = hl["iri"].replace("/id/", "/doc/")
    for ext, media in EXTENSIONS.items():
        response = srv.get(f"{doc}.{ext}", headers={"Accept": "text/html"})
        assert response.headers["content-type"].split(";")[0] == media
    page = srv.get(f"{doc}.html", headers={"Accept": "text/turtle"})
    assert page.headers["content-type"].startswith("text/html")


def test_browsers_get_an_accessible_dutch_page(srv):
    network = find(srv, "networks", "Leerhuis Jeugd")
    doc = network["iri"].replace("/id/", "/doc/")
    response = srv.get(doc, headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="nl">' in html and '<main id="inhoud">' in html
    assert f"<h1>{network['name']}</h1>" in html
    assert f'href="{doc}.ttl"' in html and 'rel="alternate"' in html
    assert 'href="https://127.0.0.1' not in html  # links come from the base IRI


def test_unknown_entity_is_a_404_problem(srv):
    for path in ("id/organisatie/bestaat-niet", "doc/organisatie/bestaat-niet", "doc/onzin/x", "def/bestaat-niet"):
        response = srv.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == 404 and problem["title"] and problem["detail"]
        assert response.headers["api-version"] == "1.0.0"


def test_unacceptable_media_type_is_a_406_problem(srv):
    hl = find(srv, "organisations", "Hogeschool Leiden")
    response = srv.get(hl["iri"].replace("/id/", "/doc/"), headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"


def test_quality_values_decide(srv):
    hl = find(srv, "organisations", "Hogeschool Leiden")
    doc = hl["iri"].replace("/id/", "/doc/")
    response = srv.get(doc, headers={"Accept": "text/turtle;q=0.4, application/n-triples;q=0.9, text/html;q=0.1"})
    assert response.headers["content-type"].split(";")[0] == "application/n-triples"


def test_ontology_and_schemes_are_served_under_def(srv):
    base = srv.base
    ontology = parse(srv, srv.get("def/leernet", headers={"Accept": "text/turtle"}).content, "text/turtle")
    assert (None, RDF.type, rdflib.OWL.Class) in ontology
    assert any(str(s).startswith(base + "def/leernet#") for s in ontology.subjects())
    scheme = srv.get("def/thema", headers={"Accept": "application/ld+json"})
    assert scheme.headers["content-type"] == "application/ld+json"
    themes = parse(srv, scheme.content, "application/ld+json")
    concepts = set(themes.subjects(SKOS.inScheme, rdflib.URIRef(base + "def/thema")))
    assert len(concepts) >= 3
    concept = sorted(concepts)[0]
    page = srv.get(str(concept), headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<h1>" in page.text
    listing = srv.get("def/thema", headers={"Accept": "text/html"}).text
    assert f'href="{concept}"' in listing
    index = srv.get("def").text
    assert f'href="{base}def/thema"' in index and f'href="{base}def/leernet"' in index


def test_void_describes_the_dataset(srv):
    base = srv.base
    void = parse(srv, srv.get(".well-known/void", headers={"Accept": "text/turtle"}).content, "text/turtle")
    dataset = rdflib.URIRef(base + ".well-known/void#leernet")
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert void.value(dataset, DCTERMS.license) is not None
    assert {lit.language for lit in void.objects(dataset, DCTERMS.title)} >= {"nl", "en"}
    assert void.value(dataset, VOID.sparqlEndpoint) == rdflib.URIRef(base + "sparql")
    dumps = {str(d) for d in void.objects(dataset, VOID.dataDump)}
    assert {f"{base}dumps/leernet.{e}" for e in ("ttl", "nt", "jsonld")} <= dumps
    assert set(void.objects(dataset, VOID.vocabulary)) >= {rdflib.URIRef("http://www.w3.org/ns/org#")}
    triples = int(void.value(dataset, VOID.triples))
    dump = rdflib.Graph().parse(data=srv.get("dumps/leernet.nt").content, format="nt")
    assert triples == len(dump)
    subsets = list(void.objects(dataset, VOID.subset))
    assert subsets and all(int(void.value(s, VOID.triples)) > 0 for s in subsets)
    as_jsonld = parse(srv, srv.get(".well-known/void", headers={"Accept": "application/ld+json"}).content,
                      "application/ld+json")
    assert int(as_jsonld.value(dataset, VOID.triples)) == triples


def test_dumps_parse_and_agree(srv):
    graphs = {}
    for ext, media in (("ttl", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json")):
        response = srv.get(f"dumps/leernet.{ext}")
        assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media
        graphs[ext] = parse(srv, response.content, media)
    assert len(graphs["nt"]) > 100
    assert isomorphic(graphs["ttl"], graphs["nt"]) and isomorphic(graphs["jsonld"], graphs["nt"])
    quads = rdflib.Dataset().parse(data=srv.get("dumps/leernet.nq").content, format="nquads")
    merged = rdflib.Graph()
    for s, p, o, _ in quads.quads():
        merged.add((s, p, o))
    assert isomorphic(merged, graphs["nt"])
    assert srv.get("dumps/leernet.csv").status_code == 404


def test_nothing_private_in_dumps_or_pages(srv):
    dump = srv.get("dumps/leernet.nt").text
    for secret in CANARY_SECRETS:
        assert secret not in dump, secret
    graph = rdflib.Graph().parse(data=dump, format="nt")
    ln = rdflib.Namespace(srv.base + "def/leernet#")
    for prop in (ln.count, ln.minCount, ln.maxCount, ln.attendeeCount):
        for value in graph.objects(None, prop):
            assert int(value) >= 5, f"{prop} {value} should have been suppressed"
    canary_count = rdflib.URIRef(srv.base + "id/deelname/canary-jongeren")
    assert (canary_count, ln.inNetwork, None) in graph  # the count's context stays ...
    assert (canary_count, ln.count, None) not in graph  # ... its number does not
    assert (canary_count, rdflib.RDFS.comment, None) in graph
    network = srv.get("doc/netwerk/canary-netwerk", headers={"Accept": "text/html"}).text
    for turtle_or_html in (network, srv.get("doc/netwerk/canary-netwerk.ttl").text):
        for secret in CANARY_SECRETS:
            assert secret not in turtle_or_html, secret
    assert "&lt;5 × " in network and "3 × " not in network and "2–4 × " not in network
    for hidden in ("id/persoon/p-0badc0ffee", "id/persoon/p-00ddba11ed", "id/persoon/p-5ec4e7cafe",
                   "id/organisatie/canary-verborgen", "id/lidmaatschap/canary-student"):
        assert srv.get(hidden, follow_redirects=False).status_code == 404, hidden
        assert srv.get(hidden.replace("id/", "doc/", 1)).status_code == 404, hidden


def test_links_ignore_the_request_host(srv):
    hl = find(srv, "organisations", "Hogeschool Leiden")
    response = srv.get(hl["iri"], headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
                       follow_redirects=False)
    assert response.headers["location"].startswith("/") and "evil" not in response.headers["location"]
    page = srv.get(hl["iri"].replace("/id/", "/doc/"), headers={"Host": "evil.example", "Accept": "text/html"})
    assert "evil.example" not in page.text


def test_published_jsonld_context_is_served(srv):
    context = srv.get("context.jsonld").json()["@context"]
    assert context["ln"] == srv.base + "def/leernet#" and context["org"] == "http://www.w3.org/ns/org#"
    doc = srv.get("dumps/leernet.jsonld").json()
    assert doc["@context"] == srv.base + "context.jsonld"


def test_base_iri_with_a_path():
    """A base such as http://host/kg/: routes live under /kg, IRIs and links are built from the base."""
    kg = server("http://127.0.0.1:{port}/kg/", on_disk=False)
    assert kg.base.endswith("/kg/")
    hl = find(kg, "organisations", "Hogeschool Leiden")
    assert hl["iri"].startswith(kg.base + "id/organisatie/")
    assert hl["_links"]["self"]["href"].startswith(kg.base + "api/v1/")
    response = httpx.get(hl["iri"], follow_redirects=False)  # the IRI itself dereferences here
    document = urljoin(hl["iri"], response.headers["location"])
    assert response.status_code == 303 and document == hl["iri"].replace("/id/", "/doc/")
    turtle = httpx.get(document, headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert (rdflib.URIRef(hl["iri"]), SKOS.prefLabel, None) in graph
    assert httpx.get(kg.url + "/id/organisatie/" + hl["id"]).status_code == 404  # outside the base path
    assert httpx.get(kg.base + "api/v1/openapi.json").json()["servers"][0]["url"] == kg.base + "api/v1"


def test_public_store_for_sparql_holds_only_publishable_quads(srv):
    """The store a public SPARQL endpoint should query: the dump's quads, nothing hidden."""
    context = Context(srv.store.settings, srv.store)
    public = rdf_docs.public_data(context)
    dump = rdflib.Dataset().parse(data=srv.get("dumps/leernet.nq").content, format="nquads")
    assert len(public) == len(list(dump.quads())) and len(public) < len(srv.store)
    names = " ".join(str(q) for q in public.quads())
    for secret in CANARY_SECRETS:
        assert secret not in names, secret
    assert public.ask(f"ASK {{ <{srv.base}id/netwerk/canary-netwerk> ?p ?o }}")
    assert not public.ask(f"ASK {{ ?s <{srv.base}def/leernet#count> 3 }}")
    assert srv.store.ask(f"ASK {{ ?s <{srv.base}def/leernet#count> 3 }}")


def test_public_data_equals_the_privacy_filter_applied_graph_by_graph(srv):
    """The public data is made by SPARQL deletes on a copy of the store; it must hold exactly what
    Privacy.filter_triples (the rule set of the pages and the REST API) lets through, graph by graph."""
    context = Context(srv.store.settings, srv.store)
    privacy = context.privacy
    by_graph: dict = {}
    for quad in srv.store.quads():
        by_graph.setdefault(quad.graph_name, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
    expected = {ox.Quad(t.subject, t.predicate, t.object, graph)
                for graph, triples in by_graph.items() for t in privacy.filter_triples(triples)}
    made = set(rdf_docs.public_data(context).quads())
    assert made == expected
    assert any(isinstance(q.object, ox.Literal) and "privacy" in q.object.value for q in made)  # a suppressed count
