"""What the networks say about their nodes and ties: node attributes (label, type, sector,
region, role, size, ...) and the evidence of each tie (context, relation, role, period, sources)."""

from __future__ import annotations

from collections import Counter, defaultdict

from graph.analysis.facts import CONTEXT_TYPES
from graph.analysis.ties import Tie


class NodeAttributes:
    """Node attributes and evidence: the part of :class:`~graph.analysis.build.KnowledgeGraphNetworks`
    that describes nodes and ties (each node's attributes are computed once)."""

    def _in_scheme(self, values, scheme: str) -> list[str]:
        prefix = f"{self.base}def/{scheme}/"
        return sorted(v for v in values if isinstance(v, str) and v.startswith(prefix))

    def _slug(self, iri: str | None) -> str:
        return iri.rstrip("/").rsplit("/", 1)[-1] if iri else ""

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
                "relation": tie.relation, "role": self._slug(tie.role), "period": span_text(tie.span),
                "sources": sources, "graphs": sorted(tie.graphs)}
        if tie.via:
            item["via"] = tie.via
        if tie.through or context != tie.context:
            item["through"] = tie.through or tie.context
        return item

    def _roles(self, ties: list[Tie], present) -> dict[str, tuple[str, str]]:
        """The role each actor shows: the most frequent of its own memberships, else of its people's groups."""
        roles: dict[str, Counter] = defaultdict(Counter)
        for tie in ties:  # an organisation's own memberships say its role; its people's groups only if nothing else does
            if tie.role and tie.actor in present:
                roles[tie.actor][tie.role] += 1 if tie.via is None else 0.001
        return {actor: sorted(counter.items(), key=lambda x: (-x[1], x[0]))[0][0] for actor, counter in roles.items()}

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


def span_text(span) -> str:
    """A period (begin, end-or-None) as "begin/end" or "begin/.." ("" when unknown)."""
    if not span or span[0] is None:
        return ""
    return f"{span[0]}/{span[1] or '..'}"
