"""Reads things from the store into the REST models: names, references, relations, periods, memberships.

Everything here drops what :class:`api.privacy.Privacy` hides and suppresses small counts.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

import pyoxigraph as ox

from api import queries as q
from api.context import Context
from api.models import DETAILS, SUMMARIES, ItemLinks, Link, Membership, ParticipantCount, Period, Ref
from graph.names import dutch_name, language_of, pick
from graph.namespaces import prefixes


def parse_date(value: str | None) -> datetime.date | None:
    """An ``xsd:date`` lexical value as a date (a time zone or time part is dropped)."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


class Reader:
    """Builds response models for one request."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.base = ctx.base
        self.store = ctx.store
        self.privacy = ctx.privacy
        # Names are shared by all requests until the store changes: a theme's 2,000 networks at 10M
        # triples are sorted by name, and fetching those names took most of the request.
        self._labels: dict[str, tuple[str | None, str | None]] = ctx.cached(("labels",), dict)

    # --- names and references -------------------------------------------------------------------
    def select(self, sparql: str) -> list[dict]:
        return self.store.select(sparql)

    def load_labels(self, iris) -> None:
        """Fetch the Dutch and English names of the IRIs not fetched yet."""
        todo = sorted({i for i in iris if i not in self._labels})
        if not todo:
            return
        found: dict[str, list] = defaultdict(list)
        for start in range(0, len(todo), 500):
            for row in self.select(q.labels_query(self.base, todo[start:start + 500])):
                found[row["s"].value].append(row["l"])
        for iri in todo:
            lits = found.get(iri, [])
            nl = dutch_name(lits)
            en_only = [lit for lit in lits if language_of(lit).startswith("en")]
            self._labels[iri] = (nl, en_only and sorted(en_only, key=lambda x: x.value)[0].value or None)

    def classify(self, iri: str) -> tuple[str, str, q.Kind | None]:
        """(type, slug, kind) of an IRI from the space it lives in."""
        for kind in q.KINDS.values():
            if iri.startswith(self.base + kind.space):
                return kind.type, iri[len(self.base + kind.space):], kind
        for space, type_ in q.OTHER_SPACES.items():
            if iri.startswith(self.base + space):
                return type_, iri[len(self.base + space):], None
        return "external", iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1], None

    def ref(self, iri: str) -> Ref:
        """A :class:`Ref` to the IRI (call :meth:`load_labels` first for names)."""
        type_, slug, kind = self.classify(iri)
        nl, en = self._labels.get(iri, (None, None))
        href = self.ctx.api_url(f"/{kind.name}/{slug}") if kind else None
        return Ref(id=slug, iri=iri, type=type_, name=nl, name_en=en, href=href)

    def item_links(self, kind: q.Kind, slug: str) -> ItemLinks:
        document = ("doc/" + kind.space[len("id/"):]) if kind.space.startswith("id/") else kind.space
        return ItemLinks(self=Link(href=self.ctx.api_url(f"/{kind.name}/{slug}")),
                         describedby=Link(href=f"{self.base}{document}{slug}"))

    def curie(self, iri: str) -> str:
        for prefix, ns in prefixes(self.base).items():
            if iri.startswith(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    # --- periods --------------------------------------------------------------------------------
    def periods(self, iris) -> dict[str, Period]:
        """Each interval IRI as a :class:`Period`."""
        iris = sorted(set(iris))
        if not iris:
            return {}
        out = {}
        for row in self.select(q.periods_query(self.base, iris)):
            p = row["p"].value
            begin = parse_date(row["b"].value) if "b" in row else None
            end = parse_date(row["e"].value) if "e" in row else None
            out[p] = Period(iri=p, start=begin, end=end)
        return out

    # --- relations ------------------------------------------------------------------------------
    def relations(self, iris: list[str], rels) -> dict[str, dict[str, list]]:
        """For each IRI, field name -> the visible objects of that relation (terms, sorted)."""
        out: dict[str, dict[str, list]] = {i: defaultdict(list) for i in iris}
        if not iris or not rels:
            return out
        for row in self.select(q.rels_query(self.base, iris, rels)):
            obj = row["o"]
            if isinstance(obj, ox.NamedNode) and not self.privacy.visible(obj.value):
                continue
            out[row["s"].value][row["field"].value].append(obj)
        return out

    def fill(self, iris: list[str], rels) -> dict[str, dict]:
        """Field values for each IRI: Refs, texts, dates, ints and Periods as the relations say."""
        raw = self.relations(iris, rels)
        ref_iris = {o.value for fields in raw.values() for objs in fields.values() for o in objs
                    if isinstance(o, ox.NamedNode)}
        self.load_labels(ref_iris)
        period_iris = {o.value for fields in raw.values() for name, objs in fields.items() for o in objs
                       if name == "period"}
        periods = self.periods(period_iris)
        result: dict[str, dict] = {}
        for iri in iris:
            values: dict = {}
            for rel in rels:
                objs = sorted(raw[iri].get(rel.name, []), key=lambda o: o.value)
                values[rel.name] = self.convert(rel, objs, periods)
            result[iri] = values
        return result

    def convert(self, rel: q.Rel, objs: list, periods: dict[str, Period]):
        if rel.name == "period":
            found = [periods[o.value] for o in objs if o.value in periods]
            return found[0] if found else None
        if rel.value == "ref":
            refs = [self.ref(o.value) for o in objs if isinstance(o, ox.NamedNode)]
            refs.sort(key=lambda r: ((r.name or r.id).casefold(), r.iri))
            return refs if rel.many else (refs[0] if refs else None)
        if rel.value == "iri":
            texts = sorted({self.curie(o.value) if rel.name == "types" else o.value for o in objs})
        elif rel.value == "int":
            texts = [int(o.value) for o in objs if o.value.lstrip("-").isdigit()]
            if rel.name == "attendee_count":
                texts = [self.privacy.number(v) for v in texts]
        elif rel.value == "date":
            texts = [d for d in (parse_date(o.value) for o in objs) if d]
        else:
            texts = sorted({o.value for o in objs})
        return texts if rel.many else (texts[0] if texts else None)

    # --- summaries and details ------------------------------------------------------------------
    def texts(self, iris: list[str]) -> dict[str, tuple[str | None, str | None]]:
        found: dict[str, list] = defaultdict(list)
        for row in self.select(q.texts_query(self.base, iris)):
            found[row["s"].value].append(row["d"])
        return {i: (pick(found[i], "nl"), pick([x for x in found[i] if language_of(x).startswith("en")], "en"))
                for i in iris}

    def base_fields(self, kind: q.Kind, iri: str, texts) -> dict:
        _, slug, _ = self.classify(iri)
        nl, en = self._labels.get(iri, (None, None))
        desc_nl, desc_en = texts.get(iri, (None, None))
        return {"id": slug, "iri": iri, "type": kind.type, "name": nl, "name_en": en,
                "description": desc_nl or desc_en, "description_en": desc_en,
                "links": self.item_links(kind, slug)}

    def summaries(self, kind: q.Kind, iris: list[str]) -> list:
        """Summary models of the IRIs, in the given order."""
        if not iris:
            return []
        self.load_labels(iris)
        texts = self.texts(iris)
        fields = self.fill(iris, kind.summary)
        model = SUMMARIES[kind.name]
        return [model(**self.base_fields(kind, i, texts), **fields[i]) for i in iris]

    def detail(self, kind: q.Kind, iri: str):
        """The detail model of one thing, with its relations."""
        self.load_labels([iri])
        texts = self.texts([iri])
        fields = self.fill([iri], q.all_rels(kind))[iri]
        if kind.name in ("organisations", "lectoraten", "people"):
            fields["memberships"] = self.memberships(of_members=[iri])
        if kind.name in ("organisations", "networks", "programmes"):
            fields["members"] = self.memberships(of_organizations=[iri])
        if kind.name == "networks":
            fields["participant_counts"] = self.participant_counts(iri)
        if kind.name == "events":
            raw = self.relations([iri], [q.Rel("n", "ln:attendeeCount", "int", False)])[iri].get("n", [])
            values = [int(o.value) for o in raw if o.value.isdigit()]
            fields["attendee_count_display"] = self.privacy.display(values[0]) if values else None
        return DETAILS[kind.name](**self.base_fields(kind, iri, texts), **fields)

    # --- memberships and counts -----------------------------------------------------------------
    def memberships(self, *, of_organizations=None, of_members=None) -> list[Membership]:
        """The visible memberships in the given organisations or of the given members."""
        rows = self.select(q.memberships_query(self.base, of_organizations=of_organizations, of_members=of_members))
        rows = [r for r in rows if all(self.privacy.visible(r[k].value) for k in ("m", "member", "org"))]
        self.load_labels({r[k].value for r in rows for k in ("member", "org", "role") if k in r})
        periods = self.periods(r["period"].value for r in rows if "period" in r)
        out = {}
        for r in rows:
            m = r["m"].value
            out[m] = Membership(iri=m, member=self.ref(r["member"].value), organization=self.ref(r["org"].value),
                                role=self.ref(r["role"].value) if "role" in r else None,
                                period=periods.get(r["period"].value) if "period" in r else None)
        return sorted(out.values(), key=lambda x: ((x.member.name or x.member.id).casefold(), x.iri))

    def participant_counts(self, network: str) -> list[ParticipantCount]:
        """The visible participant counts of a network, small numbers suppressed."""
        rows = [r for r in self.select(q.counts_query(self.base, network)) if self.privacy.visible(r["c"].value)]
        self.load_labels({r[k].value for r in rows for k in ("role", "from") if k in r})
        periods = self.periods(r["period"].value for r in rows if "period" in r)
        out = []
        for r in rows:
            raw = {k: int(r[k].value) if k in r and r[k].value.isdigit() else None for k in ("count", "min", "max")}
            shown = {k: self.privacy.number(v) for k, v in raw.items()}
            suppressed = any(raw[k] is not None and shown[k] is None for k in raw)
            if raw["max"] is not None and shown["max"] is None:
                shown["min"] = None
            frm = r.get("from")
            out.append(ParticipantCount(
                iri=r["c"].value, role=self.ref(r["role"].value) if "role" in r else None,
                period=periods.get(r["period"].value) if "period" in r else None,
                count=shown["count"], min_count=shown["min"], max_count=shown["max"],
                display=self.privacy.display(raw["count"], raw["min"], raw["max"]), suppressed=suppressed,
                from_organisation=self.ref(frm.value) if frm is not None and self.privacy.visible(frm.value) else None))
        return sorted(out, key=lambda c: ((c.role.name or "") if c.role else "", c.iri))
