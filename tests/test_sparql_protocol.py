"""The public SPARQL endpoint with real clients (SPARQLWrapper, rdflib's SPARQLStore, httpx) against a live
server over the curated data and the privacy canary: formats, negotiation, the protocol's edges, CORS,
the Service Description, and that nothing non-public can be read whatever the query does."""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.namespace import SKOS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from api_server import CANARY_GRAPH, CANARY_SECRETS
from sparql_server import SparqlServer, start

ORG = "http://www.w3.org/ns/org#"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
RESULT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_TYPES = {"turtle": "text/turtle", "ntriples": "application/n-triples", "jsonld": "application/ld+json",
               "rdfxml": "application/rdf+xml"}
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
                  "application/rdf+xml": "xml"}


@pytest.fixture(scope="module")
def srv():
    server = start(max_rows=200)
    yield server
    server.stop()


def query(srv: SparqlServer, text: str, method: str = "GET", **kwargs) -> httpx.Response:
    if method == "GET":
        return httpx.get(srv.sparql, params={"query": text, **kwargs.pop("params", {})}, timeout=60, **kwargs)
    return httpx.post(srv.sparql, data={"query": text}, timeout=60, **kwargs)


def media(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0]


def ln(srv: SparqlServer) -> str:
    return f"PREFIX ln: <{srv.base}def/leernet#> PREFIX schema: <https://schema.org/> PREFIX org: <{ORG}> "


# -- real clients ---------------------------------------------------------------------------------

def wrapper(srv: SparqlServer, text: str, fmt) -> SPARQLWrapper:
    client = SPARQLWrapper(srv.sparql)
    client.setQuery(text)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_json(srv):
    text = (f"{ln(srv)}PREFIX skos: <{SKOS}> SELECT ?label WHERE {{ ?o a org:FormalOrganization ; "
            "skos:prefLabel ?label FILTER(LANG(?label) = 'nl') }")
    rows = wrapper(srv, text, JSON).queryAndConvert()["results"]["bindings"]
    labels = {row["label"]["value"] for row in rows}
    assert "Hogeschool Leiden" in labels if srv.uses_real_data else labels
    assert "Kanarie Open" in labels and "Verborgen Organisatie Kanarie" not in labels


def test_sparqlwrapper_xml_and_ask(srv):
    document = wrapper(srv, f"{ln(srv)}SELECT ?n WHERE {{ <{srv.base}id/netwerk/canary-netwerk> ?p ?n }}",
                       XML).queryAndConvert()
    assert document.getElementsByTagName("result")
    hidden = wrapper(srv, f"ASK {{ <{srv.base}id/persoon/p-0badc0ffee> ?p ?o }}", JSON).queryAndConvert()
    assert hidden == {"head": {}, "boolean": False}
    shown = wrapper(srv, f"ASK {{ <{srv.base}id/netwerk/canary-netwerk> ?p ?o }}", XML).queryAndConvert()
    assert shown.getElementsByTagName("boolean")[0].firstChild.data == "true"


def test_sparqlwrapper_csv(srv):
    text = f"SELECT ?s ?p WHERE {{ ?s ?p <{srv.base}id/netwerk/canary-netwerk> }} ORDER BY ?s ?p"
    rows = list(csv.DictReader(io.StringIO(wrapper(srv, text, CSV).queryAndConvert().decode())))
    subjects = {row["s"].rsplit("/", 1)[-1] for row in rows}
    assert {"canary-open", "canary-jongeren"} <= subjects
    assert not subjects & {"canary-student", "canary-verborgen"}  # memberships of hidden members are hidden


def test_sparqlwrapper_construct_to_rdflib(srv):
    network = rdflib.URIRef(srv.base + "id/netwerk/canary-netwerk")
    for fmt in (XML, TURTLE):
        graph = wrapper(srv, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND(<{network}> AS ?s) ?s ?p ?o }}",
                        fmt).queryAndConvert()
        if isinstance(graph, bytes):
            graph = rdflib.Graph().parse(data=graph, format="turtle")
        assert (network, SKOS.prefLabel, rdflib.Literal("Kanarienetwerk", lang="nl")) in graph


