"""The facts of one state of the store, read once and classified: what each resource is, which
must stay hidden, which contexts enclose which, and the known periods.

The store is read once per state of the store (one SPARQL query, or for the embedded store one
index scan per predicate, plus one query for provenance); nothing is queried per node.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict

import pyoxigraph as ox

from graph.analysis.progress import SILENT
from graph.analysis.selection import parse_period
from graph.namespaces import sparql_prefixes

CONTEXT_TYPES = ("network", "collaboration", "programme", "project", "event", "product")
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


class StoreFacts:
    """Reading and classifying the facts: the part of
    :class:`~graph.analysis.build.KnowledgeGraphNetworks` that sets ``facts``, ``graphs_of``,
    ``sources``, ``kind``, ``hidden``, ``periods`` and ``up``."""

    # -- reading ---------------------------------------------------------------------------------

    def _read(self, progress=None) -> None:
        relations = {"member", "inNetwork", "from", "funder", "creator", "author", "projectMember", "organizer", "headOf"}
        facts, graphs_of = self.facts, self.graphs_of
        with (progress if progress is not None else SILENT).bar(None, "reading statements", " statements") as bar:
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

    def _int(self, s: str, p: str) -> int | None:
        value = self._text(s, p)
        return int(value) if value not in (None, "") and str(value).isdigit() else None

    def snapshot(self) -> dict:
        """:func:`snapshot` of the store, computed once per state of the store (its ``generation``)."""
        key = ("snapshot", getattr(self.store, "generation", 0))
        if key not in self._memo:
            self._memo[key] = snapshot(self.store)
        return self._memo[key]

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

    def actor_type(self, iri: str) -> str | None:
        """organisation, lectoraat, collaboration, person or rolegroup; ``None`` for anything else."""
        return ACTOR_KINDS.get(self.kind.get(iri))
