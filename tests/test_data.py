"""Checks on the curated graph in data/: SHACL conformance, vocabulary use, provenance, privacy,
no blank nodes, referential integrity, and competency queries with hand-written answers.

Every check is a function returning a list of problems; it runs on the real files (no problems
expected) and on a small counter-example (the offending resource must be reported), so that each
check is shown to be able to fail.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH

from graph.settings import DEFAULT_BASE_IRI

BASE = DEFAULT_BASE_IRI
ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = sorted((ROOT / "data").glob("*.ttl"))
ONTOLOGY_FILES = sorted((ROOT / "ontology").glob("*.ttl"))
SHAPES_FILES = sorted((ROOT / "shapes").glob("*.ttl"))
QUERY_DIR = Path(__file__).resolve().parent / "queries"
QUERIES = sorted(QUERY_DIR.glob("*.rq"))

LN = f"{BASE}def/leernet#"
DEF = f"{BASE}def/"
ID = f"{BASE}id/"
PROV_ENTITY = URIRef("http://www.w3.org/ns/prov#Entity")
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
SCHEMA_PERSON = URIRef("https://schema.org/Person")
SCHEMA_CREATIVE_WORK = URIRef("https://schema.org/CreativeWork")
DCAT_DATASET = URIRef("http://www.w3.org/ns/dcat#Dataset")
DCTERMS_IDENTIFIER = URIRef("http://purl.org/dc/terms/identifier")
ORG_MEMBER = URIRef("http://www.w3.org/ns/org#member")
ORG_ROLE = URIRef("http://www.w3.org/ns/org#role")
LN_PUBLIC_ROLE = URIRef(f"{LN}publicRole")
LN_PUBLISHABLE = URIRef(f"{LN}publishable")
LN_ROR = URIRef(f"{LN}rorId")
LN_WIKIDATA = URIRef(f"{LN}wikidataId")
SCHEMA_SAME_AS = URIRef("https://schema.org/sameAs")

# The terms of reused vocabularies that the contract (docs/model.md) uses in data. Anything else
# from these namespaces in data/ is either a mistake or a deviation that must be agreed first.
REUSED = {
    "http://www.w3.org/ns/org#": "FormalOrganization OrganizationalCollaboration OrganizationalUnit Organization "
    "Membership classification unitOf subOrganizationOf headOf member organization role memberDuring",
    "https://schema.org/": "FundingAgency FundingScheme ResearchProject Person Event EventSeries CreativeWork Report "
    "PodcastSeries WebSite DigitalDocument HowTo Place name url sameAs location areaServed containedInPlace funder "
    "parentOrganization foundingDate dissolutionDate affiliation jobTitle startDate organizer superEvent creator "
    "author datePublished about member",
    "http://www.w3.org/2004/02/skos/core#": "prefLabel altLabel",
    "http://www.w3.org/ns/prov#": "Entity wasDerivedFrom",
    "http://www.w3.org/2006/time#": "Interval Instant hasBeginning hasEnd inXSDDate inXSDgYearMonth inXSDgYear",
    "http://purl.org/dc/terms/": "title description identifier type subject issued language license",
    "http://www.w3.org/ns/dcat#": "Dataset",
    "http://rdfs.org/ns/void#": "",
    "http://xmlns.com/foaf/0.1/": "",
    "http://www.w3.org/ns/regorg#": "",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "type",
    "http://www.w3.org/2000/01/rdf-schema#": "comment label",
}
ALLOWED = {ns + term for ns, terms in REUSED.items() for term in terms.split()}
ENTITY_TYPES = ("organisatie lectoraat netwerk programma project persoon bijeenkomst product lidmaatschap "
                "deelname periode datum regio bron").split()
ENTITY_IRI = re.compile(
    rf"^{re.escape(ID)}(({'|'.join(ENTITY_TYPES)})/[a-z0-9]+(-[a-z0-9]+)*"
    r"|periode/\d{4}-\d{2}-\d{2}--(\d{4}-\d{2}-\d{2}|open))$"
)
PERSON_IRI = re.compile(rf"^{re.escape(ID)}persoon/p-[0-9a-f]{{10}}$")
SEED_FILE = re.compile(r"^(\d{3})_[0-9a-f]{16}\.txt$")


def parse(paths) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle", publicID=BASE)
    return graph


def parse_text(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle", publicID=BASE)


@pytest.fixture(scope="module")
def data() -> Graph:
    return parse(DATA_FILES)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return parse(ONTOLOGY_FILES)


PREFIXES = """
@prefix ln: <def/leernet#> . @prefix org: <http://www.w3.org/ns/org#> . @prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""