def test_rdflib_sparqlstore(srv):
    graph = rdflib.Graph(store=SPARQLStore(srv.sparql, returnFormat="json"))
    rows = list(graph.query(f"SELECT ?label WHERE {{ <{srv.base}id/organisatie/canary-open> "
                            f"<{SKOS.prefLabel}> ?label }}"))
    assert [str(r[0]) for r in rows] == ["Kanarie Open"]
    assert not graph.query(f"ASK {{ <{srv.base}id/organisatie/canary-verborgen> ?p ?o }}").askAnswer


# -- formats and negotiation ----------------------------------------------------------------------

@pytest.mark.parametrize("name", list(RESULT_TYPES))
def test_select_in_every_result_format(srv, name):
    text = f"SELECT ?p WHERE {{ <{srv.base}id/organisatie/canary-open> ?p ?o }}"
    by_accept = query(srv, text, headers={"Accept": RESULT_TYPES[name]})
    by_format = query(srv, text, params={"format": name}, headers={"Accept": "text/html"})
    for response in (by_accept, by_format):
        assert response.status_code == 200 and media(response) == RESULT_TYPES[name]
        assert response.headers["vary"] == "Accept"
        assert "http://www.w3.org/2004/02/skos/core#prefLabel" in response.text
    assert by_accept.content == by_format.content
    if name == "xml":
        assert ET.fromstring(by_accept.content).tag.endswith("sparql")
    if name == "json":
        assert by_accept.json()["head"]["vars"] == ["p"]


@pytest.mark.parametrize("name", list(GRAPH_TYPES))
def test_construct_and_describe_in_every_rdf_format(srv, name):
    subject = rdflib.URIRef(srv.base + "id/organisatie/canary-open")
    for text in (f"CONSTRUCT {{ <{subject}> ?p ?o }} WHERE {{ <{subject}> ?p ?o }}", f"DESCRIBE <{subject}>"):
        response = query(srv, text, method="POST", headers={"Accept": GRAPH_TYPES[name]})
        assert response.status_code == 200 and media(response) == GRAPH_TYPES[name]
        graph = rdflib.Graph().parse(data=response.content, format=RDFLIB_FORMATS[GRAPH_TYPES[name]])
        assert (subject, SKOS.prefLabel, rdflib.Literal("Kanarie Open", lang="nl")) in graph


def test_defaults_and_quality_values(srv):
    select, construct = "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"
    assert media(query(srv, select)) == RESULT_TYPES["json"]
    assert media(query(srv, construct)) == GRAPH_TYPES["turtle"]
    accept = "application/sparql-results+json;q=0.5, text/csv;q=0.9, */*;q=0.1"
    assert media(query(srv, select, headers={"Accept": accept})) == "text/csv"
    accept = "text/turtle;q=0.2, application/rdf+xml;q=0.8"
    assert media(query(srv, construct, headers={"Accept": accept})) == "application/rdf+xml"
    assert media(query(srv, select, headers={"Accept": "application/json"})) == RESULT_TYPES["json"]
    assert media(query(srv, construct, params={"format": "json"})) == "application/ld+json"


