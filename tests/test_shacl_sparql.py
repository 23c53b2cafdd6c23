"""The SPARQL SHACL engine (graph.shacl_sparql) gives pyshacl's results: whole result multisets of
(severity, focus node, path, value, constraint component, shape, message[, location]) are compared
on the shape fixtures, the curated data, a generated graph with invalid records, tricky literals
before and after storing, shapes without sh:message, and whole stores (in memory and on disk).

pyshacl is slow, so it runs once per data set: the shape fixtures are merged into one graph after
moving each fixture's own IRIs under ``{base}f{n}/`` (the shapes' IRI patterns are anchored at the
end only, so they hold as before), which keeps the fixtures from describing the same nodes.

One known difference is normalised before comparing: for a SPARQL-based constraint pyshacl drops the
language of the messages and reports a random one of them; the SPARQL engine reports the message in
the requested language (tested separately).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH

from conftest import BASE
from graph.errors import InputError
from graph.generate import generate
from graph.generate.invalid import ALL_KINDS
from graph.rdfio import from_rdflib
from graph.settings import load_settings
from graph.shacl_compile import UnsupportedShape, compile_shapes
from graph.store import EmbeddedStore
from graph.validation import INTEGER_RANGES, load_ontology, load_shapes, validate_graph, validate_store
from test_shapes import _short, expectations, shapes_graph

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
LN = Namespace(BASE + "def/leernet#")
TIME = Namespace("http://www.w3.org/2006/time#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # plain namespaces: pytest probes module attributes
SPARQL_MESSAGE = "(a message of the SPARQL constraint)"


def keys(report, shapes: Graph) -> Counter:
    """The results as a multiset; a SPARQL constraint's message only has to be one of its messages."""
    found = Counter()
    for r in report.results:
        message = r.message
        if r.constraint == str(SH.SPARQLConstraintComponent):
            constraints = shapes.objects(URIRef(r.shape), SH.sparql)
            allowed = {str(m) for c in constraints for m in shapes.objects(c, SH.message)}
            assert message in allowed, (r, allowed)
            message = SPARQL_MESSAGE
        found[(r.severity, r.focus_node, r.path, r.value, r.constraint, r.shape, message, r.location)] += 1
    return found


def assert_same(sparql, pyshacl, shapes: Graph) -> Counter:
    mine, reference = keys(sparql, shapes), keys(pyshacl, shapes)
    assert mine == reference, (f"only SPARQL: {list((mine - reference).elements())[:5]}\n"
                               f"only pyshacl: {list((reference - mine).elements())[:5]}")
    return mine


def both_graph(data: Graph, settings, **kwargs) -> Counter:
    sparql = validate_graph(data, settings, engine="sparql", **kwargs)
    pyshacl = validate_graph(data, settings, engine="pyshacl", **kwargs)
    return assert_same(sparql, pyshacl, load_shapes(settings))


def both_store(store, settings) -> Counter:
    sparql = validate_store(store, settings, engine="sparql")
    pyshacl = validate_store(store, settings, engine="pyshacl")
    return assert_same(sparql, pyshacl, load_shapes(settings))


