"""Checks on the ontology and SKOS concept schemes in ontology/: completeness, SKOS integrity, contract terms.

Each check is a function returning a list of problems; every check is run on the real files (no problems
expected) and on a small Turtle counter-example (the offending resource must be reported).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from graph.settings import DEFAULT_BASE_IRI

BASE = DEFAULT_BASE_IRI
ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
MODEL_MD = ROOT / "docs" / "model.md"
LN = Namespace(f"{BASE}def/leernet#")
VANN = Namespace("http://purl.org/vocab/vann/")
ONTOLOGY_IRI = URIRef(f"{BASE}def/leernet")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
XSD_BOOLEAN = URIRef("http://www.w3.org/2001/XMLSchema#boolean")

SCHEME_FILES = {
    "sectors.ttl": "def/sector",
    "roles.ttl": "def/rol",
    "themes.ttl": "def/thema",
    "network-types.ttl": "def/netwerktype",
    "knowledge-sources.ttl": "def/kennisbron",
    "organisation-types.ttl": "def/organisatietype",
}

# Notations the contract (docs/model.md) and the data authors rely on; renaming one breaks the data.
REQUIRED_NOTATIONS = {
    "def/sector": "onderwijs po vo mbo hbo wo jeugdhulp jeugdgezondheidszorg zorg welzijn-sociaal-werk "
    "lokale-overheid rijksoverheid-beleid onderzoek financiering clienten-ervaringsdeskundigen "
    "bedrijfsleven overig",
    "def/rol": "student stagiair docent praktijkprofessional praktijkbegeleider onderzoeker actieonderzoeker "
    "lector projectleider coach beleidsmaker schoolleider leraar gezinsconsulent ervaringsdeskundige "
    "jongere ouder-opvoeder ambtenaar opleider adviseur leerling bewoner client zorgcoordinator psycholoog "
    "wijkagent jongerenwerker pedagoog begeleidend-docent kernteamlid regioteamlid aandeelhouder "
    "partner penvoerder deelnemer kennispartner financier consortiumpartner netwerkpartner",
    "def/thema": "kindermishandeling culturele-sensitiviteit kindermishandeling-en-culturele-sensitiviteit "
    "multiproblematiek werkplezier interprofessioneel-samenwerken boundary-crossing "
    "samenwerking-onderwijs-zorg-jeugd onderwijs-zorgarrangementen-en-poreuze-randen "
    "positief-en-preventief-jeugdbeleid monitoring bindende-afspraken-onderwijs-jeugd-zorg "
    "inclusief-en-gezond-opgroeien stem-onderwijs gezond-stedelijk-leven transformatie-jeugd "
    "veilig-gezond-kansrijk-opgroeien deskundigheidsbevordering reflectie intervisie netwerkleren "
    "doorgaande-leerlijn challenge-based-leren kansengelijkheid gezinsondersteuning preventie "
    "samenwerking-school-gezin-wijk actieonderzoek clientgericht-integraal-werken wijkverpleging "
    "schoolleiderschap opleiden-en-professionaliseren kennisinfrastructuur",
    "def/netwerktype": "leernetwerk community-of-practice professioneel-leernetwerk "
    "professionele-leergemeenschap academische-werkplaats regionale-kenniswerkplaats sprong-groep "
    "innovatiehub leerhuis lerend-netwerk consortium",
    "def/kennisbron": "ervaringskennis praktijkkennis wetenschappelijke-kennis beleidskennis",
    "def/organisatietype": "onderwijs financier overheid zorg non-profit bedrijf faciliteit archief overig",
}

# The contract's privacy rule, role by role (docs/model.md, def/rol).
PUBLISHABLE = {
    True: "lector onderzoeker projectleider coach beleidsmaker schoolleider adviseur partner penvoerder "
    "deelnemer kennispartner financier consortiumpartner netwerkpartner",
    False: "student stagiair leerling ouder-opvoeder jongere client bewoner ervaringsdeskundige",
}

IDENTIFIER_PROPERTIES = "rorId isni wikidataId brin kvk fundrefId gridId".split()
CONTRACT_PREFIXES = {
    "ln": str(LN),
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "skos": str(SKOS),
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "dcterms": str(DCTERMS),
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "regorg": "http://www.w3.org/ns/regorg#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}
# Terms the contract names only to say they are not used.
CONTRACT_UNUSED = {"org:hasMember", "schema:address"}

# Predicates the ontology files may use; anything else is a typo or an undocumented term.
ALLOWED_PREDICATES = {
    RDF.type, RDFS.label, RDFS.comment, RDFS.isDefinedBy, RDFS.subClassOf, RDFS.subPropertyOf,
    RDFS.domain, RDFS.range, RDFS.seeAlso, OWL.versionIRI, OWL.versionInfo,
    DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.created, DCTERMS.modified,
    DCTERMS.publisher, DCTERMS.source, VANN.preferredNamespacePrefix, VANN.preferredNamespaceUri,
    SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.definition, SKOS.notation, SKOS.inScheme,
    SKOS.hasTopConcept, SKOS.topConceptOf, SKOS.broader, SKOS.member,
    URIRef("http://xmlns.com/foaf/0.1/name"), LN.publishable,
}
OWN_TERM_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}


def parse(text: str) -> Graph:
    """A graph from Turtle text with relative IRIs, resolved against BASE."""
    return Graph().parse(data=text, format="turtle", publicID=BASE)


def load(name: str) -> Graph:
    """One ontology file, parsed against BASE."""
    return Graph().parse(ONTOLOGY_DIR / name, format="turtle", publicID=BASE)


ONTOLOGY_FILES = ("leernet.ttl", "analysis.ttl")  # the OWL terms: the core and the analysis results


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for name in ONTOLOGY_FILES:
        graph += load(name)
    return graph


@pytest.fixture(scope="module")
def schemes() -> Graph:
    graph = Graph()
    for name in SCHEME_FILES:
        graph += load(name)
    return graph


@pytest.fixture(scope="module")
def everything(ontology: Graph, schemes: Graph) -> Graph:
    return ontology + schemes


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------

def languages(graph: Graph, subject, predicate) -> list:
    return [o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)]


def own_term_problems(graph: Graph) -> list[str]:
    """Every ln: term: an OWL type, rdfs:label and rdfs:comment @nl and @en, rdfs:isDefinedBy the ontology."""
    problems = []
    for term in sorted({s for s in graph.subjects() if str(s).startswith(str(LN))}):
        if not OWN_TERM_TYPES & set(graph.objects(term, RDF.type)):
            problems.append(f"{term}: no owl:Class/ObjectProperty/DatatypeProperty type")
        for predicate in (RDFS.label, RDFS.comment):
            for lang in ("nl", "en"):
                if languages(graph, term, predicate).count(lang) != 1:
                    problems.append(f"{term}: needs exactly one {predicate.n3(graph.namespace_manager)} @{lang}")
        if (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in graph:
            problems.append(f"{term}: no rdfs:isDefinedBy <{ONTOLOGY_IRI}>")
    return problems


def header_problems(graph: Graph) -> list[str]:
    """The ontology header: title, description, licence, version IRI and info, preferred prefix and namespace."""
    problems = []
    if (ONTOLOGY_IRI, RDF.type, OWL.Ontology) not in graph:
        return [f"{ONTOLOGY_IRI}: not an owl:Ontology"]
    for predicate in (DCTERMS.title, DCTERMS.description):
        for lang in ("nl", "en"):
            if lang not in languages(graph, ONTOLOGY_IRI, predicate):
                problems.append(f"header: no {predicate} @{lang}")
    expected = {
        DCTERMS.license: URIRef("https://creativecommons.org/licenses/by/4.0/"),
        OWL.versionIRI: URIRef(f"{BASE}def/leernet/0.1.0"),
        OWL.versionInfo: Literal("0.1.0"),
        VANN.preferredNamespacePrefix: Literal("ln"),
        VANN.preferredNamespaceUri: URIRef(str(LN)),
    }
    for predicate, value in expected.items():
        if (ONTOLOGY_IRI, predicate, value) not in graph:
            problems.append(f"header: no {predicate} {value}")
    for predicate in (DCTERMS.created, DCTERMS.modified, DCTERMS.publisher):
        if graph.value(ONTOLOGY_IRI, predicate) is None:
            problems.append(f"header: no {predicate}")
    return problems


def contract_terms(text: str) -> set[str]:
    """Every prefixed term (`prefix:Name`) that docs/model.md writes in inline code."""
    terms = set()
    pattern = re.compile(r"\b(" + "|".join(CONTRACT_PREFIXES) + r"):([A-Za-z][A-Za-z0-9]*)")
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)  # fenced blocks would break the pairing
    for span in re.findall(r"`([^`]+)`", prose):
        terms.update(f"{p}:{name}" for p, name in pattern.findall(span))
    return terms - CONTRACT_UNUSED


def contract_problems(graph: Graph, model_text: str) -> list[str]:
    """Each term of the contract is declared: own terms with the right OWL type, reused terms with rdfs:isDefinedBy."""
    problems = []
    for term in sorted(contract_terms(model_text)):
        prefix, name = term.split(":")
        iri = URIRef(CONTRACT_PREFIXES[prefix] + name)
        types = set(graph.objects(iri, RDF.type))
        if prefix == "ln":
            if name[0].isupper() and OWL.Class not in types:
                problems.append(f"{term}: not declared as owl:Class")
            elif not name[0].isupper() and not {OWL.ObjectProperty, OWL.DatatypeProperty} & types:
                problems.append(f"{term}: not declared as owl:DatatypeProperty or owl:ObjectProperty")
        elif not types or graph.value(iri, RDFS.isDefinedBy) is None:
            problems.append(f"{term}: reused term not declared with rdfs:isDefinedBy")
    return problems


def scheme_of(graph: Graph, concept) -> URIRef | None:
    schemes = list(graph.objects(concept, SKOS.inScheme))
    return schemes[0] if len(schemes) == 1 else None


def concept_problems(graph: Graph) -> list[str]:
    """Each concept: labels and definitions @nl/@en, notation = IRI slug, one existing scheme, top or broader."""
    problems = []
    for concept in sorted(set(graph.subjects(RDF.type, SKOS.Concept))):
        for predicate in (SKOS.prefLabel, SKOS.definition):
            for lang in ("nl", "en"):
                if languages(graph, concept, predicate).count(lang) != 1:
                    problems.append(f"{concept}: needs exactly one {predicate} @{lang}")
        in_schemes = list(graph.objects(concept, SKOS.inScheme))
        if len(in_schemes) != 1:
            problems.append(f"{concept}: {len(in_schemes)} skos:inScheme, expected exactly one")
            continue
        scheme = in_schemes[0]
        if (scheme, RDF.type, SKOS.ConceptScheme) not in graph:
            problems.append(f"{concept}: skos:inScheme {scheme} is not a skos:ConceptScheme")
        notations = [str(n) for n in graph.objects(concept, SKOS.notation)]
        if len(notations) != 1 or not SLUG.match(notations[0]) or str(concept) != f"{scheme}/{notations[0]}":
            problems.append(f"{concept}: skos:notation {notations} must be the one slug after {scheme}/")
        top = (concept, SKOS.topConceptOf, scheme) in graph
        broader_here = [b for b in graph.objects(concept, SKOS.broader) if scheme_of(graph, b) == scheme]
        if not top and not broader_here:
            problems.append(f"{concept}: neither skos:topConceptOf nor skos:broader in {scheme}")
        if top != ((scheme, SKOS.hasTopConcept, concept) in graph):
            problems.append(f"{concept}: skos:topConceptOf and skos:hasTopConcept of {scheme} disagree")
    return problems


def broader_problems(graph: Graph) -> list[str]:
    """Every skos:broader target is a concept in the same scheme, and the hierarchy has no cycles."""
    problems = []
    for concept, target in graph.subject_objects(SKOS.broader):
        if (target, RDF.type, SKOS.Concept) not in graph:
            problems.append(f"{concept}: skos:broader {target} does not exist")
        elif scheme_of(graph, target) != scheme_of(graph, concept):
            problems.append(f"{concept}: skos:broader {target} is in another scheme")
    for concept in set(graph.subjects(SKOS.broader)):
        if any(concept in set(graph.transitive_objects(b, SKOS.broader)) for b in graph.objects(concept, SKOS.broader)):
            problems.append(f"{concept}: skos:broader cycle")
    return sorted(problems)


def label_clash_problems(graph: Graph) -> list[str]:
    """No two concepts of one scheme share a prefLabel, or any label (case-insensitive), in the same language."""
    problems = []
    for predicates, what in (((SKOS.prefLabel,), "skos:prefLabel"),
                             ((SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel), "label")):
        owners = defaultdict(set)
        for predicate in predicates:
            for concept, label in graph.subject_objects(predicate):
                if (concept, RDF.type, SKOS.Concept) in graph:
                    key = str(label) if what == "skos:prefLabel" else str(label).casefold()
                    owners[(scheme_of(graph, concept), label.language, key)].add(concept)
        for (scheme, lang, key), concepts in sorted(owners.items(), key=str):
            if len(concepts) > 1:
                problems.append(f"{scheme}: {what} {key!r}@{lang} on {sorted(concepts)}")
    return problems


def role_problems(graph: Graph) -> list[str]:
    """Every role concept has exactly one xsd:boolean ln:publishable, matching the contract's privacy rule."""
    problems = []
    role_scheme = URIRef(f"{BASE}def/rol")
    for concept in sorted(graph.subjects(SKOS.inScheme, role_scheme)):
        values = list(graph.objects(concept, LN.publishable))
        if len(values) != 1 or not isinstance(values[0], Literal) or values[0].datatype != XSD_BOOLEAN:
            problems.append(f"{concept}: needs exactly one ln:publishable true/false, has {values}")
    for publishable, notations in PUBLISHABLE.items():
        for notation in notations.split():
            concept = URIRef(f"{BASE}def/rol/{notation}")
            if (concept, RDF.type, SKOS.Concept) in graph and graph.value(concept, LN.publishable) != Literal(publishable):
                problems.append(f"{concept}: ln:publishable must be {str(publishable).lower()}")
    return problems