# ---------------------------------------------------------------------------------------------
# (a) SHACL conformance
# ---------------------------------------------------------------------------------------------


def shacl_violations(data_graph: Graph, ontology_graph: Graph) -> tuple[list[str], str]:
    """The focus nodes of all sh:Violation results of data + ontology against shapes/, and the report text."""
    conforms, report, text = pyshacl.validate(
        data_graph + ontology_graph, shacl_graph=parse(SHAPES_FILES), inference="none", allow_warnings=True
    )
    violations = [
        str(report.value(result, SH.focusNode))
        for result in report.subjects(RDF.type, SH.ValidationResult)
        if report.value(result, SH.resultSeverity) == SH.Violation
    ]
    return violations, text


def test_shapes_and_data_files_exist():
    assert SHAPES_FILES, "shapes/*.ttl is empty"
    assert len(DATA_FILES) >= 5, [p.name for p in DATA_FILES]


def test_data_conforms_to_shapes(data, ontology):
    violations, text = shacl_violations(data, ontology)
    assert not violations, text


def test_shacl_check_reports_a_bad_network(ontology):
    bad = parse_text(PREFIXES + "<id/netwerk/zonder-type> a ln:LearningNetwork ; skos:prefLabel \"X\"@nl .")
    violations, _ = shacl_violations(bad, ontology)
    assert f"{BASE}id/netwerk/zonder-type" in violations


# ---------------------------------------------------------------------------------------------
# (b) only defined terms
# ---------------------------------------------------------------------------------------------


def undefined_terms(data_graph: Graph, ontology_graph: Graph) -> list[str]:
    """Predicates, classes and own-namespace IRIs in the data that neither the ontology nor the
    allow-list of reused terms defines."""
    defined = {str(s) for s in ontology_graph.subjects(RDF.type, None) if isinstance(s, URIRef)}
    problems = set()
    used = set()
    for s, p, o in data_graph:
        used.add(str(p))
        if p == RDF.type and isinstance(o, URIRef):
            used.add(str(o))
        for term in (s, o):
            if isinstance(term, URIRef) and str(term).startswith(DEF):
                used.add(str(term))
    for term in used:
        if term.startswith(DEF):
            if term not in defined:
                problems.add(f"{term} is not defined in ontology/")
        elif term not in ALLOWED:
            problems.add(f"{term} is not an allowed reused term (see REUSED in tests/test_data.py)")
    return sorted(problems)


def test_data_uses_only_defined_terms(data, ontology):
    assert undefined_terms(data, ontology) == []


def test_undefined_term_check_reports_strangers(ontology):
    bad = parse_text(PREFIXES + """
        <id/netwerk/x> a ln:LearningNetwork ; ln:madeUp 1 ; schema:alternateName "X" ;
            org:classification <def/netwerktype/bestaat-niet> .""")
    problems = "\n".join(undefined_terms(bad, ontology))
    for term in ("def/leernet#madeUp", "schema.org/alternateName", "def/netwerktype/bestaat-niet"):
        assert term in problems


# ---------------------------------------------------------------------------------------------
# (c) provenance: every file describes its graph, derived from a source in sources.ttl
# ---------------------------------------------------------------------------------------------


def provenance_problems(files: dict[str, Graph], sources: Graph) -> list[str]:
    """Files whose graph description is missing or points to an undescribed source."""
    known = {s for s in sources.subjects(RDF.type, PROV_ENTITY)
             if (s, RDF.type, SCHEMA_CREATIVE_WORK) in sources or (s, RDF.type, DCAT_DATASET) in sources}
    problems = []
    for stem, graph in files.items():
        me = URIRef(f"{BASE}graph/{stem}")
        derived = set(graph.objects(me, PROV_DERIVED))
        if (me, RDF.type, PROV_ENTITY) not in graph or not derived:
            problems.append(f"{stem}: missing <graph/{stem}> a prov:Entity ; prov:wasDerivedFrom <id/bron/…>")
        problems += [f"{stem}: source {s} is not described in data/sources.ttl" for s in sorted(derived - known)]
    return problems


