"""SHACL validation: results, messages per language, locations, caching, whole-store validation."""

from __future__ import annotations

import json
import shutil

from rdflib import Graph

from conftest import BASE, MINI_RESOURCES
from graph.validation import (ValidationReport, ValidationResult, load_ontology, load_shapes, validate_graph,
                              validate_store)

PREFIXES = """@prefix ln: <def/leernet#> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""


def data(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle", publicID=BASE)


def test_conforming_data_has_no_results(mini_settings):
    report = validate_graph(data("""<id/organisatie/x> a org:FormalOrganization ; skos:prefLabel "X"@nl ;
        org:classification <def/sector/hbo> ."""), mini_settings)
    assert report.conforms and report.results == []


def test_violation_names_node_path_value_message_and_shape(mini_settings):
    report = validate_graph(data("""<id/organisatie/x> a org:FormalOrganization ; skos:prefLabel "X"@nl ;
        org:classification <def/sector/hbo> ; ln:rorId "https://ror.org/0abcdef12" ."""), mini_settings)
    assert not report.conforms
    [result] = report.violations
    assert result.focus_node == BASE + "id/organisatie/x"
    assert result.path == BASE + "def/leernet#rorId"
    assert result.value == '"https://ror.org/0abcdef12"'
    assert result.message == "Schrijf ln:rorId zonder https://ror.org/."
    assert result.constraint.endswith("#PatternConstraintComponent")
    assert result.shape.startswith(BASE + "def/leernet/shapes-test#Identified")


def test_message_language_and_fallback(mini_settings):
    graph = data("""<id/organisatie/x> a org:FormalOrganization ; org:classification <def/sector/hbo> .
        <id/lidmaatschap/m> a org:Membership .""")
    dutch = {r.path: r.message for r in validate_graph(graph, mini_settings, lang="nl").violations}
    english = {r.path: r.message for r in validate_graph(graph, mini_settings, lang="en").violations}
    label = "http://www.w3.org/2004/02/skos/core#prefLabel"
    member = "http://www.w3.org/ns/org#member"
    assert dutch[label] == "Geef een naam met skos:prefLabel."
    assert english[label] == "Give a name with skos:prefLabel."
    assert dutch[member] == english[member]  # only English given: the Dutch report falls back to it
    assert english[member].startswith("Give exactly one org:member")


def test_warnings_do_not_break_conformance(mini_settings):
    report = validate_graph(data("""<id/netwerk/n> a ln:LearningNetwork ; skos:prefLabel "N"@nl ;
        org:classification <def/netwerktype/leernetwerk> ."""), mini_settings)
    assert report.conforms
    assert [w.severity for w in report.warnings] == ["Warning"]
    assert report.warnings[0].message == "Beschrijf het netwerk."


def test_class_constraints_see_the_ontology(mini_settings):
    """org:classification must be a skos:Concept; the concept's type is only in the ontology."""
    ok = validate_graph(data("""<id/organisatie/x> a org:FormalOrganization ; skos:prefLabel "X"@nl ;
        org:classification <def/sector/hbo> ."""), mini_settings)
    wrong = validate_graph(data("""<id/organisatie/x> a org:FormalOrganization ; skos:prefLabel "X"@nl ;
        org:classification <def/sector/bestaat-niet> ."""), mini_settings)
    assert ok.conforms and not wrong.conforms
    assert wrong.violations[0].constraint.endswith("#ClassConstraintComponent")


def test_integer_subtypes_also_accept_the_stored_xsd_integer_in_range(mini_settings):
    def count(literal):
        return validate_graph(data(f"<id/deelname/d> a ln:ParticipantCount ; ln:count {literal} ."), mini_settings)

    assert count('"5"^^xsd:nonNegativeInteger').conforms
    assert count('"5"^^xsd:integer').conforms
    assert count('"0"^^xsd:integer').conforms
    assert not count('"-1"^^xsd:integer').conforms
    assert not count('"5"^^xsd:string').conforms
    assert not count('"-5"^^xsd:nonNegativeInteger').conforms


