"""The W3C SPARQL 1.1 Protocol, Service Description and Graph Store Protocol tests (tests/w3c/), driven by
their manifests, against a live leernet server whose base IRI has a path (``/kg/``).

Each manifest test is a list of HTTP exchanges (``ht:Request`` with method, path, headers and body, and
the expected status, format, boolean, body or Location). The ``/sparql/`` of a query request becomes
the server's ``/kg/sparql``; update requests go to the curators' ``/kg/sparql/update`` with the write
token; ``/gsp`` becomes ``/kg/rdf-graph-store`` (curators' token on every request). The data files
(``ut:graphData``) are loaded into their named graphs of this module's own on-disk store, all public,
and loaded again after a test that changed them.

Not run, with the reason (see :data:`NOT_RUN`): the Graph Store tests that need direct graph
identification (graph IRI = request URL) and the one that writes the default graph.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import httpx
import pyshacl
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from graph.ingest import load_files
from sparql_server import AUTH, SparqlServer, start

W3C = Path(__file__).parent / "w3c"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
STATUSES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
RDF_MEDIA = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld"}
RESULT_MEDIA = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"}
NOT_RUN = {
    "graph-store-protocol/manifest-direct.ttl": "direct graph identification (the graph IRI is the request "
                                                "URL) is not offered: leernet names graphs with ?graph=",
    "put_get_default": "leernet keeps every triple in a named graph; its default graph is the read-only union "
                       "of them, so PUT ?default is refused with 405 (tests/test_write_api.py checks that)",
}


@dataclass
class Exchange:
    """One HTTP request of a manifest test and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: list[str]
    boolean: bool | None = None
    result_format: str | None = None
    location_variable: str | None = None
    expected_media: str | None = None
    expected_body: str | None = None


@dataclass
class ManifestTest:
    id: str
    name: str
    exchanges: list[Exchange]
    graph_data: list[tuple[Path, str]] = field(default_factory=list)


def _headers(graph: rdflib.Graph, node) -> dict[str, str]:
    listed = graph.value(node, HT.headers)
    return {str(graph.value(h, HT.fieldName)).lower(): str(graph.value(h, HT.fieldValue))
            for h in (Collection(graph, listed) if listed is not None else [])}


def _body(graph: rdflib.Graph, node) -> bytes | None:
    body = graph.value(node, HT.body)
    if body is None:
        return None
    encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
    text = str(graph.value(body, CNT.chars))
    return text.encode("utf-16" if encoding.upper() == "UTF-16" else encoding)


def load_manifest(relative: str) -> list[ManifestTest]:
    """The tests of a manifest, in its order."""
    path = W3C / relative
    graph = rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())
    tests = []
    for entry in Collection(graph, graph.value(rdflib.URIRef(path.as_uri()), MF.entries)):
        exchanges = []
        action = graph.value(entry, MF.action)
        for request in (Collection(graph, graph.value(action, HT.requests)) if action is not None else []):
            response = graph.value(request, HT.resp)
            expected = _headers(graph, response)
            boolean = graph.value(response, MF.expectedBoolean)
            body = graph.value(response, HT.body)
            exchanges.append(Exchange(
                method=str(graph.value(request, HT.methodName)), path=str(graph.value(request, HT.absolutePath)),
                headers=_headers(graph, request), body=_body(graph, request),
                statuses=[str(s).rsplit("#", 1)[-1] for s in graph.objects(response, MF.expectedStatus)],
                boolean=None if boolean is None else boolean.toPython(),
                result_format=str(graph.value(response, MF.expectedFormat) or "") or None,
                location_variable=str(graph.value(response, MF.expectedLocation) or "") or None,
                expected_media=expected.get("content-type", "").split(";")[0] or None,
                expected_body=None if body is None else str(graph.value(body, CNT.chars))))
        data = [(Path(unquote(urlsplit(str(graph.value(d, UT.graph))).path)), str(graph.value(d, rdflib.RDFS.label)))
                for d in graph.objects(entry, UT.graphData)]
        tests.append(ManifestTest(str(entry).rsplit("#", 1)[-1], str(graph.value(entry, MF.name)), exchanges, data))
    return tests


PROTOCOL = load_manifest("protocol/manifest.ttl")
GRAPH_STORE = [t for t in load_manifest("graph-store-protocol/manifest-indirect.ttl") if t.id not in NOT_RUN]
DATA = sorted({item for test in PROTOCOL for item in test.graph_data}, key=lambda item: item[1])


