"""The JSON shapes of the REST API (pydantic models; their fields are documented in the OpenAPI document)."""

from __future__ import annotations

import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model
from pydantic.alias_generators import to_camel

OptionalDate = Annotated[datetime.date | None, WithJsonSchema({"type": ["string", "null"], "format": "date"})]


class Model(BaseModel):
    """Base of every response model: camelCase in JSON."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Link(Model):
    href: str = Field(description="An absolute URL built from the configured base IRI.")


class ItemLinks(Model):
    self: Link = Field(description="This item in the REST API.")
    describedby: Link = Field(description="The linked-data document about it (HTML or RDF by content negotiation).")


class PageLinks(Model):
    self: Link
    first: Link
    last: Link
    next: Link | None = None
    prev: Link | None = None


class Ref(Model):
    """A reference to another thing, with its name and where to find it."""

    id: str = Field(description="The slug: the last segment of the IRI.", examples=["hogeschool-leiden"])
    iri: str = Field(description="The persistent IRI; it dereferences to a page or RDF.")
    type: str = Field(description="What it is: organisation, network, theme, role, sector, …", examples=["organisation"])
    name: str | None = Field(None, description="Name or label, Dutch first.")
    name_en: str | None = Field(None, description="English name or label where known.")
    href: str | None = Field(None, description="The thing in this REST API, if it has an endpoint.")


class Period(Model):
    """A period: ``start`` and ``end`` dates; no end means open or unknown."""

    iri: str | None = None
    start: OptionalDate = None
    end: OptionalDate = None


class Membership(Model):
    """Who takes part in what, in which role, when."""

    iri: str
    member: Ref
    organization: Ref = Field(description="The network, collaboration, lectoraat or programme.")
    role: Ref | None = None
    period: Period | None = None


class ParticipantCount(Model):
    """How many people in a role took part; small numbers are suppressed ("<5")."""

    iri: str
    role: Ref | None = None
    period: Period | None = None
    count: int | None = Field(None, description="Exact count; null when unknown or suppressed.")
    min_count: int | None = None
    max_count: int | None = None
    display: str | None = Field(None, description='The count as shown: "12", "8–15", "<5".', examples=["8–15"])
    suppressed: bool = Field(False, description="True when a number was withheld because it is below the threshold.")
    from_organisation: Ref | None = None


class Summary(Model):
    """What every item has."""

    id: str = Field(description="The slug, used in paths.", examples=["hogeschool-leiden"])
    iri: str
    type: str
    name: str | None = None
    name_en: str | None = None
    description: str | None = None
    description_en: str | None = None
    links: ItemLinks = Field(alias="_links")


class Common(Model):
    """Fields every detail view adds."""

    alt_names: list[str] = []
    url: str | None = None
    same_as: list[str] = []
    types: list[str] = Field([], description="RDF classes as compact IRIs, e.g. org:FormalOrganization.")


def _fields(spec: dict) -> dict:
    return {name: (annotation, default) for name, (annotation, default) in spec.items()}


REFS = (list[Ref], [])
REF = (Ref | None, None)
TEXT = (str | None, None)
INT = (int | None, None)
DATE = (OptionalDate, None)

SUMMARY_FIELDS = {
    "organisations": {"sectors": REFS},
    "lectoraten": {"hogeschool": REF},
    "networks": {"network_types": REFS, "themes": REFS, "regions": REFS, "period": (Period | None, None)},
    "programmes": {"funders": REFS, "period": (Period | None, None)},
    "people": {"job_title": TEXT, "public_roles": REFS},
    "themes": {"notation": TEXT},
    "events": {"start_date": DATE, "themes": REFS},
    "products": {"date_published": TEXT},
    "regions": {"contained_in": REFS},
}

DETAIL_FIELDS = {
    "organisations": {
        "organisation_types": REFS, "locations": REFS, "parent_organisations": REFS, "sub_organisations": REFS,
        "units": REFS, "funds": REFS, "ror_id": TEXT, "isni": TEXT, "wikidata_id": TEXT, "brin": TEXT,
        "kvk": TEXT, "fundref_id": TEXT, "memberships": (list[Membership], []), "members": (list[Membership], []),
    },
    "lectoraten": {"heads": REFS, "themes": REFS, "locations": REFS, "memberships": (list[Membership], [])},
    "networks": {
        "knowledge_sources": REFS, "programmes": REFS, "funders": REFS, "parent_network": REF, "sub_networks": REFS,
        "locations": REFS, "founding_date": DATE, "dissolution_date": DATE, "min_participants": INT,
        "max_participants": INT, "heads": REFS, "events": REFS, "products": REFS, "studied_in": REFS,
        "members": (list[Membership], []), "participant_counts": (list[ParticipantCount], []),
    },
    "programmes": {"themes": REFS, "regions": REFS, "networks": REFS, "funded": REFS,
                   "members": (list[Membership], [])},
    "people": {"affiliations": REFS, "heads_of": REFS, "projects": REFS, "products": REFS,
               "memberships": (list[Membership], [])},
    "themes": {"definitions": (list[str], []), "broader": REFS, "narrower": REFS},
    "events": {"organizers": REFS, "super_event": REF, "sub_events": REFS, "attendee_count": INT,
               "attendee_count_display": TEXT, "events_held": INT, "events_planned": INT, "counted_on": DATE},
    "products": {"creators": REFS, "authors": REFS, "about": REFS, "themes": REFS},
    "regions": {"contains": REFS, "networks": REFS, "organisations": REFS},
}

SINGULAR = {"organisations": "Organisation", "lectoraten": "Lectoraat", "networks": "Network",
            "programmes": "Programme", "people": "Person", "themes": "Theme", "events": "Event",
            "products": "Product", "regions": "Region"}


class PageBase(Model):
    """A page of a list."""

    links: PageLinks = Field(alias="_links")
    page: int = Field(description="This page's number, from 1.", examples=[1])
    page_size: int = Field(examples=[20])
    total_items: int
    total_pages: int


SUMMARIES: dict[str, type[Summary]] = {}
DETAILS: dict[str, type[Summary]] = {}
PAGES: dict[str, type[PageBase]] = {}
for _kind, _name in SINGULAR.items():
    SUMMARIES[_kind] = create_model(f"{_name}Summary", __base__=Summary, **_fields(SUMMARY_FIELDS[_kind]))
    DETAILS[_kind] = create_model(f"{_name}Detail", __base__=(SUMMARIES[_kind], Common),
                                  **_fields(DETAIL_FIELDS[_kind]))
    PAGES[_kind] = create_model(f"{_name}Page", __base__=PageBase, items=(list[SUMMARIES[_kind]], ...))


class Through(Model):
    """One way two organisations work together: where, in which role, when."""

    network: Ref = Field(description="The network, collaboration or programme both take part in.")
    member_of: Ref = Field(description="Where the collaborator itself is a member (the network or one inside it).")
    programmes: list[Ref] = []
    role: Ref | None = None
    period: Period | None = None


class Collaborator(Model):
    organisation: Ref
    sectors: list[Ref] = []
    through: list[Through] = []


class SectorCount(Model):
    sector: Ref
    collaborators: int


class CollaboratorPage(PageBase):
    """The collaborators of an organisation: with whom, through which networks or programmes, when, across which sectors."""

    organisation: Ref
    sectors: list[SectorCount] = Field([], description="How many collaborators are in each sector (all pages).")
    items: list[Collaborator]


class MemberPage(PageBase):
    """The members and partners of a network, including those of the networks inside it."""

    network: Ref
    items: list[Membership]


class FundedItem(Model):
    item: Ref
    relation: str = Field(description="funded (schema:funder), inProgramme (ln:programme), or partOfFunded "
                          "(a network inside something the programme funds or frames).", examples=["funded"])
    through: Ref | None = None


class FundedPage(PageBase):
    """What a programme funds or frames."""

    programme: Ref
    items: list[FundedItem]


class CollectionLink(Model):
    name: str
    href: str


class Health(Model):
    """Whether the server is up, and whether its kept indexes describe the current data."""

    status: str = Field(description='"up" while the server answers.')
    theme_index: str = Field(description='"ready" when a theme\'s networks come from the kept index, '
                                         '"building" while it is (re)built after a start or a change '
                                         '(the store answers meanwhile, slower on big stores).')
    public_data: str = Field(description='"ready" when /sparql, the dumps and the dataset description can answer, '
                                         '"building" while the publishable copy of the data is made after a start.')


class ApiIndex(Model):
    """The entry point of the API."""

    title: str
    version: str
    links: dict[str, Link] = Field(alias="_links")
    collections: list[CollectionLink]
