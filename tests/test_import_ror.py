"""The ROR importer on the real reference file (721 records, schema v1 and v2) and the real store."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS

from graph.errors import InputError
from graph.importers import batch_graph_iri, run_import
from graph.importers.classify import organisation_types_for, sectors_for
from graph.importers.matching import Index
from graph.importers.ror import choose_labels, convert_ror, parse_record, ror_records_to_graph
from graph.ingest import ingest_graph
from graph.namespaces import SCHEMA
from graph.settings import load_settings
from graph.store import open_store

FIXTURES = Path(__file__).parent / "fixtures"
ROR_FILE = FIXTURES / "reference" / "ror-nl.json"
RECORDS = json.loads(ROR_FILE.read_text(encoding="utf-8"))
BASE = "https://data.leernet.nl/"
LN = f"{BASE}def/leernet#"
GYEAR = URIRef("http://www.w3.org/2001/XMLSchema#gYear")


def org_with(graph, ror_id: str) -> URIRef:
    subjects = list(graph.subjects(URIRef(LN + "rorId"), Literal(ror_id)))
    assert len(subjects) == 1, subjects
    return subjects[0]


@pytest.fixture(scope="module")
def converted():
    return convert_ror(RECORDS, BASE, Index(BASE), source_name=ROR_FILE.name)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A store with ontology/, shapes/ and data/ loaded, made once and copied for each test."""
    path = tmp_path_factory.mktemp("pristine") / "store"
    open_store(load_settings(store_path=path, base_iri=BASE)).close()
    return path


def copy_of(path: Path, target: Path):
    shutil.copytree(path, target)
    return open_store(load_settings(store_path=target, base_iri=BASE), initialise=False)


@pytest.fixture
def store(pristine, tmp_path):
    opened = copy_of(pristine, tmp_path / "store")
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def imported(pristine, tmp_path_factory):
    """The pristine store after importing the whole ROR file once: (store path, result, graph quads)."""
    target = tmp_path_factory.mktemp("imported") / "store"
    opened = copy_of(pristine, target)
    result = run_import("ror", ROR_FILE, opened, command="leernet import ror ror-nl.json")
    quads = graph_quads(opened, result.graphs[0])
    opened.close()
    return target, result, quads


def graph_quads(store, graph_iri: str) -> list[str]:
    return sorted(str(q) for q in store.quads(graph=graph_iri))


# ---- the converter, without a store ----------------------------------------------------------------

def test_every_record_becomes_one_organisation_with_one_dutch_name(converted):
    graph = converted.graph
    organisations = set(graph.subjects(RDF.type, ORG.FormalOrganization))
    assert len(organisations) == len(RECORDS) == 721
    for org in organisations:
        assert re.search(r"/id/organisatie/[a-z0-9]+(-[a-z0-9]+)*$", str(org)), org
        languages = [label.language for label in graph.objects(org, SKOS.prefLabel)]
        assert "nl" in languages, org
        assert len(languages) == len(set(languages)), f"two prefLabels in one language on {org}"
        assert list(graph.objects(org, ORG.classification)), org
        assert list(graph.objects(org, DCTERMS.type)), org


def test_every_name_ror_gives_is_a_label_in_its_language(converted):
    graph = converted.graph
    for raw in RECORDS:
        record = parse_record(raw)
        org = org_with(graph, record.ror_id)
        labels = {(str(v), v.language) for p in (SKOS.prefLabel, SKOS.altLabel) for v in graph.objects(org, p)}
        for value, lang, _ in record.names:
            if lang:
                assert (value, lang) in labels, (record.ror_id, value, lang)
            else:
                assert value in {v for v, _ in labels}, (record.ror_id, value)


