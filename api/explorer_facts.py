"""The facts on an entity page with the source documents behind each one.

A fact is a publishable triple about the thing (or pointing at it). Its sources are the documents the
named graphs holding that triple were derived from (``{graph} prov:wasDerivedFrom {base}id/bron/…``).
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from api import rdf_docs
from api.entities import Reader
from api.explorer_page import Page
from api.explorer_tables import Link, Table
from api.html import DESCRIPTIONS, PRIMARY_TOPIC, Names

DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def graph_sources(page: Page) -> dict[str, list[str]]:
    """Named graph -> the source documents it was derived from (read once per state of the store)."""
    ctx = page.ctx

    def build() -> dict[str, list[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for quad in ctx.store.quads(None, ox.NamedNode(DERIVED_FROM), None):
            if quad.subject.value.startswith(ctx.base + "graph/") and isinstance(quad.object, ox.NamedNode):
                found[quad.subject.value].add(quad.object.value)
        return {g: sorted(s) for g, s in found.items()}
    return ctx.cached(("explorer-graph-sources",), build)


class Facts:
    """The facts of one page: names of everything mentioned, sources per triple, tables."""

    def __init__(self, page: Page, iri: str, triples: list[ox.Triple]):
        self.page = page
        self.iri = iri
        self.node = ox.NamedNode(iri)
        self.triples = triples
        self.names = Names(page.ctx, triples)
        self.reader = Reader(page.ctx)
        self._sources = graph_sources(page)
        self.all_sources: set[str] = set()
        self.graph_numbers: dict[str, int] = {}

    def name(self, iri: str) -> str:
        if self.page.lang == "en":
            english = self.names.name(iri, "en")
            if english:
                return english
        return self.names.node_name(ox.NamedNode(iri))

    def title(self) -> tuple[str, str | None]:
        """(name in the page's language, the other language's name if it differs)."""
        nl, en = self.names.name(self.iri, "nl"), self.names.name(self.iri, "en")
        main = (en if self.page.lang == "en" and en else nl) or rdf_docs.nn(self.iri).value.rsplit("/", 1)[-1]
        other = nl if self.page.lang == "en" else en
        return main, (other if other and other != main else None)

    def descriptions(self) -> list[dict]:
        """The thing's descriptions, the page's language first."""
        texts = [{"text": t.object.value, "lang": t.object.language or None} for t in self.triples
                 if t.subject == self.node and t.predicate.value in DESCRIPTIONS and isinstance(t.object, ox.Literal)]
        return sorted(texts, key=lambda x: (x["lang"] not in (self.page.lang, None), x["lang"] or "", x["text"]))

    def sources_of(self, triple: ox.Triple) -> list[str]:
        """The named graphs that state ``triple`` (their documents are its sources)."""
        return self.graphs_of(self.page.ctx.store.quads(triple.subject, triple.predicate, triple.object))

    def graphs_of(self, quads) -> list[str]:
        graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)
                         and self._sources.get(q.graph_name.value)})
        for graph in graphs:
            self.graph_numbers.setdefault(graph, len(self.graph_numbers) + 1)
            self.all_sources.update(s for s in self._sources[graph] if self.page.privacy.visible(s))
        return graphs

    def source_cell(self, graphs: list[str]) -> list[Link]:
        """The sources of a fact: a document by name, or "n bronnen" pointing at the file's list of documents."""
        self.reader.load_labels(self.all_sources)
        cells = []
        for graph in graphs:
            documents = [s for s in self._sources[graph] if self.page.privacy.visible(s)]
            if len(documents) == 1:
                cells.append(self.source_link(documents[0]))
            elif documents:
                cells.append(Link(self.page.ui("sources_n", n=len(documents)), f"#bestand-{self.graph_numbers[graph]}",
                                  "; ".join(documents)))
        return list(dict.fromkeys(cells))

    def source_groups(self) -> list[dict]:
        """The files behind the facts that were derived from several documents, with those documents."""
        groups = []
        for graph, number in sorted(self.graph_numbers.items(), key=lambda x: x[1]):
            documents = [s for s in self._sources[graph] if self.page.privacy.visible(s)]
            if len(documents) > 1:
                groups.append({"id": f"bestand-{number}", "graph": graph.rsplit("/", 1)[-1],
                               "documents": sorted((self.source_link(d) for d in documents), key=lambda x: x.text)})
        return groups

    def value(self, term) -> Link | str:
        if isinstance(term, ox.Literal):
            lang = (term.language or "").split("-")[0] or None
            return Link(term.value, None, None, lang if lang and lang != self.page.lang else None)
        if isinstance(term, ox.NamedNode):
            return Link(self.name(term.value), self.page.local(term.value), term.value)
        return "—"

    def property_name(self, predicate: str) -> str:
        nl, en = self.names.property_name(predicate)
        return en if self.page.lang == "en" else nl

    def tables(self, title: str) -> tuple[Table, Table]:
        """The facts about the thing and the references to it, each with its sources."""
        ui = self.page.ui
        outgoing, incoming = [], []
        for t in self.triples:
            if t.subject == self.node:
                outgoing.append(t)
            elif (t.object == self.node and isinstance(t.subject, ox.NamedNode) and t.predicate.value != PRIMARY_TOPIC
                  and not t.subject.value.startswith(self.page.base + "doc/")):
                incoming.append(t)
        sources = {t: self.sources_of(t) for t in outgoing + incoming}
        self.reader.load_labels(self.all_sources)
        rows = []
        for t in outgoing:
            rows.append({"property": self.property_name(t.predicate.value), "value": self.value(t.object),
                         "source": self.source_cell(sources[t]), "_sort": (t.predicate.value != RDF_TYPE,)})
        rows.sort(key=lambda r: (r["_sort"], r["property"].casefold(), str(r["value"])))
        refs = [{"value": self.value(t.subject), "property": self.property_name(t.predicate.value),
                 "source": self.source_cell(sources[t])} for t in incoming]
        refs.sort(key=lambda r: (r["property"].casefold(), r["value"].text.casefold()))
        columns = [("property", ui["col_property"]), ("value", ui["col_value"]), ("source", ui["col_source"])]
        facts = Table("gegevens", ui["all_facts"], columns, rows)
        references = Table("verwijzingen", ui("referred_by", name=title),
                           [("value", ui["col_name"]), ("property", ui["col_property"]), ("source", ui["col_source"])],
                           refs)
        return facts, references

    def source_link(self, iri: str) -> Link:
        name = self.reader._labels.get(iri, (None, None))[0]
        return Link(name or iri.rsplit("/", 1)[-1], self.page.local(iri), iri)

    def source_list(self) -> list[Link]:
        """Every source document behind the facts on the page, by name."""
        self.reader.load_labels(self.all_sources)
        return sorted((self.source_link(i) for i in self.all_sources), key=lambda link: link.text.casefold())
