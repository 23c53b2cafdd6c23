"""Tests of the SHACL shapes in shapes/: every rule catches its invalid fixture, the valid fixture passes.

Data graph = one fixture from tests/fixtures/shapes/ plus every ontology/*.ttl file; shapes graph =
shapes/*.ttl; pyshacl with inference "none". Each invalid fixture states in its header comment what
it must produce, one result per line:

    # expect: focus=<id/…> path=skos:prefLabel component=sh:…ConstraintComponent severity=sh:Violation shape=lnsh:…
    # detail: focus=<def/…> path=skos:inScheme component=sh:…ConstraintComponent shape=lnsh:…

"expect" lines are the complete set of top-level results (violations; for a warning fixture all
results); "detail" lines are results nested (sh:detail) under them, which is how shapes without
targets (lnsh:SectorConcept, lnsh:AnyOrganisation, …) report. path "-" means no result path;
"(a|b)" an alternative path; an optional constraint=lnsh:… names the SPARQL constraint.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from graph.namespaces import prefixes
from graph.settings import DEFAULT_BASE_IRI

BASE = DEFAULT_BASE_IRI
ROOT = Path(__file__).resolve().parent.parent
SHAPES_DIR = ROOT / "shapes"
ONTOLOGY_DIR = ROOT / "ontology"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
PREFIXES = {**prefixes(BASE), "lnsh": f"{BASE}def/leernet/shapes#"}
LNSH = PREFIXES["lnsh"]
TYPED_VALUES = {URIRef(PREFIXES["xsd"] + name) for name in ("date", "nonNegativeInteger")}

# Parameters that make a node shape check its focus node itself (not through sh:property).
NODE_LEVEL = {
    SH["class"]: "Class", SH.datatype: "Datatype", SH.nodeKind: "NodeKind", SH.pattern: "Pattern",
    SH["in"]: "In", SH.hasValue: "HasValue", SH["or"]: "Or", SH["and"]: "And", SH["not"]: "Not",
    SH.xone: "Xone", SH.node: "Node", SH.languageIn: "LanguageIn",
}


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _parse(paths) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle", publicID=BASE)
    return graph


@functools.cache
def shapes_graph() -> Graph:
    return _parse(sorted(SHAPES_DIR.glob("*.ttl")))


@functools.cache
def shapes_by_file() -> dict[str, Graph]:
    return {p.name: _parse([p]) for p in sorted(SHAPES_DIR.glob("*.ttl"))}


@functools.cache
def ontology_graph() -> Graph:
    files = sorted(ONTOLOGY_DIR.glob("*.ttl"))
    assert files, f"no ontology files in {ONTOLOGY_DIR}: the shapes must be tested against the real ontology"
    return _parse(files)


def data_graph(fixture: Path) -> Graph:
    graph = Graph()
    for triple in ontology_graph():
        graph.add(triple)
    graph.parse(fixture, format="turtle", publicID=BASE)
    return graph


def run(fixture: Path) -> Graph:
    """Validate one fixture (plus the ontology) against all shapes; return the report graph."""
    _, report, _ = validate(
        data_graph(fixture), shacl_graph=shapes_graph(), inference="none", allow_warnings=True
    )
    return report


# --------------------------------------------------------------------------------------------
# Writing results and expectations in one comparable form
# --------------------------------------------------------------------------------------------


def expand(term: str) -> URIRef:
    if term.startswith("<") and term.endswith(">"):
        return URIRef(BASE + term[1:-1]) if "://" not in term else URIRef(term[1:-1])
    prefix, local = term.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def path_text(graph: Graph, path) -> str:
    """A property path as text: prefixed names, (a|b) for alternatives, a/b for sequences, ^a inverse."""
    if path is None:
        return "-"
    if isinstance(path, URIRef):
        return _short(path)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, p) for p in Collection(graph, alternatives)) + ")"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + path_text(graph, inverse)
    if graph.value(path, RDF.first) is not None:
        return "/".join(path_text(graph, p) for p in Collection(graph, path))
    raise AssertionError(f"unsupported path form {path!r}")


def _short(iri: URIRef) -> str:
    text = str(iri)
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return f"<{text[len(BASE):]}>" if text.startswith(BASE) else f"<{text}>"


@dataclass(frozen=True)
class Result:
    focus: str
    path: str
    component: str
    severity: str | None
    shape: str
    constraint: str | None = None


def _result(report: Graph, node, with_severity: bool = True) -> Result:
    constraint = report.value(node, SH.sourceConstraint)
    return Result(
        focus=_short(report.value(node, SH.focusNode)),
        path=path_text(report, report.value(node, SH.resultPath)),
        component=_short(report.value(node, SH.sourceConstraintComponent)),
        severity=_short(report.value(node, SH.resultSeverity)) if with_severity else None,
        shape=_short(report.value(node, SH.sourceShape)),
        constraint=_short(constraint) if isinstance(constraint, URIRef) else None,
    )


def top_results(report: Graph) -> set[Result]:
    return {_result(report, r) for r in report.objects(None, SH.result)}


def detail_results(report: Graph) -> set[Result]:
    found, todo = set(), list(report.objects(None, SH.result))
    while todo:
        for detail in report.objects(todo.pop(), SH.detail):
            found.add(_result(report, detail, with_severity=False))
            todo.append(detail)
    return found


def _normalise(term: str) -> str:
    """Expectation terms as _short writes them (so <…> and prefixed names compare equal)."""
    if term == "-" or term.startswith("("):
        return term
    return _short(expand(term))


def expectations(fixture: Path) -> tuple[set[Result], set[Result]]:
    expected, details = set(), set()
    for line in fixture.read_text(encoding="utf-8").splitlines():
        match = re.match(r"#\s*(expect|detail):\s*(.*)$", line)
        if not match:
            continue
        fields = dict(item.split("=", 1) for item in match.group(2).split())
        result = Result(
            focus=_normalise(fields["focus"]),
            path=fields["path"],
            component=_normalise(fields["component"]),
            severity=_normalise(fields["severity"]) if match.group(1) == "expect" else None,
            shape=_normalise(fields["shape"]),
            constraint=_normalise(fields["constraint"]) if "constraint" in fields else None,
        )
        (expected if match.group(1) == "expect" else details).add(result)
    return expected, details


# --------------------------------------------------------------------------------------------
# The shapes themselves
# --------------------------------------------------------------------------------------------


def property_shapes(graph: Graph) -> set:
    return set(graph.subjects(SH.path, None)) | set(graph.subjects(RDF.type, SH.PropertyShape))


def node_shapes(graph: Graph) -> set:
    return set(graph.subjects(RDF.type, SH.NodeShape))


def node_level_checks(graph: Graph) -> set[tuple[str, str]]:
    """(node shape, component) for every constraint a named node shape applies to its focus node."""
    checks = set()
    for shape in node_shapes(graph):
        if not isinstance(shape, URIRef):
            continue
        for parameter, component in NODE_LEVEL.items():
            if graph.value(shape, parameter) is not None:
                checks.add((_short(shape), f"sh:{component}ConstraintComponent"))
    return checks


def sparql_constraints(graph: Graph) -> set:
    return set(graph.objects(None, SH.sparql))


def langs(graph: Graph, subject, predicate) -> set[str]:
    return {o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)}


def test_shapes_use_relative_iris_resolved_against_the_base():
    for path in SHAPES_DIR.glob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(@base|BASE)\b", text, re.MULTILINE), f"{path.name}: no @base allowed"
        assert "@prefix ln:      <def/leernet#> ." in text or "@prefix ln: <def/leernet#> ." in text
    graph = shapes_graph()
    assert (expand("lnsh:SectorConcept-inScheme"), SH.hasValue, URIRef(BASE + "def/sector")) in graph


def test_every_property_shape_is_named_with_dutch_and_english_name_and_message():
    graph = shapes_graph()
    shapes = property_shapes(graph)
    assert len(shapes) > 100
    for shape in shapes:
        assert isinstance(shape, URIRef), f"anonymous property shape on path {graph.value(shape, SH.path)}"
        assert str(shape).startswith(LNSH), shape
        for predicate in (SH.name, SH.message):
            assert {"nl", "en"} <= langs(graph, shape, predicate), f"{_short(shape)} lacks {predicate} @nl/@en"


def test_every_node_shape_has_labels_and_node_level_messages():
    graph = shapes_graph()
    for shape in node_shapes(graph):
        assert isinstance(shape, URIRef) and str(shape).startswith(LNSH), shape
        assert {"nl", "en"} <= langs(graph, shape, RDFS.label), f"{_short(shape)} lacks rdfs:label @nl/@en"
    for shape, _ in node_level_checks(graph):
        assert {"nl", "en"} <= langs(graph, expand(shape), SH.message), f"{shape} lacks sh:message @nl/@en"
    for constraint in sparql_constraints(graph):
        assert isinstance(constraint, URIRef)
        assert {"nl", "en"} <= langs(graph, constraint, SH.message), f"{_short(constraint)} lacks sh:message"


@pytest.mark.parametrize("file_name, severity", [("mandatory.ttl", SH.Violation), ("recommended.ttl", SH.Warning)])
def test_severity_matches_the_file(file_name, severity):
    graph = shapes_by_file()[file_name]
    shapes = property_shapes(graph) | node_shapes(graph)
    assert shapes
    for shape in shapes:
        assert set(graph.objects(shape, SH.severity)) == {severity}, f"{_short(shape)} in {file_name}"


def test_shape_names_are_not_shared_between_files():
    mandatory, recommended = shapes_by_file()["mandatory.ttl"], shapes_by_file()["recommended.ttl"]
    shared = (property_shapes(mandatory) | node_shapes(mandatory)) & (
        property_shapes(recommended) | node_shapes(recommended))
    assert not shared, sorted(_short(s) for s in shared)


def test_every_shape_has_an_invalid_fixture():
    graph = shapes_graph()
    covered_shapes, covered_checks, covered_constraints = set(), set(), set()
    for fixture in INVALID:
        expected, details = expectations(fixture)
        assert expected, f"{fixture.name} declares no '# expect:' line"
        for result in expected | details:
            covered_shapes.add(result.shape)
            covered_checks.add((result.shape, result.component))
            if result.constraint:
                covered_constraints.add(result.constraint)
    missing = sorted({_short(s) for s in property_shapes(graph)} - covered_shapes)
    assert not missing, f"property shapes without an invalid fixture: {missing}"
    missing_checks = sorted(node_level_checks(graph) - covered_checks)
    assert not missing_checks, f"node-level constraints without an invalid fixture: {missing_checks}"
    missing_sparql = sorted({_short(c) for c in sparql_constraints(graph)} - covered_constraints)
    assert not missing_sparql, f"SPARQL constraints without an invalid fixture: {missing_sparql}"


def test_fixture_expectations_name_existing_shapes():
    known = {_short(s) for s in property_shapes(shapes_graph()) | node_shapes(shapes_graph())}
    for fixture in INVALID:
        expected, details = expectations(fixture)
        for result in expected | details:
            assert result.shape in known, f"{fixture.name}: unknown shape {result.shape}"


@pytest.mark.parametrize("fixture", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_is_caught(fixture):
    expected, details = expectations(fixture)
    report = run(fixture)
    results = top_results(report)
    if any(r.severity == "sh:Violation" for r in expected):
        # Violation fixtures are minimal: no other violation, warnings about missing extras allowed.
        actual = {r for r in results if r.severity == "sh:Violation"}
    else:
        # Warning fixtures are complete except for the one missing recommendation.
        actual = results
    assert actual == expected, f"{fixture.name}\nmissing: {expected - actual}\nunexpected: {actual - expected}"
    missing_details = details - detail_results(report)
    assert not missing_details, f"{fixture.name}: nested results not reported: {missing_details}"


def test_valid_fixture_conforms_without_violations_or_warnings():
    fixture = FIXTURES / "valid.ttl"
    conforms, report, text = validate(
        data_graph(fixture), shacl_graph=shapes_graph(), inference="none", allow_warnings=False
    )
    assert conforms, text
    assert not list(report.objects(None, SH.result))


def test_valid_fixture_has_an_instance_of_every_targeted_class():
    data = data_graph(FIXTURES / "valid.ttl")
    targets = set(shapes_graph().objects(None, SH.targetClass))
    assert targets
    empty = sorted(_short(c) for c in targets if (None, RDF.type, c) not in data)
    assert not empty, f"classes the valid fixture never instantiates: {empty}"
    for prop in shapes_graph().objects(None, SH.targetSubjectsOf):
        assert (None, prop, None) in data, f"valid fixture never uses {_short(prop)}"


def test_source_documents_are_not_treated_as_products():
    """A source document (prov:Entity + schema:CreativeWork) gets no product warnings."""
    data = data_graph(FIXTURES / "valid.ttl")
    source = URIRef(BASE + "id/bron/brondocument-voorbeeld")
    assert (source, RDF.type, expand("schema:CreativeWork")) in data
    assert (source, expand("dcterms:description"), None) not in data
    _, report, _ = validate(data, shacl_graph=shapes_graph(), inference="none")
    assert not list(report.subjects(SH.focusNode, source))


def test_iri_patterns_hold_for_another_base():
    """Shapes loaded under another base still accept data loaded under that base."""
    other = "https://kennis.example.org/leernet/"
    shapes, data = Graph(), Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        shapes.parse(path, format="turtle", publicID=other)
    for path in [*sorted(ONTOLOGY_DIR.glob("*.ttl")), FIXTURES / "valid.ttl"]:
        data.parse(path, format="turtle", publicID=other)
    conforms, _, text = validate(data, shacl_graph=shapes, inference="none", allow_warnings=False)
    assert conforms, text


def test_blank_node_resources_are_refused():
    """No blank nodes in data: a blank-node organisation fails its IRI pattern."""
    data = data_graph(FIXTURES / "valid.ttl")
    organisation = BNode()
    data.add((organisation, RDF.type, expand("org:FormalOrganization")))
    data.add((organisation, expand("skos:prefLabel"), Literal("Anoniem", lang="nl")))
    data.add((organisation, expand("org:classification"), URIRef(BASE + "def/sector/hbo")))
    _, report, _ = validate(data, shacl_graph=shapes_graph(), inference="none", allow_warnings=True)
    patterns = [r for r in report.objects(None, SH.result)
                if report.value(r, SH.sourceConstraintComponent) == SH.PatternConstraintComponent]
    assert len(patterns) == 1
    assert isinstance(report.value(patterns[0], SH.focusNode), BNode)


def test_typed_literals_in_fixtures_are_well_formed():
    """Guard against fixtures that fail for an unintended reason (an ill-typed literal)."""
    for fixture in [FIXTURES / "valid.ttl", *INVALID]:
        graph = Graph().parse(fixture, format="turtle", publicID=BASE)
        for literal in graph.objects():
            if isinstance(literal, Literal) and literal.datatype in TYPED_VALUES:
                assert literal.value is not None and not isinstance(literal.value, str), (fixture.name, literal)