def test_unfitting_format_is_a_406_problem(srv):
    for response in (query(srv, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", headers={"Accept": "text/turtle"}),
                     query(srv, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", params={"format": "csv"})):
        assert response.status_code == 406
        assert media(response) == "application/problem+json"
        assert response.json()["reason"] == "unsupported-format"


def test_row_cap_is_announced(srv):
    response = query(srv, "SELECT * WHERE { ?s ?p ?o }")
    assert len(response.json()["results"]["bindings"]) == 200
    assert response.headers["leernet-results-truncated"] == "true; rows=200"
    assert "leernet-results-truncated" not in query(srv, "SELECT * WHERE { ?s ?p ?o } LIMIT 5").headers


# -- protocol edges -------------------------------------------------------------------------------

def test_post_forms_and_direct_body_agree(srv):
    text = f"SELECT ?o WHERE {{ <{srv.base}id/organisatie/canary-open> ?p ?o }} ORDER BY ?o"
    by_get = query(srv, text).json()
    by_form = query(srv, text, method="POST").json()
    direct = httpx.post(srv.sparql, content=text.encode(), timeout=60,
                        headers={"Content-Type": "application/sparql-query; charset=utf-8"}).json()
    assert by_get == by_form == direct and by_get["results"]["bindings"]


@pytest.mark.parametrize("request_kwargs, status", [
    ({"method": "GET", "params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ({"method": "POST", "params": {"query": "ASK {}"}, "content": b"ASK {}",
      "headers": {"Content-Type": "application/sparql-query"}}, 400),
    ({"method": "POST", "data": {"default-graph-uri": "http://example.org/g"}}, 400),
    ({"method": "POST", "content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
    ({"method": "POST", "content": b"query=ASK%20%7B%7D"}, 415),
    ({"method": "POST", "content": "ASK {}".encode("utf-16"),
      "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415),
    ({"method": "POST", "content": b"ASK { \xff }", "headers": {"Content-Type": "application/sparql-query"}}, 400),
    ({"method": "GET", "params": {"query": "ASK {"}}, 400),
    ({"method": "GET", "params": {"update": "CLEAR ALL"}}, 403),
    ({"method": "GET", "params": {"query": "CLEAR ALL"}}, 403),
    ({"method": "POST", "data": {"update": "CLEAR ALL"}}, 401),
    ({"method": "PUT", "content": b"ASK {}"}, 405),
])
def test_bad_requests_are_4xx_problems(srv, request_kwargs, status):
    kwargs = dict(request_kwargs)
    response = httpx.request(kwargs.pop("method"), srv.sparql, timeout=60, **kwargs)
    assert response.status_code == status, response.text
    assert media(response) == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["detail"] and body["title"]


def test_refusals_say_why(srv):
    cases = {"SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }": ("service-forbidden", 403),
             f"SELECT * WHERE {{ ?s ?p ?o }} OFFSET {10**9}": ("offset-too-large", 400),
             "SELECT * WHERE " + "{" * 200 + "}" * 200: ("too-deep", 400),
             "ASK { ?s ?p " : ("syntax", 400)}
    for text, (reason, status) in cases.items():
        response = query(srv, text, method="POST")
        body = response.json()
        assert (response.status_code, body["reason"]) == (status, reason)
        assert body["hints"] and response.headers["access-control-allow-origin"] == "*"


def test_cors_for_browsers(srv):
    preflight = httpx.options(srv.sparql, timeout=30, headers={
        "Origin": "https://portal.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    answer = query(srv, "ASK {}", headers={"Origin": "https://portal.example"})
    assert answer.headers["access-control-allow-origin"] == "*"


# -- the Service Description ----------------------------------------------------------------------

@pytest.mark.parametrize("accept", list(RDFLIB_FORMATS))
def test_service_description(srv, accept):
    response = httpx.get(srv.sparql, headers={"Accept": accept}, timeout=60)
    assert response.status_code == 200 and media(response) == accept
    graph = rdflib.Graph().parse(data=response.content, format=RDFLIB_FORMATS[accept])
    service = rdflib.URIRef(srv.sparql)
    assert (service, rdflib.RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = {str(o).rsplit("/", 1)[-1] for o in graph.objects(service, SD.resultFormat)}
    assert formats == {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                       "Turtle", "N-Triples", "JSON-LD", "RDF_XML"}
    dataset = graph.value(service, SD.defaultDataset)
    default = graph.value(dataset, SD.defaultGraph)
    triples = int(graph.value(default, rdflib.URIRef("http://rdfs.org/ns/void#triples")))
    count = query(srv, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").json()
    assert triples == int(count["results"]["bindings"][0]["n"]["value"])
    names = {str(graph.value(g, SD.name)) for g in graph.objects(dataset, SD.namedGraph)}
    assert srv.base + CANARY_GRAPH in names and not any(n.startswith("urn:leernet") for n in names)


# -- privacy --------------------------------------------------------------------------------------

def everything(srv: SparqlServer, text: str, **params) -> str:
    response = httpx.post(srv.sparql, data={"query": text, **params}, headers={"Accept": "application/n-triples"},
                          timeout=60)
    assert response.status_code == 200, response.text
    return response.text


def test_no_dataset_trick_reads_non_public_data(srv):
    canary = srv.base + CANARY_GRAPH
    texts = [
        everything(srv, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
        everything(srv, "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"),
        everything(srv, f"CONSTRUCT {{ ?s ?p ?o }} FROM <{canary}> WHERE {{ ?s ?p ?o }}"),
        everything(srv, f"CONSTRUCT {{ ?s ?p ?o }} FROM NAMED <{canary}> WHERE {{ GRAPH <{canary}> {{ ?s ?p ?o }} }}"),
        everything(srv, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", **{"default-graph-uri": canary}),
        everything(srv, "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": canary}),
        everything(srv, f"DESCRIBE <{srv.base}id/persoon/p-0badc0ffee> <{srv.base}id/netwerk/canary-netwerk>"),
    ]
    assert "Kanarienetwerk" in texts[2] and "Kanarienetwerk" in texts[5]
    for text in texts:
        for secret in CANARY_SECRETS:
            assert secret not in text
    prefix = ln(srv)
    for ask in ("ASK { ?x ln:isPublic ?v FILTER(STR(?v) IN ('false', '0')) }",
                f"ASK {{ ?p a schema:Person ; ln:publicRole <{srv.base}def/rol/student> }}",
                f"ASK {{ GRAPH ?g {{ ?s ?p <{srv.base}id/persoon/p-00ddba11ed> }} }}",
                f"ASK {{ <{srv.base}id/deelname/canary-jongeren> ln:count ?n }}",
                "ASK { ?e ln:attendeeCount ?n FILTER(?n < 5) }"):
        assert query(srv, prefix + ask).json()["boolean"] is False, ask
    counts = query(srv, f"{prefix}SELECT ?c WHERE {{ <{srv.base}id/deelname/canary-jongeren> "
                        "<http://www.w3.org/2000/01/rdf-schema#comment> ?c }").json()
    assert counts["results"]["bindings"], "a suppressed count says so"


def test_missing_graph_is_empty_not_an_error(srv):
    missing = "http://example.org/no-such-graph"
    for params in ({"default-graph-uri": missing}, {"named-graph-uri": missing}):
        response = httpx.get(srv.sparql, params={"query": "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g "
                                                           "{ ?s ?p ?o } } }", **params}, timeout=60)
        assert response.status_code == 200 and response.json()["results"]["bindings"] == []
    assert query(srv, "ASK {}", params={"default-graph-uri": missing}).json()["boolean"] is True


# -- `leernet serve` ------------------------------------------------------------------------------

def test_leernet_serve_runs_the_endpoint_and_refreshes_it_after_writes(tmp_path):
    """The real CLI: /sparql answers from the public data, a curator's update is seen at once, and the
    query workers end with the server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEERNET_")}
    env.update(LEERNET_WRITE_TOKEN="serve-token", LEERNET_MAX_CONCURRENT_QUERIES="2", LEERNET_QUERY_TIMEOUT="5")
    command = [sys.executable, "-m", "graph", "--store", str(tmp_path / "store"), "--base-iri",
               "https://leernet.example.org/", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    endpoint = f"http://127.0.0.1:{port}/sparql"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.stdout.read()
            try:
                description = httpx.get(endpoint, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "leernet serve did not answer within 120 s"
                time.sleep(0.3)
        assert "<https://leernet.example.org/sparql> a sd:Service" in description.text
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/org#FormalOrganization> }"
        before = int(httpx.get(endpoint, params={"query": count}).json()["results"]["bindings"][0]["n"]["value"])
        assert before > 10
        insert = ("INSERT DATA { GRAPH <https://leernet.example.org/graph/serve-test> { "
                  "<https://leernet.example.org/id/organisatie/serve-test> a <http://www.w3.org/ns/org#FormalOrganization> ; "
                  "<http://www.w3.org/2004/02/skos/core#prefLabel> \"Servetest\"@nl ; <http://www.w3.org/ns/org#classification> "
                  "<https://leernet.example.org/def/sector/overig> } }")
        response = httpx.post(endpoint + "/update", data={"update": insert}, timeout=120,
                              headers={"Authorization": "Bearer serve-token"})
        assert response.status_code == 200, response.text
        after = int(httpx.get(endpoint, params={"query": count}).json()["results"]["bindings"][0]["n"]["value"])
        assert after == before + 1
        workers = [int(p) for p in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
        assert len(workers) >= 2
    finally:
        process.terminate()
        process.wait(timeout=30)
    time.sleep(0.5)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()
                and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"]