@pytest.fixture(scope="module")
def shacl_settings():
    """In-memory settings with the real ontology, shapes and data (module-scoped: the caches stay warm)."""
    return load_settings(store_path=None, base_iri=BASE, lang="nl")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A synthetic graph of about 5,000 triples in which every kind of invalid record occurs."""
    path = tmp_path_factory.mktemp("generated") / "synthetisch.ttl"
    result = generate(path, 5000, seed=5, invalid_share=0.1)
    assert {record.kind for record in result.invalid} == set(ALL_KINDS)
    return Graph().parse(path, format="turtle", publicID=BASE), result.invalid


# --------------------------------------------------------------------------------------------------
# Agreement on data
# --------------------------------------------------------------------------------------------------


def moved(graph: Graph, tag: str, keep: set) -> Graph:
    """The graph with its own IRIs (not the ontology's, not classes or properties) under {BASE}{tag}/."""
    def move(term):
        if isinstance(term, URIRef) and term.startswith(BASE) and term not in keep:
            return URIRef(f"{BASE}{tag}/{term[len(BASE):]}")
        return term

    out = Graph()
    for s, p, o in graph:
        out.add((move(s), p, o if p == RDF.type else move(o)))
    return out


def test_shape_fixtures_agree_with_pyshacl(shacl_settings):
    ontology = load_ontology(shacl_settings)
    keep = {t for triple in ontology for t in triple if isinstance(t, URIRef)}
    fixtures = [*sorted((FIXTURES / "invalid").glob("*.ttl")), FIXTURES / "valid.ttl"]
    merged = Graph()
    for n, fixture in enumerate(fixtures):
        merged += moved(Graph().parse(fixture, format="turtle", publicID=BASE), f"f{n}", keep)
    results = both_graph(merged, shacl_settings)

    # Merging kept every fault: each fixture's expected results are there, under its own prefix.
    found = set()
    for severity, focus, _, _, component, shape, *_ in results:
        tag, _, rest = focus.removeprefix(BASE).partition("/")
        found.add((tag, _short(URIRef(BASE + rest)), _short(URIRef(component)), _short(URIRef(shape)), severity))
    # load_shapes widens an integer subtype datatype into "subtype or xsd:integer in range" (validation.py)
    widened = {_short(s) for s, d in shapes_graph().subject_objects(SH.datatype)
               if str(d).removeprefix(str(XSD)) in INTEGER_RANGES}
    for n, fixture in enumerate(fixtures[:-1]):
        expected, _ = expectations(fixture)
        for e in expected:
            if e.shape in widened and e.component == "sh:DatatypeConstraintComponent":
                continue  # e.g. count-plain-integer.ttl: "12"^^xsd:integer is accepted as the store keeps it
            assert (f"f{n}", e.focus, e.component, e.shape, e.severity.removeprefix("sh:")) in found, (fixture.name, e)
    assert not any(tag == f"f{len(fixtures) - 1}" for tag, *_ in found), "valid.ttl must give no results"


def test_curated_data_agrees_with_pyshacl(shacl_settings):
    data = Graph()
    for file in sorted(shacl_settings.data_dir.glob("*.ttl")):
        data.parse(file, format="turtle", publicID=BASE)
    results = both_graph(data, shacl_settings, lang="en")
    assert results and not any(severity == "Violation" for severity, *_ in results)


def test_generated_graph_with_invalid_records_agrees_with_pyshacl(shacl_settings, generated):
    data, invalid = generated
    results = both_graph(data, shacl_settings)
    violations = {(focus, path) for severity, focus, path, *_ in results if severity == "Violation"}
    for record in invalid:
        assert record.focus in {focus for focus, _ in violations}, record


def literal_edge_cases() -> Graph:
    """Literals whose well-formedness rdflib and oxigraph judge differently, or that oxigraph rewrites."""
    g = Graph()

    def lit(text, datatype=None, lang=None):
        return Literal(text, datatype=datatype, lang=lang, normalize=False)

    counts = [lit("5", XSD.nonNegativeInteger), lit("-5", XSD.nonNegativeInteger), lit(" 5", XSD.integer),
              lit("1_000", XSD.integer), lit("abc", XSD.integer), lit("-3", XSD.integer), lit("5", XSD.int),
              lit("07", XSD.integer), lit("7")]
    for n, value in enumerate(counts):
        node = URIRef(f"{BASE}id/deelname/rand-{n}")
        g.add((node, RDF.type, LN.ParticipantCount))
        g.add((node, LN["count"], value))
    dates = ["2020-02-30", "2020-01-01T10:00:00", "2020-1-1", "2020-01-01Z", "2020-01-01+02:00", "0000-01-01",
             "2020-01-01"]
    for n, text in enumerate(dates):
        node = URIRef(f"{BASE}id/datum/2020-01-{n + 10:02d}")
        g.add((node, RDF.type, TIME.Instant))
        g.add((node, TIME.inXSDDate, lit(text, XSD.date)))
        g.add((node, TIME.inXSDgYear, lit(["20x", "2020", "2020"][n % 3], [XSD.gYear, XSD.gYear, XSD.integer][n % 3])))
    for n, text in enumerate(["TRUE", "1", "yes", "false", " true"]):
        node = URIRef(f"{BASE}def/rol/rand-{n}")
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, LN.publishable, lit(text, XSD.boolean)))
    organisation = URIRef(f"{BASE}id/organisatie/rand")
    g.add((organisation, RDF.type, URIRef("http://www.w3.org/ns/org#FormalOrganization")))
    for label in (lit("A", lang="nl"), lit("B", lang="NL"), lit("C", lang="en-GB"), lit("D", lang="EN-gb")):
        g.add((organisation, SKOS.prefLabel, label))
    return g