def test_v1_record_gives_names_in_all_languages_and_every_identifier(converted):
    graph = converted.graph
    haagse = org_with(graph, "021zvq422")  # a schema v1 record
    assert haagse == URIRef(f"{BASE}id/organisatie/de-haagse-hogeschool")
    assert Literal("De Haagse Hogeschool", lang="nl") in set(graph.objects(haagse, SKOS.prefLabel))
    assert Literal("The Hague University of Applied Sciences", lang="en") in set(graph.objects(haagse, SKOS.prefLabel))
    assert Literal("THUAS", lang="nl") in set(graph.objects(haagse, SKOS.altLabel))
    assert set(graph.objects(haagse, URIRef(LN + "isni"))) == {Literal("0000 0004 0395 6083")}
    assert set(graph.objects(haagse, URIRef(LN + "wikidataId"))) == {Literal("Q2693497")}
    assert set(graph.objects(haagse, URIRef(LN + "fundrefId"))) == {Literal("100017795")}
    assert set(graph.objects(haagse, URIRef(LN + "gridId"))) == {Literal("grid.449791.6")}
    same = set(graph.objects(haagse, SCHEMA.sameAs))
    assert {URIRef("https://ror.org/021zvq422"), URIRef("http://www.wikidata.org/entity/Q2693497"),
            URIRef("https://en.wikipedia.org/wiki/The_Hague_University_of_Applied_Sciences")} <= same
    assert graph.value(haagse, SCHEMA.foundingDate) == Literal("1987", datatype=GYEAR)
    assert graph.value(haagse, SCHEMA.url) == URIRef("https://www.dehaagsehogeschool.nl/")
    # a v1 record with Frisian and Dutch labels
    tresoar = org_with(graph, "01j369f98")
    prefs = {(str(v), v.language) for v in graph.objects(tresoar, SKOS.prefLabel)}
    assert ("Frysk Histoarysk en Letterkundich Sintrum", "fy") in prefs
    assert ("Fries Historisch en Letterkundig Centrum", "nl") in prefs
    assert ("Tresoar", "en") in prefs  # the v1 display name, Dutch being taken by the Dutch label


def test_v2_record_gives_names_in_all_languages_and_every_identifier(converted):
    graph = converted.graph
    radboud = org_with(graph, "016xsfp80")  # a schema v2 record with a French label
    prefs = {(str(v), v.language) for v in graph.objects(radboud, SKOS.prefLabel)}
    assert prefs == {("Radboud Universiteit Nijmegen", "nl"), ("Radboud University Nijmegen", "en"),
                     ("Université Radboud de Nimègue", "fr")}
    assert ("Katholieke Universiteit Nijmegen", "nl") in {(str(v), v.language)
                                                          for v in graph.objects(radboud, SKOS.altLabel)}
    utrecht = org_with(graph, "04pp8hn57")
    assert set(graph.objects(utrecht, URIRef(LN + "isni"))) == {Literal("0000 0000 9637 0671"),
                                                                  Literal("0000 0001 2034 6234")}
    assert set(graph.objects(utrecht, URIRef(LN + "fundrefId"))) == {Literal("501100001829"), Literal("501100002989")}
    assert set(graph.objects(utrecht, URIRef(LN + "wikidataId"))) == {Literal("Q221653")}
    assert set(graph.objects(utrecht, URIRef(LN + "gridId"))) == {Literal("grid.5477.1")}
    assert URIRef("http://www.wikidata.org/entity/Q221653") in set(graph.objects(utrecht, SCHEMA.sameAs))


def test_a_record_without_a_dutch_label_takes_its_shortest_dutch_alias():
    zonmw = next(r for r in RECORDS if r["id"].endswith("01yaj9a77"))
    pref, alt = choose_labels(parse_record(zonmw))
    assert pref["nl"] == "ZonMw"
    assert pref["en"].startswith("ZonMw, The Dutch Organisation")
    assert ("Nederlandse organisatie voor gezondheidsonderzoek en zorginnovatie", "nl") in alt


def test_types_and_sectors(converted):
    graph = converted.graph

    def sectors(ror_id):
        return {str(o).rsplit("/", 1)[1] for o in graph.objects(org_with(graph, ror_id), ORG.classification)}

    assert sectors("0093src13") == {"hbo"}  # Hogeschool Leiden
    assert sectors("04pp8hn57") == {"wo", "financiering"}  # Universiteit Utrecht: education and funder
    assert sectors("03w387231") == {"lokale-overheid"}  # Gemeente Den Haag
    assert sectors("0079deh61") == {"rijksoverheid-beleid"}  # Ministry of Defence
    zonmw = org_with(graph, "01yaj9a77")
    assert (zonmw, RDF.type, SCHEMA.FundingAgency) in graph
    assert {str(o).rsplit("/", 1)[1] for o in graph.objects(zonmw, DCTERMS.type)} == {"financier", "non-profit"}
    assert sectors_for(["Healthcare"], ["Ziekenhuis X"]) == ["zorg"]
    assert sectors_for(["company"], ["X B.V."]) == ["bedrijfsleven"]
    assert sectors_for(["archive"], ["X"]) == sectors_for(["other"], ["X"]) == ["overig"]
    assert sectors_for(["facility"], ["X"]) == sectors_for(["nonprofit"], ["X"]) == ["onderzoek"]
    assert sectors_for(["education"], ["Reinwardt Academie"]) == ["onderwijs"]
    assert sectors_for(["education"], ["Saxion", "Saxion University of Applied Sciences"]) == ["hbo"]
    assert organisation_types_for(["Nonprofit", "funder"]) == ["financier", "non-profit"]