def predicate_problems(graph: Graph, declared: Graph) -> list[str]:
    """Only the allowed predicates are used, and every ln: term used is declared in the ontology."""
    problems = {f"unexpected predicate {p}" for p in graph.predicates() if p not in ALLOWED_PREDICATES}
    used = {t for triple in graph for t in triple
            if isinstance(t, URIRef) and str(t).startswith(str(LN)) and str(t) != str(LN)}
    problems |= {f"{t}: used but not declared" for t in used if not OWN_TERM_TYPES & set(declared.objects(t, RDF.type))}
    return sorted(problems)


# --------------------------------------------------------------------------------------------
# The real files
# --------------------------------------------------------------------------------------------

def test_files_use_relative_iris_and_no_base():
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(@base|base)\b", text, re.IGNORECASE | re.MULTILINE), f"{path}: has a base"
        elsewhere = Graph().parse(data=text, format="turtle", publicID="https://leernet.example.org/")
        absolute = {t for triple in elsewhere for t in triple if isinstance(t, URIRef) and str(t).startswith(BASE)}
        assert absolute == set(), f"{path}: absolute project IRIs, use relative ones"


def test_iris_follow_the_configured_base():
    other = "https://leernet.example.org/"
    graph = Graph().parse(ONTOLOGY_DIR / "leernet.ttl", format="turtle", publicID=other)
    assert (URIRef(f"{other}def/leernet#Lectoraat"), RDF.type, OWL.Class) in graph