def fill(store) -> None:
    """The protocol tests' data: data1.nt, data2.nt, data3.nt each in its named graph (validated ingest)."""
    for path, graph in DATA:
        load_files(store, [path], graph_iri=graph, command="test setup")


@pytest.fixture(scope="module")
def srv():
    server = start("http://127.0.0.1:{port}/kg/", fill=fill)
    server.changed = False
    yield server
    server.stop()


def is_update(exchange: Exchange, test_id: str) -> bool:
    """Whether a request is an update (for the curators' endpoint): it says so, or it belongs to an
    update test (update_*, bad_update_*) and is not one of that test's checking queries."""
    text = (exchange.body or b"").decode("utf-8", errors="ignore")
    media = exchange.headers.get("content-type", "")
    if media.startswith("application/sparql-update") or text.startswith("update=") or "update=" in exchange.path:
        return True
    query = media.startswith("application/sparql-query") or text.startswith("query=") or "query=" in exchange.path
    return test_id.startswith(("update_", "bad_update_")) and not query


def url_for(srv: SparqlServer, exchange: Exchange, update: bool, variables: dict[str, str]) -> str:
    path = exchange.path
    for name, value in variables.items():
        path = path.replace(name, value)
    if path.startswith("/gsp"):
        return f"{srv.local(srv.base)}rdf-graph-store{path[len('/gsp'):]}"
    rest = path[len("/sparql/"):] if path.startswith("/sparql/") else path[len("/sparql"):]
    return srv.sparql + ("/update" if update else "") + rest


