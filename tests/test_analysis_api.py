"""The network-analysis endpoints of the REST API against a running server with the curated data
and the privacy canary: measures, the network of an organisation and of a theme, errors, privacy."""

from __future__ import annotations

import pytest

from api_server import CANARY_SECRETS, Server, server
from graph.analysis import MEASURES

HOGESCHOLEN = ("Hogeschool Leiden", "De Haagse Hogeschool", "Hogeschool Utrecht")


@pytest.fixture(scope="module")
def srv() -> Server:
    return server()


def get(srv: Server, path: str, status: int = 200, **params) -> dict:
    response = srv.get(f"api/v1{path}", params=params)
    assert response.status_code == status, response.text
    return response.json()


def test_the_measures_are_listed_with_their_definitions(srv):
    body = get(srv, "/analysis")
    names = [item["name"] for item in body["items"]]
    assert names == list(MEASURES)
    ei = body["items"][0]
    assert ei["concept"] == srv.base + "def/netwerkmaat/ei-index" and ei["labelEn"] == "E-I index"
    assert ei["href"] == srv.base + "api/v1/analysis/ei"
    concept = srv.get(ei["concept"], headers={"Accept": "text/turtle"})
    assert concept.status_code == 200 and "Krackhardt" in concept.text


def test_spanners_name_the_hogescholen(srv):
    body = get(srv, "/analysis/spanners")
    assert body["measure"] == "spanners" and body["parameters"]["attribute"] == "sector"
    assert "brokerageBetweenGroups" in body["columns"] and "brokerage_between_groups" not in body["columns"]
    bridging = {r["label"] for r in body["rows"] if r["brokerageBetweenGroups"] > 0}
    assert set(HOGESCHOLEN) <= bridging


@pytest.mark.parametrize("name", list(MEASURES))
def test_every_measure_answers_without_anything_private(srv, name):
    for projection in ("actors", "two-mode"):
        response = srv.get(f"api/v1/analysis/{name}", params={"projection": projection})
        assert response.status_code == 200, response.text  # constraint too: exact within its budgets
        assert not [s for s in CANARY_SECRETS if s in response.text], (name, projection)


def test_parameters_filter_and_period(srv):
    body = get(srv, "/analysis/ei", period="2019-09-01/2020-08-31", theme="kindermishandeling", attribute="subsector")
    assert body["parameters"]["start"] == "2019-09-01" and body["parameters"]["attribute"] == "subsector"
    assert body["parameters"]["theme"] == srv.base + "def/thema/kindermishandeling"
    network = body["rows"][0]
    assert network["level"] == "network" and network["external"] > 0
    change = get(srv, "/analysis/change", fromPeriod="2019", toPeriod="2023")
    assert change["rows"][0]["lost"] > 0


def test_errors_are_problems(srv):
    unknown = get(srv, "/analysis/centrality", 404)
    assert unknown["status"] == 404 and "centrality" in unknown["detail"]
    theme = get(srv, "/analysis/ei", 400, theme="bestaat-niet")
    assert "bestaat-niet" in theme["detail"]
    period = get(srv, "/analysis/ei", 400, period="2020-99-99")
    assert period["status"] == 400
    attribute = get(srv, "/analysis/ei", 400, attribute="colour")
    assert attribute["status"] == 400


def test_the_network_of_an_organisation(srv):
    body = get(srv, "/organisations/hogeschool-utrecht/network")
    hu = srv.base + "id/organisatie/hogeschool-utrecht"
    assert body["center"] == hu and body["projection"] == "organisations"
    labels = {n["label"] for n in body["nodes"]}
    assert {"Hogeschool Utrecht", "Gemeente Utrecht", "Hogeschool Leiden", "De Haagse Hogeschool"} <= labels
    node = next(n for n in body["nodes"] if n["id"] == hu)
    assert node["sector"] == "onderwijs" and node["href"] == srv.base + "api/v1/organisations/hogeschool-utrecht"
    ids = {n["id"] for n in body["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in body["edges"])
    inclu = [e for e in body["edges"] if srv.base + "id/organisatie/inclu-zie" in e["contexts"]]
    assert inclu and all(srv.base + "id/bron/inclu-zie" in e["sources"] for e in inclu)
    wider = get(srv, "/organisations/hogeschool-utrecht/network", depth=2)
    assert len(wider["nodes"]) > len(body["nodes"])
    two_mode = get(srv, "/organisations/hogeschool-utrecht/network", projection="two-mode")
    assert any(n["type"] == "collaboration" for n in two_mode["nodes"])
    get(srv, "/organisations/bestaat-niet/network", 404)


def test_the_network_of_a_theme(srv):
    body = get(srv, "/themes/kindermishandeling/network")
    assert body["projection"] == "two-mode"
    types = {n["type"] for n in body["nodes"]}
    assert {"network", "organisation", "rolegroup"} <= types
    assert any(e["relation"] == "member" and e["role"] == "onderwijspartner" for e in body["edges"])
    get(srv, "/themes/bestaat-niet/network", 404)


def test_the_canary_network_shows_only_what_is_public(srv):
    for path in ("/themes/werkplezier/network", "/organisations/canary-open/network"):
        for projection in ("two-mode", "actors"):
            response = srv.get(f"api/v1{path}", params={"projection": projection})
            assert response.status_code == 200, response.text
            assert not [s for s in CANARY_SECRETS if s in response.text], (path, projection)
    body = get(srv, "/themes/werkplezier/network")
    assert "Kanarie Open" in {n["label"] for n in body["nodes"]}


def test_json_ld_is_offered(srv):
    response = srv.get("api/v1/analysis/assortativity", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    assert response.json()["@context"] == srv.base + "api/v1/context.jsonld"
