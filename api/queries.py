"""The SPARQL behind the REST API: resource kinds, their relations, list filters and the policy questions.

Every query starts with the PREFIX lines of :func:`graph.namespaces.sparql_prefixes`; values from
requests enter a query only as validated slugs turned into IRIs, or as escaped string literals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.names import LABEL_PATH
from graph.namespaces import sparql_prefixes

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Rel:
    """One field of a response filled from a SPARQL property path from the entity (``?s``)."""

    name: str  # the Python field name (JSON: camelCase)
    path: str  # a SPARQL property path, e.g. "dcterms:subject" or "^org:unitOf"
    value: str = "ref"  # ref | text | date | int | iri
    many: bool = True


COMMON_RELS = (
    Rel("alt_names", "skos:altLabel", "text"),
    Rel("url", "schema:url", "iri", many=False),
    Rel("same_as", "schema:sameAs", "iri"),
    Rel("types", "rdf:type", "iri"),
)


@dataclass(frozen=True)
class Kind:
    """A collection of the REST API: which things it lists, where their IRIs live, what they relate to."""

    name: str  # path segment of the collection, e.g. "organisations"
    type: str  # the value of the "type" field, e.g. "organisation"
    space: str  # IRI space under the base, e.g. "id/organisatie/"
    pattern: str  # SPARQL group that holds for ?s of this kind
    summary: tuple[Rel, ...] = ()
    detail: tuple[Rel, ...] = ()
    filters: tuple[str, ...] = ("q",)
    sorts: tuple[str, ...] = ("name",)
    date_path: str | None = None  # for sort=startDate

    def where(self, base: str) -> str:
        """The SPARQL group for ?s of this kind under ``base``."""
        return self.pattern.replace("{base}", base)


PERIOD_OF = "schema:parentOrganization*/ln:period"
_THEMED = ("q", "theme")

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "organisations", "organisation", "id/organisatie/",
            "{ ?s a org:FormalOrganization } UNION { ?s a org:OrganizationalCollaboration }"
            " UNION { ?s a schema:FundingAgency }",
            summary=(Rel("sectors", "org:classification"),),
            detail=(
                Rel("organisation_types", "dcterms:type"), Rel("locations", "schema:location"),
                Rel("parent_organisations", "org:subOrganizationOf"),
                Rel("sub_organisations", "^org:subOrganizationOf"), Rel("units", "^org:unitOf"),
                Rel("funds", "^schema:funder"), Rel("ror_id", "ln:rorId", "text", False),
                Rel("isni", "ln:isni", "text", False), Rel("wikidata_id", "ln:wikidataId", "text", False),
                Rel("brin", "ln:brin", "text", False), Rel("kvk", "ln:kvk", "text", False),
                Rel("fundref_id", "ln:fundrefId", "text", False),
            ),
            filters=("q", "sector", "region", "theme", "programme", "period"),
        ),
        Kind(
            "lectoraten", "lectoraat", "id/lectoraat/", "?s a ln:Lectoraat",
            summary=(Rel("hogeschool", "org:unitOf", many=False),),
            detail=(Rel("heads", "^org:headOf"), Rel("themes", "dcterms:subject"),
                    Rel("locations", "schema:location")),
            filters=("q", "theme", "region"),
        ),
        Kind(
            "networks", "network", "id/netwerk/", "?s a ln:LearningNetwork",
            summary=(Rel("network_types", "org:classification"), Rel("themes", "dcterms:subject"),
                     Rel("regions", "schema:areaServed"), Rel("period", "ln:period", many=False)),
            detail=(
                Rel("knowledge_sources", "ln:knowledgeSource"), Rel("programmes", "ln:programme"),
                Rel("funders", "schema:funder"), Rel("parent_network", "schema:parentOrganization", many=False),
                Rel("sub_networks", "^schema:parentOrganization"), Rel("locations", "schema:location"),
                Rel("founding_date", "schema:foundingDate", "date", False),
                Rel("dissolution_date", "schema:dissolutionDate", "date", False),
                Rel("min_participants", "ln:minParticipants", "int", False),
                Rel("max_participants", "ln:maxParticipants", "int", False),
                Rel("heads", "^org:headOf"), Rel("events", "^schema:organizer"),
                Rel("products", "^schema:creator|^schema:about"), Rel("studied_in", "^schema:about"),
            ),
            filters=("q", "theme", "sector", "region", "programme", "networkType", "period"),
            sorts=("name", "startDate"),
            date_path=f"{PERIOD_OF}/time:hasBeginning/time:inXSDDate|schema:foundingDate",
        ),
        Kind(
            "programmes", "programme", "id/programma/", "?s a ln:Programme",
            summary=(Rel("funders", "schema:funder"), Rel("period", "ln:period", many=False)),
            detail=(Rel("themes", "dcterms:subject"), Rel("regions", "schema:areaServed"),
                    Rel("networks", "^ln:programme"), Rel("funded", "^schema:funder")),
            filters=("q", "theme", "region", "period"),
            sorts=("name", "startDate"),
            date_path="ln:period/time:hasBeginning/time:inXSDDate",
        ),
        Kind(
            "people", "person", "id/persoon/", "?s a schema:Person",
            summary=(Rel("job_title", "schema:jobTitle", "text", False), Rel("public_roles", "ln:publicRole")),
            detail=(Rel("affiliations", "schema:affiliation"), Rel("heads_of", "org:headOf"),
                    Rel("projects", "^schema:member"), Rel("products", "^schema:author|^schema:creator")),
        ),
        Kind(
            "themes", "theme", "def/thema/", "?s skos:inScheme <{base}def/thema>",
            summary=(Rel("notation", "skos:notation", "text", False),),
            detail=(Rel("definitions", "skos:definition", "text"), Rel("broader", "skos:broader"),
                    Rel("narrower", "^skos:broader")),
        ),
        Kind(
            "events", "event", "id/bijeenkomst/", "{ ?s a schema:Event } UNION { ?s a schema:EventSeries }",
            summary=(Rel("start_date", "schema:startDate", "date", False), Rel("themes", "dcterms:subject")),
            detail=(Rel("organizers", "schema:organizer"), Rel("super_event", "schema:superEvent", many=False),
                    Rel("sub_events", "^schema:superEvent"), Rel("attendee_count", "ln:attendeeCount", "int", False),
                    Rel("events_held", "ln:eventsHeld", "int", False),
                    Rel("events_planned", "ln:eventsPlanned", "int", False),
                    Rel("counted_on", "ln:countedOn", "date", False)),
            filters=("q", "theme", "period"),
            sorts=("name", "startDate"),
            date_path="schema:startDate",
        ),
        Kind(
            "products", "product", "id/product/", "?s a ?type",
            summary=(Rel("date_published", "schema:datePublished", "text", False),),
            detail=(Rel("creators", "schema:creator"), Rel("authors", "schema:author"),
                    Rel("about", "schema:about"), Rel("themes", "dcterms:subject")),
            filters=_THEMED,
        ),
        Kind(
            "regions", "region", "id/regio/", "?s a schema:Place",
            summary=(Rel("contained_in", "schema:containedInPlace"),),
            detail=(Rel("contains", "^schema:containedInPlace"), Rel("networks", "^schema:areaServed"),
                    Rel("organisations", "^schema:location")),
        ),
    )
}

# Other IRI spaces a reference can point into: space -> the "type" shown for it.
OTHER_SPACES = {
    "id/project/": "project", "id/lidmaatschap/": "membership", "id/deelname/": "participantCount",
    "id/periode/": "period", "id/bron/": "source", "def/sector/": "sector", "def/rol/": "role",
    "def/netwerktype/": "networkType", "def/kennisbron/": "knowledgeSource",
    "def/organisatietype/": "organisationType", "def/leernet#": "term",
}

# Each pattern walks from the filter value <{t}> to the thing ?s, every step inverted: a store then
# starts from the one bound IRI instead of from every thing of the kind (at 10M triples the
# forward form "?s dcterms:subject/skos:broader* <t>" took 9 s in pyoxigraph, this form 0.15 s).
FILTER_PATTERNS: dict[tuple[str, str], str] = {
    ("organisations", "sector"): "<{t}> ^skos:broader*/^org:classification ?s",
    ("organisations", "region"): "<{t}> ^schema:containedInPlace*/^schema:location ?s",
    ("organisations", "theme"): "{{ <{t}> ^skos:broader*/^dcterms:subject ?s }} UNION {{ <{t}> ^skos:broader*"
    "/^dcterms:subject/^schema:parentOrganization*/^org:organization ?_m . ?_m org:member/org:unitOf? ?s }}",
    ("organisations", "programme"): "<{t}> (^ln:programme|^schema:funder)?/^schema:parentOrganization*/^org:organization"
    " ?_m . ?_m org:member/org:unitOf? ?s",
    ("networks", "theme"): "<{t}> ^skos:broader*/^dcterms:subject/^schema:parentOrganization* ?s",
    ("networks", "sector"): "<{t}> ^skos:broader*/^org:classification/(^org:unitOf)?/^org:member ?_m ."
    " ?_m org:organization/schema:parentOrganization* ?s",
    ("networks", "region"): "<{t}> ^schema:containedInPlace*/(^schema:areaServed|^schema:location)"
    "/^schema:parentOrganization* ?s",
    ("networks", "programme"): "<{t}> (^ln:programme|^schema:funder)/^schema:parentOrganization* ?s",
    ("networks", "networkType"): "<{t}> ^skos:broader*/^org:classification ?s",
    ("lectoraten", "theme"): "<{t}> ^skos:broader*/^dcterms:subject ?s",
    ("lectoraten", "region"): "<{t}> ^schema:containedInPlace*/(^schema:location|^schema:location/^org:unitOf) ?s",
    ("programmes", "theme"): "<{t}> ^skos:broader*/^dcterms:subject ?s",
    ("programmes", "region"): "<{t}> ^schema:containedInPlace*/(^schema:areaServed|^schema:location) ?s",
    ("events", "theme"): "<{t}> ^skos:broader*/^dcterms:subject ?s",
    ("products", "theme"): "<{t}> ^skos:broader*/(^dcterms:subject|^schema:about) ?s",
}

# Where the filter values live: parameter -> IRI space of its slug.
FILTER_SPACES = {"theme": "def/thema/", "sector": "def/sector/", "region": "id/regio/",
                 "programme": "id/programma/", "networkType": "def/netwerktype/", "role": "def/rol/"}

_BEGIN_END = "?_p time:hasBeginning/time:inXSDDate ?_b . OPTIONAL { ?_p time:hasEnd/time:inXSDDate ?_e }"
# (org:member|org:member/org:unitOf) means what org:member/org:unitOf? means; Virtuoso 7 loses the rows of that
# zero-or-one path when a UNION or a transitive path joins it.
PERIOD_PATTERNS = {
    "organisations": "?_m (org:member|org:member/org:unitOf) ?s . { ?_m org:memberDuring ?_p } UNION"
    " { FILTER NOT EXISTS { ?_m org:memberDuring ?_x } ?_m org:organization/" + PERIOD_OF + " ?_p } "
    + _BEGIN_END,
    "networks": "{ ?s " + PERIOD_OF + " ?_p . " + _BEGIN_END
    + " } UNION { ?s schema:foundingDate ?_b OPTIONAL { ?s schema:dissolutionDate ?_e } }",
    "programmes": "?s ln:period ?_p . " + _BEGIN_END,
    "events": "?s schema:startDate ?_b . OPTIONAL { ?s schema:endDate ?_e0 } BIND(COALESCE(?_e0, ?_b) AS ?_e)",
}


def sparql_string(value: str) -> str:
    """``value`` as a SPARQL string literal, with every special character escaped."""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def iri_values(var: str, iris) -> str:
    """A VALUES clause binding ``?var`` to each IRI."""
    return f"VALUES ?{var} {{ {' '.join(f'<{i}>' for i in iris)} }}"


def overlap_filter(start: str, end: str) -> str:
    """FILTER keeping periods ``?_b``–``?_e`` (open end allowed) that overlap ``start``–``end``.

    Written ``!(?_b > end)`` rather than ``?_b <= end``: the same for dates, and Virtuoso 7 turns the latter
    into an index range scan that misses things sharing a start date."""
    return (f'FILTER(!(?_b > "{end}"^^xsd:date) && (!BOUND(?_e) || !(?_e < "{start}"^^xsd:date)))')


def list_query(base: str, kind: Kind, filters: dict[str, str], period: tuple[str, str] | None) -> str:
    """SELECT the IRIs (``?s``) of every thing of ``kind`` matching the filters (slugs already checked).

    Each filter is a sub-select joined on ``?s``, so that it is evaluated once, not once per thing.
    With filters, the kind and IRI space are checked on what the filters found (FILTER EXISTS):
    joining every thing of the kind first cost 1 s for a theme at 10M triples, this 0.2 s.
    """
    parts = []
    for number, (param, slug) in enumerate(sorted(filters.items())):
        if param == "q":
            pattern = (f"?s skos:prefLabel|skos:altLabel|schema:name|dcterms:description|skos:notation|dcterms:title"
                       f" ?_t FILTER(CONTAINS(LCASE(STR(?_t)), LCASE({sparql_string(slug)})))")
        else:
            target = f"{base}{FILTER_SPACES[param]}{slug}"
            pattern = FILTER_PATTERNS[(kind.name, param)].format(t=target).replace("?_", f"?_{number}")
        parts.append(f"{{ SELECT DISTINCT ?s WHERE {{ {pattern} }} }}")
    if period is not None:
        parts.append(f"{{ SELECT DISTINCT ?s WHERE {{ {PERIOD_PATTERNS[kind.name]} {overlap_filter(*period)} }} }}")
    in_space = f'FILTER(STRSTARTS(STR(?s), "{base}{kind.space}"))'
    if parts:
        parts += [f"FILTER EXISTS {{ {kind.where(base)} }}", in_space]
    else:
        parts = [f"{{ {kind.where(base)} }}", in_space]
    body = "\n  ".join(parts)
    return f"{sparql_prefixes(base)}SELECT DISTINCT ?s WHERE {{\n  {body}\n}}"


def exists_query(base: str, kind: Kind, iri: str) -> str:
    """ASK whether ``iri`` is a thing of ``kind``."""
    return f"{sparql_prefixes(base)}ASK {{ BIND(<{iri}> AS ?s) {kind.where(base)} }}"


def labels_query(base: str, iris) -> str:
    """SELECT every label (``?l``) of each IRI (``?s``)."""
    return f"{sparql_prefixes(base)}SELECT ?s ?l WHERE {{ {iri_values('s', iris)} ?s {LABEL_PATH} ?l }}"


def texts_query(base: str, iris) -> str:
    """SELECT the descriptions (``?d``) of each IRI (``?s``)."""
    return (f"{sparql_prefixes(base)}SELECT ?s ?d WHERE {{ {iri_values('s', iris)} "
            "?s dcterms:description ?d }")


def rels_query(base: str, iris, rels) -> str:
    """SELECT (``?s``, ``?field``, ``?o``) for each relation of each IRI, all in one query.

    The VALUES sit inside each branch: before the UNION, pyoxigraph evaluated every branch over
    the whole store and joined afterwards (a page of 20 networks at 10M triples: 480 ms, now 3 ms).
    """
    values = iri_values("s", iris)
    branches = " UNION ".join(f'{{ {values} BIND("{r.name}" AS ?field) ?s {r.path} ?o }}' for r in rels)
    return f"{sparql_prefixes(base)}SELECT ?s ?field ?o WHERE {{ {branches} }}"


def dates_query(base: str, iris, path: str) -> str:
    """SELECT the earliest date (``?d``) along ``path`` for each IRI (``?s``)."""
    return (f"{sparql_prefixes(base)}SELECT ?s (MIN(?o) AS ?d) WHERE {{ {iri_values('s', iris)} "
            f"?s {path} ?o }} GROUP BY ?s")


def periods_query(base: str, iris) -> str:
    """SELECT the beginning and end dates of each interval (``?p``)."""
    return (f"{sparql_prefixes(base)}SELECT ?p ?b ?e WHERE {{ {iri_values('p', iris)} "
            "OPTIONAL { ?p time:hasBeginning/time:inXSDDate ?b } OPTIONAL { ?p time:hasEnd/time:inXSDDate ?e } }")


MEMBERSHIP_VARS = "?m ?member ?org ?role ?period"


def memberships_query(base: str, *, of_organizations=None, of_members=None) -> str:
    """SELECT the memberships in the given organisations/networks, or of the given members."""
    values = iri_values("org", of_organizations) if of_organizations is not None else iri_values("member", of_members)
    return (f"{sparql_prefixes(base)}SELECT {MEMBERSHIP_VARS} WHERE {{ {values} ?m org:organization ?org ; "
            "org:member ?member . OPTIONAL { ?m org:role ?role } OPTIONAL { ?m org:memberDuring ?period } }")


def descendants_query(base: str, iri: str) -> str:
    """SELECT the network itself and every network inside it (``?n``)."""
    return f"{sparql_prefixes(base)}SELECT DISTINCT ?n WHERE {{ ?n schema:parentOrganization* <{iri}> }}"


def counts_query(base: str, network: str) -> str:
    """SELECT the participant counts of a network with role, period, numbers and origin."""
    return (f"{sparql_prefixes(base)}SELECT ?c ?role ?period ?count ?min ?max ?from WHERE {{ "
            f"?c ln:inNetwork <{network}> . OPTIONAL {{ ?c ln:role ?role }} OPTIONAL {{ ?c ln:period ?period }} "
            "OPTIONAL { ?c ln:count ?count } OPTIONAL { ?c ln:minCount ?min } OPTIONAL { ?c ln:maxCount ?max } "
            "OPTIONAL { ?c ln:fromOrganization ?from } }")


def units_query(base: str, organisation: str) -> str:
    """SELECT the units (lectoraten, departments: ``?u``) of an organisation."""
    return f"{sparql_prefixes(base)}SELECT ?u WHERE {{ ?u org:unitOf <{organisation}> }}"


def contexts_query(base: str, members) -> str:
    """SELECT where any of ``members`` (an organisation and its units) is a member (``?c1``): the
    first step of :func:`collaborators_query`. Asked with VALUES because every one-query form of
    "the organisation or one of its units" was slow or wrong on one store: ``org:member/org:unitOf?``
    loses rows on Virtuoso 7, a UNION or an alternative path took pyoxigraph 20 s at 10M triples."""
    return (f"{sparql_prefixes(base)}SELECT DISTINCT ?c1 WHERE {{ {iri_values('who', members)} "
            "?m1 org:member ?who . ?m1 org:organization ?c1 }")


def collaborators_query(base: str, organisation: str, contexts) -> str:
    """SELECT who takes part with ``organisation`` in a shared context, given the ``contexts`` it or
    one of its units is a member of (:func:`units_query`, :func:`contexts_query`).

    ``?ctx`` is a network, collaboration or programme that both are members of, directly or
    through a network inside it; ``?other`` the collaborator, ``?c2`` where it is a member through
    membership ``?m2``. The role and period of ``?m2`` come from :func:`membership_details_query`:
    an OPTIONAL after this pattern made pyoxigraph read every role of the store (5 s at 10M triples).
    Every step is written from the bound side (``^``): pyoxigraph took 30 s at 10M triples for
    ``?c2 schema:parentOrganization* ?ctx``, and 30 ms for this.
    """
    return f"""{sparql_prefixes(base)}SELECT DISTINCT ?ctx ?c2 ?other ?m2 WHERE {{
  {iri_values('c1', contexts)}
  ?c1 schema:parentOrganization* ?ctx .
  ?ctx ^schema:parentOrganization* ?c2 .
  ?c2 ^org:organization ?m2 .
  ?m2 org:member ?other .
  FILTER(?other != <{organisation}>)
  FILTER NOT EXISTS {{ ?other org:unitOf <{organisation}> }}
  FILTER NOT EXISTS {{ ?other a schema:Person }}
}}"""


def membership_details_query(base: str, memberships) -> str:
    """SELECT the role (``?role``) and period (``?period``) of each membership (``?m``), where known."""
    return (f"{sparql_prefixes(base)}SELECT ?m ?role ?period WHERE {{ {iri_values('m', memberships)} "
            "OPTIONAL { ?m org:role ?role } OPTIONAL { ?m org:memberDuring ?period } }")


def with_membership_details(rows: list[dict], details: list[dict], key: str = "m2") -> list[dict]:
    """``rows`` joined with the ``details`` of their membership ``key`` (one row per role and period)."""
    found: dict = {}
    for d in details:
        found.setdefault(str(d["m"]), []).append({k: v for k, v in d.items() if k != "m"})
    return [{**r, **d} for r in rows for d in found.get(str(r[key]), [{}])]


def context_info_query(base: str, iris) -> str:
    """SELECT parents (``?parent``), programmes (``?prog``) and periods (``?period``) of contexts (``?c``)."""
    return (f"{sparql_prefixes(base)}SELECT ?c ?parent ?prog ?period WHERE {{ {iri_values('c', iris)} "
            "OPTIONAL { ?c schema:parentOrganization ?parent } "
            "OPTIONAL { ?c schema:parentOrganization*/(ln:programme|schema:funder) ?prog "
            "FILTER EXISTS { ?prog a ln:Programme } } "
            f"OPTIONAL {{ ?c {PERIOD_OF} ?period }} }}")


def funded_query(base: str, programme: str) -> str:
    """SELECT what a programme funds (``schema:funder``) or frames (``ln:programme``), and networks inside those."""
    return f"""{sparql_prefixes(base)}SELECT DISTINCT ?x ?relation ?through WHERE {{
  {{ ?x schema:funder <{programme}> BIND("funded" AS ?relation) }}
  UNION {{ ?x ln:programme <{programme}> BIND("inProgramme" AS ?relation) }}
  UNION {{ ?through schema:funder|ln:programme <{programme}> . ?x schema:parentOrganization+ ?through .
           BIND("partOfFunded" AS ?relation) }}
}}"""


def all_rels(kind: Kind) -> tuple[Rel, ...]:
    """All relations of a kind for its detail view: common, summary and detail ones."""
    return COMMON_RELS + kind.summary + kind.detail
