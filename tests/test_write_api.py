"""The curators' write endpoints against a live server over the curated data and the privacy canary:
the token, uploads of RDF and spreadsheets, validated SPARQL Update, the Graph Store Protocol, 422 SHACL
reports with nothing written, and that readers (SPARQL, REST, pages) see every write at once while
non-public data still stays inside."""

from __future__ import annotations

import gzip
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import rdflib
from openpyxl import Workbook

from sparql_server import AUTH, TOKEN, SparqlServer, start

FIXTURES = Path(__file__).parent / "fixtures" / "import"
PREFIXES = """@prefix ln: <def/leernet#> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix schema: <https://schema.org/> .
"""
ORGANISATION = PREFIXES + """
<id/organisatie/schrijftest-org> a org:FormalOrganization ; skos:prefLabel "Schrijftest Organisatie"@nl ;
    org:classification <def/sector/jeugdhulp> .
"""
NETWORK = PREFIXES + """
<id/netwerk/schrijftest-netwerk> a ln:LearningNetwork ; skos:prefLabel "Schrijftest Netwerk"@nl ;
    org:classification <def/netwerktype/leernetwerk> .
<id/lidmaatschap/schrijftest> a org:Membership ; org:member <id/organisatie/schrijftest-org> ;
    org:organization <id/netwerk/schrijftest-netwerk> ; org:role <def/rol/partner> .
<id/persoon/p-0123abcdef> a schema:Person ; schema:name "Verborgen Schrijftest Persoon" ;
    ln:publicRole <def/rol/onderzoeker> ; ln:isPublic false .
"""
INVALID = PREFIXES + """
<id/netwerk/zonder-type> a ln:LearningNetwork ;
    skos:prefLabel "Netwerk zonder type"@nl .
"""


@pytest.fixture(scope="module")
def srv():
    server = start()
    yield server
    server.stop()


def uploads(srv: SparqlServer) -> str:
    return srv.local(srv.base + "api/v1/uploads")


def gsp(srv: SparqlServer, graph: str) -> str:
    return f"{srv.local(srv.base)}rdf-graph-store?graph={quote(graph, safe='')}"


def upload(srv: SparqlServer, turtle: str, graph: str | None = None, headers=None) -> httpx.Response:
    return httpx.post(uploads(srv), params={"graph": graph} if graph else None, content=turtle.encode(),
                      headers={"Content-Type": "text/turtle", **(AUTH if headers is None else headers)}, timeout=120)


def update(srv: SparqlServer, text: str, **params) -> httpx.Response:
    return httpx.post(srv.sparql + "/update", data={"update": text, **params}, headers=AUTH, timeout=120)