def test_every_file_describes_its_graph_and_source():
    files = {path.stem: parse([path]) for path in DATA_FILES}
    assert provenance_problems(files, files["sources"]) == []


def test_provenance_check_reports_missing_and_unknown_sources():
    sources = parse([ROOT / "data" / "sources.ttl"])
    files = {
        "silent": parse_text(PREFIXES + "<id/regio/x> a schema:Place ."),
        "dubious": parse_text(PREFIXES + "<graph/dubious> a prov:Entity ; prov:wasDerivedFrom <id/bron/geruchten> ."),
    }
    problems = "\n".join(provenance_problems(files, sources))
    assert "silent: missing" in problems and "id/bron/geruchten" in problems


def test_every_seed_file_is_a_source(data):
    seeds = {SEED_FILE.match(str(o)).group(1) for o in data.objects(None, DCTERMS_IDENTIFIER) if SEED_FILE.match(str(o))}
    assert seeds == {"000", "001", "002", "003", "004"}


# ---------------------------------------------------------------------------------------------
# (d) persons: opaque IRIs, a publishable public role, publishable membership roles
# ---------------------------------------------------------------------------------------------


def person_problems(data_graph: Graph, ontology_graph: Graph) -> list[str]:
    """Persons with a readable IRI or without a publishable public role, and memberships of persons
    in a role that may not be published."""
    publishable = {s for s, o in ontology_graph.subject_objects(LN_PUBLISHABLE) if o.toPython() is True}
    persons = set(data_graph.subjects(RDF.type, SCHEMA_PERSON))
    problems = [f"{p}: person IRI is not id/persoon/p-<10 hex>" for p in persons if not PERSON_IRI.match(str(p))]
    for person in persons:
        roles = set(data_graph.objects(person, LN_PUBLIC_ROLE))
        if not roles or not roles <= publishable:
            problems.append(f"{person}: needs ln:publicRole with only publishable roles, has {sorted(roles)}")
    for membership, member in data_graph.subject_objects(ORG_MEMBER):
        if member in persons and not set(data_graph.objects(membership, ORG_ROLE)) <= publishable:
            problems.append(f"{membership}: a person in a role that may not be published")
    return sorted(problems)


def test_persons_are_opaque_and_public(data, ontology):
    assert person_problems(data, ontology) == []
    assert len(set(data.subjects(RDF.type, SCHEMA_PERSON))) == 3


def test_person_check_reports_readable_iri_and_private_role(ontology):
    bad = parse_text(PREFIXES + """
        <id/persoon/jan-jansen> a schema:Person ; schema:name "Jan" ; ln:publicRole <def/rol/onderzoeker> .
        <id/persoon/p-0123456789> a schema:Person ; schema:name "Student" ; ln:publicRole <def/rol/student> .
        <id/lidmaatschap/x> a org:Membership ; org:member <id/persoon/p-0123456789> ; org:role <def/rol/jongere> .""")
    problems = "\n".join(person_problems(bad, ontology))
    assert "jan-jansen: person IRI" in problems
    assert "p-0123456789: needs ln:publicRole" in problems
    assert "lidmaatschap/x: a person" in problems


# ---------------------------------------------------------------------------------------------
# (e) no blank nodes; identifiers and links consistent; every id/ IRI well-formed and described
# ---------------------------------------------------------------------------------------------


def blank_nodes(graph: Graph) -> list[str]:
    return sorted({f"{s} {p} {o}" for s, p, o in graph if isinstance(s, BNode) or isinstance(o, BNode)})


def test_no_blank_nodes():
    for path in DATA_FILES:
        assert blank_nodes(parse([path])) == [], path.name


def test_blank_node_check_reports_them():
    assert blank_nodes(parse_text(PREFIXES + '<id/regio/x> schema:containedInPlace [ schema:name "y" ] .'))