def test_literal_edge_cases_agree_before_and_after_storing(shacl_settings):
    data = literal_edge_cases()
    before = both_graph(data, shacl_settings, inplace=False)
    assert '"-5"^^xsd:nonNegativeInteger' in {value for _, _, _, value, *_ in before}  # as given, not as stored
    with EmbeddedStore(shacl_settings) as store:
        for graph, triples in (("graph/ontology/o", load_ontology(shacl_settings)), ("graph/rand", data)):
            store.oxigraph.extend(ox.Quad(*map(from_rdflib, triple), ox.NamedNode(BASE + graph)) for triple in triples)
        after = both_store(store, shacl_settings)
    assert '"-5"^^xsd:integer' in {value for _, _, _, value, *_ in after}


def test_validate_store_on_disk_agrees_with_pyshacl(disk_store, generated):
    data, invalid = generated
    disk_store.replace_graphs({BASE + "graph/synthetisch": [tuple(map(from_rdflib, t)) for t in data]})
    disk_store.update(f"INSERT DATA {{ GRAPH <{BASE}graph/broken> {{ <{BASE}id/organisatie/kapot> a "
                      f"<http://www.w3.org/ns/org#FormalOrganization> ; <{SKOS.prefLabel}> 'Kapot'@nl }} }}")
    results = both_store(disk_store, disk_store.settings)
    locations = {focus: location for _, focus, *_, location in results}
    assert locations[BASE + "id/organisatie/kapot"] == f"graph <{BASE}graph/broken>"
    assert {record.focus for record in invalid} <= set(locations)


# --------------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------------


def test_sparql_constraint_message_is_in_the_requested_language(shacl_settings):
    data = Graph().parse(FIXTURES / "invalid" / "period-end-before-beginning.ttl", publicID=BASE)
    for lang, start in (("nl", "Zorg dat het einde"), ("en", "Make sure the period")):
        [result] = validate_graph(data, shacl_settings, engine="sparql", lang=lang).violations
        assert result.constraint == str(SH.SPARQLConstraintComponent) and result.message.startswith(start)


MESSAGELESS_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:pattern "/thing/" ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ; sh:pattern "^[A-Z]" ] ,
        [ sh:path ex:parent ; sh:class ex:Org ; sh:nodeKind sh:IRI ] ,
        [ sh:path ex:label ; sh:languageIn ( "nl" ) ; sh:uniqueLang true ] ,
        [ sh:path ex:kind ; sh:in ( ex:a ) ] ,
        [ sh:path ex:tag ; sh:hasValue ex:required ] ,
        [ sh:path ex:owner ; sh:node ex:OrgShape ] ,
        [ sh:path ex:size ; sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:string ] ) ] ,
        [ sh:path ex:alias ; sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ; sh:qualifiedMinCount 1 ] ,
        [ sh:path ex:start ; sh:lessThanOrEquals ex:end ] ,
        [ sh:path ex:low ; sh:lessThan ex:high ] ,
        [ sh:path ex:count ; sh:minInclusive 0 ; sh:maxExclusive 10 ] .
