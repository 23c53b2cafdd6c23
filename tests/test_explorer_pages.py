"""The web explorer's pages over HTTP (no browser): content against the REST API, path-absolute links
on a server whose base IRI is not its address, CSV downloads and their escaping, the language
switch, privacy, and speed."""

from __future__ import annotations

import csv
import io
import re
import time
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from api.explorer_tables import Link, Table, safe_cell, to_csv
from api_server import CANARY_SECRETS, Server, server

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


class Links(HTMLParser):
    """The href of every <a>, the svg nodes, the <html lang> and the <h1> text of a page."""

    def __init__(self):
        super().__init__()
        self.anchors: list[str] = []
        self.nodes = 0
        self.lang = None
        self.h1 = ""
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "href" in attrs:
            self.anchors.append(attrs["href"])
            if "node" in (attrs.get("class") or "").split():
                self.nodes += 1
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data


def parse(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def srv() -> Server:
    return server()


def page(srv: Server, path: str, **kwargs):
    response = srv.get(path, headers={**HTML, **kwargs.pop("headers", {})}, **kwargs)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return response


def api(srv: Server, path: str, **params) -> dict:
    return srv.get(f"api/v1/{path}", params=params).json()


def test_home_shows_what_the_graph_holds_and_the_questions(srv):
    html = page(srv, "").text
    doc = parse(html)
    assert doc.lang == "nl" and '<main id="inhoud">' in html and 'class="skip" href="#inhoud"' in html
    for collection, label in (("organisations", "organisaties"), ("networks", "netwerken"),
                              ("programmes", "programma's"), ("people", "personen in een openbare rol"),
                              ("themes", "thema's")):
        total = api(srv, collection, pageSize=1)["totalItems"]
        assert re.search(rf'<span class="number">{total}</span> {re.escape(label)}', html.replace("&#39;", "'")), label
    assert "Laatst bijgewerkt" in html and 'role="search"' in html and 'name="q"' in html
    questions = [h for h in doc.anchors if h.startswith(("/samenwerking/", "/zoeken?soort=netwerken", "/grensoverschrijding#"))]
    assert len(questions) >= 5
    assert any("/doc/programma/" in h for h in doc.anchors)


def crawl(srv: Server, start: str, limit: int) -> dict[str, Links]:
    """Breadth-first over the HTML pages reachable by path-absolute links (at most ``limit``)."""
    root = urlsplit(srv.base).path
    seen, todo, pages = {start}, deque([start]), {}
    while todo and len(pages) < limit:
        path = todo.popleft()
        response = srv.client().get(path, headers=HTML)
        assert response.status_code == 200, (path, response.status_code)
        if not response.headers["content-type"].startswith("text/html"):
            continue
        pages[path] = parse(response.text)
        for href in pages[path].anchors:
            target = urljoin(path, href).split("#")[0]
            if target.startswith(root) and target not in seen and "csv=" not in target and "/api/v1" not in target:
                seen.add(target)
                todo.append(target)
    return pages


def test_a_server_whose_base_is_elsewhere_can_be_navigated(srv):
    """The base IRI is https://data.leernet.nl/, the server runs at 127.0.0.1: every link stays local."""
    assert srv.base == "https://data.leernet.nl/" and srv.url.startswith("http://127.0.0.1:")
    pages = crawl(srv, "/", limit=120)
    assert len(pages) >= 60
    kinds = {re.sub(r"^/(doc|def)/([^/?]+).*$", r"\1/\2", p) for p in pages}
    assert {"doc/organisatie", "doc/netwerk", "doc/programma", "doc/bron", "def/thema"} <= kinds
    for path, doc in pages.items():
        for href in doc.anchors:
            assert not href.startswith(srv.base), f"{path} links to {href}"
            assert href.startswith(("/", "#", "?", "https://", "http://")), (path, href)
            if href.startswith("http"):
                assert urlsplit(href).hostname not in ("data.leernet.nl", "127.0.0.1"), (path, href)


def test_search_finds_an_organisation_by_part_of_its_name(srv):
    doc = parse(page(srv, "zoeken", params={"q": "eiden"}).text)
    results = [h for h in doc.anchors if h.startswith("/doc/") or h.startswith("/def/thema/")]
    assert "/doc/organisatie/hogeschool-leiden" in results
    titles = re.findall(r'<span class="title"><a href="([^"]+)"', page(srv, "zoeken", params={"q": "Leiden"}).text)
    assert titles[:2] == ["/doc/regio/leiden", "/doc/organisatie/hogeschool-leiden"]  # names first, then descriptions


def test_search_facets_match_the_api(srv):
    html = page(srv, "zoeken", params={"soort": "netwerken", "thema": "jeugd"}).text
    expected = api(srv, "themes/jeugd/networks", pageSize=100)
    assert f"{expected['totalItems']} resultaten" in html
    for network in expected["items"][:20]:
        assert f'href="/doc/netwerk/{network["id"]}"' in html
    assert re.search(r'<option value="netwerken" selected>Netwerken \(\d+\)</option>', html)
    organisations = page(srv, "zoeken", params={"soort": "organisaties", "sector": "jeugdhulp"}).text
    total = api(srv, "organisations", sector="jeugdhulp", pageSize=1)["totalItems"]
    assert f"{total} resultaten" in organisations
    assert re.search(rf'<option value="jeugdhulp" selected>Jeugdhulp \({total}\)</option>', organisations)
    unsupported = page(srv, "zoeken", params={"soort": "personen", "sector": "jeugdhulp"}).text
    assert "geldt niet voor personen" in unsupported
    bad = page(srv, "zoeken", params={"periode": "vorig jaar"}).text
    assert "is geen periode" in bad


def test_search_pages_through_results(srv):
    total = api(srv, "themes", pageSize=1)["totalItems"]
    assert total > 20
    first = page(srv, "zoeken", params={"soort": "themas"}).text
    last_page = -(-total // 20)
    last = page(srv, "zoeken", params={"soort": "themas", "pagina": last_page}).text
    count = lambda html: len(re.findall(r'<span class="title">', html))  # noqa: E731
    assert count(first) == 20 and count(last) == total - 20 * (last_page - 1)
    assert 'aria-label="Pagina\'s"' in first.replace("&#39;", "'") and f"pagina={last_page}" in first


@pytest.mark.parametrize("collection", ["organisations", "networks", "programmes", "lectoraten", "people", "themes",
                                        "events", "products", "regions"])
def test_every_kind_has_a_page_with_sentences_sources_and_downloads(srv, collection):
    item = api(srv, collection, pageSize=1)["items"][0]
    doc_path = item["_links"]["describedby"]["href"][len(srv.base):]
    if "/id/" in item["iri"]:  # things redirect to their page; concepts under def/ are their own page
        redirect = srv.get(item["iri"], headers=HTML, follow_redirects=False)
        assert redirect.status_code == 303 and redirect.headers["location"] == "/" + doc_path
    html = page(srv, doc_path).text
    assert parse(html).h1 == item["name"]
    assert '<section class="summary"' in html and f"<code>{item['iri']}</code>" in html
    assert "Alle gegevens met hun bron" in html
    for ext, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json")):
        assert f'href="/{doc_path}.{ext}"' in html
        download = srv.get(f"{doc_path}.{ext}")
        assert download.status_code == 200 and download.headers["content-type"].startswith(media)


def test_organisation_page_lists_networks_partners_identifiers_and_sources(srv):
    html = page(srv, "doc/organisatie/hogeschool-leiden").text
    detail = api(srv, "organisations/hogeschool-leiden")
    for membership in detail["memberships"]:
        assert f'href="/doc/{membership["organization"]["iri"][len(srv.base) + 3:]}"' in html
    partners = api(srv, "organisations/hogeschool-leiden/collaborators", pageSize=100)
    assert partners["totalItems"] > 5
    assert f"samen met {partners['totalItems']} organisaties" in html
    for partner in partners["items"]:
        assert f'href="/doc/{partner["organisation"]["iri"][len(srv.base) + 3:]}"' in html
    assert f'href="https://ror.org/{detail["rorId"]}"' in html
    assert f'href="https://www.wikidata.org/wiki/{detail["wikidataId"]}"' in html
    assert re.search(r'href="/doc/bron/[a-z0-9-]+"', html)
    assert 'href="/samenwerking/organisatie/hogeschool-leiden"' in html


def test_programme_page_says_what_it_funds(srv):
    programme = api(srv, "programmes", pageSize=100)["items"]
    funded = {p["id"]: api(srv, f"programmes/{p['id']}/funded", pageSize=100) for p in programme}
    slug, answer = max(funded.items(), key=lambda x: x[1]["totalItems"])
    html = page(srv, f"doc/programma/{slug}").text
    assert 'id="financiert-title"' in html
    for item in answer["items"]:
        assert item["item"]["iri"][len(srv.base) + 3:] in html


def test_collaboration_view_draws_what_the_api_returns(srv):
    for projection, param in (("organisations", "organisaties"), ("two-mode", "netwerken")):
        graph = api(srv, "organisations/hogeschool-leiden/network", projection=projection)
        html = page(srv, "samenwerking/organisatie/hogeschool-leiden", params={"kaart": param}).text
        doc = parse(html)
        assert doc.nodes == len(graph["nodes"]) > 3
        assert html.count('<line class="edge"') == len(graph["edges"])
        assert f"alle {len(graph['edges'])} verbindingen" in html
        assert all(h.startswith("/doc/") for h in doc.anchors if "/id/" in h or "/doc/" in h)
    theme = api(srv, "themes/jeugd/network")
    html = page(srv, "samenwerking/thema/jeugd").text
    assert parse(html).nodes == len(theme["nodes"]) and 'class="legend"' in html
    missing = srv.get("samenwerking/organisatie/bestaat-niet", headers=HTML)
    assert missing.status_code == 404 and "Niet gevonden" in missing.text


def test_dashboard_has_three_explained_charts_with_tables(srv):
    html = page(srv, "grensoverschrijding").text
    for section in ("samenstelling", "over-de-grens", "grensoverschrijders"):
        assert f'<section id="{section}"' in html
        csv_response = srv.get("grensoverschrijding", params={"csv": section})
        assert csv_response.status_code == 200 and csv_response.headers["content-type"].startswith("text/csv")
    assert html.count('role="img"') == 3 and html.count('class="chart-sentence"') == 3
    spanners = api(srv, "analysis/spanners")["rows"]
    assert spanners and spanners[0]["label"] in html
    themed = page(srv, "grensoverschrijding", params={"thema": "jeugd", "groepen": "subsector"}).text
    assert '<option value="jeugd" selected>' in themed


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="leernet-')
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_downloads_hold_the_table(srv):
    rows = read_csv(srv.get("samenwerking/organisatie/hogeschool-leiden", params={"csv": "partners"}))
    partners = api(srv, "organisations/hogeschool-leiden/collaborators", pageSize=100)
    assert rows[0][:2] == ["Partner", "Partner (IRI)"]
    assert sorted(r[1] for r in rows[1:]) == sorted(p["organisation"]["iri"] for p in partners["items"])
    results = read_csv(srv.get("zoeken", params={"q": "leernetwerk", "csv": "resultaten"}))
    assert len(results) - 1 > 20  # all results, not one page
    for table in ("gegevens", "netwerken", "partners"):
        assert len(read_csv(srv.get("doc/organisatie/hogeschool-leiden", params={"csv": table}))) > 1
    assert srv.get("doc/organisatie/hogeschool-leiden", params={"csv": "bestaat-niet"}).status_code == 404
    for row in results + rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_csv_cells_are_safe_against_formula_injection():
    assert [safe_cell(v) for v in ("=1+1", "+31 6", "-2", "@SUM(A1)", "\tx", "\ry", "gewoon", "a=b")] == \
        ["'=1+1", "'+31 6", "'-2", "'@SUM(A1)", "'\tx", "'\ry", "gewoon", "a=b"]
    assert safe_cell(-0.25) == -0.25 and safe_cell(3) == 3 and safe_cell(None) == ""
    table = Table("t", "T", [("name", "=Naam"), ("n", "n")],
                  [{"name": Link('=HYPERLINK("http://x","klik")', "/doc/x", "https://data.leernet.nl/id/x"), "n": -1},
                   {"name": [Link("@a"), Link("b")], "n": None}])
    rows = list(csv.reader(io.StringIO(to_csv(table))))
    assert rows[0] == ["'=Naam", "'=Naam (IRI)", "n"]
    assert rows[1] == ["'=HYPERLINK(\"http://x\",\"klik\")", "https://data.leernet.nl/id/x", "-1"]
    assert rows[2] == ["'@a; b", "", ""]


def test_language_switch_is_remembered(srv):
    with srv.client() as client:
        dutch = client.get("/", headers=HTML)
        assert parse(dutch.text).lang == "nl" and 'href="/?lang=en"' in dutch.text and "English" in dutch.text
        english = client.get("/?lang=en", headers=HTML)
        assert parse(english.text).lang == "en" and "Who works with whom" in english.text
        assert "leernet_lang=en" in english.headers["set-cookie"]
        later = client.get("/doc/organisatie/hogeschool-leiden", headers=HTML)  # the cookie carries it
        assert parse(later.text).lang == "en" and "University of Applied Sciences Leiden" in parse(later.text).h1
        assert "Partners of" in later.text and 'href="/doc/organisatie/hogeschool-leiden?lang=nl"' in later.text
        back = client.get("/zoeken?q=Leiden&lang=nl", headers=HTML)
        assert parse(back.text).lang == "nl" and "resultaten" in back.text
        assert parse(client.get("/", headers=HTML).text).lang == "nl"


def test_nothing_private_reaches_the_pages(srv):
    paths = ["", "zoeken?q=kanarie", "zoeken?q=Kanarie&csv=resultaten", "doc/netwerk/canary-netwerk",
             "samenwerking/thema/werkplezier", "samenwerking/thema/werkplezier?kaart=organisaties",
             "samenwerking/thema/werkplezier?csv=verbindingen", "doc/organisatie/canary-open", "grensoverschrijding",
             "def/thema/werkplezier"]
    for path in paths:
        body = srv.get(path, headers=HTML).text
        for secret in CANARY_SECRETS:
            assert secret not in body, (path, secret)
    network = page(srv, "doc/netwerk/canary-netwerk").text
    assert "&lt;5" in network and "Kanarie Open" in network
    assert srv.get("doc/persoon/p-0badc0ffee", headers=HTML).status_code == 404


def test_rdf_clients_still_get_rdf_and_problems(srv):
    turtle = srv.get("doc/organisatie/hogeschool-leiden", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert srv.get("doc/organisatie/bestaat-niet").headers["content-type"] == "application/problem+json"
    browser = srv.get("doc/organisatie/bestaat-niet", headers=HTML)
    assert browser.status_code == 404 and "<h1>Niet gevonden</h1>" in browser.text
    assert srv.get("static/explorer.css").headers["content-type"].startswith("text/css")
    assert srv.get("static/../app.py").status_code == 404


def test_pages_answer_well_under_a_second(srv):
    paths = ["", "zoeken?q=Leiden", "doc/organisatie/hogeschool-leiden", "doc/netwerk/leerhuis-jeugd",
             "samenwerking/organisatie/hogeschool-leiden", "samenwerking/thema/jeugd", "grensoverschrijding",
             "def/thema/jeugd"]
    for path in paths:
        srv.get(path, headers=HTML)  # warm the caches once
        started = time.perf_counter()
        page(srv, path)
        assert time.perf_counter() - started < 0.8, path


def test_base_iri_with_a_path_keeps_links_under_it():
    kg = server("http://127.0.0.1:{port}/kg/", on_disk=False)
    home = kg.client().get("/kg/", headers=HTML)
    assert home.status_code == 200
    doc = parse(home.text)
    internal = [h for h in doc.anchors if h.startswith("/")]
    assert internal and all(h.startswith("/kg/") for h in internal), internal
    assert 'href="/kg/static/explorer.css"' in home.text
    organisation = kg.client().get("/kg/doc/organisatie/hogeschool-leiden", headers=HTML)
    assert organisation.status_code == 200 and 'href="/kg/samenwerking/organisatie/hogeschool-leiden"' in organisation.text
    pages = crawl(kg, "/kg/", limit=25)
    assert len(pages) == 25