def test_own_terms_are_documented(ontology: Graph):
    assert own_term_problems(ontology) == []


def test_header_is_complete(ontology: Graph):
    assert header_problems(ontology) == []


def test_every_contract_term_is_declared(ontology: Graph):
    assert contract_problems(ontology, MODEL_MD.read_text(encoding="utf-8")) == []


def test_own_terms_are_declared_only_in_the_ontology(schemes: Graph):
    assert sorted({s for s in schemes.subjects() if str(s).startswith(str(LN))}) == []


@pytest.mark.parametrize(
    ("sub", "sup"),
    [("LearningNetwork", "http://www.w3.org/ns/org#Organization"),
     ("Lectoraat", "http://www.w3.org/ns/org#OrganizationalUnit")]
    + [(name, str(DCTERMS.identifier)) for name in IDENTIFIER_PROPERTIES],
)
def test_own_terms_specialise_standard_terms(ontology: Graph, sub: str, sup: str):
    assert (LN[sub], RDFS.subClassOf, URIRef(sup)) in ontology or (LN[sub], RDFS.subPropertyOf, URIRef(sup)) in ontology


def test_the_six_schemes_exist(schemes: Graph):
    for name, scheme_path in SCHEME_FILES.items():
        graph = load(name)
        scheme = URIRef(BASE + scheme_path)
        assert (scheme, RDF.type, SKOS.ConceptScheme) in graph, name
        for predicate in (SKOS.prefLabel, DCTERMS.title):
            assert {"nl", "en"} <= set(languages(graph, scheme, predicate)), f"{name}: {predicate}"
        assert set(graph.subjects(SKOS.inScheme, scheme)) == set(graph.subjects(RDF.type, SKOS.Concept)), name


