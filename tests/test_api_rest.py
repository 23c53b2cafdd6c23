"""The REST API against a running server: lists, filters, paging, sorting, items, the policymakers'
questions, JSON-LD, problem+json errors, and that nothing non-public leaves through it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import httpx
import pytest
from pyld import jsonld

from api_server import CANARY_SECRETS, Server, server

COLLECTIONS = ("organisations", "lectoraten", "networks", "programmes", "people", "themes", "events",
               "products", "regions")
SWSL_PARTNERS = ("De Haagse Hogeschool", "Cardea", "Kwadraad", "Curium", "Jeugdformaat")


@pytest.fixture(scope="module")
def srv() -> Server:
    return server()


def api(srv: Server, path: str, **params) -> dict:
    response = srv.get(f"api/v1{path}", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def every(srv: Server, path: str, **params) -> list[dict]:
    """All items of a list, following the next links."""
    page = api(srv, path, pageSize=100, **params)
    items = list(page["items"])
    while page["_links"]["next"]:
        page = srv.get(page["_links"]["next"]["href"]).json()
        items.extend(page["items"])
    return items


def named(srv: Server, collection: str, text: str) -> dict:
    found = [i for i in every(srv, f"/{collection}", q=text) if text.casefold() in (i["name"] or "").casefold()]
    assert found, f"no {collection} named like {text!r}"
    return found[0]


def key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_collection_lists_items(srv, collection):
    page = api(srv, f"/{collection}")
    assert page["page"] == 1 and page["pageSize"] == 20
    assert page["totalItems"] >= 1 and len(page["items"]) == min(20, page["totalItems"])
    for item in page["items"]:
        assert item["iri"].startswith(srv.base) and item["iri"].endswith("/" + item["id"])
        assert item["name"], item
        assert item["_links"]["self"]["href"] == f"{srv.base}api/v1/{collection}/{item['id']}"
    first = page["items"][0]
    detail = srv.get(first["_links"]["self"]["href"])
    assert detail.status_code == 200 and detail.json()["iri"] == first["iri"]


def test_paging_walks_the_whole_list_once(srv):
    everything = [i["iri"] for i in api(srv, "/organisations", pageSize=100)["items"]]
    page = api(srv, "/organisations", pageSize=3)
    assert page["totalPages"] == -(-page["totalItems"] // 3) and page["_links"]["prev"] is None
    seen = []
    while True:
        seen.extend(i["iri"] for i in page["items"])
        if not page["_links"]["next"]:
            break
        following = srv.get(page["_links"]["next"]["href"]).json()
        assert following["_links"]["prev"]["href"] == page["_links"]["self"]["href"]
        page = following
    assert page["_links"]["self"]["href"] == page["_links"]["last"]["href"]
    assert seen == everything[:len(seen)] and len(seen) == page["totalItems"]
    beyond = srv.get("api/v1/organisations", params={"pageSize": 3, "page": page["totalPages"] + 1})
    assert beyond.status_code == 404 and beyond.headers["content-type"] == "application/problem+json"


def test_sorting_by_name_both_ways(srv):
    ascending = [i["name"] for i in every(srv, "/networks", sort="name")]
    descending = [i["name"] for i in every(srv, "/networks", sort="-name")]
    assert [key(n) for n in ascending] == sorted(key(n) for n in ascending)
    assert [key(n) for n in descending] == sorted((key(n) for n in descending), reverse=True)
    events = every(srv, "/events", sort="startDate")
    dates = [e["startDate"] for e in events if e["startDate"]]
    assert dates == sorted(dates) and len(dates) >= 2


def test_text_search(srv):
    hits = every(srv, "/organisations", q="hogeschool leiden")
    assert "Hogeschool Leiden" in [h["name"] for h in hits]
    assert all("Hogeschool Leiden" != h["name"] for h in every(srv, "/organisations", q="jeugdformaat"))


def test_theme_filter_and_theme_networks(srv):
    network = named(srv, "networks", "Leerhuis Jeugd")
    theme = api(srv, f"/networks/{network['id']}")["themes"][0]
    filtered = every(srv, "/networks", theme=theme["id"])
    assert network["iri"] in [n["iri"] for n in filtered]
    assert len(filtered) < len(every(srv, "/networks"))
    stem = named(srv, "networks", "STEM-netwerk")
    if theme["iri"] not in [t["iri"] for t in api(srv, f"/networks/{stem['id']}")["themes"]]:
        assert stem["iri"] not in [n["iri"] for n in filtered]
    via_theme = every(srv, f"/themes/{theme['id']}/networks")
    assert [n["iri"] for n in via_theme] == [n["iri"] for n in filtered]


def test_sector_filter_includes_narrower_sectors(srv):
    hbo = every(srv, "/organisations", sector="hbo")
    assert "Hogeschool Leiden" in [o["name"] for o in hbo]
    assert all(any(s["id"] == "hbo" for s in o["sectors"]) for o in hbo)
    education = {o["iri"] for o in every(srv, "/organisations", sector="onderwijs")}
    assert {o["iri"] for o in hbo} <= education


def test_region_filter_and_region_networks(srv):
    with_region = [n for n in every(srv, "/networks") if n["regions"]]
    assert with_region
    network = with_region[0]
    region = network["regions"][0]
    filtered = [n["iri"] for n in every(srv, "/networks", region=region["id"])]
    assert network["iri"] in filtered
    assert [n["iri"] for n in every(srv, f"/regions/{region['id']}/networks")] == filtered


def test_programme_and_network_type_filters(srv):
    swsl = named(srv, "programmes", "Samen Werken, Samen Leren")
    in_programme = {n["name"] for n in every(srv, "/networks", programme=swsl["id"])}
    assert "Leerhuis Jeugd" in in_programme and not any("STEM" in n for n in in_programme)
    leerhuis = every(srv, "/networks", networkType="leerhuis")
    assert leerhuis and all(any(t["id"] == "leerhuis" for t in n["networkTypes"]) for n in leerhuis)


def test_period_filter_keeps_overlapping_periods(srv):
    network = named(srv, "networks", "Leerhuis Jeugd")
    start = api(srv, f"/networks/{network['id']}")["period"]["start"]
    year = int(start[:4])
    assert network["iri"] in [n["iri"] for n in every(srv, "/networks", period=str(year))]
    assert network["iri"] in [n["iri"] for n in every(srv, "/networks", period=f"{start}/..")]
    assert network["iri"] not in [n["iri"] for n in every(srv, "/networks", period=f"{year - 30}/{year - 1}")]
    hl = named(srv, "organisations", "Hogeschool Leiden")
    assert hl["iri"] in [o["iri"] for o in every(srv, "/organisations", period=str(year))]
    assert every(srv, "/organisations", period="1900") == []


@pytest.mark.parametrize("path, params, name", [
    ("/networks", {"period": "2020-13"}, "period"),
    ("/networks", {"period": "last year"}, "period"),
    ("/networks", {"pageSize": "0"}, "pageSize"),
    ("/networks", {"theme": "Not A Slug"}, "theme"),
    ("/networks", {"sort": "colour"}, "sort"),
    ("/events", {"page": "x"}, "page"),
])
def test_bad_parameters_are_400_problems(srv, path, params, name):
    response = srv.get(f"api/v1{path}", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["title"] and name in problem["detail"]
    assert response.headers["api-version"] == "1.0.0"


def test_unknown_and_hidden_items_are_404_problems(srv):
    for path in ("/organisations/bestaat-niet", "/networks/Hoofdletters", "/organisations/canary-verborgen",
                 "/people/p-0badc0ffee", "/people/p-00ddba11ed", "/people/p-5ec4e7cafe", "/nergens"):
        response = srv.get(f"api/v1{path}")
        assert response.status_code == 404, path
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert {"status", "title", "detail"} <= set(problem) and problem["status"] == 404
    assert srv.get("api/v1/networks", headers={}).status_code == 200
    assert httpx.post(srv.url + "/api/v1/networks").status_code == 405


def test_organisation_item_with_relations(srv):
    hl = api(srv, f"/organisations/{named(srv, 'organisations', 'Hogeschool Leiden')['id']}")
    assert hl["name"] == "Hogeschool Leiden" and "org:FormalOrganization" in hl["types"]
    assert hl["sectors"] and hl["memberships"]
    networks = {m["organization"]["name"] for m in hl["memberships"]}
    assert any("Cardea" in n for n in networks)
    assert all(m["member"]["iri"] == hl["iri"] for m in hl["memberships"])


def test_collaborators_of_hogeschool_leiden(srv):
    """Who collaborates with Hogeschool Leiden? The Samen Werken, Samen Leren partners."""
    hl = named(srv, "organisations", "Hogeschool Leiden")
    page = api(srv, f"/organisations/{hl['id']}/collaborators", pageSize=100)
    assert page["organisation"]["iri"] == hl["iri"]
    names = {c["organisation"]["name"]: c for c in page["items"]}
    for partner in SWSL_PARTNERS:
        assert partner in names, f"{partner} missing from {sorted(names)}"
    assert "Hogeschool Leiden" not in names
    cardea = names["Cardea"]
    assert cardea["sectors"] and all(t["network"]["iri"] for t in cardea["through"])
    assert any("Samen Werken" in (p["name"] or "") for t in cardea["through"] for p in t["programmes"])
    total_per_sector = sum(s["collaborators"] for s in page["sectors"])
    assert total_per_sector == sum(len(c["sectors"]) for c in page["items"])
    assert api(srv, f"/organisations/{hl['id']}/collaborators", period="1900")["totalItems"] == 0


def test_members_of_a_network(srv):
    leerhuis = named(srv, "networks", "Leerhuis Jeugd")
    members = every(srv, f"/networks/{leerhuis['id']}/members")
    names = {m["member"]["name"] for m in members}
    assert "Hogeschool Leiden" in names and "Cardea" in names
    assert all(m["role"] for m in members)
    role = members[0]["role"]["id"]
    only = every(srv, f"/networks/{leerhuis['id']}/members", role=role)
    assert only and all(m["role"]["id"] == role for m in only) and len(only) <= len(members)


def test_what_a_programme_funds(srv):
    swsl = named(srv, "programmes", "Samen Werken, Samen Leren")
    funded = every(srv, f"/programmes/{swsl['id']}/funded")
    assert "Leerhuis Jeugd" in {f["item"]["name"] for f in funded}
    assert {f["relation"] for f in funded} <= {"funded", "inProgramme", "partOfFunded"}


def test_jsonld_on_request(srv):
    hl = named(srv, "organisations", "Hogeschool Leiden")
    response = srv.get(f"api/v1/organisations/{hl['id']}", headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"] == "application/ld+json"
    body = response.json()
    assert body["@context"] == f"{srv.base}api/v1/context.jsonld"

    def load(url, options=None):
        return {"contextUrl": None, "documentUrl": url, "document": httpx.get(srv.local(url)).json()}

    expanded = jsonld.expand(body, {"documentLoader": load})
    node = next(n for n in expanded if n.get("@id") == hl["iri"])
    assert node["http://www.w3.org/2000/01/rdf-schema#label"][0]["@value"] == "Hogeschool Leiden"
    assert "http://www.w3.org/ns/org#FormalOrganization" in node["@type"]
    memberships = node["@reverse"]["http://www.w3.org/ns/org#member"]
    assert all("http://www.w3.org/ns/org#organization" in m for m in memberships)


def test_api_index_and_openapi(srv):
    index = api(srv, "")
    assert {c["name"] for c in index["collections"]} == set(COLLECTIONS)
    spec = srv.get("api/v1/openapi.json")
    assert spec.status_code == 200 and spec.headers["api-version"] == "1.0.0"
    document = spec.json()
    assert document["info"]["version"] == "1.0.0" and document["servers"][0]["url"] == f"{srv.base}api/v1"
    assert "/organisations/{id}/collaborators" in document["paths"]


def test_nothing_private_leaves_through_rest(srv):
    texts = []
    for collection in COLLECTIONS:
        for item in every(srv, f"/{collection}"):
            texts.append(json.dumps(item))
            texts.append(srv.get(item["_links"]["self"]["href"]).text)
    canary = api(srv, "/networks/canary-netwerk")
    texts.append(json.dumps(every(srv, "/networks/canary-netwerk/members")))
    everything = "\n".join(texts)
    for secret in CANARY_SECRETS:
        assert secret not in everything, secret
    counts = {c["iri"].rsplit("/", 1)[-1]: c for c in canary["participantCounts"]}
    assert counts["canary-jongeren"]["count"] is None and counts["canary-jongeren"]["display"] == "<5"
    assert counts["canary-jongeren"]["suppressed"] is True
    assert counts["canary-stagiairs"]["minCount"] is None and counts["canary-stagiairs"]["maxCount"] is None
    event = api(srv, "/events/canary-bijeenkomst")
    assert event["attendeeCount"] is None and event["attendeeCountDisplay"] == "<5"
    for item in every(srv, "/networks"):
        for count in api(srv, f"/networks/{item['id']}")["participantCounts"]:
            for field in ("count", "minCount", "maxCount"):
                assert count[field] is None or count[field] >= 5, count
    people = every(srv, "/people")
    assert people and all(p["publicRoles"] for p in people)




def test_serve_subcommand_runs_the_server(tmp_path):
    """`leernet serve --host --port` (the real CLI) serves the on-disk store over HTTP."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEERNET_")}
    command = [sys.executable, "-m", "graph", "--store", str(tmp_path / "store"),
               "--base-iri", "https://leernet.example.org/", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.stdout.read()
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/v1", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "leernet serve did not answer within 120 s"
                time.sleep(0.3)
        assert response.status_code == 200 and response.headers["api-version"] == "1.0.0"
        assert response.json()["_links"]["self"]["href"] == "https://leernet.example.org/api/v1"
        networks = httpx.get(f"http://127.0.0.1:{port}/api/v1/networks", timeout=30).json()
        assert networks["totalItems"] >= 1
        assert all(n["iri"].startswith("https://leernet.example.org/id/netwerk/") for n in networks["items"])
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_whole_graph_questions_come_from_the_kept_summary(srv):
    """/organisation-pairs and /sector-mixing answer what graph.summaries computes on the same store
    (its own tests count the expected values by hand), with nothing hidden."""
    from graph import summaries

    expected = summaries.compute(srv.store)
    pairs = every(srv, "/organisation-pairs")
    assert [(p["a"]["iri"], p["b"]["iri"], p["sharedNetworks"]) for p in pairs] == [
        (p["a"], p["b"], p["shared"]) for p in expected.pairs]
    assert pairs[0]["a"]["name"] and pairs[0]["sharedNetworks"] >= pairs[-1]["sharedNetworks"]
    mixing = api(srv, "/sector-mixing")
    assert mixing["summary"]["current"] is True
    assert [(m["a"]["id"], m["b"]["id"], m["pairs"]) for m in mixing["items"]] == [
        (m["a"].rsplit("/", 1)[1], m["b"].rsplit("/", 1)[1], m["pairs"]) for m in expected.mixing]
    assert abs(sum(m["share"] for m in mixing["items"]) - 1) < 0.01
    text = json.dumps(pairs) + json.dumps(mixing)
    assert not any(secret in text for secret in CANARY_SECRETS)
