"""The DUO importer (hogescholen and universities with BRIN codes) on the real DUO file and store."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS

from graph.errors import InputError
from graph.importers import batch_graph_iri, run_import
from graph.importers.duo import convert_duo
from graph.importers.matching import Index
from graph.importers.naming import normalise_name, web_url
from graph.importers.places import municipality_name
from graph.importers.tables import read_csv
from graph.namespaces import SCHEMA

FIXTURES = Path(__file__).parent / "fixtures"
DUO_FILE = FIXTURES / "reference" / "duo-instellingen-hbo-wo.csv"
ROR_FILE = FIXTURES / "reference" / "ror-nl.json"
BASE = "https://data.leernet.nl/"
LN = f"{BASE}def/leernet#"


@pytest.fixture
def store(initialised_store):
    """A private copy of an initialised store (conftest.initialised_store)."""
    return initialised_store


def with_brin(graph, brin: str) -> URIRef:
    subjects = list(graph.subjects(URIRef(LN + "brin"), Literal(brin)))
    assert len(subjects) == 1, (brin, subjects)
    return subjects[0]


def test_every_row_becomes_an_organisation_with_brin_sector_website_and_place():
    result = convert_duo(read_csv(DUO_FILE), BASE, Index(BASE))
    graph = result.graph
    assert len(set(graph.subjects(URIRef(LN + "brin"), None))) == 54
    leiden = with_brin(graph, "21RI")
    assert leiden == URIRef(f"{BASE}id/organisatie/hogeschool-leiden")
    assert (leiden, RDF.type, ORG.FormalOrganization) in graph
    assert graph.value(leiden, SKOS.prefLabel) == Literal("Hogeschool Leiden", lang="nl")
    assert graph.value(leiden, ORG.classification) == URIRef(f"{BASE}def/sector/hbo")
    assert graph.value(leiden, DCTERMS.type) == URIRef(f"{BASE}def/organisatietype/onderwijs")
    assert graph.value(leiden, SCHEMA.url) == URIRef("https://www.hsleiden.nl/")
    place = graph.value(leiden, SCHEMA.location)
    assert place == URIRef(f"{BASE}id/regio/leiden")
    assert graph.value(place, SCHEMA.containedInPlace) == URIRef(f"{BASE}id/regio/zuid-holland")
    assert graph.value(with_brin(graph, "21PD"), ORG.classification) == URIRef(f"{BASE}def/sector/wo")
    # 's-Gravenhage is Den Haag; Utrecht the province is not Utrecht the city
    assert graph.value(with_brin(graph, "27UM"), SCHEMA.location) == URIRef(f"{BASE}id/regio/den-haag")
    utrecht = graph.value(with_brin(graph, "25DW"), SCHEMA.location)
    assert graph.value(utrecht, SCHEMA.containedInPlace) == URIRef(f"{BASE}id/regio/provincie-utrecht")
    # Hogeschool Thomas More has no website in the file, so none in the graph
    assert graph.value(with_brin(graph, "30VP"), SCHEMA.url) is None


def test_names_places_and_addresses_are_normalised():
    assert normalise_name("Stichting Hogeschool Viaa") == normalise_name("Hogeschool VIAA") == "hogeschool viaa"
    assert normalise_name("De Haagse Hogeschool") == normalise_name("Haagse hogeschool")
    assert normalise_name("Hogeschool Utrecht") != normalise_name("Universiteit Utrecht")
    assert normalise_name("Lifelines Databeheer B.V.") == normalise_name("Lifelines Databeheer BV")
    assert normalise_name("Université Radboud") == "universite radboud"
    assert municipality_name("S GRAVENHAGE") == "Den Haag"
    assert municipality_name("S HERTOGENBOSCH") == "'s-Hertogenbosch"
    assert municipality_name("ALPHEN AAN DEN RIJN") == "Alphen aan den Rijn"
    assert municipality_name("IJSSELSTEIN") == "IJsselstein"
    assert web_url("www.han.nl/") == "https://www.han.nl/"
    assert web_url("") is None and web_url("geen website") is None


def test_duo_links_to_the_curated_organisations_by_brin_and_to_ror_ones_by_name(store):
    run_import("ror", ROR_FILE, store)
    result = run_import("duo", DUO_FILE, store, command="leernet import duo")
    graph_iri = batch_graph_iri(BASE, "duo", DUO_FILE)
    assert result.graphs == [graph_iri]
    # by BRIN: the curated Hogeschool Leiden (data/organisations.ttl has 21RI)
    rows = store.select(f'SELECT DISTINCT ?o WHERE {{ ?o <{LN}brin> "21RI" }}')
    assert [r["o"].value for r in rows] == [f"{BASE}id/organisatie/hogeschool-leiden"]
    # by normalised name: DUO's "Stichting Hogeschool Viaa" is ROR's "Hogeschool Viaa"
    rows = store.select(f'SELECT DISTINCT ?o ?ror WHERE {{ ?o <{LN}brin> "22HH" . '
                        f'OPTIONAL {{ ?o <{LN}rorId> ?ror }} }}')
    viaa = [(r["o"].value, r.get("ror")) for r in rows]
    assert len(viaa) == 1 and viaa[0][1] is not None, viaa
    # every DUO row is one organisation, and no name in this batch became a second Dutch prefLabel
    rows = store.select(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?o <{LN}brin> ?b }} }}")
    assert int(rows[0]["n"].value) == 54
    assert not store.ask("ASK { ?o <http://www.w3.org/2004/02/skos/core#prefLabel> ?a, ?b "
                         "FILTER(?a != ?b && lang(?a) = 'nl' && lang(?b) = 'nl') }")


def test_reimport_is_idempotent(store):
    run_import("duo", DUO_FILE, store)
    graph_iri = batch_graph_iri(BASE, "duo", DUO_FILE)
    first = sorted(str(q) for q in store.quads(graph=graph_iri))
    assert run_import("duo", DUO_FILE, store).replaced
    assert sorted(str(q) for q in store.quads(graph=graph_iri)) == first


def test_a_file_that_is_not_duos_list_is_refused_and_nothing_is_written(store, tmp_path):
    other = tmp_path / "scholen.csv"
    other.write_text("NAAM;PLAATS\nDe Regenboog;Leiden\n", encoding="utf-8")
    before = sorted(str(q) for q in store.quads())
    with pytest.raises(InputError) as error:
        run_import("duo", other, store)
    assert "BRIN NUMMER" in error.value.message and "INSTELLINGSNAAM" in error.value.message
    broken = tmp_path / "duo-kapot.csv"
    lines = DUO_FILE.read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join([lines[0], lines[1].replace("31FR", "31-FR"), lines[2]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        run_import("duo", broken, store)
    assert error.value.details == ["duo-kapot.csv, row 2, column BRIN NUMMER: '31-FR' is not a BRIN code "
                                   "(two digits and two capital letters, e.g. 21RI)"]
    assert sorted(str(q) for q in store.quads()) == before