def test_locations_come_from_locate_and_order_the_report(mini_settings):
    lines = {BASE + "id/organisatie/a": "f.ttl, line 12", BASE + "id/organisatie/b": "f.ttl, line 3"}
    report = validate_graph(data("""<id/organisatie/a> a org:FormalOrganization .
        <id/organisatie/b> a org:FormalOrganization ."""), mini_settings, locate=lines.get)
    assert [r.location for r in report.violations][:1] == ["f.ttl, line 3"]
    assert {r.location for r in report.violations} == {"f.ttl, line 3", "f.ttl, line 12"}


def test_format_and_to_dict(mini_settings):
    report = validate_graph(data("""<id/organisatie/x> a org:FormalOrganization ; skos:prefLabel "X"@nl ;
        org:classification <def/sector/hbo> ; ln:rorId "12345" ."""), mini_settings, lang="en",
        locate=lambda iri: "x.ttl, line 7")
    text = report.format("en")
    assert text.splitlines()[0] == "1 violation(s), 0 warning(s)"
    assert "x.ttl, line 7: Violation on <https://data.leernet.nl/id/organisatie/x>" in text
    assert "path     ln:rorId" in text and 'value    "12345"' in text
    assert "Write ln:rorId without https://ror.org/." in text
    dutch = report.format("nl")
    assert dutch.startswith("1 overtreding(en)") and "Overtreding bij" in dutch
    as_json = json.loads(json.dumps(report.to_dict()))
    assert as_json["conforms"] is False and as_json["violations"] == 1
    assert as_json["results"][0]["location"] == "x.ttl, line 7"


def test_report_summary_when_everything_conforms():
    assert ValidationReport([]).summary("en") == "conforms to the shapes"
    warning = ValidationResult("Warning", "x", None, None, "c", "s", "m")
    assert ValidationReport([warning]).conforms


def test_shapes_and_ontology_are_cached_until_a_file_changes(tmp_path, mini_settings):
    resources = tmp_path / "resources"
    shutil.copytree(MINI_RESOURCES, resources)
    settings = mini_settings.with_(resources=resources)
    first = load_shapes(settings)
    assert load_shapes(settings) is first
    assert len(load_ontology(settings)) > 0
    shape_file = resources / "shapes" / "mini.ttl"
    shape_file.write_text(shape_file.read_text().replace("Geef een naam met skos:prefLabel.", "Naam ontbreekt."))
    import os

    os.utime(shape_file, ns=(1, 1))
    report = validate_graph(data("<id/organisatie/x> a org:FormalOrganization ; org:classification <def/sector/hbo> ."),
                            settings)
    assert report.violations[0].message == "Naam ontbreekt."


def test_validate_store_names_the_graph_and_skips_shapes(mini_store):
    assert validate_store(mini_store, mini_store.settings).conforms
    mini_store.update(f"INSERT DATA {{ GRAPH <{BASE}graph/broken> {{ <{BASE}id/organisatie/y> a "
                      "<http://www.w3.org/ns/org#FormalOrganization> } }")
    report = validate_store(mini_store, mini_store.settings, lang="en")
    assert {r.focus_node for r in report.violations} == {BASE + "id/organisatie/y"}
    assert {r.location for r in report.violations} == {f"graph <{BASE}graph/broken>"}


def test_real_curated_store_conforms(memory_store):
    report = validate_store(memory_store, memory_store.settings)
    assert report.conforms, report.format("en", limit=5)


def test_a_concept_from_the_wrong_scheme_is_one_result_on_the_organisation(memory_store):
    """pyshacl nests why an sh:node failed under sh:detail; the report lists only the top-level result."""
    report = validate_graph(data("""<id/organisatie/x> a org:FormalOrganization ; skos:prefLabel "X"@nl ;
        org:classification <def/netwerktype/leernetwerk> ."""), memory_store.settings)
    focus_nodes = {r.focus_node for r in report.violations}
    assert focus_nodes == {BASE + "id/organisatie/x"}
    assert any(r.path == "http://www.w3.org/ns/org#classification" for r in report.violations)
