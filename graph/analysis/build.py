"""From the knowledge graph to networkx: the two-mode graph of actors and what they take part in,
and its one-mode projections, for a period and filters, every edge keeping its evidence.

Actors are organisations (a lectoraat counts for its hogeschool unless ``units="keep"``), people
in a public role, and role groups (one ``ln:ParticipantCount``: "the interns of network X"; groups
known to be smaller than ``settings.min_public_count`` are left out, other sizes are shown only from
that threshold). Contexts are networks, collaborations with members, programmes, projects, events
and products. A context inside another (a network in an umbrella network or programme, a
collaboration or network that is a member of a network, a network organising an event series or
making a product) is *enclosed* by it: its actors also meet in the enclosing context. In a
projection, two actors are tied by every context they share, keeping only the closest ones (a
shared umbrella does not count again when they already share a network inside it).

The store is read once per state of the store (one SPARQL query, or for the embedded store one
index scan per predicate, plus one query for provenance); nothing is queried per node. Each network
is built once per selection as arrays (:class:`~graph.analysis.projection.Projection`, kept for the
measures that follow) and, when asked for, as a networkx graph with the evidence of every tie.
"""

from __future__ import annotations

import calendar
import difflib
import hashlib
import re
import threading
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pyoxigraph as ox

from graph.analysis.projection import Projection, pair_table
from graph.errors import InputError
from graph.namespaces import sparql_prefixes

PERIOD_FORMAT = r"^(\d{4}(-\d{2}(-\d{2})?)?|\.\.)(/(\d{4}(-\d{2}(-\d{2})?)?|\.\.))?$"
PERIOD_HELP = ("a year (2020), a month (2020-03), a date, or a range start/end "
               "(2019-09-01/2020-08-31, 2019/.., ../2021)")
ACTOR_TYPES = ("organisation", "lectoraat", "collaboration", "person", "rolegroup")
ORGANISATION_TYPES = ("organisation", "lectoraat", "collaboration")
CONTEXT_TYPES = ("network", "collaboration", "programme", "project", "event", "product")
PROJECTIONS = ("organisations", "actors", "networks", "two-mode")
ACTOR_KINDS = {"organisation": "organisation", "lectoraat": "lectoraat", "collaboration-actor": "collaboration",
               "person": "person", "count": "rolegroup"}  # kind of resource -> actor type

PREDICATES = {
    "type": "rdf:type", "member": "org:member", "organization": "org:organization", "role": "org:role",
    "during": "org:memberDuring", "unitOf": "org:unitOf", "inNetwork": "ln:inNetwork", "groupRole": "ln:role",
    "period": "ln:period", "count": "ln:count", "minCount": "ln:minCount", "maxCount": "ln:maxCount",
    "from": "ln:fromOrganization", "parent": "schema:parentOrganization", "programme": "ln:programme",
    "funder": "schema:funder", "organizer": "schema:organizer", "superEvent": "schema:superEvent",
    "creator": "schema:creator", "author": "schema:author", "projectMember": "schema:member",
    "headOf": "org:headOf", "classification": "org:classification", "subject": "dcterms:subject",
    "location": "schema:location", "areaServed": "schema:areaServed", "within": "schema:containedInPlace",
    "broader": "skos:broader", "begin": "time:hasBeginning", "end": "time:hasEnd", "date": "time:inXSDDate",
    "startDate": "schema:startDate", "endDate": "schema:endDate", "published": "schema:datePublished",
    "founded": "schema:foundingDate", "dissolved": "schema:dissolutionDate", "publicRole": "ln:publicRole",
    "publishable": "ln:publishable", "isPublic": "ln:isPublic", "affiliation": "schema:affiliation",
    "prefLabel": "skos:prefLabel", "name": "schema:name",
}
TYPES = {
    "org#FormalOrganization": "organisation", "schema.org/FundingAgency": "organisation",
    "org#OrganizationalCollaboration": "collaboration", "leernet#Lectoraat": "lectoraat",
    "leernet#LearningNetwork": "network", "leernet#Programme": "programme",
    "schema.org/ResearchProject": "project", "schema.org/Event": "event", "schema.org/EventSeries": "event",
    "schema.org/Person": "person", "org#Membership": "membership", "leernet#ParticipantCount": "count",
}
PRODUCT_SPACE = "id/product/"
PROJECTION_CACHE = 6  # projections (as arrays) kept per state of the store, for the measures that follow