def test_required_notations_exist(schemes: Graph):
    missing = [f"{scheme}/{n}" for scheme, notations in REQUIRED_NOTATIONS.items() for n in notations.split()
               if (URIRef(f"{BASE}{scheme}/{n}"), RDF.type, SKOS.Concept) not in schemes]
    assert missing == []


def test_concepts_are_complete(schemes: Graph):
    assert concept_problems(schemes) == []


def test_broader_links_are_sound(schemes: Graph):
    assert broader_problems(schemes) == []


def test_labels_are_unambiguous_within_a_scheme(schemes: Graph):
    assert label_clash_problems(schemes) == []


def test_roles_say_whether_they_are_publishable(schemes: Graph):
    assert role_problems(schemes) == []


def test_role_collections_partition_the_roles(schemes: Graph):
    roles = set(schemes.subjects(SKOS.inScheme, URIRef(f"{BASE}def/rol")))
    persons = set(schemes.objects(URIRef(f"{BASE}def/rol/persoonsrollen"), SKOS.member))
    organisations = set(schemes.objects(URIRef(f"{BASE}def/rol/organisatierollen"), SKOS.member))
    assert persons and organisations and not persons & organisations
    assert persons | organisations == roles


def test_only_known_predicates_are_used(everything: Graph, ontology: Graph):
    assert predicate_problems(everything, ontology) == []