def check(exchange: Exchange, response: httpx.Response) -> None:
    """The response is what the manifest expects."""
    allowed = set()
    for status in exchange.statuses:
        if status.startswith("StatusCode"):
            low = int(status[len("StatusCode")]) * 100
            allowed.update(range(low, low + 100))
        else:
            allowed.add(STATUSES[status])
    assert response.status_code in allowed, (exchange.method, exchange.path, response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
    media = response.headers.get("content-type", "").split(";")[0]
    if exchange.result_format == "boolean":
        if media == "application/sparql-results+xml":
            answer = ET.fromstring(response.content).find("{http://www.w3.org/2005/sparql-results#}boolean").text
            value = answer == "true"
        else:
            assert media == "application/sparql-results+json"
            value = response.json()["boolean"]
        assert exchange.boolean is None or value is exchange.boolean
    elif exchange.result_format == "tabular":
        assert media in RESULT_MEDIA and media.endswith("json")
        assert json.loads(response.content)["results"]["bindings"] == [{"value": {
            "type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]
    elif exchange.result_format == "RDF":
        assert media in RDF_MEDIA
        rdflib.Graph().parse(data=response.content, format=RDF_MEDIA[media])
    if exchange.expected_body is not None and exchange.method != "HEAD":
        assert media == exchange.expected_media
        got = rdflib.Graph().parse(data=response.content, format=RDF_MEDIA[media])
        assert isomorphic(got, rdflib.Graph().parse(data=exchange.expected_body, format="turtle"))


def check_exchanges(srv: SparqlServer, test: ManifestTest, always_authorised: bool = False) -> None:
    variables: dict[str, str] = {}
    for exchange in test.exchanges:
        headers = dict(exchange.headers)
        update = is_update(exchange, test.id)
        if always_authorised or update:
            headers.update(AUTH)
        body = exchange.body
        for name, value in variables.items():
            body = body.replace(name.encode(), value.encode()) if body else body
        response = httpx.request(exchange.method, url_for(srv, exchange, update, variables), headers=headers,
                                 content=body, timeout=120)
        check(exchange, response)
        if exchange.location_variable:
            variables[exchange.location_variable] = response.headers["location"]


def restore_data(srv: SparqlServer) -> None:
    """Put the protocol tests' data graphs back (through the Graph Store Protocol) after an update test."""
    for path, graph in DATA:
        response = httpx.put(f"{srv.local(srv.base)}rdf-graph-store?graph={quote(graph, safe='')}",
                             content=path.read_bytes(), timeout=120,
                             headers={"Content-Type": "application/n-triples", **AUTH})
        assert response.status_code in (201, 204), response.text
    srv.changed = False


@pytest.mark.parametrize("test", PROTOCOL, ids=[t.id for t in PROTOCOL])
def test_protocol(srv, test):
    if test.graph_data and srv.changed:
        restore_data(srv)
    check_exchanges(srv, test)
    if any(is_update(e, test.id) for e in test.exchanges):
        srv.changed = True


def test_every_protocol_test_is_run():
    assert len(PROTOCOL) == 34
    assert {t.id for t in PROTOCOL if any(is_update(e, t.id) for e in t.exchanges)} == {
        "update_dataset_default_graph", "update_dataset_default_graphs", "update_dataset_named_graphs",
        "update_dataset_full", "update_post_form", "update_post_direct", "update_base_uri", "bad_update_get",
        "bad_multiple_updates", "bad_update_wrong_media_type", "bad_update_missing_form_type",
        "bad_update_non_utf8", "bad_update_syntax", "bad_update_dataset_conflict"}


def clear_graph_store_graphs(srv: SparqlServer) -> None:
    for graph in srv.store.named_graphs():
        if graph.startswith(("http://www.example/", srv.base + "graph/upload/gsp-")):
            response = httpx.delete(f"{srv.local(srv.base)}rdf-graph-store?graph={quote(graph, safe='')}",
                                    headers=AUTH, timeout=120)
            assert response.status_code == 204, response.text


@pytest.mark.parametrize("test", GRAPH_STORE, ids=[t.id for t in GRAPH_STORE])
def test_graph_store_protocol(srv, test):
    clear_graph_store_graphs(srv)
    check_exchanges(srv, test, always_authorised=True)


def test_graph_store_tests_run_and_left_out():
    indirect = load_manifest("graph-store-protocol/manifest-indirect.ttl")
    assert len(indirect) == 9 and len(GRAPH_STORE) == 8
    assert {t.id for t in indirect} - {t.id for t in GRAPH_STORE} == {"put_get_default"}


# -- Service Description ---------------------------------------------------------------------------

SD_SCHEMA = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
sd:ServiceShape a sh:NodeShape ; sh:targetClass sd:Service ;
  sh:property [ sh:path sd:endpoint ; sh:minCount 1 ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path sd:supportedLanguage ; sh:minCount 1 ;
                sh:in ( sd:SPARQL10Query sd:SPARQL11Query sd:SPARQL11Update ) ] ;
  sh:property [ sh:path sd:resultFormat ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path sd:feature ; sh:in ( sd:DereferencesURIs sd:UnionDefaultGraph sd:RequiresDataset
                sd:EmptyGraphs sd:BasicFederatedQuery ) ] ;
  sh:property [ sh:path sd:defaultEntailmentRegime ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path sd:defaultDataset ; sh:maxCount 1 ; sh:class sd:Dataset ] .
sd:DatasetShape a sh:NodeShape ; sh:targetClass sd:Dataset ;
  sh:property [ sh:path sd:defaultGraph ; sh:maxCount 1 ; sh:class sd:Graph ] ;
  sh:property [ sh:path sd:namedGraph ; sh:class sd:NamedGraph ] .
sd:NamedGraphShape a sh:NodeShape ; sh:targetClass sd:NamedGraph ;
  sh:property [ sh:path sd:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path sd:graph ; sh:maxCount 1 ; sh:class sd:Graph ] .
"""
SD_TESTS = [t.id for t in load_manifest("service-description/manifest.ttl")]


def description(srv: SparqlServer, accept: str) -> rdflib.Graph:
    response = httpx.get(srv.sparql, headers={"Accept": accept}, timeout=60)
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == accept
    return rdflib.Graph().parse(data=response.content, format=RDF_MEDIA[accept])


def test_every_service_description_test_is_run():
    assert SD_TESTS == ["has-endpoint-triple", "returns-rdf", "conforms-to-schema"]


@pytest.mark.parametrize("test", SD_TESTS)
def test_service_description(srv, test):
    if test == "returns-rdf":
        sizes = {len(description(srv, accept)) for accept in RDF_MEDIA}
        assert len(sizes) == 1 and sizes.pop() > 20
    elif test == "has-endpoint-triple":
        assert (None, SD.endpoint, rdflib.URIRef(srv.sparql)) in description(srv, "text/turtle")
    else:
        conforms, _, text = pyshacl.validate(description(srv, "text/turtle"),
                                             shacl_graph=rdflib.Graph().parse(data=SD_SCHEMA, format="turtle"))
        assert conforms, text
