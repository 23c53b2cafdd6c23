"""The ties of actors to the contexts they take part in, and the ties a :class:`Selection` keeps.

Actors are organisations (a lectoraat counts for its hogeschool unless ``units="keep"``), people
in a public role, and role groups (one ``ln:ParticipantCount``: "the interns of network X"; groups
known to be smaller than ``settings.min_public_count`` are left out, other sizes are shown only from
that threshold). Contexts are networks, collaborations with members, programmes, projects, events
and products. A context inside another (a network in an umbrella network or programme, a
collaboration or network that is a member of a network, a network organising an event series or
making a product) is *enclosed* by it: its actors also meet in the enclosing context.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from graph.analysis.selection import Selection, overlaps, parse_period
from graph.errors import InputError

if TYPE_CHECKING:
    from graph.analysis.build import KnowledgeGraphNetworks


@dataclass
class Tie:
    """One direct tie of an actor to a context, with what the sources say about it."""

    actor: str
    context: str
    relation: str
    role: str | None = None
    span: tuple[str | None, str | None] | None = None
    graphs: set = field(default_factory=set)
    via: str | None = None
    through: str | None = None  # the context the tie is to, when it counts for an enclosing one


class TieSelection:
    """Ties, filters and selections: the part of :class:`~graph.analysis.build.KnowledgeGraphNetworks`
    that finds the ties of a selection (and keeps the last few)."""

    def ties(self, units: str = "merge") -> list[Tie]:
        """Every direct tie of a visible actor to a visible context."""
        if ("ties", units) not in self._memo:
            self._memo[("ties", units)] = self._ties(units)
        return self._memo[("ties", units)]

    def _ties(self, units: str) -> list[Tie]:
        ties: list[Tie] = []
        hidden = self.hidden

        def add(actor, context, relation, evidence, role=None, span=None, via=None):
            if actor in hidden or context in hidden or (via and via in hidden):
                return
            if self.kind.get(actor) == "lectoraat" and units == "merge":
                parent = self._one(actor, "unitOf")
                if parent is None or parent in hidden:
                    return
                actor, via = parent, via or actor
            if self.actor_type(actor) is None or not self.is_context(context):
                return
            ties.append(Tie(actor, context, relation, role, span, set(self.graphs_of.get(evidence, ())), via))

        for s, kind in self.kind.items():
            props = self.facts[s]
            if kind == "membership":
                member, org = self._one(s, "member"), self._one(s, "organization")
                during = self._one(s, "during")
                add(member, org, "member", (s, "member", member), self._one(s, "role"), self.periods.get(during))
            elif kind == "count" and self._group_visible(s):
                network = self._one(s, "inNetwork")
                span = self.periods.get(self._one(s, "period"))
                add(s, network, "participant", (s, "inNetwork", network), self._one(s, "groupRole"), span)
                for origin in props.get("from", []):
                    add(origin, network, "participant", (s, "from", origin), self._one(s, "groupRole"), span, via=s)
            for p, relation, reverse in (("funder", "funder", True), ("creator", "creator", True), ("author", "author", True),
                                         ("organizer", "organizer", True), ("projectMember", "member", True),
                                         ("headOf", "head", False)):
                for v in props.get(p, []):
                    if isinstance(v, str):
                        actor, context = (v, s) if reverse else (s, v)
                        add(actor, context, relation, (s, p, v))
        return ties

    def _group_visible(self, count: str) -> bool:
        """A role group is left out when the sources say it has fewer people than the threshold."""
        threshold = self.settings.min_public_count
        exact, high = self._int(count, "count"), self._int(count, "maxCount")
        return not ((exact is not None and exact < threshold) or (high is not None and high < threshold))

    # -- selection -----------------------------------------------------------------------------------

    def resolve(self, what: str, value: str | None) -> str | None:
        """The IRI for a filter given as slug or IRI (theme, region, programme, network_type);
        :class:`InputError` naming close matches when the graph has no such thing."""
        if not value:
            return None
        space = {"theme": "def/thema/", "region": "id/regio/", "programme": "id/programma/",
                 "network_type": "def/netwerktype/"}[what]
        iri = value if value.startswith(("http://", "https://")) else f"{self.base}{space}{value}"
        known = sorted(s[len(self.base) + len(space):] for s in self.facts
                       if s.startswith(self.base + space) and ("prefLabel" in self.facts[s] or "name" in self.facts[s]))
        if iri not in self.facts or not iri.startswith(self.base + space):
            close = difflib.get_close_matches(value.rsplit("/", 1)[-1], known, n=5, cutoff=0.5)
            hint = f"did you mean: {', '.join(close)}?" if close else f"known values: {', '.join(known[:15])}"
            raise InputError(f"{what.replace('_', ' ')} {value!r} does not exist in the knowledge graph", [hint])
        return iri

    def selection(self, period: str | None = None, theme: str | None = None, region: str | None = None,
                  programme: str | None = None, network_type: str | None = None, **options) -> Selection:
        """A :class:`Selection` from user input (slugs or IRIs, a period text)."""
        span = parse_period(period) if period else None
        return Selection(start=span[0] if span else None, end=span[1] if span else None,
                         theme=self.resolve("theme", theme), region=self.resolve("region", region),
                         programme=self.resolve("programme", programme),
                         network_type=self.resolve("network_type", network_type), **options)

    def _closure(self, start: set, predicate: str) -> set:
        seen, todo = set(start), list(start)
        while todo:
            for v in self.facts.get(todo.pop(), {}).get(predicate, []):
                if isinstance(v, str) and v not in seen:
                    seen.add(v)
                    todo.append(v)
        return seen

    def _own_and_parents(self, context: str, predicates: tuple[str, ...]) -> set:
        found, todo, seen = set(), [context], set()
        while todo:
            c = todo.pop()
            if c in seen:
                continue
            seen.add(c)
            props = self.facts.get(c, {})
            found.update(v for p in predicates for v in props.get(p, []) if isinstance(v, str))
            todo.extend(v for v in props.get("parent", []) if isinstance(v, str))
        return found

    def matches(self, context: str, sel: Selection) -> bool:
        """Whether a context passes the theme, region, programme and network-type filters."""
        key = ("matches", context, sel.theme, sel.region, sel.programme, sel.network_type)
        if key not in self._memo:
            self._memo[key] = self._matches(context, sel)
        return self._memo[key]

    def _matches(self, context: str, sel: Selection) -> bool:
        if sel.theme and sel.theme not in self._closure(self._own_and_parents(context, ("subject",)), "broader"):
            return False
        if sel.region and sel.region not in self._closure(self._own_and_parents(context, ("areaServed", "location")), "within"):
            return False
        if sel.programme and sel.programme != context and sel.programme not in self.ancestors(context):
            return False
        if sel.network_type and (self.kind.get(context) != "network" or sel.network_type not in
                                 self._closure(set(self.facts[context].get("classification", [])), "broader")):
            return False
        return True

    def selected_ties(self, sel: Selection) -> list[Tie]:
        """The ties in the selection: to contexts passing the filters (or, unless direct only, to
        the enclosing contexts that pass them), with periods overlapping the selection's (the last
        few selections are kept; treat the list as read-only)."""
        found = self._recall(self._selected, sel)
        return found if found is not None else self._keep(self._selected, sel, self._select(sel))

    def _select(self, sel: Selection) -> list[Tie]:
        kept = []
        spans: dict[str, tuple | None] = {}
        every_period = sel.start is None and sel.end is None
        for tie in self.ties(sel.units):
            span = tie.span
            if not span:
                context = tie.context
                span = spans[context] if context in spans else spans.setdefault(context, self.span(context))
            if not every_period:
                inside = overlaps(span, sel.start, sel.end)
                if not (inside or (inside is None and sel.include_undated)):
                    continue
            if self.matches(tie.context, sel):  # the tie itself when nothing changes (ties are read-only)
                kept.append(tie if span is tie.span else
                            Tie(tie.actor, tie.context, tie.relation, tie.role, span, tie.graphs, tie.via))
            elif sel.indirect and any((sel.theme, sel.region, sel.programme, sel.network_type)):
                outer = [a for a in self.ancestors(tie.context) if self.matches(a, sel)]
                nearest = [a for a in outer if not any(a in self.ancestors(o) for o in outer if o != a)]
                kept += [Tie(tie.actor, a, tie.relation, tie.role, span, tie.graphs, tie.via, tie.context)
                         for a in sorted(nearest)]
        return kept


def members_by_context(networks: KnowledgeGraphNetworks, selection: Selection, projection: str) -> dict[str, set]:
    """The actors of each context (with those of the contexts inside it), as in the projection."""
    kinds = ("organisation", "lectoraat", "collaboration") if projection == "organisations" else None
    members: dict[str, set] = defaultdict(set)
    outer_of: dict[str, list[str]] = {}
    for tie in networks.selected_ties(selection):
        if kinds and networks.actor_type(tie.actor) not in kinds:
            continue
        members[tie.context].add(tie.actor)
        outer = outer_of.get(tie.context)
        if outer is None:
            outer = outer_of[tie.context] = [o for o in networks.ancestors(tie.context) if networks.matches(o, selection)]
        for context in outer:
            members[context].add(tie.actor)
    return members


def years_in(networks: KnowledgeGraphNetworks, selection: Selection, last: int | None = None) -> list[int]:
    """The years in which some tie of the selection is known to run (open ends run to ``last``, default this year)."""
    last = last or datetime.now(timezone.utc).year
    years: set[int] = set()
    everything = Selection(**{**selection.__dict__, "start": None, "end": None})
    for tie in networks.selected_ties(everything):
        if tie.span and tie.span[0]:
            first = int(tie.span[0][:4])
            end = int(tie.span[1][:4]) if tie.span[1] else last
            years.update(range(max(first, 1900), min(end, last) + 1))
    if selection.start or selection.end:
        low, high = int((selection.start or "0001")[:4]), int((selection.end or "9999")[:4])
        years = {y for y in years if low <= y <= high}
    return sorted(years)