# --------------------------------------------------------------------------------------------
# Counter-examples: every check reports a concrete offender
# --------------------------------------------------------------------------------------------

PREFIXES = """
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ln: <def/leernet#> . @prefix org: <http://www.w3.org/ns/org#> .
"""
GOOD_SCHEME = """
<def/x> a skos:ConceptScheme ; skos:hasTopConcept <def/x/a> .
<def/x/a> a skos:Concept ; skos:prefLabel "A"@nl, "A"@en ; skos:definition "d"@nl, "d"@en ;
    skos:notation "a" ; skos:inScheme <def/x> ; skos:topConceptOf <def/x> .
"""


def concept(slug: str, extra: str, labels: str = '"B"@nl, "B"@en', notation: str | None = None) -> str:
    return (f'<def/x/{slug}> a skos:Concept ; skos:prefLabel {labels} ; skos:definition "d"@nl, "d"@en ; '
            f'skos:notation "{notation or slug}" ; skos:inScheme <def/x> ; {extra} .')


@pytest.mark.parametrize(
    ("check", "turtle", "offender"),
    [
        (own_term_problems, 'ln:Thing a owl:Class ; rdfs:label "Ding"@nl ; rdfs:comment "c"@nl, "c"@en ; '
         "rdfs:isDefinedBy <def/leernet> .", "Thing: needs exactly one rdfs:label @en"),
        (own_term_problems, 'ln:thing rdfs:label "d"@nl, "t"@en ; rdfs:comment "c"@nl, "c"@en .', "thing: no owl:"),
        (header_problems, '<def/leernet> a owl:Ontology ; dcterms:title "t"@nl, "t"@en .', "no http://purl.org/dc/terms/description @nl"),
        (concept_problems, GOOD_SCHEME + concept("b", "skos:broader <def/x/a>", labels='"B"@nl'), "x/b: needs exactly one http://www.w3.org/2004/02/skos/core#prefLabel @en"),
        (concept_problems, GOOD_SCHEME + concept("b", "skos:broader <def/x/a>", notation="c"), "x/b: skos:notation"),
        (concept_problems, GOOD_SCHEME + concept("b", "skos:inScheme <def/y> ; skos:broader <def/x/a>"), "x/b: 2 skos:inScheme"),
        (concept_problems, GOOD_SCHEME + concept("b", 'skos:altLabel "b"@nl'), "x/b: neither skos:topConceptOf nor skos:broader"),
        (concept_problems, GOOD_SCHEME + concept("b", "skos:topConceptOf <def/x>"), "x/b: skos:topConceptOf and skos:hasTopConcept"),
        (concept_problems, GOOD_SCHEME.replace("<def/x> a skos:ConceptScheme ;", "<def/x>"), "is not a skos:ConceptScheme"),
        (broader_problems, GOOD_SCHEME + concept("b", "skos:broader <def/x/gone>"), "x/b: skos:broader https://data.leernet.nl/def/x/gone does not exist"),
        (broader_problems, GOOD_SCHEME + concept("b", "skos:broader <def/x/c>") + concept("c", "skos:broader <def/x/b>"), "x/b: skos:broader cycle"),
        (label_clash_problems, GOOD_SCHEME + concept("b", "skos:broader <def/x/a>", labels='"A"@nl, "B"@en'), "skos:prefLabel 'A'@nl"),
        (label_clash_problems, GOOD_SCHEME + concept("b", 'skos:broader <def/x/a> ; skos:altLabel "a"@en'), "label 'a'@en"),
        (role_problems, GOOD_SCHEME.replace("def/x", "def/rol"), "def/rol/a: needs exactly one ln:publishable"),
        (role_problems, GOOD_SCHEME.replace("def/x/a", "def/rol/student").replace("def/x", "def/rol")
         .replace('"a" ;', '"student" ; ln:publishable true ;'), "def/rol/student: ln:publishable must be false"),
    ],
)
def test_checks_report_counter_examples(check, turtle, offender):
    problems = check(parse(PREFIXES + turtle))
    assert any(offender in p for p in problems), problems