def test_locations_are_places_with_geonames_in_their_province(converted):
    graph = converted.graph
    den_haag = URIRef(f"{BASE}id/regio/den-haag")  # ROR says "The Hague"
    assert graph.value(org_with(graph, "01yaj9a77"), SCHEMA.location) == den_haag
    assert (den_haag, RDF.type, SCHEMA.Place) in graph
    assert Literal("Den Haag", lang="nl") in set(graph.objects(den_haag, SCHEMA.name))
    assert URIRef("https://sws.geonames.org/2747373/") in set(graph.objects(den_haag, SCHEMA.sameAs))
    assert (den_haag, SCHEMA.containedInPlace, URIRef(f"{BASE}id/regio/zuid-holland")) in graph


def test_inactive_and_withdrawn_records_are_imported_and_marked(converted):
    graph = converted.graph
    vilentum = org_with(graph, "01xpgs822")  # inactive, succeeded by Aeres
    texts = {(str(d), d.language) for d in graph.objects(vilentum, DCTERMS.description)}
    assert any("inactive" in t and lang == "en" for t, lang in texts) and any(lang == "nl" for _, lang in texts)
    assert (org_with(graph, "03jnx2c74"), DCTERMS.replaces, vilentum) in graph
    withdrawn = org_with(graph, "008appn90")
    assert any("withdrawn" in str(d) for d in graph.objects(withdrawn, DCTERMS.description))
    active = org_with(graph, "0093src13")
    assert list(graph.objects(active, DCTERMS.description)) == []


def test_relationships_and_clashing_names(converted):
    graph = converted.graph
    utrecht = org_with(graph, "04pp8hn57")
    children = set(graph.subjects(ORG.subOrganizationOf, utrecht))
    assert org_with(graph, "058kzes98") in children  # University Museum Utrecht (child)
    assert (utrecht, DCTERMS.relation, org_with(graph, "0575yy874")) in graph  # UMC Utrecht (related)
    assert (utrecht, ORG.subOrganizationOf, utrecht) not in graph
    # two records called "Eurofins (Netherlands)": the later ROR id gets its id as suffix
    eurofins = {str(org_with(graph, r)) for r in ("00fgnre85", "01fx1d378")}
    assert eurofins == {f"{BASE}id/organisatie/eurofins-netherlands",
                        f"{BASE}id/organisatie/eurofins-netherlands-01fx1d378"}
    assert any("relationship(s) point to ROR records" in note.message for note in converted.warnings)


