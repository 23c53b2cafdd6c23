"""Learning networks and everything around them: programmes that fund them, umbrella networks,
memberships with periods and churn, participant counts per role, public persons, events, products
and research projects. One call of :meth:`NetworkFactory.network` writes one network with all of it."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass

from graph.generate import activities, vocabulary as v
from graph.generate.context import MARK, MONTHS, Context
from graph.generate.pool import Member, Pool, person
from graph.generate.writer import lit, typed

DIVERSITY = {"gesloten": (0.30, (1, 2)), "gemengd": (0.45, (3, 4)), "divers": (0.25, (5, 6))}


@dataclass
class Programme:
    """A programme networks are set up in, with room for a number of them."""

    iri: str
    funding: bool
    room: int
    province: int | None  # None: national


@dataclass
class Umbrella:
    """An umbrella (leerhuis) network other networks sit inside."""

    iri: str
    province: int
    start: int
    end: int | None
    room: int


class NetworkFactory:
    """Writes networks one at a time, keeping the programmes, umbrellas and recent networks it needs."""

    def __init__(self, ctx: Context, pool: Pool, prefix: str = "syn"):
        self.ctx, self.pool, self.prefix = ctx, pool, prefix
        self.count = 0
        self.programmes: list[Programme] = []
        self.programme_count = 0
        self.umbrellas: list[Umbrella] = []
        self.recent: deque[tuple[str, list[str]]] = deque(maxlen=50)  # (network, its people)
        self.project_count = 0
        self.labels: Counter = Counter()
        rng = ctx.rng
        order = list(ctx.themes)
        rng.shuffle(order)  # a few themes are popular, most are rare (Zipf-like weights)
        self.themes = order
        self.theme_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(order))]
        self.province_weights = [p[2] for p in pool.provinces]
        self.groups = list(v.GROUP_WEIGHTS)

    # -- one network -------------------------------------------------------------------------------

    def network(self) -> str:
        """Write one network with its memberships, counts, people, events and products; its IRI."""
        ctx, rng, pool = self.ctx, self.ctx.rng, self.pool
        self.count += 1
        slug = f"{self.prefix}-netwerk-{self.count}"
        iri = f"id/netwerk/{slug}"
        ntype = ctx.weighted(v.NETWORK_TYPES)
        province = rng.choices(range(len(pool.provinces)), weights=self.province_weights)[0]
        places = pool.places_in.get(province, [])
        area_iri, area_name = pool.provinces[province][0], pool.provinces[province][1]
        if places and ctx.chance(0.6):
            area_iri, area_name, _ = pool.places[rng.choice(places)]
        start = self._month(0, MONTHS - 7)
        end = start + (12 * rng.randint(1, 5) if ctx.chance(0.8) else rng.randint(10, 60)) - 1
        if end >= MONTHS - 1 or (end >= MONTHS - 18 and ctx.chance(0.5)):
            end = None
        umbrella = self._umbrella(province) if ntype != "leerhuis" and ctx.chance(0.15) else None
        if umbrella is not None:
            start = max(start, umbrella.start)
            end = end if umbrella.end is None or (end is not None and end <= umbrella.end) else umbrella.end
            start = min(start, end) if end is not None else start
        themes = self._themes(rng.randint(1, 4))
        name_nl, name_en = v.NETWORK_TYPE_NAMES[ntype]
        label = f"{name_nl} {themes[0][1]} {area_name}"
        self.labels[label] += 1
        if self.labels[label] > 1:
            label = f"{label} {self.labels[label]}"
        period = ctx.period(start, end)
        props = [("a", "ln:LearningNetwork"), ("skos:prefLabel", lit(label, "nl"))]
        if ctx.chance(0.5):
            props.append(("skos:prefLabel", lit(f"{name_en} {area_name} ({self.count})", "en")))
        props.append(("org:classification", f"def/netwerktype/{ntype}"))
        props += [("dcterms:subject", f"def/thema/{t}") for t, _ in themes]
        sources = rng.sample(v.KNOWLEDGE_SOURCES, rng.randint(1, 3))
        props += [("ln:knowledgeSource", f"def/kennisbron/{k}") for k in sources]
        props.append(("schema:areaServed", area_iri))
        if umbrella is not None:
            props.append(("schema:parentOrganization", umbrella.iri))
        programme = self._programme(province) if ctx.chance(0.5) else None
        if programme is not None:
            props.append(("ln:programme", programme.iri))
            if programme.funding:
                props.append(("schema:funder", programme.iri))
        elif ctx.chance(0.25) and pool.funders:
            props.append(("schema:funder", rng.choice(pool.funders).iri))
        props.append(("ln:period", period))
        if ctx.chance(0.6):
            props.append(("dcterms:description", lit(
                f"{name_nl} in {area_name} waarin professionals, onderwijs en onderzoek samen leren over "
                f"{themes[0][1].lower()}. Gegenereerd voorbeeld.", "nl")))
        if ctx.chance(0.4):
            low = rng.randint(6, 15)
            props += [("ln:minParticipants", typed(low, "integer")),
                      ("ln:maxParticipants", typed(low + rng.randint(0, 20), "integer"))]
        props.append(MARK)
        ctx.emit("network", iri, props)
        if ntype == "leerhuis":
            self.umbrellas.append(Umbrella(iri, province, start, end, rng.randint(2, 6)))
        persons = rng.choice((0, 0, 0, 1, 1, 2))
        members = self._members(iri, slug, province, start, end, persons)
        people = self._people(iri, members, persons)
        activities.counts(ctx, iri, slug, period, members)
        activities.events(ctx, iri, slug, label, start, end, themes)
        activities.products(ctx, iri, slug, label, start, end, themes, people)
        self.recent.append((iri, people))
        if ctx.chance(1 / 40):
            self._project(start)
        return iri

    def _month(self, low: int, high: int) -> int:
        """A month in low..high; mostly September or January (school and calendar years start)."""
        rng = self.ctx.rng
        month = rng.randint(low, high)
        if self.ctx.chance(0.7):
            aligned = month - month % 12 + (8 if rng.random() < 0.6 else 0)
            month = aligned if low <= aligned <= high else month
        return month

    def _leave(self, low: int, high: int) -> int:
        """A last month in low..high; mostly August or December (end of a school or calendar year)."""
        rng = self.ctx.rng
        month = rng.randint(low, high)
        if self.ctx.chance(0.7):
            aligned = month - month % 12 + (7 if rng.random() < 0.6 else 11)
            month = aligned if low <= aligned <= high else month
        return month

    def _themes(self, k: int) -> list[tuple[str, str]]:
        chosen: list[tuple[str, str]] = []
        while len(chosen) < k:
            theme = self.ctx.rng.choices(self.themes, weights=self.theme_weights)[0]
            if theme not in chosen:
                chosen.append(theme)
        return chosen

    def _umbrella(self, province: int) -> Umbrella | None:
        for index, umbrella in enumerate(self.umbrellas):
            if umbrella.province == province:
                umbrella.room -= 1
                if umbrella.room == 0:
                    del self.umbrellas[index]
                return umbrella
        return None

    def _programme(self, province: int) -> Programme:
        ctx, rng = self.ctx, self.ctx.rng
        self.programmes = [p for p in self.programmes if p.room > 0]
        candidates = [p for p in self.programmes if p.province in (province, None)]
        if len(candidates) < 2:
            self.programme_count += 1
            number = self.programme_count
            iri = f"id/programma/{self.prefix}-programma-{number}"
            funding = ctx.chance(0.7)
            words_nl, words_en = rng.choice(v.PROGRAMME_WORDS)
            start = rng.randrange(0, MONTHS - 24)
            national = ctx.chance(0.3)
            area = "id/regio/syn-nederland" if national else self.pool.provinces[province][0]
            region = "Nederland" if national else self.pool.provinces[province][1]
            props = [("a", "ln:Programme")]
            if funding:
                props.append(("a", "schema:FundingScheme"))
            props += [("schema:name", lit(f"{words_nl} {region} {number}", "nl")),
                      ("schema:name", lit(f"{words_en} {region} {number}", "en"))]
            if self.pool.funders and (funding or ctx.chance(0.5)):
                props.append(("schema:funder", rng.choice(self.pool.funders).iri))
            props.append(("ln:period", ctx.period(start, min(MONTHS - 1, start + rng.randint(24, 72)))))
            props += [("dcterms:subject", f"def/thema/{t}") for t, _ in self._themes(rng.randint(1, 3))]
            props += [("schema:areaServed", area),
                      ("dcterms:description", lit(f"Gegenereerd programma dat leernetwerken in {region} opzet en "
                                                  "ondersteunt.", "nl")), MARK]
            ctx.emit("programme", iri, props)
            candidates.append(Programme(iri, funding, 2 + min(18, int(rng.expovariate(1 / 4))),
                                        None if national else province))
            self.programmes.append(candidates[-1])
        programme = rng.choice(candidates)
        programme.room -= 1
        return programme

    # -- members -------------------------------------------------------------------------------------

    def _pick_members(self, province: int, size: int) -> list[Member]:
        ctx, rng, pool = self.ctx, self.ctx.rng, self.pool
        diversity = ctx.weighted({k: w for k, (w, _) in DIVERSITY.items()})
        low, high = DIVERSITY[diversity][1]
        groups = []
        weights = dict(v.GROUP_WEIGHTS)
        for _ in range(rng.randint(low, high)):
            group = ctx.weighted(weights)
            groups.append(group)
            del weights[group]
        chosen: list[Member] = []
        seen: set[str] = set()
        for slot in range(size * 3):
            if len(chosen) >= size:
                break
            group = groups[slot % len(groups)]
            local = pool.by_group_province.get((group, province))
            candidates = local if local and ctx.chance(0.85) else pool.by_group[group]
            if ctx.chance(0.02) and pool.by_kind.get("collaboration"):
                candidates = pool.by_kind["collaboration"]
            member = pool.pick(rng, candidates)
            if member.iri not in seen:
                seen.add(member.iri)
                chosen.append(member)
        everyone = [m for g in self.groups for m in pool.by_group[g]] if len(chosen) < size else []
        while len(chosen) < size:  # a small pool: fill up from anywhere
            member = rng.choice(everyone)
            if member.iri not in seen:
                seen.add(member.iri)
                chosen.append(member)
        return chosen

    def _members(self, network: str, slug: str, province: int, start: int, end: int | None,
                 persons: int) -> list[Member]:
        """Write the organisations' memberships: 8-25 members with the ``persons`` to come, some
        leaving early and others joining later (churn)."""
        ctx, rng = self.ctx, self.ctx.rng
        total = rng.choice((8, 9, 10, 10, 11, 12, 12, 13, 14, 15, 16, 18, 20, 22, 25)) - persons
        members = self._pick_members(province, total)
        initial = total - rng.randint(0, max(0, total - 8))
        last = MONTHS - 1 if end is None else end
        spans: list[tuple[int, int | None]] = [(start, end)] * initial
        for j in range(initial, total):  # later joiners: replacements of leavers, or newcomers
            leaver = rng.randrange(initial)
            leave = self._leave(start, max(start, last - 1))
            if spans[leaver] == (start, end) and leave < last:
                spans[leaver] = (start, leave)
            spans.append((min(last, leave + 1), end))
        for j in range(initial):
            if spans[j] == (start, end) and last - start >= 12 and ctx.chance(0.15):
                spans[j] = (start, self._leave(start + 6, last - 1))  # left without replacement
        for j, (member, (ms, me)) in enumerate(zip(members, spans)):
            role = "penvoerder" if j == 0 and member.kind != "collaboration" else (
                member.roles[0] if ctx.chance(0.6) else rng.choice(member.roles))
            props = [("a", "org:Membership"), ("org:member", member.iri), ("org:organization", network),
                     ("org:role", f"def/rol/{role}")]
            if ctx.chance(0.95):
                props.append(("org:memberDuring", ctx.period(ms, me)))
            props.append(MARK)
            ctx.emit("membership", f"id/lidmaatschap/{slug}-lid-{j + 1}", props)
        return members

    def _people(self, network: str, members: list[Member], persons: int) -> list[str]:
        """Public persons of the network: its head and people taking part in a public role."""
        ctx, rng = self.ctx, self.ctx.rng
        people: list[str] = []
        experts = [p for m in members for p in m.people]
        if ctx.chance(0.45):
            if experts and ctx.chance(0.4):
                head = rng.choice(experts)
                ctx.writer.record(head, [("org:headOf", network)])
            else:
                head = person(ctx, "projectleider", rng.choice(members), heads=network)
            people.append(head)
        for k in range(persons):
            role = rng.choice(v.PERSON_MEMBER_ROLES)
            who = rng.choice(experts) if experts and ctx.chance(0.5) else person(ctx, role, rng.choice(members))
            if who in people:
                who = person(ctx, role, rng.choice(members))
            people.append(who)
            ctx.emit("membership", f"id/lidmaatschap/{network.rsplit('/', 1)[1]}-persoon-{k + 1}",
                     [("a", "org:Membership"), ("org:member", who), ("org:organization", network),
                      ("org:role", f"def/rol/{role}"), MARK])
        return people

    # -- research projects ------------------------------------------------------------------------------

    def _project(self, start: int) -> None:
        ctx, rng = self.ctx, self.ctx.rng
        self.project_count += 1
        studied = rng.sample(list(self.recent), min(len(self.recent), rng.randint(2, 5)))
        researchers = [p for _, people in studied for p in people][:3]
        if not researchers:
            researchers = [person(ctx, "onderzoeker", rng.choice(self.pool.by_group["hoger-onderwijs"]))]
        iri = f"id/project/{self.prefix}-project-{self.project_count}"
        props = [("a", "schema:ResearchProject"),
                 ("schema:name", lit(f"Onderzoek naar leernetwerken {self.project_count}", "nl"))]
        props += [("schema:member", p) for p in researchers]
        if self.pool.funders:
            props.append(("schema:funder", rng.choice(self.pool.funders).iri))
        props += [("schema:about", network) for network, _ in studied]
        props += [("ln:period", ctx.period(start, min(MONTHS - 1, start + rng.randint(12, 36)))),
                  ("dcterms:description", lit("Gegenereerd onderzoek naar de werking van leernetwerken.", "nl")), MARK]
        ctx.emit("project", iri, props)


__all__ = ["NetworkFactory"]