def test_contract_terms_are_read_from_the_contract():
    terms = contract_terms(MODEL_MD.read_text(encoding="utf-8"))
    assert {"ln:LearningNetwork", "ln:eventsHeld", "ln:gridId", "org:FormalOrganization", "time:inXSDgYear"} <= terms
    assert contract_terms("```\n`ln:Hidden`\n```\n`ln:Shown` and `org:hasMember`") == {"ln:Shown"}


def test_contract_check_reports_a_missing_term(ontology: Graph):
    problems = contract_problems(ontology, "uses `ln:Nonexistent`, `ln:noSuchProperty` and `schema:Missing`")
    assert problems == ["ln:Nonexistent: not declared as owl:Class",
                        "ln:noSuchProperty: not declared as owl:DatatypeProperty or owl:ObjectProperty",
                        "schema:Missing: reused term not declared with rdfs:isDefinedBy"]


def test_predicate_check_reports_a_typo_and_an_undeclared_term(ontology: Graph):
    graph = parse(PREFIXES + '<def/x/a> skos:prefLable "A"@nl ; ln:secret true .')
    assert predicate_problems(graph, ontology) == [
        f"{LN}secret: used but not declared",
        "unexpected predicate http://www.w3.org/2004/02/skos/core#prefLable",
        f"unexpected predicate {LN}secret",
    ]