def test_converter_links_without_a_store_through_an_index_of_quads():
    import pyoxigraph as ox

    curated = Path(__file__).resolve().parent.parent / "data" / "organisations.ttl"
    quads = ox.parse(path=str(curated), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    index = Index.from_quads(BASE, quads)
    graph = convert_ror(RECORDS, BASE, index).graph
    assert org_with(graph, "0093src13") == URIRef(f"{BASE}id/organisatie/hogeschool-leiden")
    assert org_with(graph, "04zmc0e16") == URIRef(f"{BASE}id/organisatie/hogeschool-windesheim")
    windesheim = org_with(graph, "04zmc0e16")
    assert Literal("Windesheim", lang="nl") in set(graph.objects(windesheim, SKOS.altLabel))
    assert Literal("Windesheim", lang="nl") not in set(graph.objects(windesheim, SKOS.prefLabel))


def test_converter_is_deterministic():
    first = ror_records_to_graph(RECORDS, BASE)
    second = ror_records_to_graph(list(reversed(RECORDS)), BASE)
    assert sorted(first) == sorted(second)


def test_a_file_that_is_not_ror_json_is_refused(tmp_path, store):
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "an array"', encoding="utf-8")
    before = graph_quads(store, None)
    with pytest.raises(InputError, match="not a readable ROR JSON file"):
        run_import("ror", bad, store)
    odd = tmp_path / "odd.json"
    odd.write_text('[{"id": "https://ror.org/0abcdef12"}]', encoding="utf-8")
    with pytest.raises(InputError) as error:
        run_import("ror", odd, store)
    assert "record 1" in error.value.details[0]
    assert graph_quads(store, None) == before


# ---- into the real store ---------------------------------------------------------------------------

def test_whole_file_imports_validates_and_reimports_identically(imported, tmp_path):
    path, result, first = imported
    graph_iri = batch_graph_iri(BASE, "ror", ROR_FILE)
    assert re.fullmatch(rf"{BASE}graph/import/ror-ror-nl-[0-9a-f]{{8}}", graph_iri)
    assert result.graphs == [graph_iri] and not result.replaced
    assert result.triples > 10000 and len(first) == result.triples
    assert not [w for w in result.warnings if w.severity == "Violation"]
    store = copy_of(path, tmp_path / "store")
    try:
        rows = store.select(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ GRAPH <{graph_iri}> "
                            f"{{ ?o a <http://www.w3.org/ns/org#FormalOrganization> }} }}")
        assert int(rows[0]["n"].value) == 721
        size = len(store)
        again = run_import("ror", ROR_FILE, store, command="again")
        assert again.replaced
        assert graph_quads(store, graph_iri) == first
        assert len(store) == size
    finally:
        store.close()


def test_organisations_already_in_the_store_are_linked_not_duplicated(imported, tmp_path):
    store = copy_of(imported[0], tmp_path / "store")
    try:
        for ror_id, curated in (("0093src13", "hogeschool-leiden"), ("04zmc0e16", "hogeschool-windesheim"),
                                ("01yaj9a77", "zonmw")):
            rows = store.select(f'SELECT DISTINCT ?o WHERE {{ ?o <{LN}rorId> "{ror_id}" }}')
            assert [r["o"].value for r in rows] == [f"{BASE}id/organisatie/{curated}"]
        # the curated Dutch name stays the one prefLabel@nl; ROR's "Windesheim" becomes an altLabel
        rows = store.select(f"SELECT ?l WHERE {{ <{BASE}id/organisatie/hogeschool-windesheim> "
                            "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(lang(?l) = 'nl') }")
        assert {r["l"].value for r in rows} == {"Hogeschool Windesheim"}
        assert store.ask(f'ASK {{ <{BASE}id/organisatie/hogeschool-windesheim> '
                         '<http://www.w3.org/2004/02/skos/core#altLabel> "Windesheim"@nl }')
    finally:
        store.close()


def test_an_organisation_without_ror_id_is_linked_by_isni(store):
    from rdflib import Graph

    own = Graph()
    tresoar = URIRef(f"{BASE}id/organisatie/tresoar-leeuwarden")
    own.add((tresoar, RDF.type, ORG.FormalOrganization))
    own.add((tresoar, SKOS.prefLabel, Literal("Tresoar, Fries archief", lang="nl")))
    own.add((tresoar, ORG.classification, URIRef(f"{BASE}def/sector/overig")))
    isni = next(r for r in RECORDS if r["id"].endswith("01j369f98"))["external_ids"]["ISNI"]["all"][0]
    own.add((tresoar, URIRef(LN + "isni"), Literal(isni)))
    ingest_graph(store, own, graph_iri=f"{BASE}graph/test-tresoar", source="test", command="test")
    run_import("ror", ROR_FILE, store)
    rows = store.select(f'SELECT ?o WHERE {{ ?o <{LN}rorId> "01j369f98" }}')
    assert [r["o"].value for r in rows] == [str(tresoar)]
    labels = store.select(f"SELECT ?l WHERE {{ <{tresoar}> <http://www.w3.org/2004/02/skos/core#prefLabel> ?l "
                          "FILTER(lang(?l) = 'nl') }")
    assert [r["l"].value for r in labels] == ["Tresoar, Fries archief"]