@dataclass(frozen=True)
class Selection:
    """Which part of the graph to analyse: a period (ISO dates, inclusive) and filters (IRIs).

    ``include_undated`` keeps ties whose period is unknown when a period is asked for;
    ``indirect`` adds the ties through enclosing contexts (umbrella networks, programmes);
    ``units`` is "merge" (a lectoraat counts for its hogeschool) or "keep".
    """

    start: str | None = None
    end: str | None = None
    theme: str | None = None
    region: str | None = None
    programme: str | None = None
    network_type: str | None = None
    include_undated: bool = False
    indirect: bool = True
    units: str = "merge"

    def parameters(self) -> dict:
        """The selection as plain values (for hashing, provenance and display)."""
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @property
    def period_label(self) -> str:
        """The period as "start/end" ("" for all time)."""
        if self.start is None and self.end is None:
            return ""
        return f"{self.start or '..'}/{self.end or '..'}"


def parse_period(text: str | None) -> tuple[str, str] | None:
    """``(start, end)`` ISO dates for a period text; :class:`InputError` naming the value if it is not one."""
    if not text:
        return None
    if not re.match(PERIOD_FORMAT, text):
        raise InputError(f"period {text!r} is not a period", [f"give {PERIOD_HELP}"])
    first, _, second = text.partition("/")

    def bound(value: str, end: bool) -> str:
        if value == "..":
            return "9999-12-31" if end else "0001-01-01"
        parts = [int(p) for p in value.split("-")]
        try:
            if len(parts) == 1:
                return f"{parts[0]:04d}-12-31" if end else f"{parts[0]:04d}-01-01"
            if len(parts) == 2:
                last = calendar.monthrange(parts[0], parts[1])[1]
                return f"{parts[0]:04d}-{parts[1]:02d}-{last if end else 1:02d}"
            calendar.weekday(*parts)
        except (ValueError, calendar.IllegalMonthError):
            raise InputError(f"period {text!r} names {value!r}, which is not a date", [f"give {PERIOD_HELP}"]) from None
        return value

    start, end = bound(first, False), bound(second or first, True)
    if start > end:
        raise InputError(f"period {text!r} ends before it starts", [f"give {PERIOD_HELP}"])
    return start, end


def overlaps(span: tuple[str | None, str | None] | None, start: str | None, end: str | None) -> bool | None:
    """Whether a (begin, end-or-None) span overlaps start..end; ``None`` when the span is unknown."""
    if start is None and end is None:
        return True
    if span is None or span[0] is None:
        return None
    return span[0] <= (end or "9999-12-31") and (span[1] is None or span[1] >= (start or "0001-01-01"))


def snapshot(store) -> dict:
    """What an analysis read: the data graphs with their triple counts and a SHA-256 of their sorted
    quads (analysis results and leernet's own metadata graph are left out)."""
    base = store.settings.base_iri
    skip = (f"{base}graph/analysis/", f"{base}graph/meta")
    lines, counts = [], Counter()
    for quad in store.quads():
        graph = getattr(quad.graph_name, "value", "")
        if graph.startswith(skip):
            continue
        counts[graph] += 1
        lines.append(str(quad))
    digest = hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()
    return {"digest": f"sha256:{digest}", "triples": sum(counts.values()), "graphs": dict(sorted(counts.items()))}


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


