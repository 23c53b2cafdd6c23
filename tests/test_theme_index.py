"""The theme index (graph.theme_index) answers "a theme's networks" as the store query does.

Expected values: a hand-made ecosystem whose order is worked out below by hand, and, on curated
plus generated data, the SPARQL query the API ran before the index (api.queries.list_query) with
the names sorted the way the API sorts them.
"""

from __future__ import annotations

import time

import httpx
import pyoxigraph as ox

from api import queries as q
from graph.generate import generate
from graph.names import dutch_name, sort_key
from graph.theme_index import ThemeIndex

HAND_MADE = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ln: <{base}def/leernet#> .
<{base}def/thema/test-narrow> a skos:Concept ; skos:prefLabel "Smal"@nl ;
    skos:inScheme <{base}def/thema> ; skos:broader <{base}def/thema/jeugd> .
<{base}id/netwerk/test-een> a ln:LearningNetwork ; schema:name "Één netwerk"@nl, "One network"@en ;
    dcterms:subject <{base}def/thema/test-narrow> .
<{base}id/netwerk/test-kind> a ln:LearningNetwork ; schema:name "alpha"@en ;
    schema:parentOrganization <{base}id/netwerk/test-een> .
<{base}id/netwerk/test-naamloos> a ln:LearningNetwork ; dcterms:subject <{base}def/thema/test-narrow> .
"""


def add_hand_made(store) -> None:
    """Write the hand-made themes and networks as a graph of their own (through the Store API, which
    the API notices; not validated, as only the themes and names matter here)."""
    base = store.settings.base_iri
    triples = [ox.Triple(q.subject, q.predicate, q.object)
               for q in ox.parse(HAND_MADE.format(base=base), format=ox.RdfFormat.TURTLE)]
    store.replace_graphs({f"{base}graph/test-themes": triples})


def expected_by_store(store, theme: str) -> list[str]:
    """The networks of ``theme`` as the API found them in the store before the index: list_query,
    then sorted by the Dutch-first name (IRI when nameless), then IRI."""
    base = store.settings.base_iri
    slug = theme.rsplit("/", 1)[1]
    iris = [r["s"].value for r in store.select(q.list_query(base, q.KINDS["networks"], {"theme": slug}, None))]
    names: dict[str, list] = {i: [] for i in iris}
    for start in range(0, len(iris), 500):
        for row in store.select(q.labels_query(base, iris[start:start + 500])):
            names[row["s"].value].append(row["l"])
    return sorted(iris, key=lambda i: (sort_key(dutch_name(names[i]), i), i))


def test_a_theme_has_its_narrower_themes_and_the_networks_inside_sorted_by_name(memory_store):
    base = memory_store.settings.base_iri
    add_hand_made(memory_store)
    index = ThemeIndex.build(memory_store)
    een, kind, naamloos = (f"{base}id/netwerk/test-{s}" for s in ("een", "kind", "naamloos"))
    # sort keys by hand: "alpha" (English only) < "een netwerk" (accents dropped) < the bare IRI "https://..."
    assert index.networks(f"{base}def/thema/test-narrow") == [kind, een, naamloos]
    broad = index.networks(f"{base}def/thema/jeugd")  # the broader theme has them too, among its own
    assert [n for n in broad if n.startswith(f"{base}id/netwerk/test-")] == [kind, een, naamloos]
    assert index.networks(f"{base}def/thema/bestaat-niet") == []
    assert index.names[naamloos] is None and index.names[een] == "Één netwerk"


def test_the_index_equals_the_store_query_for_every_theme(memory_store, tmp_path):
    data = tmp_path / "generated.nt"
    generate(data, 30_000, seed=3)
    memory_store.oxigraph.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES,
                                    to_graph=ox.NamedNode(f"{memory_store.settings.base_iri}graph/generated"))
    index = ThemeIndex.build(memory_store)
    themes = [r["t"].value for r in memory_store.select(
        f"SELECT DISTINCT ?t WHERE {{ ?t <http://www.w3.org/2004/02/skos/core#inScheme> "
        f"<{memory_store.settings.base_iri}def/thema> }}")]
    assert len(themes) > 10
    sizes = []
    for theme in themes:
        assert index.networks(theme) == expected_by_store(memory_store, theme), theme
        sizes.append(len(index.networks(theme)))
    assert max(sizes) > 50  # the comparison covered big lists, not only empty ones


def all_pages(url: str, theme: str, sort: str) -> list[str]:
    found, page = [], 1
    while True:
        body = httpx.get(f"{url}/api/v1/networks", params={"theme": theme, "sort": sort, "page": page,
                                                           "pageSize": 2}, timeout=30).json()
        found += [item["iri"] for item in body["items"]]
        if not body["_links"]["next"]:
            return found
        page += 1


def wait_for_index(app) -> None:
    deadline = time.monotonic() + 30
    while app.state.context.theme_index() is None:
        assert time.monotonic() < deadline, "the theme index was not built in 30 s"
        time.sleep(0.05)


def test_the_api_pages_a_theme_from_the_index_and_sees_writes_at_once(served, memory_store):
    url, app = served
    base = memory_store.settings.base_iri
    wait_for_index(app)
    for theme in ("jeugd", "jeugdhulp"):
        expected = expected_by_store(memory_store, f"{base}def/thema/{theme}")
        assert all_pages(url, theme, "name") == expected
        assert all_pages(url, theme, "-name") == expected[::-1]
    add_hand_made(memory_store)  # the index describes the old state now
    after = all_pages(url, "jeugd", "name")  # answered by the store while the index is rebuilt
    assert f"{base}id/netwerk/test-kind" in after
    assert after == expected_by_store(memory_store, f"{base}def/thema/jeugd")
    wait_for_index(app)
    assert all_pages(url, "jeugd", "name") == after


def test_health_says_whether_the_kept_indexes_are_ready(served, memory_store):
    url, app = served
    wait_for_index(app)
    assert httpx.get(f"{url}/api/v1/health").json() == {"status": "up", "themeIndex": "ready", "publicData": "ready"}
    add_hand_made(memory_store)
    first = httpx.get(f"{url}/api/v1/health").json()["themeIndex"]  # this request starts the rebuild
    assert first == "building"
    wait_for_index(app)
    assert httpx.get(f"{url}/api/v1/health").json()["themeIndex"] == "ready"