def ask(srv: SparqlServer, text: str) -> bool:
    response = httpx.get(srv.sparql, params={"query": text}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def graph_quads(srv: SparqlServer) -> list[str]:
    return sorted(str(q) for q in srv.store.quads())


# -- the token ------------------------------------------------------------------------------------

def test_missing_or_wrong_token_is_401_with_www_authenticate(srv):
    before = graph_quads(srv)
    for headers, error in (({}, None), ({"Authorization": "Bearer wrong"}, 'error="invalid_token"'),
                           ({"Authorization": f"Basic {TOKEN}"}, 'error="invalid_token"')):
        for response in (upload(srv, ORGANISATION, headers=headers),
                         httpx.post(srv.sparql + "/update", data={"update": "CLEAR ALL"}, headers=headers),
                         httpx.post(srv.sparql, data={"update": "CLEAR ALL"}, headers=headers),
                         httpx.put(gsp(srv, "http://example.org/g"), content=b"<a:a> <a:b> <a:c> .",
                                   headers={"Content-Type": "application/n-triples", **headers})):
            problem(response, 401)
            challenge = response.headers["www-authenticate"]
            assert challenge.startswith('Bearer realm="leernet"') and (error is None or error in challenge)
    assert graph_quads(srv) == before


def test_writes_are_disabled_without_a_configured_token():
    server = start(write_token=None, max_concurrent_queries=1)
    try:
        for response in (upload(server, ORGANISATION),
                         httpx.post(server.sparql + "/update", data={"update": "CLEAR ALL"}, headers=AUTH),
                         httpx.delete(gsp(server, server.base + "graph/organisations"), headers=AUTH)):
            body = problem(response, 403)
            assert "LEERNET_WRITE_TOKEN" in body["hints"][0]
        assert ask(server, f"ASK {{ GRAPH <{server.base}graph/organisations> {{ ?s ?p ?o }} }}")
    finally:
        server.stop()


# -- uploads --------------------------------------------------------------------------------------

def test_rdf_upload_is_validated_written_and_seen_at_once(srv):
    response = upload(srv, ORGANISATION, graph="graph/schrijftest-organisatie")
    assert response.status_code == 201, response.text
    body = response.json()
    graph = srv.base + "graph/schrijftest-organisatie"
    assert body["graphs"] == [graph] and body["triples"] == 3 and body["replaced"] is False
    assert response.headers["location"] == f"{srv.base}rdf-graph-store?graph={quote(graph, safe='')}"
    assert ask(srv, f'ASK {{ GRAPH <{graph}> {{ ?o <http://www.w3.org/2004/02/skos/core#prefLabel> '
                    '"Schrijftest Organisatie"@nl }}')
    items = srv.get("api/v1/organisations", params={"q": "Schrijftest"}).json()["items"]
    assert [i["name"] for i in items] == ["Schrijftest Organisatie"]
    assert srv.get("doc/organisatie/schrijftest-org.ttl").status_code == 200


def test_multipart_upload_keeps_hidden_things_out_of_public_reads(srv):
    upload(srv, ORGANISATION, graph="graph/schrijftest-organisatie")
    response = httpx.post(uploads(srv), files={"file": ("schrijftest-netwerk.ttl", NETWORK.encode(), "text/turtle")},
                          headers=AUTH, timeout=120)
    assert response.status_code == 201, response.text
    graph = srv.base + "graph/upload/schrijftest-netwerk"
    assert response.json()["graphs"] == [graph]
    again = httpx.post(uploads(srv), files={"file": ("schrijftest-netwerk.ttl", NETWORK.encode(), "text/turtle")},
                       headers=AUTH, timeout=120)
    assert again.status_code == 201 and again.json()["replaced"] is True
    person = f"{srv.base}id/persoon/p-0123abcdef"
    assert ask(srv, f"ASK {{ <{srv.base}id/lidmaatschap/schrijftest> ?p ?o }}")
    assert not ask(srv, f"ASK {{ {{ <{person}> ?p ?o }} UNION {{ ?s ?p <{person}> }} }}")
    anonymous = httpx.get(gsp(srv, graph), timeout=60).text
    curator = httpx.get(gsp(srv, graph), headers=AUTH, timeout=60).text
    assert "Schrijftest Netwerk" in anonymous and "Verborgen Schrijftest Persoon" not in anonymous
    assert "Verborgen Schrijftest Persoon" in curator
    assert "Verborgen Schrijftest Persoon" not in srv.get("dumps/leernet.nt").text


def test_gzipped_file_upload(srv):
    turtle = ORGANISATION.replace("schrijftest-org", "gzip-org").replace("Schrijftest", "Gzip")
    response = httpx.post(uploads(srv), files={"file": ("gzip-org.ttl.gz", gzip.compress(turtle.encode()))},
                          headers=AUTH, timeout=120)
    assert response.status_code == 201, response.text
    assert response.json()["graphs"] == [srv.base + "graph/upload/gzip-org"]
    assert ask(srv, f"ASK {{ <{srv.base}id/organisatie/gzip-org> ?p ?o }}")
    broken = httpx.post(uploads(srv), files={"file": ("kapot.ttl.gz", b"not gzip")}, headers=AUTH, timeout=120)
    assert "not a valid gzip file" in problem(broken, 400)["detail"]


def test_invalid_upload_is_422_with_the_shacl_report_and_nothing_written(srv):
    before = graph_quads(srv)
    body = problem(upload(srv, INVALID, graph="graph/ongeldig"), 422)
    report = body["report"]
    assert report["conforms"] is False and report["violations"] >= 1
    result = next(r for r in report["results"] if r["path"] == "http://www.w3.org/ns/org#classification")
    assert result["focusNode"] == srv.base + "id/netwerk/zonder-type"
    assert result["severity"] == "Violation" and result["message"] and result["constraint"].endswith("MinCountConstraintComponent")
    assert result["location"] == "upload, line 4" and "value" in result
    assert result["message"].startswith("Geef het netwerk")
    english = upload(srv, INVALID, headers={**AUTH, "Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"}).json()
    assert any(r["message"].startswith("Give the network") for r in english["report"]["results"])
    assert graph_quads(srv) == before
    assert not ask(srv, f"ASK {{ <{srv.base}id/netwerk/zonder-type> ?p ?o }}")


def test_bad_uploads_are_explained(srv):
    syntax = problem(upload(srv, PREFIXES + "<id/x> <y> ."), 400)
    assert "line 3" in syntax["detail"]
    unknown = problem(httpx.post(uploads(srv), content=b"x", headers={"Content-Type": "text/csv", **AUTH}), 415)
    assert "text/turtle" in unknown["hints"][0]
    problem(upload(srv, ORGANISATION, graph=srv.base + "graph/meta"), 400)
    problem(httpx.post(uploads(srv), files={"mapping": ("m.toml", b"")}, headers=AUTH), 400)


def test_spreadsheet_upload_through_a_mapping(srv):
    response = httpx.post(uploads(srv), headers=AUTH, timeout=120, data={"mapping": "partners"},
                          files={"file": ("partners.csv", (FIXTURES / "partners.csv").read_bytes(), "text/csv")})
    assert response.status_code == 201, response.text
    graph = response.json()["graphs"][0]
    assert graph == srv.base + "graph/upload/partners"
    assert ask(srv, f"ASK {{ GRAPH <{graph}> {{ ?m <http://www.w3.org/ns/org#organization> "
                    f"<{srv.base}id/netwerk/leernetwerk-jeugd-leiden-noord> }} }}")


def test_workbook_upload_with_a_mapping_file_and_row_errors(srv, tmp_path):
    book = Workbook()
    book.active.title = "Deelnemers"
    book.active.append(["Deelnemer", "Functie in netwerk", "Werkgever", "Looptijd"])
    book.active.append(["Jan Pieters", "projectleider", "Hogeschool Leiden", "2022-01-01 -- open"])
    book.active.append(["", "jongere", "", "2022-01-01 -- open"])
    book.save(tmp_path / "cop.xlsx")
    mapping = (FIXTURES / "kolommen-eigen.toml").read_bytes()
    response = httpx.post(uploads(srv), headers=AUTH, timeout=120, files={
        "file": ("cop.xlsx", (tmp_path / "cop.xlsx").read_bytes(), "application/octet-stream"),
        "mapping": ("kolommen-eigen.toml", mapping, "application/toml")})
    assert response.status_code == 201, response.text
    assert ask(srv, f"ASK {{ <{srv.base}id/netwerk/cop-jeugdprofessionals-leiden-noord> ?p ?o }}")
    wrong = httpx.post(uploads(srv), headers=AUTH, timeout=120, data={"mapping": "partners"},
                       files={"file": ("partners.csv", b"Organisatie,Netwerk,Rol\nHogeschool Leiden,PLN Zuid,student\n")})
    body = problem(wrong, 400)
    assert body["hints"][0].startswith('partners.csv, row 2, column Rol: "student"')
    assert "/tmp" not in str(body)


# -- SPARQL Update --------------------------------------------------------------------------------

def test_valid_update_is_one_transaction_seen_at_once(srv):
    graph = srv.base + "graph/curator-update"
    org = srv.base + "id/organisatie/update-org"
    response = update(srv, f"""PREFIX org: <http://www.w3.org/ns/org#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        INSERT DATA {{ GRAPH <{graph}> {{ <{org}> a org:FormalOrganization ; skos:prefLabel "Updateorganisatie"@nl ;
          org:classification <{srv.base}def/sector/welzijn-sociaal-werk> }} }}""")
    assert response.status_code == 200, response.text
    assert response.json()["graphs"] == [graph] and response.json()["added"] == 3
    assert ask(srv, f'ASK {{ <{org}> ?p "Updateorganisatie"@nl }}')
    renamed = update(srv, f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        DELETE {{ GRAPH ?g {{ ?o skos:prefLabel ?old }} }} INSERT {{ GRAPH ?g {{ ?o skos:prefLabel "Hernoemd"@nl }} }}
        WHERE {{ GRAPH ?g {{ ?o skos:prefLabel ?old FILTER(?o = <{org}>) }} }}""")
    assert renamed.status_code == 200 and renamed.json()["removed"] == 1
    assert ask(srv, f'ASK {{ <{org}> ?p "Hernoemd"@nl }}')  # same number of triples, still refreshed
    assert srv.get("api/v1/organisations/update-org").json()["name"] == "Hernoemd"


def test_update_that_breaks_the_shapes_is_422_and_changes_nothing(srv):
    graph = srv.base + "graph/curator-update-2"
    org = srv.base + "id/organisatie/update-org-2"
    assert update(srv, f"""PREFIX org: <http://www.w3.org/ns/org#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        INSERT DATA {{ GRAPH <{graph}> {{ <{org}> a org:FormalOrganization ; skos:prefLabel "Tweede"@nl ;
          org:classification <{srv.base}def/sector/jeugdhulp> }} }}""").status_code == 200
    before = graph_quads(srv)
    body = problem(update(srv, f"DELETE WHERE {{ GRAPH <{graph}> {{ <{org}> <http://www.w3.org/ns/org#classification> "
                               "?c } }"), 422)
    assert any(r["focusNode"] == org and r["path"] == "http://www.w3.org/ns/org#classification"
               for r in body["report"]["results"])
    assert graph_quads(srv) == before


def test_removal_that_breaks_another_graph_is_refused(srv):
    """Dropping the graph that alone describes an organisation would leave a membership in another graph
    pointing at nothing typed: the membership is validated too, though no changed graph mentions it."""
    assert upload(srv, ORGANISATION, graph="graph/schrijftest-organisatie").status_code == 201
    assert httpx.post(uploads(srv), files={"file": ("schrijftest-netwerk.ttl", NETWORK.encode(), "text/turtle")},
                      headers=AUTH, timeout=120).status_code == 201
    before = graph_quads(srv)
    organisation_graph = srv.base + "graph/schrijftest-organisatie"
    for response in (update(srv, f"DROP GRAPH <{organisation_graph}>"),
                     httpx.delete(gsp(srv, organisation_graph), headers=AUTH, timeout=120)):
        results = [r for r in problem(response, 422)["report"]["results"] if r["severity"] == "Violation"]
        assert {r["focusNode"] for r in results} == {srv.base + "id/lidmaatschap/schrijftest"}
        assert results[0]["location"] == f"graph <{srv.base}graph/upload/schrijftest-netwerk> after the update"
    assert graph_quads(srv) == before


def test_updates_that_are_refused(srv):
    before = graph_quads(srv)
    default = problem(update(srv, "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }"), 400)
    assert "named graph" in default["detail"]
    load = problem(update(srv, "LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://example.org/g>"), 403)
    assert load["reason"] == "load-forbidden"
    service = problem(update(srv, "INSERT { GRAPH <http://example.org/g> { ?s ?p ?o } } WHERE { SERVICE "
                                  "<http://127.0.0.1:9/sparql> { ?s ?p ?o } }"), 403)
    assert service["reason"] == "service-forbidden"
    assert problem(update(srv, "CLEAR XYZ"), 400)["reason"] == "syntax"
    assert problem(update(srv, "SELECT * WHERE { ?s ?p ?o }"), 400)["reason"] == "syntax"
    conflict = httpx.post(srv.sparql + "/update", params={"using-graph-uri": "http://example.org/g"},
                          content=b"WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
                          headers={"Content-Type": "application/sparql-update", **AUTH})
    problem(conflict, 400)
    problem(httpx.get(srv.sparql + "/update", params={"update": "CLEAR ALL"}, headers=AUTH), 405)
    assert graph_quads(srv) == before


def test_update_through_the_query_endpoint_for_curators(srv):
    graph = srv.base + "graph/curator-update-3"
    text = (f"INSERT DATA {{ GRAPH <{graph}> {{ <{srv.base}id/organisatie/update-org-3> "
            "<http://www.w3.org/2000/01/rdf-schema#seeAlso> <http://example.org/> } }")
    response = httpx.post(srv.sparql, content=text.encode(), timeout=120,
                          headers={"Content-Type": "application/sparql-update", **AUTH})
    assert response.status_code == 200 and response.json()["graphs"] == [graph]
    meta = update(srv, f"INSERT DATA {{ GRAPH <{srv.base}graph/meta> {{ <{graph}> "
                       "<http://www.w3.org/2000/01/rdf-schema#label> \"x\" } }")
    assert meta.status_code == 200 and meta.json()["graphs"] == [] and "not applied" in meta.json()["notes"][0]


# -- the Graph Store Protocol ---------------------------------------------------------------------

def test_graph_store_put_get_post_delete(srv):
    graph = "http://example.org/gsp-test"
    turtle = ORGANISATION.replace("schrijftest-org", "gsp-org").replace("Schrijftest", "GSP")
    response = httpx.put(gsp(srv, graph), content=turtle.encode(), headers={"Content-Type": "text/turtle", **AUTH})
    assert response.status_code == 201, response.text
    assert httpx.put(gsp(srv, graph), content=turtle.encode(),
                     headers={"Content-Type": "text/turtle", **AUTH}).status_code == 204
    read = httpx.get(gsp(srv, graph), headers={"Accept": "application/n-triples"})
    assert read.headers["content-type"].startswith("application/n-triples")
    assert len(rdflib.Graph().parse(data=read.text, format="nt")) == 3
    extra = f'<{srv.base}id/organisatie/gsp-org> <http://www.w3.org/2004/02/skos/core#altLabel> "GSP"@nl .'
    assert httpx.post(gsp(srv, graph), content=extra.encode(),
                      headers={"Content-Type": "application/n-triples", **AUTH}).status_code == 204
    assert len(rdflib.Graph().parse(data=httpx.get(gsp(srv, graph)).text, format="turtle")) == 4
    invalid = httpx.put(gsp(srv, graph), content=INVALID.encode(), headers={"Content-Type": "text/turtle", **AUTH})
    assert problem(invalid, 422)["report"]["violations"] >= 1
    assert httpx.delete(gsp(srv, graph), headers=AUTH).status_code == 204
    problem(httpx.get(gsp(srv, graph)), 404)
    problem(httpx.delete(gsp(srv, graph), headers=AUTH), 404)
    default = httpx.put(f"{srv.local(srv.base)}rdf-graph-store?default", content=turtle.encode(),
                        headers={"Content-Type": "text/turtle", **AUTH})
    assert "named graph" in problem(default, 405)["detail"]
    assert "Kanarienetwerk" in httpx.get(f"{srv.local(srv.base)}rdf-graph-store?default").text
    problem(httpx.get(f"{srv.local(srv.base)}rdf-graph-store"), 400)


def test_upload_is_in_the_openapi_document(srv):
    document = srv.get("api/v1/openapi.json").json()
    operation = document["paths"]["/uploads"]["post"]
    assert {"201", "400", "401", "403", "413", "415", "422"} <= set(operation["responses"])
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert "text/turtle" in operation["requestBody"]["content"]
