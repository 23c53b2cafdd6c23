"""The fixed part of the synthetic ecosystem: the synthetic source, regions (the Netherlands, its
twelve provinces, invented municipalities), formal organisations of every kind, lectoraten with
their lectors and researchers, and consortia (collaborations) with their memberships."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from graph.generate import vocabulary as v
from graph.generate.context import MARK, MONTHS, SOURCE, Context
from graph.generate.writer import lit

ROR_CHARS = "0123456789abcdefghjkmnpqrstvwxyz"


@dataclass
class Member:
    """Something that can take part in a network: an organisation, lectoraat or collaboration."""

    iri: str
    kind: str  # an OrgKind key, "lectoraat" or "collaboration"
    label: str
    province: int
    place: str
    roles: tuple[str, ...]
    people: list[str] = field(default_factory=list)  # public persons working there (lectors, researchers)
    activity: float = 1.0  # how likely it joins a network (heavy-tailed: a few hubs, many occasional members)


@dataclass
class Pool:
    """Everything networks are built from, indexed for quick random choices."""

    provinces: list[tuple[str, str, int]] = field(default_factory=list)  # (iri, name, weight)
    places: list[tuple[str, str, int]] = field(default_factory=list)  # (iri, name, province index)
    places_in: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_kind: dict[str, list[Member]] = field(default_factory=lambda: defaultdict(list))
    by_group: dict[str, list[Member]] = field(default_factory=lambda: defaultdict(list))
    by_group_province: dict[tuple[str, int], list[Member]] = field(default_factory=lambda: defaultdict(list))
    funders: list[Member] = field(default_factory=list)  # organisations that fund (schema:FundingAgency)
    _cumulative: dict[int, list[float]] = field(default_factory=dict)

    def pick(self, rng, members: list[Member]) -> Member:
        """One of ``members``, chosen in proportion to their activity (lists must not change after use)."""
        cumulative = self._cumulative.get(id(members))
        if cumulative is None:
            total, cumulative = 0.0, []
            for member in members:
                total += member.activity
                cumulative.append(total)
            self._cumulative[id(members)] = cumulative
        return rng.choices(members, cum_weights=cumulative)[0]


ACTIVITY = {"hogeschool": 8.0, "universiteit": 6.0, "lectoraat": 3.0, "gemeente": 3.0, "onderzoeksinstituut": 3.0,
            "jgz": 2.0, "mbo": 2.0}


def activity(ctx: Context, kind: str) -> float:
    """A heavy-tailed (log-normal) activity for a new member of ``kind``."""
    return ACTIVITY.get(kind, 1.0) * ctx.rng.lognormvariate(0.0, 1.0)


def group_of(kind: str) -> str:
    """The sector group (vocabulary.SECTOR_GROUPS) of an organisation kind."""
    return next(g for g, kinds in v.SECTOR_GROUPS.items() if kind in kinds)


def pool_factor(scale: int) -> float:
    """The size of the organisation pool for ``scale`` triples, relative to the national one."""
    return scale / v.FULL_POOL_TRIPLES


def build_pool(ctx: Context, scale: int) -> Pool:
    """Create and write the source, regions, organisations, lectoraten and consortia (to a
    :class:`~graph.generate.writer.NullWriter` to rebuild the same pool without output)."""
    factor = pool_factor(scale)
    pool = Pool()
    ctx.writer.record(SOURCE, [
        ("a", "prov:Entity"), ("a", "dcat:Dataset"),
        ("dcterms:title", lit("Synthetisch leernet-ecosysteem", "nl")),
        ("dcterms:title", lit("Synthetic leernet ecosystem", "en")),
        ("schema:name", lit("Synthetisch leernet-ecosysteem (gegenereerd)", "nl")),
        ("dcterms:description", lit("Gegenereerde gegevens voor tests en metingen; geen echte organisaties, "
                                    "netwerken of personen.", "nl")),
        ("dcterms:description", lit("Generated data for tests and benchmarks; no real organisations, networks "
                                    "or people.", "en")),
        ("dcterms:language", lit("nl")),
    ])
    _regions(ctx, pool, factor)
    for kind in v.ORG_KINDS:
        count = max(kind.minimum, round(kind.national * factor))
        for i in range(count):
            _organisation(ctx, pool, kind, i + 1)
    for i in range(max(v.LECTORATEN_MIN, round(v.LECTORATEN_NATIONAL * factor))):
        _lectoraat(ctx, pool, i + 1)
    for i in range(max(v.COLLABORATIONS_MIN, round(v.COLLABORATIONS_NATIONAL * factor))):
        _collaboration(ctx, pool, i + 1)
    return pool


def _regions(ctx: Context, pool: Pool, factor: float) -> None:
    rng = ctx.rng
    country = "id/regio/syn-nederland"
    ctx.emit("place", country, [("a", "schema:Place"), ("schema:name", lit("Nederland", "nl")),
                           ("schema:name", lit("the Netherlands", "en")), MARK])
    for slug, name_nl, name_en, weight in v.PROVINCES:
        iri = f"id/regio/syn-provincie-{slug}"
        pool.provinces.append((iri, name_nl, weight))
        names = [("schema:name", lit(f"Provincie {name_nl}", "nl")), ("schema:name", lit(f"Province of {name_en}", "en"))]
        ctx.emit("place", iri, [("a", "schema:Place"), *names, ("schema:containedInPlace", country), MARK])
    kind = next(k for k in v.ORG_KINDS if k.key == "gemeente")
    used: set[str] = set()
    weights = [p[2] for p in pool.provinces]
    for i in range(max(kind.minimum, round(kind.national * factor))):
        name = f"{rng.choice(v.PLACE_HEADS)}{rng.choice(v.PLACE_TAILS)}"
        while name in used:
            name = f"{rng.choice(v.PLACE_HEADS)}{rng.choice(v.PLACE_TAILS)}" if len(used) < 600 else f"{name} {i}"
        used.add(name)
        province = rng.choices(range(len(pool.provinces)), weights=weights)[0]
        iri = f"id/regio/syn-{v.slugify(name)}"
        pool.places.append((iri, name, province))
        pool.places_in[province].append(len(pool.places) - 1)
        ctx.emit("place", iri, [("a", "schema:Place"), ("schema:name", lit(name, "nl")),
                           ("schema:containedInPlace", pool.provinces[province][0]), MARK])


def _identifier(ctx: Context, kind: str) -> list[tuple[str, str]]:
    rng = ctx.rng
    if kind == "ror":
        ror = "0" + "".join(rng.choice(ROR_CHARS) for _ in range(6)) + f"{rng.randrange(100):02d}"
        return [("ln:rorId", lit(ror))]
    if kind == "brin":
        return [("ln:brin", lit(f"{rng.randrange(100):02d}{chr(65 + rng.randrange(26))}{chr(65 + rng.randrange(26))}"))]
    if kind == "kvk":
        return [("ln:kvk", lit(f"{rng.randrange(10**8):08d}"))]
    return []


def _organisation(ctx: Context, pool: Pool, kind: v.OrgKind, number: int) -> None:
    rng = ctx.rng
    if kind.key == "gemeente":
        place_index = number - 1  # every municipality place has its municipality
    else:
        place_index = rng.randrange(len(pool.places))
    place_iri, place_name, province = pool.places[place_index]
    name = rng.choice(v.MINISTRY_NAMES if kind.key == "ministerie" else v.FUND_NAMES if kind.key == "financier"
                      else v.ORG_NAMES)
    label = kind.name_nl.format(place=place_name, name=name)
    slug = f"syn-{kind.key}-{number}"
    iri = f"id/organisatie/{slug}"
    props = [("a", "org:FormalOrganization")]
    if kind.funder:
        props.append(("a", "schema:FundingAgency"))
    props.append(("skos:prefLabel", lit(label, "nl")))
    if ctx.chance(0.7):
        props.append(("skos:prefLabel", lit(kind.name_en.format(place=place_name, name=name), "en")))
    props += [("org:classification", f"def/sector/{kind.sector}"), ("dcterms:type", f"def/organisatietype/{kind.org_type}"),
              ("schema:location", place_iri)]
    if ctx.chance(0.6):
        props.append(("dcterms:description", lit(f"{label} is een gegenereerde organisatie ({kind.sector}) "
                                                 f"in {place_name}.", "nl")))
    if ctx.chance(0.8):
        props.append(("schema:url", f"<https://example.org/leernet-synthetisch/{slug}>"))
    props += _identifier(ctx, kind.identifier)
    props.append(MARK)
    member = Member(iri, kind.key, label, province, place_iri, kind.roles, activity=activity(ctx, kind.key))
    _index(pool, member)
    if kind.funder or kind.key == "ministerie":
        pool.funders.append(member)
    ctx.emit("organisation", iri, props)


def _index(pool: Pool, member: Member) -> None:
    group = group_of(member.kind) if member.kind != "collaboration" else "overig"
    pool.by_kind[member.kind].append(member)
    pool.by_group[group].append(member)
    pool.by_group_province[(group, member.province)].append(member)


def person(ctx: Context, role: str, affiliation: Member | None, topic: str | None = None,
           heads: str | None = None) -> str:
    """Create and write a public person in ``role`` (a publishable def/rol); returns the IRI."""
    rng = ctx.rng
    iri = ctx.person_iri()
    title = v.JOB_TITLES[role] + (f" {topic}" if topic else "")
    props = [("a", "schema:Person"), ("schema:name", lit(f"{rng.choice(v.FIRST_NAMES)} {rng.choice(v.SURNAMES)}")),
             ("ln:publicRole", f"def/rol/{role}"), ("schema:jobTitle", lit(title, "nl"))]
    if affiliation is not None:
        props.append(("schema:affiliation", affiliation.iri))
    if heads is not None:
        props.append(("org:headOf", heads))
    props.append(MARK)
    ctx.emit("person", iri, props)
    return iri


def _lectoraat(ctx: Context, pool: Pool, number: int) -> None:
    rng = ctx.rng
    school = rng.choice(pool.by_kind["hogeschool"])
    topic_nl, topic_en = rng.choice(v.LECTORAAT_TOPICS)
    iri = f"id/lectoraat/syn-lectoraat-{number}"
    label = f"Lectoraat {topic_nl} ({school.label})"
    themes = [("dcterms:subject", f"def/thema/{t}") for t, _ in rng.sample(ctx.themes, rng.randint(1, 2))]
    props = [("a", "ln:Lectoraat"), ("skos:prefLabel", lit(label, "nl")),
             ("skos:prefLabel", lit(f"Research group {topic_en}", "en")), ("org:unitOf", school.iri),
             ("schema:location", school.place)]
    props += themes
    props.append(MARK)
    ctx.emit("lectoraat", iri, props)
    member = Member(iri, "lectoraat", label, school.province, school.place, ("kennispartner", "partner"),
                    activity=activity(ctx, "lectoraat"))
    _index(pool, member)
    lector = person(ctx, "lector", member, topic_nl, heads=iri)
    member.people.append(lector)
    for _ in range(rng.randint(0, 2)):
        member.people.append(person(ctx, "onderzoeker", member))


def _collaboration(ctx: Context, pool: Pool, number: int) -> None:
    rng = ctx.rng
    province = rng.choices(range(len(pool.provinces)), weights=[p[2] for p in pool.provinces])[0]
    name = f"Samenwerkingsverband {rng.choice(v.ORG_NAMES)} {pool.provinces[province][1]}"
    iri = f"id/organisatie/syn-samenwerkingsverband-{number}"
    props = [("a", "org:OrganizationalCollaboration"), ("skos:prefLabel", lit(name, "nl"))]
    candidates = [m for group in ("jeugd", "scholen", "zorg-welzijn", "overheid")
                  for m in pool.by_group_province.get((group, province), [])] or pool.by_group["jeugd"]
    partners = rng.sample(candidates, min(len(candidates), rng.randint(3, 8)))
    for sector in sorted({f"def/sector/{_sector(p.kind)}" for p in partners})[:2]:
        props.append(("org:classification", sector))
    props.append(MARK)
    ctx.emit("collaboration", iri, props)
    start = rng.randrange(0, MONTHS - 24)
    end = rng.randint(start + 12, MONTHS - 1)
    period = ctx.period(start, None if ctx.chance(0.5) else end)
    for j, partner in enumerate(partners):
        role = "penvoerder" if j == 0 else "consortiumpartner"
        m_props = [("a", "org:Membership"), ("org:member", partner.iri), ("org:organization", iri),
                   ("org:role", f"def/rol/{role}")]
        m_props += [("org:memberDuring", period), MARK]
        ctx.emit("membership", f"id/lidmaatschap/syn-samenwerkingsverband-{number}-lid-{j + 1}", m_props)
    member = Member(iri, "collaboration", name, province, pool.provinces[province][0], ("partner", "netwerkpartner"),
                    activity=activity(ctx, "collaboration"))
    pool.by_kind["collaboration"].append(member)


def _sector(kind: str) -> str:
    return next(k.sector for k in v.ORG_KINDS if k.key == kind) if kind != "lectoraat" else "hbo"


__all__ = ["Member", "Pool", "build_pool", "group_of", "person", "pool_factor"]
