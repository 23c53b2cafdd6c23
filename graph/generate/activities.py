"""What networks do and who takes part without being named: participant counts per role, events
(and event series) and products."""

from __future__ import annotations

from graph.generate import vocabulary as v
from graph.generate.context import MARK, Context
from graph.generate.pool import Member, group_of
from graph.generate.writer import lit, typed

ROLE_HINTS = {"hoger-onderwijs": ("student", "stagiair", "docent"), "scholen": ("leerling", "leraar", "ouder-opvoeder"),
              "jeugd": ("jongere", "ouder-opvoeder", "praktijkprofessional", "jeugdprofessional"),
              "zorg-welzijn": ("client", "praktijkprofessional", "ervaringsdeskundige"),
              "overheid": ("praktijkprofessional",), "overig": ("ervaringsdeskundige",)}


def counts(ctx: Context, network: str, slug: str, period: str, members: list[Member]) -> None:
    """Write 1-4 participant counts (people in roles that are never published) of a network."""
    rng = ctx.rng
    hinted = {r for m in members[:3] for r in ROLE_HINTS.get(_group(m), ())}
    roles = sorted(hinted) if hinted else list(v.COUNTED_ROLES)
    for role in rng.sample(roles, min(len(roles), rng.randint(1, 4))):
        props = [("a", "ln:ParticipantCount"), ("ln:inNetwork", network), ("ln:role", f"def/rol/{role}")]
        if ctx.chance(0.9):
            props.append(("ln:period", period))
        kind = rng.random()
        if kind < 0.5:
            props.append(("ln:count", typed(rng.randint(1, 4) if ctx.chance(0.15) else rng.randint(5, 150),
                                            "nonNegativeInteger")))
        elif kind < 0.8:
            low = rng.randint(2, 30)
            props += [("ln:minCount", typed(low, "nonNegativeInteger")),
                      ("ln:maxCount", typed(low + rng.randint(0, 30), "nonNegativeInteger"))]
        if ctx.chance(0.3):
            props.append(("ln:fromOrganization", rng.choice(members).iri))
        props.append(MARK)
        ctx.emit("count", f"id/deelname/{slug}-{role}", props)


def events(ctx: Context, network: str, slug: str, label: str, start: int, end: int | None, themes) -> None:
    """Write 0-6 events of a network, in a series when there are several."""
    rng = ctx.rng
    n = rng.choice((0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6))
    series = None
    if n >= 2 and ctx.chance(0.4):
        series = f"id/bijeenkomst/{slug}-reeks"
        ctx.emit("series", series, [
            ("a", "schema:EventSeries"), ("schema:name", lit(f"Bijeenkomsten van {label}", "nl")),
            ("schema:organizer", network), ("dcterms:subject", f"def/thema/{themes[0][0]}"),
            ("ln:eventsHeld", typed(n, "nonNegativeInteger")),
            ("ln:eventsPlanned", typed(n + rng.randint(0, 3), "nonNegativeInteger")),
            ("ln:countedOn", typed(ctx.day_in(start, end), "date")), MARK])
    for k in range(n):
        theme = rng.choice(themes)
        props = [("a", "schema:Event"), ("schema:name", lit(f"{label}: bijeenkomst {k + 1} over {theme[1].lower()}", "nl")),
                 ("schema:startDate", typed(ctx.day_in(start, end), "date")), ("schema:organizer", network),
                 ("dcterms:subject", f"def/thema/{theme[0]}")]
        if series:
            props.append(("schema:superEvent", series))
        if ctx.chance(0.6):
            props.append(("ln:attendeeCount", typed(rng.randint(6, 80), "nonNegativeInteger")))
        props.append(MARK)
        ctx.emit("event", f"id/bijeenkomst/{slug}-{k + 1}", props)


def products(ctx: Context, network: str, slug: str, label: str, start: int, end: int | None, themes, people) -> None:
    """Write 0-3 products (reports, methods, websites, podcasts, guides) of a network."""
    rng = ctx.rng
    for k in range(rng.choice((0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3))):
        cls, kind_nl, _ = rng.choice(v.PRODUCT_TYPES)
        theme = rng.choice(themes)
        product = f"id/product/{slug}-{k + 1}"
        props = [("a", cls), ("schema:name", lit(f"{kind_nl} {theme[1].lower()} ({label})", "nl")),
                 ("schema:creator", network)]
        if people and ctx.chance(0.3):
            props.append(("schema:author", rng.choice(people)))
        day = ctx.day_in(start, end)
        props += [("schema:datePublished", typed(day, "date") if ctx.chance(0.6) else typed(day[:4], "gYear")),
                  ("schema:about", network), ("dcterms:subject", f"def/thema/{theme[0]}")]
        if ctx.chance(0.5):
            props.append(("schema:url", f"<https://example.org/leernet-synthetisch/{product.rsplit('/', 1)[1]}>"))
        if ctx.chance(0.5):
            props.append(("dcterms:description", lit(f"{kind_nl} van {label}. Gegenereerd voorbeeld.", "nl")))
        props.append(MARK)
        ctx.emit("product", product, props)


def _group(member: Member) -> str:
    return "overig" if member.kind == "collaboration" else group_of(member.kind)
