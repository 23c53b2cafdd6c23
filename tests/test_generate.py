"""The synthetic ecosystem generator: deterministic, to scale, shaped like the real graph, marked
synthetic, valid against the shapes (and loadable), and invalid in exactly the ways it says."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter, defaultdict

import pyoxigraph as ox
import pytest
import rdflib

from graph.generate import ALL_KINDS, generate, generate_batch
from graph.settings import load_settings
from graph.validation import validate_graph
from tests.conftest import BASE

PREFIXES = f"""PREFIX org: <http://www.w3.org/ns/org#> PREFIX schema: <https://schema.org/>
PREFIX ln: <{BASE}def/leernet#> PREFIX time: <http://www.w3.org/2006/time#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
SYNTHETIC = f"{BASE}id/bron/synthetisch"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Generated files shared by the tests of this module."""
    where = tmp_path_factory.mktemp("generated")
    return {
        "10k": generate(where / "s10k.ttl", 10_000, seed=7),
        "100k": generate(where / "s100k.nt.gz", 100_000, seed=7),
        "invalid": generate(where / "invalid.ttl", 10_000, seed=7, invalid_share=0.05),
    }


@pytest.fixture(scope="module")
def big(files):
    """The 100k ecosystem in a pyoxigraph store, with the ontology (for role and theme schemes)."""
    store = ox.Store()
    with gzip.open(files["100k"].path) as data:
        store.load(data.read(), format=ox.RdfFormat.N_TRIPLES)
    for part in load_settings(store_path=None).ontology_dir.glob("*.ttl"):
        store.load(path=str(part), format=ox.RdfFormat.TURTLE, base_iri=BASE, to_graph=ox.NamedNode(f"{BASE}graph/o"))
    return store


def select(store, query: str, union: bool = True) -> list[dict]:
    """The rows of a SELECT as dicts of plain values; ``union=False``: the generated data only."""
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=union)
    names = [v.value for v in solutions.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]


def test_same_arguments_give_the_same_bytes_and_another_seed_does_not(tmp_path, files):
    again = generate(tmp_path / "again.ttl", 10_000, seed=7)
    assert again.path.read_bytes() == files["10k"].path.read_bytes()
    zipped = [generate(tmp_path / f"z{i}.nt.gz", 10_000, seed=7).path.read_bytes() for i in range(2)]
    assert zipped[0] == zipped[1]
    assert generate(tmp_path / "other.ttl", 10_000, seed=8).path.read_bytes() != again.path.read_bytes()


def test_the_invalid_share_changes_only_the_corrupted_records(files):
    def networks(path):
        return set(re.findall(r"^<(id/netwerk/[^>]+)> a ln:LearningNetwork", path.read_text(), re.M))

    valid, invalid = networks(files["10k"].path), networks(files["invalid"].path)
    assert len(valid) > 40 and valid == invalid
    assert files["invalid"].triples != files["10k"].triples


@pytest.mark.parametrize("name, scale", [("10k", 10_000), ("100k", 100_000)])
def test_the_scale_is_within_a_fifth_of_n(files, name, scale):
    result = files[name]
    assert 0.8 * scale <= result.triples <= 1.2 * scale
    if name == "10k":
        assert len(rdflib.Graph().parse(result.path, format="turtle")) == result.triples  # no duplicates


def test_organisation_kinds_come_in_realistic_proportions(big):
    sectors = {r["s"].rsplit("/", 1)[1]: int(r["n"]) for r in select(big, """
        SELECT ?s (COUNT(?o) AS ?n) WHERE { ?o a org:FormalOrganization ; org:classification ?s } GROUP BY ?s""")}
    lectoraten = int(select(big, "SELECT (COUNT(*) AS ?n) WHERE { ?l a ln:Lectoraat }")[0]["n"])
    assert sectors["jeugdhulp"] > 4 * sectors["lokale-overheid"] and sectors["po"] > 4 * sectors["lokale-overheid"]
    assert sectors["lokale-overheid"] > 3 * sectors["hbo"] and lectoraten > 3 * sectors["hbo"]
    assert sectors["hbo"] >= 2 and sectors["wo"] >= 1 and sectors["vo"] > sectors["mbo"]
    units = select(big, """SELECT ?l ?h WHERE { ?l a ln:Lectoraat ; org:unitOf ?h .
                          ?h a org:FormalOrganization ; org:classification <%sdef/sector/hbo> }""" % BASE)
    assert len(units) == lectoraten
    regions = select(big, """SELECT ?p WHERE { ?p a schema:Place ; schema:containedInPlace ?in .
                            ?in schema:containedInPlace <%sid/regio/syn-nederland> }""" % BASE)
    assert len(regions) > 12


def test_networks_have_8_to_25_members_mixing_sectors_some_closed_some_diverse(big):
    members: dict[str, set] = defaultdict(set)
    sectors: dict[str, set] = defaultdict(set)
    for row in select(big, """SELECT ?n ?m ?s WHERE { ?x org:organization ?n ; org:member ?m . ?n a ln:LearningNetwork
                             OPTIONAL { ?m org:unitOf?/org:classification ?s } }"""):
        members[row["n"]].add(row["m"])
        if "s" in row:
            sectors[row["n"]].add(row["s"])
    assert len(members) > 500
    assert all(8 <= len(m) <= 25 for m in members.values()), Counter(len(m) for m in members.values())
    mix = Counter(min(len(s), 5) for s in sectors.values())
    assert mix[1] + mix[2] > 30 and mix[5] > 30
    roles = {r["r"].rsplit("/", 1)[1] for r in select(big, "SELECT DISTINCT ?r WHERE { ?x org:role ?r }")}
    assert {"penvoerder", "kennispartner", "praktijkpartner", "onderwijspartner"} <= roles


def test_memberships_span_ten_years_with_churn(big):
    rows = select(big, """SELECT ?n ?mb ?me ?nb ?ne WHERE {
        ?x org:organization ?n ; org:memberDuring ?p . ?n a ln:LearningNetwork ; ln:period ?q .
        ?p time:hasBeginning/time:inXSDDate ?mb . OPTIONAL { ?p time:hasEnd/time:inXSDDate ?me }
        ?q time:hasBeginning/time:inXSDDate ?nb . OPTIONAL { ?q time:hasEnd/time:inXSDDate ?ne } }""")
    begins = sorted(r["mb"] for r in rows)
    assert begins[0] < "2016-01-01" and begins[-1] > "2024-01-01"
    left = {r["n"] for r in rows if "me" in r and r["me"] < r.get("ne", "9999")}
    joined = {r["n"] for r in rows if r["mb"] > r["nb"]}
    assert len(left) > 100 and len(joined) > 100
    assert all(r["mb"] >= r["nb"] and r.get("me", "9999") <= r.get("ne", "9999") for r in rows)


def test_people_only_in_public_roles_and_everyone_else_only_counted(big):
    persons = select(big, """SELECT ?p ?r ?ok WHERE { ?p a schema:Person ; ln:publicRole ?r .
                            OPTIONAL { ?r ln:publishable ?ok } }""")
    assert len(persons) > 100
    assert all(r["ok"] == "true" and re.search(r"/id/persoon/p-[0-9a-f]{10}$", r["p"]) for r in persons)
    member_roles = select(big, """SELECT ?r ?ok WHERE { ?x org:member ?p ; org:role ?r . ?p a schema:Person .
                                 ?r ln:publishable ?ok }""")
    assert member_roles and all(r["ok"] == "true" for r in member_roles)
    counted = select(big, "SELECT ?r ?ok WHERE { ?c a ln:ParticipantCount ; ln:role ?r . ?r ln:publishable ?ok }")
    assert {r["r"].rsplit("/", 1)[1] for r in counted} >= {"student", "jongere", "ouder-opvoeder"}
    assert all(r["ok"] == "false" for r in counted)


def test_programmes_events_products_and_themes_of_the_real_scheme(big):
    funded = select(big, "SELECT ?n WHERE { ?n a ln:LearningNetwork ; schema:funder ?p . ?p a ln:Programme }")
    assert len(funded) > 100
    for cls in ("schema:Event", "schema:EventSeries", "schema:Report", "schema:ResearchProject", "ln:ParticipantCount"):
        assert select(big, f"SELECT ?x WHERE {{ ?x a {cls} }} LIMIT 1"), cls
    themes = select(big, """SELECT DISTINCT ?t ?scheme WHERE { ?x dcterms:subject ?t .
                           OPTIONAL { ?t skos:inScheme ?scheme } }""")
    assert len(themes) > 30 and all(r.get("scheme") == f"{BASE}def/thema" for r in themes)


def test_every_entity_is_marked_synthetic(big):
    subjects = select(big, f"""SELECT DISTINCT ?s ?src WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{BASE}id/"))
        OPTIONAL {{ ?s dcterms:source ?src }} }}""", union=False)
    values = [r for r in subjects if not re.search(r"/id/(periode|datum)/", r["s"]) and r["s"] != SYNTHETIC]
    assert len(values) > 10_000
    assert all(r.get("src") == SYNTHETIC for r in values)
    assert all(re.search(r"/id/[a-z]+/(syn-|p-)", r["s"]) for r in values)


def test_valid_output_conforms_to_the_shapes(files):
    data = rdflib.Graph().parse(files["10k"].path, format="turtle")
    report = validate_graph(data, load_settings(store_path=None), lang="en")
    assert report.conforms, report.format("en", limit=5)


def test_the_validator_finds_exactly_the_invalid_records(files):
    result = files["invalid"]
    assert {r.kind for r in result.invalid} == set(ALL_KINDS)
    report = validate_graph(rdflib.Graph().parse(result.path, format="turtle"), load_settings(store_path=None))
    found = {(v.focus_node, v.path or "") for v in report.violations if "/def/" not in v.focus_node}
    assert found == {(r.focus, r.path) for r in result.invalid}
    # pyshacl also lists the failed sh:node check of a wrong concept as a result on the concept itself
    assert {v.focus_node for v in report.violations if "/def/" in v.focus_node} <= {
        f"{BASE}def/sector/jeugdhulp", f"{BASE}def/netwerktype/leernetwerk", f"{BASE}def/rol/student"}


def test_a_batch_adds_new_networks_of_the_same_organisations(tmp_path, files):
    batch = generate_batch(tmp_path / "batch.ttl", 10_000, seed=7, size=1000)
    assert 1000 <= batch.triples <= 1300
    text = batch.path.read_text()
    members = set(re.findall(r"org:member <(id/organisatie/[^>]+)>", text))
    known = set(re.findall(r"^<(id/organisatie/[^>]+)> a org:", files["10k"].path.read_text(), re.M))
    assert members and members <= known
    assert not re.search(r"^<id/organisatie/", text, re.M)


def test_the_cli_writes_a_file_that_leernet_load_accepts(tmp_path, run_cli):
    output = tmp_path / "cli.ttl"
    done = run_cli("generate", "--scale", 10_000, "--seed", 2, "--output", output)
    assert done.returncode == 0, done.stderr
    assert "triples" in done.stderr and output.exists()
    loaded = run_cli("load", output)
    assert loaded.returncode == 0, loaded.stderr
    assert re.search(r"loaded 1\d{4} triples", loaded.stderr)
    broken = run_cli("generate", "--scale", 10_000, "--invalid-share", 0.01, "--output", tmp_path / "bad.ttl")
    listed = json.loads((tmp_path / "bad.ttl.invalid.json").read_text())
    assert broken.returncode == 0 and listed and {"kind", "record", "focus", "path"} <= set(listed[0])
    refused = run_cli("load", tmp_path / "bad.ttl")
    assert refused.returncode == 1
    wrong = run_cli("generate", "--scale", 10, "--output", tmp_path / "x.ttl")
    assert wrong.returncode == 2 and "--scale 10 is too small" in wrong.stderr
