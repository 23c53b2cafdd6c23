"""The kept whole-graph answers (graph.summaries): pairs sharing most networks and sector mixing.

Expected values: a hand-made ecosystem whose pairs are counted by hand in the test's docstring, and
an independent brute-force count (itertools over each network's members) on generated data.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import combinations

import pyoxigraph as ox

from graph import summaries
from graph.generate import generate
from graph.ingest import load_files
from graph.settings import load_settings
from graph.store import open_store

ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def hand_made(base: str) -> list[tuple]:
    """Organisations A (hbo, under onderwijs), B and C (jeugdhulp), D (onderwijs) and lectoraat L of A;
    networks N1 = {A, B, C}, N2 = {A, B}, N3 = {B, C, L} and N4 = {A, D}, which is not public."""
    ln = f"{base}def/leernet#"
    sector = f"{base}def/sector"
    triples = [(f"{sector}/onderwijs", f"{SKOS}inScheme", sector), (f"{sector}/hbo", f"{SKOS}inScheme", sector),
               (f"{sector}/hbo", f"{SKOS}broader", f"{sector}/onderwijs"),
               (f"{sector}/jeugdhulp", f"{SKOS}inScheme", sector)]
    orgs = {"A": "hbo", "B": "jeugdhulp", "C": "jeugdhulp", "D": "onderwijs"}
    for name, where in orgs.items():
        triples += [(f"{base}id/organisatie/{name}", TYPE, f"{ORG}FormalOrganization"),
                    (f"{base}id/organisatie/{name}", f"{ORG}classification", f"{sector}/{where}")]
    triples += [(f"{base}id/lectoraat/L", TYPE, f"{ln}Lectoraat"),
                (f"{base}id/lectoraat/L", f"{ORG}unitOf", f"{base}id/organisatie/A")]
    networks = {"N1": "ABC", "N2": "AB", "N3": "BCL", "N4": "AD"}
    for network, members in networks.items():
        for member in members:
            member_iri = f"{base}id/lectoraat/L" if member == "L" else f"{base}id/organisatie/{member}"
            membership = f"{base}id/lidmaatschap/{network}-{member}"
            triples += [(membership, f"{ORG}organization", f"{base}id/netwerk/{network}"),
                        (membership, f"{ORG}member", member_iri)]
    triples.append((ox.NamedNode(f"{base}id/netwerk/N4"), ox.NamedNode(f"{ln}isPublic"), ox.Literal("false")))
    return triples


def test_pairs_and_mixing_of_a_hand_made_ecosystem():
    """By hand: N1 gives AB, AC, BC; N2 gives AB; N3 gives BC, BL, CL; N4 is not public. So AB and BC
    share 2 networks, AC, BL and CL 1; D takes part in no public network. Sectors: A and L (through A)
    onderwijs, B and C jeugdhulp, so four pairs cross jeugdhulp-onderwijs and one (BC) stays in jeugdhulp."""
    store = open_store(load_settings(store_path=None), initialise=False)
    base = store.settings.base_iri
    store.replace_graphs({f"{base}graph/test": hand_made(base)})
    summary = summaries.compute(store)
    name = {f"{base}id/organisatie/{x}": x for x in "ABCD"} | {f"{base}id/lectoraat/L": "L"}
    assert [(name[p["a"]], name[p["b"]], p["shared"]) for p in summary.pairs] == [
        ("A", "B", 2), ("B", "C", 2), ("L", "B", 1), ("L", "C", 1), ("A", "C", 1)]  # ties in IRI order
    assert (summary.organisations, summary.networks, summary.collaborating_pairs) == (4, 3, 5)
    assert [(m["a"].rsplit("/", 1)[1], m["b"].rsplit("/", 1)[1], m["pairs"]) for m in summary.mixing] == [
        ("jeugdhulp", "onderwijs", 4), ("jeugdhulp", "jeugdhulp", 1)]
    # partners by hand from the pairs: B has A, C, L; C has A, B, L; A has B, C; L has B, C (ties in IRI
    # order, and .../lectoraat/L sorts before .../organisatie/A)
    assert [(name[p["organisation"]], p["partners"]) for p in summary.partners] == [("B", 3), ("C", 3), ("L", 2), ("A", 2)]


def test_shared_networks_equal_a_brute_force_count_on_generated_data(tmp_path):
    """numpy's pair counting against itertools.combinations over each network's members."""
    data = tmp_path / "g.nt"
    generate(data, 20_000, seed=4)
    store = open_store(load_settings(store_path=None), initialise=False)
    store.oxigraph.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES,
                             to_graph=ox.NamedNode(f"{store.settings.base_iri}graph/generated"))
    rows = store.select(f"""PREFIX org: <{ORG}> PREFIX ln: <{store.settings.base_iri}def/leernet#>
        SELECT DISTINCT ?n ?o WHERE {{ ?m org:organization ?n ; org:member ?o .
        {{ ?o a org:FormalOrganization }} UNION {{ ?o a ln:Lectoraat }} }}""")
    members: dict[str, set] = {}
    for r in rows:
        members.setdefault(r["n"].value, set()).add(r["o"].value)
    expected = Counter(pair for group in members.values() for pair in combinations(sorted(group), 2))
    summary = summaries.compute(store)
    assert summary.collaborating_pairs == len(expected) > 1000
    top = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:summaries.TOP_PAIRS]
    assert [((p["a"], p["b"]), p["shared"]) for p in summary.pairs] == top


def test_kept_summary_is_served_until_the_store_changes(memory_store, tmp_path):
    first = summaries.current(memory_store)
    assert summaries.kept(memory_store) == first
    assert summaries.current(memory_store).computed == first.computed  # served from the store
    extra = tmp_path / "extra.ttl"
    extra.write_text(f"""@prefix org: <{ORG}> .
<{memory_store.settings.base_iri}id/organisatie/cardea> org:classification
    <{memory_store.settings.base_iri}def/sector/jeugdhulp> .
""")
    load_files(memory_store, [extra], command="test")
    assert summaries.state_of(memory_store) != first.state
    assert summaries.current(memory_store).state == summaries.state_of(memory_store)


def test_cli_summarise_keeps_what_it_prints(run_cli, cli_store, memory_store):
    """``leernet summarise`` on the initialised (curated) store prints and keeps the answers that
    compute() gives on the same data in memory."""
    import json

    done = run_cli("summarise", "--top", "5", "--format", "json", store=cli_store)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    expected = summaries.compute(memory_store)
    assert printed["pairs"] == expected.pairs[:5] and printed["mixing"] == expected.mixing
    again = run_cli("query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://data.leernet.nl/graph/summary> "
                    "{ ?s ?p ?o } }", "--format", "csv", store=cli_store)
    assert again.stdout.split()[-1] == "1"


def test_the_home_page_shows_the_organisations_with_most_partners_once_a_summary_is_kept(served, memory_store):
    """Without a kept summary the home page's examples are the organisations in the most networks;
    with one, those with the most partners (its ``partners`` list, checked by hand above)."""
    import httpx

    url, _ = served
    kept = summaries.current(memory_store)  # computes and keeps it
    expected = [p["organisation"].rsplit("/", 1)[1] for p in kept.partners if "/id/organisatie/" in p["organisation"]][:3]
    html = httpx.get(f"{url}/", headers={"accept": "text/html"}, timeout=60).text
    shown = re.findall(r'href="/samenwerking/organisatie/([a-z0-9-]+)"', html)
    assert shown == expected and len(shown) == 3