class KnowledgeGraphNetworks:
    """The facts of one state of the store, read once, from which every network is built."""

    def __init__(self, store, progress=None):
        self.store = store
        self.settings = store.settings
        self.base = store.settings.base_iri
        self.facts: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.graphs_of: dict[tuple, set] = defaultdict(set)
        self._memo: dict[tuple, object] = {}
        self._projections: OrderedDict[tuple, Projection] = OrderedDict()
        self._selected: OrderedDict[Selection, list[Tie]] = OrderedDict()
        self._attributes_of: dict[str, dict] = {}
        self._lock = threading.Lock()  # the API uses one instance from several threads
        self.generation = getattr(store, "generation", 0)  # the state of the store the facts were read in
        self._read(progress)
        self._classify()

    # -- reading ---------------------------------------------------------------------------------

    def _read(self, progress=None) -> None:
        relations = {"member", "inNetwork", "from", "funder", "creator", "author", "projectMember", "organizer", "headOf"}
        facts, graphs_of = self.facts, self.graphs_of
        with (progress.bar(None, "reading statements", " statements") if progress is not None else _NoBar()) as bar:
            for count, (name, s, value, g) in enumerate(self._statements(), start=1):
                facts[s][name].append(value)
                if name in relations:
                    graphs_of[(s, name, value)].add(g)
                if count % 50_000 == 0:
                    bar.update(50_000)
        self.sources: dict[str, list[str]] = defaultdict(list)
        for row in self.store.query(f"{sparql_prefixes(self.base)}SELECT ?g ?src WHERE {{ GRAPH ?g {{ ?g prov:wasDerivedFrom ?src }} }}"):
            self.sources[row["g"].value].append(row["src"].value)

    def _statements(self):
        """(predicate name, subject IRI, object IRI or term, graph IRI) of every statement read: from
        the named graphs except shapes and analysis results. An embedded store is read predicate by
        predicate through its index (about twice as fast as the one SPARQL query other stores get)."""
        base = self.base
        skip = (f"{base}graph/shapes/", f"{base}graph/analysis/")
        expanded = self._expanded()
        native = getattr(self.store, "oxigraph", None)
        if isinstance(native, ox.Store):
            for name, iri in expanded.items():
                for quad in native.quads_for_pattern(None, ox.NamedNode(iri), None, None):
                    s, o, g = quad.subject, quad.object, quad.graph_name
                    if isinstance(s, ox.BlankNode) or not isinstance(g, ox.NamedNode) or g.value.startswith(skip):
                        continue
                    yield name, s.value, o.value if isinstance(o, ox.NamedNode) else o, g.value
            return
        back = {f"<{iri}>": name for name, iri in expanded.items()}
        query = (f"{sparql_prefixes(base)}SELECT ?s ?p ?o ?g WHERE {{ VALUES ?p {{ {' '.join(back)} }} GRAPH ?g {{ ?s ?p ?o }} "
                 f'FILTER(!STRSTARTS(STR(?g), "{skip[0]}") && !STRSTARTS(STR(?g), "{skip[1]}")) }}')
        for row in self.store.query(query):
            s, p, o, g = row["s"], row["p"], row["o"], row["g"]
            if isinstance(s, ox.BlankNode):
                continue
            yield back[f"<{p.value}>"], s.value, o.value if isinstance(o, ox.NamedNode) else o, g.value

    def _expanded(self) -> dict[str, str]:
        prefixes = dict(re.findall(r"PREFIX (\w+): <([^>]+)>", sparql_prefixes(self.base)))
        return {name: prefixes[curie.split(":")[0]] + curie.split(":")[1] for name, curie in PREDICATES.items()}

    def _one(self, s: str, p: str):
        values = self.facts.get(s, {}).get(p, [])
        return values[0] if values else None

    def _text(self, s: str, p: str) -> str | None:
        value = self._one(s, p)
        return value.value if isinstance(value, ox.Literal) else value

    def label(self, iri: str, lang: str = "nl") -> str:
        """The name of a thing in ``lang`` (else Dutch, else any, else the last segment of its IRI)."""
        literals = [v for p in ("prefLabel", "name") for v in self.facts.get(iri, {}).get(p, [])
                    if isinstance(v, ox.Literal)]
        for wanted in (lang, "nl", None, "en"):
            for literal in literals:
                if literal.language == wanted or (wanted is None and not literal.language):
                    return literal.value
        return literals[0].value if literals else re.split(r"[/#]", iri.rstrip("/"))[-1]

    # -- classification ----------------------------------------------------------------------------

    def _classify(self) -> None:
        kinds: dict[str, str] = {}
        for s, props in self.facts.items():
            for t in props.get("type", []):
                kind = next((k for suffix, k in TYPES.items() if isinstance(t, str) and t.endswith(suffix)), None)
                if kind and (s not in kinds or kind == "person"):
                    kinds[s] = kind
            if s.startswith(self.base + PRODUCT_SPACE) and props.get("type"):
                kinds[s] = "product"
        self.kind = kinds
        self.hidden = self._hidden()
        self.periods = {s: (self._date(self._one(s, "begin")), self._date(self._one(s, "end")) if self._one(s, "end") else None)
                        for s, props in self.facts.items() if "begin" in props}
        members = {self._one(m, "organization") for m, k in kinds.items() if k == "membership"}
        for s, kind in kinds.items():
            if kind == "collaboration" and s not in members:
                kinds[s] = "collaboration-actor"
        self.up = self._enclosing()

    def _date(self, instant) -> str | None:
        value = self._text(instant, "date") if isinstance(instant, str) else None
        return value[:10] if value else None

    def _hidden(self) -> set[str]:
        """Resources that must not appear: marked non-public, and people without a publishable role."""
        publishable = {s for s, props in self.facts.items()
                       if any(isinstance(v, ox.Literal) and v.value in ("true", "1") for v in props.get("publishable", []))}
        hidden = {s for s, props in self.facts.items()
                  if any(isinstance(v, ox.Literal) and v.value in ("false", "0") for v in props.get("isPublic", []))}
        for s, props in self.facts.items():
            if (self.kind.get(s) == "person" or "/id/persoon/" in s) and not set(props.get("publicRole", [])) & publishable:
                hidden.add(s)
        return hidden

    def _enclosing(self) -> dict[str, set[str]]:
        """For each context, the contexts directly enclosing it."""
        up: dict[str, set[str]] = defaultdict(set)
        is_context = self.is_context
        for s, props in self.facts.items():
            if not is_context(s):
                continue
            for p in ("parent", "programme", "funder", "superEvent"):
                up[s].update(v for v in props.get(p, []) if isinstance(v, str) and is_context(v) and v != s)
            for p in ("organizer", "creator"):
                for v in props.get(p, []):
                    if isinstance(v, str) and is_context(v) and v != s:
                        up[v].add(s)
        for m, kind in self.kind.items():
            if kind == "membership":
                member, org = self._one(m, "member"), self._one(m, "organization")
                if is_context(member) and is_context(org):
                    up[member].add(org)
        return up

    def is_context(self, iri) -> bool:
        """Whether the IRI is a network, collaboration with members, programme, project, event or product."""
        return isinstance(iri, str) and self.kind.get(iri) in CONTEXT_TYPES

    def ancestors(self, context: str) -> set[str]:
        """Every context enclosing ``context``, however far up."""
        key = ("ancestors", context)
        if key not in self._memo:
            self._memo[key] = self._ancestors(context)
        return self._memo[key]

    def _ancestors(self, context: str) -> set[str]:
        seen, todo = set(), [context]
        while todo:
            for parent in self.up.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        seen.discard(context)
        return seen

    def span(self, iri: str) -> tuple[str | None, str | None] | None:
        """The known period of a context (its own, else that of the nearest enclosing network)."""
        props = self.facts.get(iri, {})
        spans = [self.periods[p] for p in props.get("period", []) if p in self.periods]
        if spans:
            ends = [e for _, e in spans]
            return min(b for b, _ in spans), None if None in ends else max(ends)
        if props.get("founded"):
            return self._text(iri, "founded")[:10], (self._text(iri, "dissolved") or "")[:10] or None
        if props.get("startDate"):
            first = self._text(iri, "startDate")[:10]
            return first, (self._text(iri, "endDate") or first)[:10]
        if props.get("published"):
            year = self._text(iri, "published")
            return parse_period(year[:10]) if re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", year[:10]) else None
        for parent in props.get("parent", []):
            if isinstance(parent, str) and parent != iri:
                return self.span(parent)
        return None

    # -- ties ----------------------------------------------------------------------------------------

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

    def actor_type(self, iri: str) -> str | None:
        """organisation, lectoraat, collaboration, person or rolegroup; ``None`` for anything else."""
        return ACTOR_KINDS.get(self.kind.get(iri))

    def _group_visible(self, count: str) -> bool:
        """A role group is left out when the sources say it has fewer people than the threshold."""
        threshold = self.settings.min_public_count
        exact, high = self._int(count, "count"), self._int(count, "maxCount")
        return not ((exact is not None and exact < threshold) or (high is not None and high < threshold))

    def _int(self, s: str, p: str) -> int | None:
        value = self._text(s, p)
        return int(value) if value not in (None, "") and str(value).isdigit() else None

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

    # -- attributes --------------------------------------------------------------------------------

    def _in_scheme(self, values, scheme: str) -> list[str]:
        prefix = f"{self.base}def/{scheme}/"
        return sorted(v for v in values if isinstance(v, str) and v.startswith(prefix))

    def _slug(self, iri: str | None) -> str:
        return iri.rstrip("/").rsplit("/", 1)[-1] if iri else ""

    def snapshot(self) -> dict:
        """:func:`snapshot` of the store, computed once per state of the store (its ``generation``)."""
        key = ("snapshot", getattr(self.store, "generation", 0))
        if key not in self._memo:
            self._memo[key] = snapshot(self.store)
        return self._memo[key]

    def node_attributes(self, iri: str) -> dict:
        """label, label_en, iri, type, sector(s), region, role, size and more, as strings and numbers
        (a new dict each time; computed once per node)."""
        found = self._attributes_of.get(iri)
        if found is None:
            found = self._attributes_of[iri] = self._node_attributes(iri)
        return dict(found)

    def _node_attributes(self, iri: str) -> dict:
        kind = self.actor_type(iri) or self.kind.get(iri, "")
        attrs = {"iri": iri, "label": self.label(iri, "nl"), "label_en": self.label(iri, "en"), "type": kind}
        home = iri
        if kind == "lectoraat" or (kind == "person" and self._one(iri, "affiliation")):
            home = self._one(iri, "unitOf" if kind == "lectoraat" else "affiliation") or iri
        if kind == "person":
            attrs["type"] = "person"
        sectors = self._in_scheme(self.facts.get(home, {}).get("classification", []), "sector")
        if sectors and kind != "network":
            specific = [s for s in sectors if not any(s in self._closure({o}, "broader") - {o} for o in sectors)]
            tops = sorted({self._top(s) for s in sectors})
            attrs.update(sector=self._slug(tops[0]), sector_label=self.label(tops[0]),
                         subsector=self._slug(specific[0]), subsector_label=self.label(specific[0]),
                         sectors=";".join(self._slug(s) for s in sectors))
        place = next(iter(self.facts.get(home, {}).get("location", []) + self.facts.get(home, {}).get("areaServed", [])), None)
        if isinstance(place, str):
            attrs.update(region=self._slug(place), region_label=self.label(place))
        if kind == "person":
            roles = [r for r in self.facts[iri].get("publicRole", []) if r not in self.hidden]
            if roles:
                attrs.update(role=self._slug(roles[0]), role_label=self.label(roles[0]))
        if kind == "rolegroup":
            role, network = self._one(iri, "groupRole"), self._one(iri, "inNetwork")
            attrs.update(role=self._slug(role), role_label=self.label(role), network=network or "",
                         label=f"{self.label(role)} ({self.label(network)})",
                         label_en=f"{self.label(role, 'en')} ({self.label(network, 'en')})", size_display=self.size_display(iri))
            exact = self._int(iri, "count")
            if exact is not None and exact >= self.settings.min_public_count:
                attrs["size"] = exact
        if kind in CONTEXT_TYPES:
            types = self._in_scheme(self.facts[iri].get("classification", []), "netwerktype")
            if types:
                attrs.update(network_type=self._slug(types[0]), network_type_label=self.label(types[0]))
            themes = self._in_scheme(self.facts[iri].get("subject", []), "thema")
            if themes:
                attrs["themes"] = ";".join(self._slug(t) for t in themes)
            parents = sorted(self.up.get(iri, ()))
            if parents:
                attrs["within"] = ";".join(parents)
        return attrs

    def _top(self, concept: str) -> str:
        seen = [concept]
        while True:
            broader = [b for b in self.facts.get(seen[-1], {}).get("broader", []) if isinstance(b, str) and b not in seen]
            if not broader:
                return seen[-1]
            seen.append(broader[0])

    def size_display(self, count: str) -> str:
        """A role group's size as it may be published: "12", "8–15", "≥5" or "" when unknown."""
        threshold = self.settings.min_public_count
        exact, low, high = self._int(count, "count"), self._int(count, "minCount"), self._int(count, "maxCount")
        if exact is not None:
            return str(exact) if exact >= threshold else f"<{threshold}"
        low = low if low is not None and low >= threshold else None
        if high is not None:
            return f"{low}–{high}" if low is not None else f"≤{high}"
        return f"≥{low}" if low is not None else ""

    def evidence(self, tie: Tie, context: str | None = None) -> dict:
        """What one tie rests on: context, relation, role, period, source documents and graphs."""
        context = context or tie.context
        sources = sorted({s for g in tie.graphs for s in self.sources.get(g, [])})
        item = {"context": context, "context_label": self.label(context), "context_type": self.kind.get(context, ""),
                "relation": tie.relation, "role": self._slug(tie.role), "period": _span_text(tie.span),
                "sources": sources, "graphs": sorted(tie.graphs)}
        if tie.via:
            item["via"] = tie.via
        if tie.through or context != tie.context:
            item["through"] = tie.through or tie.context
        return item

    # -- graphs --------------------------------------------------------------------------------------

    def network(self, sel: Selection | None = None, projection: str = "organisations") -> nx.Graph:
        """The graph of a selection: ``two-mode``, or the projection on ``organisations``, ``actors`` or ``networks``."""
        sel = sel or Selection()
        _check_projection(projection)
        ties = self.selected_ties(sel)
        if projection == "two-mode":
            graph = self._two_mode(ties)
        elif projection == "networks":
            graph = self._networks(ties)
        else:
            graph = self._actors(ties, sel, ORGANISATION_TYPES if projection == "organisations" else ACTOR_TYPES)
        graph.graph.update(self._graph_attributes(sel, projection))
        return graph

    def projection(self, sel: Selection | None = None, projection: str = "organisations") -> Projection:
        """The network of a selection as arrays (nodes, attributes, edges and weights, without the
        evidence), as :meth:`network` would build it: what the measures compute on. The last
        :data:`PROJECTION_CACHE` are kept, so the measures of one run share one build."""
        sel = sel or Selection()
        _check_projection(projection)
        key = (projection, sel)
        found = self._recall(self._projections, key)
        if found is not None:
            return found
        ties = self.selected_ties(sel)
        if projection == "two-mode":
            built = self._two_mode_arrays(ties)
        elif projection == "networks":
            built = self._network_pairs(ties)[0]
        else:
            built = self._actor_pairs(ties, sel, ORGANISATION_TYPES if projection == "organisations" else ACTOR_TYPES)[0]
        built.kind = projection
        built.graph.update(self._graph_attributes(sel, projection))
        return self._keep(self._projections, key, built)

    def _recall(self, cache: OrderedDict, key):
        """A kept result (the most recently used move to the end), or None."""
        with self._lock:
            found = cache.get(key)
            if found is not None:
                cache.move_to_end(key)
            return found

    def _keep(self, cache: OrderedDict, key, value):
        """Keep a result, forgetting the least recently used beyond PROJECTION_CACHE."""
        with self._lock:
            cache[key] = value
            while len(cache) > PROJECTION_CACHE:
                cache.popitem(last=False)
        return value

    def _graph_attributes(self, sel: Selection, projection: str) -> dict:
        return {"projection": projection, "period": sel.period_label, "base": self.base,
                "filters": ";".join(v for v in (sel.theme, sel.region, sel.programme, sel.network_type) if v)}

    def _add_node(self, graph: nx.Graph, iri: str, **extra) -> None:
        if iri not in graph:
            graph.add_node(iri, **self.node_attributes(iri), **extra)

    def _roles(self, ties: list[Tie], present) -> dict[str, tuple[str, str]]:
        """The role each actor shows: the most frequent of its own memberships, else of its people's groups."""
        roles: dict[str, Counter] = defaultdict(Counter)
        for tie in ties:  # an organisation's own memberships say its role; its people's groups only if nothing else does
            if tie.role and tie.actor in present:
                roles[tie.actor][tie.role] += 1 if tie.via is None else 0.001
        return {actor: sorted(counter.items(), key=lambda x: (-x[1], x[0]))[0][0] for actor, counter in roles.items()}

    def _set_roles(self, graph: nx.Graph, ties: list[Tie]) -> None:
        for actor, top in self._roles(ties, graph).items():
            if "role" not in graph.nodes[actor]:
                graph.nodes[actor].update(role=self._slug(top), role_label=self.label(top))

    def _attributes(self, nodes: list[str], ties: list[Tie], **extra) -> list[dict]:
        """Node attributes as :meth:`network` sets them (``extra`` maps a node to more attributes)."""
        attributes = [{**self.node_attributes(n), **extra.get(n, {})} for n in nodes]
        present = set(nodes)
        index = {n: i for i, n in enumerate(nodes)}
        for actor, top in self._roles(ties, present).items():
            attrs = attributes[index[actor]]
            if "role" not in attrs:
                attrs.update(role=self._slug(top), role_label=self.label(top))
        return attributes

    def _two_mode(self, ties: list[Tie]) -> nx.Graph:
        graph = nx.Graph()
        for tie in ties:
            self._add_node(graph, tie.actor, bipartite=0)
            self._add_node(graph, tie.context, bipartite=1)
            if graph.has_edge(tie.actor, tie.context):
                data = graph.edges[tie.actor, tie.context]
                data["evidence"].append(self.evidence(tie))
                data["weight"] = len(data["evidence"])
            else:
                graph.add_edge(tie.actor, tie.context, weight=1, relation=tie.relation, role=self._slug(tie.role),
                               period=_span_text(tie.span), evidence=[self.evidence(tie)])
        self._set_roles(graph, ties)
        return graph

    def _two_mode_arrays(self, ties: list[Tie]) -> Projection:
        index: dict[str, int] = {}
        mode: dict[str, int] = {}
        edges: dict[tuple[int, int], int] = {}
        for tie in ties:
            for node, side in ((tie.actor, 0), (tie.context, 1)):
                if node not in index:
                    index[node] = len(index)
                    mode[node] = side
            pair = (index[tie.actor], index[tie.context])
            if pair not in edges and pair[::-1] in edges:
                pair = pair[::-1]
            edges[pair] = edges.get(pair, 0) + 1
        nodes = list(index)
        ends = np.array(list(edges), dtype=np.int64).reshape(-1, 2)
        return Projection("two-mode", nodes, self._attributes(nodes, ties, **{n: {"bipartite": mode[n]} for n in nodes}),
                          ends[:, 0].copy(), ends[:, 1].copy(), np.array(list(edges.values()), dtype=np.int64))

    def _affiliations(self, ties: list[Tie], sel: Selection, kinds: tuple[str, ...]) -> dict[str, dict[str, list]]:
        """Per actor (in order of appearance) the contexts it takes part in, each with the ties
        (and the enclosing context they count for) that say so."""
        affiliations: dict[str, dict[str, list]] = {}
        actor_type, ancestors, matches = self.actor_type, self.ancestors, self.matches
        for tie in ties:
            if actor_type(tie.actor) not in kinds:
                continue
            contexts = affiliations.setdefault(tie.actor, {})
            contexts.setdefault(tie.context, []).append((tie, None))
            if sel.indirect:
                for outer in ancestors(tie.context):
                    if matches(outer, sel):
                        contexts.setdefault(outer, []).append((tie, outer))
        return affiliations

    def _actor_pairs(self, ties: list[Tie], sel: Selection, kinds: tuple[str, ...], keep: bool = False):
        """The actor projection as arrays; with ``keep`` also the affiliations, contexts and per-edge
        closest contexts the evidence is made of."""
        if keep:
            affiliations = self._affiliations(ties, sel, kinds)
            joined = {actor: list(contexts) for actor, contexts in affiliations.items()}
        else:  # the same contexts in the same order, without keeping which tie says what
            seen: dict[str, list[str]] = {}
            outer_of: dict[str, tuple[str, ...]] = {}
            actor_type, ancestors, matches = self.actor_type, self.ancestors, self.matches
            for tie in ties:
                if actor_type(tie.actor) not in kinds:
                    continue
                context = tie.context
                outer = outer_of.get(context)
                if outer is None:
                    outer = outer_of[context] = tuple(a for a in ancestors(context) if matches(a, sel)) if sel.indirect else ()
                found = seen.get(tie.actor)
                if found is None:
                    found = seen[tie.actor] = []
                found.append(context)
                found.extend(outer)
            joined = {actor: list(dict.fromkeys(contexts)) for actor, contexts in seen.items()}
        nodes = list(joined)
        by_iri = sorted(range(len(nodes)), key=nodes.__getitem__)
        rank = np.empty(len(nodes), dtype=np.int64)
        rank[by_iri] = np.arange(len(nodes))
        members: dict[str, list[int]] = {}
        for r, contexts in zip(rank.tolist(), joined.values()):
            for context in contexts:
                found = members.get(context)
                if found is None:
                    members[context] = [r]
                else:
                    found.append(r)
        contexts = list(members)
        position = {c: p for p, c in enumerate(contexts)}
        sets = [np.sort(np.array(members[c], dtype=np.int64)) for c in contexts]
        # A context whose members are exactly those of a context inside it is never the closest
        # shared context of any pair: leave it out, but keep its place in the order of first occurrence.
        family: dict[bytes, list[int]] = defaultdict(list)
        for p, ids in enumerate(sets):
            if ids.size > 1:
                family[ids.tobytes()].append(p)
        skip: set[int] = set()
        place = list(range(len(contexts)))
        for group in family.values():
            if len(group) < 2:
                continue
            inside = set(group)
            for p in group:
                skip.update(position[a] for a in self.ancestors(contexts[p]) if position.get(a) in inside)
            kept = [p for p in group if p not in skip]
            if not kept:  # contexts enclosing each other (a cycle in the data): count them all
                skip.difference_update(group)
                continue
            place[kept[0]] = min(group)
        outer = [sorted(position[a] for a in self.ancestors(c) if a in position and position[a] not in skip)
                 if p not in skip else [] for p, c in enumerate(contexts)]
        enclosing = (np.concatenate([[0], np.cumsum([len(o) for o in outer])]).astype(np.int64),
                     np.array([a for o in outer for a in o], dtype=np.int64))
        blocks = sorted(((place[p], p) for p in range(len(contexts)) if p not in skip and sets[p].size > 1))
        table = pair_table(((p, sets[p]) for _, p in blocks), len(nodes), enclosing=enclosing,
                           block_count=len(contexts), keep_blocks=keep)
        back = np.array(by_iri, dtype=np.int64)
        source, target = back[table.source], back[table.target]
        built = Projection("", nodes, self._attributes(nodes, ties), source, target, table.weight)
        return built, (affiliations, contexts, table) if keep else None

    def _actors(self, ties: list[Tie], sel: Selection, kinds: tuple[str, ...]) -> nx.Graph:
        built, (affiliations, contexts, table) = self._actor_pairs(ties, sel, kinds, keep=True)
        graph = nx.Graph()
        graph.add_nodes_from(zip(built.nodes, built.attributes))
        evidence: dict[tuple[str, str], tuple[list, set, set]] = {}
        labels: dict[str, str] = {}

        def items(actor: str, context: str) -> tuple[list, set, set]:
            key = (actor, context)
            found = evidence.get(key)
            if found is None:
                found = [self.evidence(tie, outer) for tie, outer in affiliations[actor][context]]
                found = evidence[key] = (found, {x["period"] for x in found if x["period"]},
                                         {s for x in found for s in x["sources"]})
            return found

        def label(context: str) -> str:
            if context not in labels:
                labels[context] = self.label(context)
            return labels[context]

        nodes, ptr, blocks = built.nodes, table.block_ptr.tolist(), table.blocks.tolist()
        for e, (u, v) in enumerate(zip(built.source.tolist(), built.target.tolist())):
            a, b = nodes[u], nodes[v]
            closest = sorted(contexts[c] for c in blocks[ptr[e]:ptr[e + 1]])
            found, periods, sources = [], set(), set()
            for c in closest:
                for items_of in (items(a, c), items(b, c)):
                    found += items_of[0]
                    periods |= items_of[1]
                    sources |= items_of[2]
            graph.add_edge(a, b, weight=len(closest), contexts=closest, context_labels=sorted({label(c) for c in closest}),
                           periods=sorted(periods), sources=sorted(sources), evidence=found)
        return graph

    def _network_pairs(self, ties: list[Tie], keep: bool = False):
        """The networks projection as arrays (contexts tied by the actors they share)."""
        index: dict[str, int] = {}
        by_actor: dict[str, dict[str, list[Tie]]] = {}
        for tie in ties:
            if tie.context not in index:
                index[tie.context] = len(index)
            by_actor.setdefault(tie.actor, {}).setdefault(tie.context, []).append(tie)
        nodes = list(index)
        by_iri = sorted(range(len(nodes)), key=nodes.__getitem__)
        rank = np.empty(len(nodes), dtype=np.int64)
        rank[by_iri] = np.arange(len(nodes))
        actors = list(by_actor)
        table = pair_table(((i, np.sort(rank[[index[c] for c in by_actor[a]]])) for i, a in enumerate(actors)),
                           len(nodes), keep_blocks=keep)
        back = np.array(by_iri, dtype=np.int64)
        built = Projection("", nodes, self._attributes(nodes, []), back[table.source], back[table.target], table.weight)
        return built, (by_actor, actors, table) if keep else None

    def _networks(self, ties: list[Tie]) -> nx.Graph:
        built, (by_actor, actors, table) = self._network_pairs(ties, keep=True)
        graph = nx.Graph()
        graph.add_nodes_from(zip(built.nodes, built.attributes))
        evidence: dict[tuple[str, str], tuple[list, set, set]] = {}
        labels: dict[str, str] = {}

        def items(actor: str, context: str) -> tuple[list, set, set]:
            key = (actor, context)
            found = evidence.get(key)
            if found is None:
                found = [self.evidence(tie) for tie in by_actor[actor][context]]
                found = evidence[key] = (found, {x["period"] for x in found if x["period"]},
                                         {s for x in found for s in x["sources"]})
            return found

        def label(actor: str) -> str:
            if actor not in labels:
                labels[actor] = self.label(actor)
            return labels[actor]

        nodes, ptr, blocks = built.nodes, table.block_ptr.tolist(), table.blocks.tolist()
        for e, (u, v) in enumerate(zip(built.source.tolist(), built.target.tolist())):
            a, b = nodes[u], nodes[v]
            sharing = sorted(actors[x] for x in blocks[ptr[e]:ptr[e + 1]])
            found, periods, sources = [], set(), set()
            for actor in sharing:
                for items_of in (items(actor, a), items(actor, b)):
                    found += [dict(item, actor=actor) for item in items_of[0]]
                    periods |= items_of[1]
                    sources |= items_of[2]
            graph.add_edge(a, b, weight=len(sharing), actors=sharing, evidence=found,
                           context_labels=sorted(label(x) for x in sharing), periods=sorted(periods),
                           sources=sorted(sources))
        return graph


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int = 1) -> None:
        pass


def _check_projection(projection: str) -> None:
    if projection not in PROJECTIONS:
        raise InputError(f"projection {projection!r} does not exist", [f"use one of: {', '.join(PROJECTIONS)}"])


def _span_text(span) -> str:
    if not span or span[0] is None:
        return ""
    return f"{span[0]}/{span[1] or '..'}"