ex:OrgShape a sh:NodeShape ; sh:class ex:Org .
"""
MESSAGELESS_DATA = """
@prefix ex: <http://example.org/> . @prefix t: <http://example.org/thing/> .
t:one a ex:Thing ; ex:name "lower", "Second", 5 ; ex:parent t:org, t:nobody, "text" ; ex:label "a"@en, "b"@nl, "c"@nl ;
    ex:kind ex:b ; ex:tag ex:other ; ex:owner t:nobody ; ex:size 1.5 ; ex:alias "x"@nl ; ex:start 5 ; ex:end 3 ;
    ex:low "a" ; ex:high 2 ; ex:count 10, -1, 3 .
ex:elsewhere a ex:Thing .
t:org a ex:Sub .
"""


def test_default_messages_of_shapes_without_sh_message_match_pyshacl(tmp_path):
    resources = tmp_path / "resources"
    for part, text in (("shapes", MESSAGELESS_SHAPES),
                       ("ontology", "<http://example.org/Sub> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
                                    "<http://example.org/Org> .")):
        (resources / part).mkdir(parents=True)
        (resources / part / "x.ttl").write_text(text)
    settings = load_settings(store_path=None, base_iri=BASE, resources=resources)
    data = Graph().parse(data=MESSAGELESS_DATA, format="turtle")
    for inplace in (False, True):
        results = both_graph(data, settings, lang="en", inplace=inplace)
        components = {component.split("#")[1] for _, _, _, _, component, *_ in results}
        assert len(components) == 17, components
        assert not any(message == "(no message)" for *_, message, _ in results)


# --------------------------------------------------------------------------------------------------
# Engines, settings and what the compiler refuses
# --------------------------------------------------------------------------------------------------


def test_the_engine_comes_from_the_settings(monkeypatch, shacl_settings):
    monkeypatch.setenv("LEERNET_VALIDATOR", "pyshacl")
    assert load_settings(store_path=None).validator == "pyshacl"
    monkeypatch.delenv("LEERNET_VALIDATOR")
    assert load_settings(store_path=None).validator == "sparql"
    with pytest.raises(InputError, match="unknown validator"):
        validate_graph(Graph(), shacl_settings.with_(validator="jena"))


HEADER = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; """


@pytest.mark.parametrize("body, complaint", [
    ("sh:closed true .", "closed"),
    ("sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] ) .", "xone"),
    ("sh:property [ sh:path ex:p ; sh:equals ex:q ] .", "equals"),
    ("sh:property [ sh:path ex:p ; sh:datatype xsd:dateTime ] .", "dateTime"),
    ("sh:property [ sh:path ex:p ; sh:pattern \"(?<=a)b\" ] .", "pattern"),
    ("sh:property [ sh:path ex:p ; sh:node ex:S ] .", "recursive"),
    ("sh:target [ a sh:SPARQLTarget ; sh:select \"SELECT ?this {}\" ] .", "(?i)target"),
    ("sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:A ] ; sh:qualifiedMinCount 1 ; "
     "sh:qualifiedValueShapesDisjoint true ] .", "Disjoint"),
])
def test_unsupported_constructs_are_refused_when_compiling(body, complaint):
    shapes = Graph().parse(data=HEADER + body, format="turtle")
    with pytest.raises(UnsupportedShape, match=complaint) as raised:
        compile_shapes(shapes)
    assert isinstance(raised.value, InputError) and any("pyshacl" in d for d in raised.value.details)


def test_leernets_shapes_compile_to_queries_that_name_their_focus(shacl_settings):
    compiled = compile_shapes(load_shapes(shacl_settings))
    assert len(compiled) > 20
    for shape in compiled:
        assert shape.focus.startswith("{ SELECT DISTINCT ?this")
        for check in shape.checks + [c for p in shape.properties for c in p.checks]:
            assert "%FOCUS%" in check.query and re.search(r"SELECT (DISTINCT )?\?this|SELECT DISTINCT \*", check.query)
