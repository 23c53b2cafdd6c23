"""The web explorer in a real browser (Debian's Chromium through Playwright) against a real server
whose base IRI is https://data.leernet.nl/ while it runs at 127.0.0.1, with the public SPARQL
endpoint running: the policymaker's path from the home page to a partner and a CSV, the network
map, the SPARQL page, the language switch, keyboard use, and axe-core on every page (no serious
or critical violation). Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from browser.helpers import DESKTOP, PHONE, axe_source, axe_violations, launch, screenshot
from graph.settings import DEFAULT_BASE_IRI
from sparql_server import start


@pytest.fixture(scope="module")
def srv():
    running = start(base=DEFAULT_BASE_IRI, write_token=None)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True, locale="nl-NL")
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


def api(srv, path: str, **params) -> dict:
    return httpx.get(f"{srv.url}/api/v1/{path}", params=params, timeout=60).json()


def test_policymaker_finds_hogeschool_leiden_its_partners_on_a_map_and_downloads_them(srv, page):
    """The issue's "done when": type Leiden, reach Hogeschool Leiden, see partners in which networks on a
    map and in a table, open a partner, download the table as CSV."""
    page.goto(srv.url + "/")
    assert page.evaluate("document.documentElement.lang") == "nl"
    page.get_by_label("Zoek een organisatie").fill("Leiden")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/zoeken\?q=Leiden"))
    screenshot(page, "zoeken-leiden")
    page.locator(".results").get_by_role("link", name="Hogeschool Leiden", exact=True).click()
    page.wait_for_url(srv.url + "/doc/organisatie/hogeschool-leiden")
    expect(page.locator("h1")).to_have_text("Hogeschool Leiden")
    networks = page.locator("#tabel-netwerken tbody tr")
    detail = api(srv, "organisations/hogeschool-leiden")
    expect(networks).to_have_count(len(detail["memberships"]))
    partners = api(srv, "organisations/hogeschool-leiden/collaborators", pageSize=100)
    expect(page.locator("#tabel-partners tbody tr")).to_have_count(partners["totalItems"])
    screenshot(page, "organisatie-hogeschool-leiden")
    page.get_by_role("link", name="Bekijk met wie Hogeschool Leiden samenwerkt, op een kaart").click()
    page.wait_for_url(srv.url + "/samenwerking/organisatie/hogeschool-leiden")
    graph = api(srv, "organisations/hogeschool-leiden/network")
    expect(page.locator("#kaart .node")).to_have_count(len(graph["nodes"]))
    partner_rows = page.locator("#tabel-partners tbody tr")
    expect(partner_rows).to_have_count(partners["totalItems"])
    cardea = partner_rows.filter(has_text="Cardea").first
    expect(cardea).to_contain_text("Leernetwerk jeugd Cardea")  # with whom, in which network
    screenshot(page, "samenwerking-hogeschool-leiden")
    with page.expect_download() as info:
        page.get_by_role("link", name="Partners van Hogeschool Leiden als CSV downloaden").click()
    download = info.value
    assert download.suggested_filename == "leernet-partners-hogeschool-leiden.csv"
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert rows[0][0] == "Partner" and len(rows) == partners["totalItems"] + 1
    assert any(r[0] == "Cardea" and "Leernetwerk jeugd Cardea" in " ".join(r) for r in rows)
    cardea.get_by_role("link", name="Cardea", exact=True).click()
    page.wait_for_url(srv.url + "/doc/organisatie/cardea")
    expect(page.locator("h1")).to_have_text("Cardea")


def test_map_draws_the_api_nodes_zooms_and_opens_a_node(srv, page):
    graph = api(srv, "organisations/hogeschool-leiden/network", projection="two-mode")
    page.goto(srv.url + "/samenwerking/organisatie/hogeschool-leiden?kaart=netwerken")
    nodes = page.locator("#kaart .node")
    expect(nodes).to_have_count(len(graph["nodes"]))
    drawn = set(page.eval_on_selector_all("#kaart .node", "els => els.map(e => e.dataset.iri)"))
    assert drawn == {n["id"] for n in graph["nodes"]}
    expect(page.locator(".legend li").first).to_be_visible()
    before = page.get_attribute("#kaart", "viewBox")
    page.get_by_role("button", name="Inzoomen").click()
    zoomed = page.get_attribute("#kaart", "viewBox")
    assert zoomed != before and float(zoomed.split()[2]) < float(before.split()[2])
    page.get_by_role("button", name="Hele kaart").click()
    assert page.get_attribute("#kaart", "viewBox") == before
    box = page.locator("#kaart").bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 140, box["y"] + 90, steps=5)
    page.mouse.up()
    assert page.get_attribute("#kaart", "viewBox") != before  # dragged: panned
    page.get_by_role("button", name="Hele kaart").click()
    target = page.locator('#kaart a.node[data-iri$="/id/organisatie/cardea"]')
    href = target.get_attribute("href")
    assert href == "/doc/organisatie/cardea"
    target.click()
    page.wait_for_url(srv.url + href)
    expect(page.locator("h1")).to_have_text("Cardea")


def test_theme_map_and_its_table(srv, page):
    graph = api(srv, "themes/jeugd/network")
    page.goto(srv.url + "/samenwerking/thema/jeugd")
    expect(page.locator("#kaart .node")).to_have_count(len(graph["nodes"]))
    expect(page.locator("#tabel-verbindingen tbody tr")).to_have_count(len(graph["edges"]))
    screenshot(page, "samenwerking-thema-jeugd")


def test_sparql_page_runs_an_example(srv, page):
    page.goto(srv.url + "/sparql-editor")
    page.get_by_role("link", name="Met wie werkt Hogeschool Leiden samen, en in welk netwerk?").click()
    rows = page.locator("#tabel-resultaat tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() > 5
    expect(page.locator("#tabel-resultaat")).to_contain_text("Cardea")
    page.locator("#query").fill("SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/org#Membership> }")
    page.get_by_role("button", name="Uitvoeren").click()
    expect(page.locator("#tabel-resultaat tbody tr")).to_have_count(1)
    assert int(page.locator("#tabel-resultaat tbody td").first.inner_text()) > 10
    page.locator("#query").fill("SELECT * WHERE { ?s ?p }")
    page.get_by_role("button", name="Uitvoeren").click()
    expect(page.get_by_role("alert")).to_contain_text("De vraag kon niet worden uitgevoerd")
    screenshot(page, "sparql-fout")


def test_language_switch_and_keyboard(srv, page):
    page.goto(srv.url + "/doc/organisatie/hogeschool-leiden")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Naar de inhoud")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#inhoud"
    page.get_by_role("link", name="English").click()
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.locator("h1")).to_have_text("University of Applied Sciences Leiden")
    page.get_by_role("link", name="Search", exact=True).click()
    assert page.evaluate("document.documentElement.lang") == "en"  # remembered
    expect(page.locator("h1")).to_have_text("Search")
    page.get_by_role("link", name="Nederlands").click()
    assert page.evaluate("document.documentElement.lang") == "nl"


PAGES = {
    "start": "/", "start-en": "/?lang=en", "zoeken": "/zoeken?q=jeugd", "zoeken-facetten": "/zoeken?soort=netwerken&thema=jeugd",
    "organisatie": "/doc/organisatie/hogeschool-leiden", "netwerk": "/doc/netwerk/leerhuis-jeugd",
    "programma": "/doc/programma/samen-werken-samen-leren", "thema": "/def/thema/jeugd", "regio": "/doc/regio/leiden",
    "bron": "/doc/bron/factsheet-samen-werken-samen-leren", "begrippen": "/def", "sector": "/def/sector/hbo",
    "samenwerking-organisatie": "/samenwerking/organisatie/hogeschool-leiden",
    "samenwerking-netwerken": "/samenwerking/organisatie/hogeschool-leiden?kaart=netwerken",
    "samenwerking-thema": "/samenwerking/thema/jeugd", "grensoverschrijding": "/grensoverschrijding",
    "sparql": "/sparql-editor?voorbeeld=sectoren", "dataset": "/.well-known/void", "niet-gevonden": "/doc/organisatie/x",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_passes_axe_on_desktop_and_phone(srv, browser, axe, name):
    for label, viewport in (("desktop", DESKTOP), ("telefoon", PHONE)):
        context = browser.new_context(viewport=viewport, locale="nl-NL")
        tab = context.new_page()
        response = tab.goto(srv.url + PAGES[name])
        assert response.status == (404 if name == "niet-gevonden" else 200)
        assert tab.evaluate("document.documentElement.scrollWidth") <= viewport["width"], "the page scrolls sideways"
        wide = tab.evaluate("[...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth + 1)"
                            ".map(w => w.querySelector('table').id)")
        assert label == "desktop" or wide == [], f"tables scroll sideways on a phone: {wide}"
        violations = axe_violations(tab, axe)
        screenshot(tab, f"{name}-{label}")
        context.close()
        assert violations == [], f"{name} ({label}): {violations}"