def integrity_problems(graph: Graph) -> list[str]:
    """id/ IRIs that are malformed or used without being described (no rdf:type anywhere in data/)."""
    typed = set(graph.subjects(RDF.type, None))
    problems = set()
    for s, p, o in graph:
        for term in (s, o):
            if isinstance(term, URIRef) and str(term).startswith(ID):
                if not ENTITY_IRI.match(str(term)):
                    problems.add(f"{term}: not of the form id/{{type}}/{{slug}}")
                if term not in typed:
                    problems.add(f"{term}: used but never described (no rdf:type)")
    return sorted(problems)


def test_every_entity_is_well_formed_and_described(data):
    assert integrity_problems(data) == []


def test_integrity_check_reports_dangling_and_malformed_iris():
    bad = parse_text(PREFIXES + "<id/netwerk/a> schema:areaServed <id/regio/nergens> . <id/netwerk/a> a <x> . "
                     "<id/Vreemd/B_c> a schema:Place .")
    problems = "\n".join(integrity_problems(bad))
    assert "id/regio/nergens: used but never described" in problems
    assert "id/Vreemd/B_c: not of the form" in problems


def identifier_problems(graph: Graph) -> list[str]:
    """Organisations whose ROR/Wikidata literal and schema:sameAs IRI disagree."""
    problems = []
    for prop, prefix in ((LN_ROR, "https://ror.org/"), (LN_WIKIDATA, "http://www.wikidata.org/entity/")):
        for org, value in graph.subject_objects(prop):
            if (org, SCHEMA_SAME_AS, URIRef(prefix + str(value))) not in graph:
                problems.append(f"{org}: {value} has no schema:sameAs <{prefix}{value}>")
    return problems


def test_identifiers_match_same_as_links(data):
    assert identifier_problems(data) == []
    assert len(set(data.objects(None, LN_ROR))) == 8


def test_identifier_check_reports_mismatch():
    bad = parse_text(PREFIXES + '<id/organisatie/x> ln:rorId "0093src13" ; schema:sameAs <https://ror.org/021zvq422> .')
    assert identifier_problems(bad)


# ---------------------------------------------------------------------------------------------
# Competency queries (tests/queries/*.rq with hand-written *.csv answers)
# ---------------------------------------------------------------------------------------------


def load_store(paths) -> ox.Store:
    """An in-memory pyoxigraph store with each file in its own named graph {base}graph/{stem}."""
    store = ox.Store()
    for path in paths:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=BASE,
                   to_graph=ox.NamedNode(f"{BASE}graph/{path.stem}"))
    return store


def term_text(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return term.value.removeprefix(BASE)
    return term.value


def run_query(store: ox.Store, sparql: str) -> tuple[list[str], list[tuple[str, ...]]]:
    solutions = store.query(sparql, base_iri=BASE, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return names, sorted(tuple(term_text(row[n]) for n in names) for row in solutions)


def expected_answer(query: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    with query.with_suffix(".csv").open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    return header, sorted(tuple(row) for row in rows)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return load_store(DATA_FILES)


def test_store_has_one_named_graph_per_file(store):
    graphs = {g.value for g in store.named_graphs()}
    assert graphs == {f"{BASE}graph/{p.stem}" for p in DATA_FILES}


def test_there_are_competency_queries():
    assert len(QUERIES) >= 7
    assert all(q.with_suffix(".csv").exists() for q in QUERIES)


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.stem)
def test_competency_query(store, query):
    header, rows = expected_answer(query)
    names, answer = run_query(store, query.read_text(encoding="utf-8"))
    assert names == header
    assert answer == rows


def test_competency_query_notices_a_missing_fact():
    """Leaving out the factsheet's graph must change the Samen Werken, Samen Leren answer."""
    store = load_store([p for p in DATA_FILES if p.stem != "seed-001-samen-werken-samen-leren"])
    query = QUERY_DIR / "swsl-organisations.rq"
    assert run_query(store, query.read_text(encoding="utf-8"))[1] != expected_answer(query)[1]


def test_literal_terms_compare_by_lexical_form():
    assert term_text(ox.Literal("8", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))) == "8"
    assert term_text(ox.NamedNode(f"{BASE}id/regio/leiden")) == "id/regio/leiden"
    assert term_text(None) == ""
