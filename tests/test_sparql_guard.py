"""The SPARQL guard: size, nesting, SERVICE/LOAD/updates, OFFSET and form, checked before any parser runs."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from graph.errors import QueryRefused
from graph.settings import DEFAULT_BASE_IRI, load_settings
from graph.sparql_guard import REASONS, allowed, check_query, check_update

QUERIES = Path(__file__).parent / "queries"
SETTINGS = load_settings(store_path=None, base_iri=DEFAULT_BASE_IRI)
FEDERATED = SETTINGS.with_(federation_allow_list=("http://127.0.0.1:8890/sparql", "https://query.example.org/"))


def refused(text: str, settings=SETTINGS, check=check_query) -> QueryRefused:
    with pytest.raises(QueryRefused) as caught:
        check(text, settings)
    error = caught.value
    assert error.details, "every refusal says how to fix it"
    assert 400 <= error.http_status < 500
    return error


@pytest.mark.parametrize("text, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("select distinct ?s { ?s a ?t } limit 5", "SELECT"),
    ("PREFIX ex: <http://example.org/>\nBASE <http://example.org/>\nASK { ex:a ?p ?o }", "ASK"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("describe <http://example.org/a>", "DESCRIBE"),
    ("PREFIX:<http://example.org/>SELECT*{:a ?p ?o}", "SELECT"),
    ("# a comment first\nSELECT (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?s HAVING (COUNT(*) > 1)", "SELECT"),
])
def test_normal_queries_pass_and_their_form_is_detected(text, form):
    assert check_query(text, SETTINGS).form == form


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.stem)
def test_the_projects_competency_queries_pass(path):
    checked = check_query(path.read_text(encoding="utf-8"), SETTINGS)
    assert checked.form == "SELECT" and checked.services == ()


@pytest.mark.parametrize("text", [
    "SELECT * { ?s ?p 'SERVICE <http://127.0.0.1:8080/> { ?a ?b ?c }' }",
    'SELECT * { ?s ?p "{{{{ (((( [[[[ " }',
    "SELECT * { ?s ?p '''multi\nline SERVICE ?x { } LOAD <http://x/> ''' }",
    'SELECT * { ?s ?p """ends with a quote\\"""" }',
    "SELECT * { ?s ?p ?o } # SERVICE <http://127.0.0.1/> { {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{",
    "SELECT * { <http://example.org/SERVICE/LOAD?OFFSET=99999999> ?p ?o }",
    "SELECT ?service ?load ?offset { ?service ?load ?offset }",
    "PREFIX service: <http://example.org/s#> SELECT * { service:a service:b ?o }",
    "PREFIX ex: <http://example.org/> SELECT * { ex:SERVICE ex:offset 99999999 }",
    "SELECT * { ?s ?p 'x'@en FILTER(?o < 99999999 && ?o > 1) }",
    "SELECT * { ?s ?p ?o FILTER(CONTAINS(?o, 'OFFSET 99999999')) }",
    "SELECT * { ?s ?p ?o } OFFSET 100000",
    "SELECT * { ?s ?p \"" + "{" * 5000 + "\" }",
])
def test_keywords_and_brackets_in_strings_iris_comments_and_names_are_not_refused(text):
    checked = check_query(text, SETTINGS)
    assert checked.services == () and checked.offset in (None, 100000) and checked.depth <= 3


@pytest.mark.parametrize("text, iri", [
    ("SELECT * { SERVICE <http://127.0.0.1:8080/sparql> { ?s ?p ?o } }", "http://127.0.0.1:8080/sparql"),
    ("select * { service<http://127.0.0.1:8080/sparql>{ ?s ?p ?o } }", "http://127.0.0.1:8080/sparql"),
    ("SELECT * { SERVICE SILENT <http://127.0.0.1/> { } }", "http://127.0.0.1/"),
    ("PREFIX ex: <http://127.0.0.1:9/> SELECT * { SERVICE ex:foo { } }", "http://127.0.0.1:9/foo"),
    ("PREFIX ex: <http://127.0.0.1:9/> SELECT * { SERVICE SILENTex:foo{} }", "http://127.0.0.1:9/foo"),
    ("SELECT * { ?s ?p ?o SERVICESILENT<http://127.0.0.1:9/>{} }", "http://127.0.0.1:9/"),
    ("SELECT * { ?s ?p 1SERVICE<http://127.0.0.1:9/>{} }", "http://127.0.0.1:9/"),
    ("PREFIX x: <http://127.0.0.1:9/> SELECT * { ?s ?p true.SERVICEx:a{} }", "http://127.0.0.1:9/a"),
    ("SELECT * { SERVICE <http://127.0.0.1\\u003A9/> { } }", "http://127.0.0.1:9/"),
    ("BASE <http://127.0.0.1:9/> SELECT * { SERVICE <sparql> { } }", "http://127.0.0.1:9/sparql"),
    ("SELECT * { SERVICE <../../sparql> { } }", "https://data.leernet.nl/sparql"),
    ("SELECT * { { SELECT * { SERVICE <http://127.0.0.1/> { ?s ?p ?o } } } }", "http://127.0.0.1/"),
])
def test_service_is_refused_in_every_spelling(text, iri):
    error = refused(text)
    assert error.reason == "service-forbidden" and error.http_status == 403
    assert f"<{iri}>" in error.message and "LEERNET_FEDERATION_ALLOW_LIST" in error.details[0]


@pytest.mark.parametrize("text", [
    "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
    "SELECT * { SERVICE SILENT $endpoint { ?s ?p ?o } }",
])
def test_a_service_chosen_by_a_variable_is_refused_even_with_an_allow_list(text):
    for settings in (SETTINGS, FEDERATED):
        error = refused(text, settings)
        assert error.reason == "service-forbidden" and "variable" in error.message


def test_allow_listed_services_pass_the_guard():
    checked = check_query("PREFIX q: <https://query.example.org/> SELECT * { SERVICE <http://127.0.0.1:8890/sparql> "
                          "{ ?s ?p ?o } SERVICE q:wd { ?s ?p ?o } }", FEDERATED)
    assert checked.services == ("http://127.0.0.1:8890/sparql", "https://query.example.org/wd")
    assert refused("SELECT * { SERVICE <http://127.0.0.1:8891/sparql> { } }", FEDERATED).reason == "service-forbidden"


def test_allow_list_entries_match_exactly_or_below_a_slash():
    entries = ("https://query.example.org/", "http://127.0.0.1:8890/sparql")
    assert allowed("https://query.example.org/sparql", entries)
    assert allowed("http://127.0.0.1:8890/sparql", entries)
    assert not allowed("http://127.0.0.1:8890/sparql2", entries)
    assert not allowed("https://query.example.org.evil.example/", entries)
    assert not allowed("https://query.example.org@evil.example/", entries)


@pytest.mark.parametrize("opener, closer", [("{", "}"), ("(", ")"), ("[ ?p ", "]"), ("<< ?s ?p ", ">>"), ("!", "")])
def test_5000_nested_levels_are_refused_quickly_without_parsing(opener, closer):
    text = "SELECT * { ?s ?p ?o FILTER(" + opener * 5000 + "?o" + closer * 5000 + ") }"
    started = time.monotonic()
    error = refused(text)
    assert error.reason == "too-deep" and "64" in error.message and "line 1" in error.message
    assert time.monotonic() - started < 1


def test_nesting_up_to_the_limit_passes_and_pyoxigraph_parses_it_in_process():
    text = "SELECT * " + "{" * 64 + " ?s ?p ?o " + "}" * 64
    assert check_query(text, SETTINGS).depth == 64
    assert list(ox.Store().query(text)) == []
    assert refused("SELECT * " + "{" * 65 + "}" * 65).reason == "too-deep"


def test_size_is_counted_in_bytes():
    filler = "# " + "x" * (SETTINGS.max_query_bytes - 40) + "\n"
    assert check_query(filler + "ASK {}", SETTINGS).size <= SETTINGS.max_query_bytes
    error = refused("# " + "é" * (SETTINGS.max_query_bytes // 2) + "\nASK {}")  # é is two bytes
    assert error.reason == "too-large" and error.http_status == 413 and "100,000" in error.message


@pytest.mark.parametrize("text, reason", [
    ("LOAD <http://127.0.0.1:8080/data.ttl>", "load-forbidden"),
    ("load<http://127.0.0.1:8080/data.ttl> INTO GRAPH <http://g/>", "load-forbidden"),
    ("PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:b ex:c }", "update-forbidden"),
    ("DELETE WHERE { ?s ?p ?o }", "update-forbidden"),
    ("DROP ALL", "update-forbidden"),
    ("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "update-forbidden"),
    ("", "syntax"),
    ("PREFIX ex: <http://example.org/>", "syntax"),
    ("hello world", "syntax"),
    ("SELECT * { ?s ?p 'no end }", "syntax"),
])
def test_updates_load_and_non_queries_are_refused_on_the_query_endpoint(text, reason):
    assert refused(text).reason == reason


@pytest.mark.parametrize("text, value", [
    ("SELECT * { ?s ?p ?o } OFFSET 100001", 100001),
    ("SELECT * { ?s ?p ?o } offset 99999999999999999999999999", 99999999999999999999999999),
    ("SELECT * { ?s ?p ?o } LIMIT 10OFFSET 5000000", 5000000),
    ("SELECT * { { SELECT * { ?s ?p ?o } OFFSET 200000 } }", 200000),
])
def test_huge_offsets_are_refused(text, value):
    error = refused(text)
    assert error.reason == "offset-too-large" and str(value) in error.message


def test_offset_within_the_limit_is_reported():
    assert check_query("SELECT * { { SELECT * { ?s ?p ?o } OFFSET 7 } } OFFSET 30", SETTINGS).offset == 30


def test_from_and_from_named_are_resolved():
    checked = check_query("PREFIX g: <http://example.org/graph/> SELECT * FROM <http://example.org/a> "
                          "FROM NAMED g:b FROM <graph/c> from named<http://x/\\u0064> { ?s ?p ?o }", SETTINGS)
    assert checked.from_graphs == ("http://example.org/a", DEFAULT_BASE_IRI + "graph/c")
    assert checked.from_named_graphs == ("http://example.org/graph/b", "http://x/d")
    construct = check_query("BASE <http://b.example/> CONSTRUCT { ?s ?p ?o } FROM <g> WHERE { ?s ?p ?o }", SETTINGS)
    assert construct.from_graphs == ("http://b.example/g",)


def test_update_endpoint_refuses_load_and_service_outside_the_allow_list():
    assert refused("LOAD <http://127.0.0.1:8080/x.ttl>", check=check_update).reason == "load-forbidden"
    hidden = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?o<<http://x/>) } ;\nLOAD <http://127.0.0.1:9/>"
    assert refused(hidden, check=check_update).reason == "load-forbidden"
    assert refused("PREFIX e: <http://127.0.0.1:9/> CLEAR ALL;LOAD e:x", check=check_update).reason == "load-forbidden"
    service = "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    assert refused(service, check=check_update).reason == "service-forbidden"
    assert refused("SELECT * {}", check=check_update).reason == "syntax"


def test_update_endpoint_allows_allow_listed_loads_and_plain_updates():
    checked = check_update("LOAD SILENT <https://query.example.org/data.ttl> INTO GRAPH <http://g/> ;\n"
                           "INSERT DATA { <http://a/> <http://b/> 'LOAD <http://127.0.0.1/>' }", FEDERATED)
    assert checked.loads == ("https://query.example.org/data.ttl",)
    assert check_update("DELETE WHERE { ?s ?p ?o }", SETTINGS).loads == ()


def test_every_reason_is_a_client_error():
    assert {"too-large", "too-deep", "service-forbidden", "load-forbidden", "offset-too-large", "timeout",
            "busy", "syntax", "graph-not-public", "too-complex"} <= set(REASONS)
    assert all(400 <= status < 500 for status in REASONS.values())


_TEXT = st.text(alphabet=st.sampled_from(list("{}()[]<>!?$#:;.'\\ \nabSERVICELOADOFFSET0123456789\"")), max_size=200)


@hypothesis_settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_arbitrary_text_is_refused_cleanly_or_passed(text):
    try:
        check_query(text, SETTINGS)
    except QueryRefused as error:
        assert error.reason in REASONS and error.message


@hypothesis_settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_anything_inside_a_string_or_comment_is_never_refused(text):
    literal = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    comment = text.replace("\n", " ")
    checked = check_query(f'SELECT * {{ ?s ?p "{literal}" }} # {comment}', SETTINGS)
    assert checked.services == () and checked.depth == 1
