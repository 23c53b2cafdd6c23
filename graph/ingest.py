"""Validated, atomic ingest: every batch is checked with SHACL before it may change the store, and
then replaces its named graph(s) and their PROV metadata in one transaction.

What a batch is validated against ("what it touches"): the batch itself, the ontology, every store
triple whose subject is an IRI the batch mentions (as subject or object), and the rdf:type triples
of the objects of those. That is exactly what the shapes need to judge the batch's nodes: their
complete descriptions (a batch may add a second name to an organisation another file describes, so
cardinalities must count both), and the classes of what they point to (sh:class on an object). The
graphs being replaced are left out, so a reload is judged on its new content only; shapes graphs
are never data. Only results whose focus node the batch mentions block the batch: problems of other
store nodes are not the batch's doing (``leernet validate`` shows them).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, VOID, XSD

from graph.errors import InputError, NotFound, ValidationFailed
from graph.rdfio import QUAD_FORMATS, Locator, Source, from_rdflib, parse_source, read_source
from graph.store import quads_in
from graph.validation import ValidationReport, ValidationResult, validate_triples

RDF_TYPE = ox.NamedNode(str(RDF.type))


@dataclass
class IngestResult:
    """What an ingest did: the graphs it wrote, how many triples, the warnings, and whether any
    graph existed before (and was replaced)."""

    graphs: list[str]
    triples: int
    warnings: list[ValidationResult] = field(default_factory=list)
    replaced: bool = False


def meta_graph(base_iri: str) -> str:
    """The named graph that holds leernet's PROV metadata about every other graph."""
    return f"{base_iri}graph/meta"


def activity_iri(base_iri: str, graph_iri: str) -> str:
    """The IRI of the activity that last wrote ``graph_iri``."""
    return f"{meta_graph(base_iri)}#ingest-{hashlib.sha1(graph_iri.encode()).hexdigest()[:16]}"


def ingest_graph(store, triples, *, graph_iri: str, source: str, command: str, lang: str = "nl",
                 locate: Callable[[str], str | None] | None = None) -> IngestResult:
    """Validate ``triples`` (an rdflib Graph or pyoxigraph Triples/Quads) with what they touch in
    the store and atomically replace ``graph_iri`` by them, with PROV metadata.

    Raises :class:`ValidationFailed` (and changes nothing) when there is any violation.
    """
    if isinstance(triples, Graph):
        items = [ox.Triple(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in triples]
    else:
        items = list(triples)
    return ingest_batch(store, {graph_iri: items}, sources={graph_iri: source}, command=command, lang=lang,
                        locate=locate)


def ingest_batch(store, graphs: dict[str, Iterable], *, sources: dict[str, str], command: str,
                 lang: str = "nl", locate: Callable[[str], str | None] | None = None,
                 label: str | None = None, progress: bool = False) -> IngestResult:
    """Validate several graphs together and replace them all in one transaction (see module doc)."""
    settings = store.settings
    meta = meta_graph(settings.base_iri)
    if meta in graphs:
        raise InputError(f"graph <{meta}> is kept by leernet itself and cannot be loaded",
                         ["leave it out of the file (export a single graph with --graph), or use 'leernet restore'"])
    content = {iri: _stable_blank_nodes(iri, triples) for iri, triples in _as_stored(graphs).items()}
    report = _validate(store, content, lang, locate, progress)
    what = label or ", ".join(sorted(set(sources.values())))
    if not report.conforms:
        raise ValidationFailed(
            f"{what}: {report.summary(lang)}; nothing was loaded",
            report=report,
            details=report.failure_details(lang),
        )
    existing = set(store.named_graphs())
    now = ox.Literal(datetime.now(timezone.utc).isoformat(timespec="seconds"), datatype=ox.NamedNode(str(XSD.dateTime)))
    metadata, retract = [], []
    for iri, triples in content.items():
        metadata.extend(_metadata(settings.base_iri, iri, sources.get(iri, what), command, len(triples), now))
        retract.extend([iri, activity_iri(settings.base_iri, iri)])
    _status(progress, "writing ...")
    store.replace_graphs(content, metadata, retract={meta: retract})
    return IngestResult(
        graphs=list(content), triples=sum(len(t) for t in content.values()),
        warnings=[r for r in report.results if r.severity != "Violation"],
        replaced=bool(existing & set(content)),
    )


def _status(progress: bool, message: str) -> None:
    if progress:
        print(message, file=sys.stderr, flush=True)


def _stable_blank_nodes(graph_iri: str, triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples with blank nodes named canonically (RDFC-1.0) and after their graph, so that
    reloading the same content gives the same quads and two graphs never share a blank node."""
    if not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
        return triples
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    seed = hashlib.sha1(graph_iri.encode()).hexdigest()[:12]

    def stable(term):
        return ox.BlankNode(f"b{seed}{term.value}") if isinstance(term, ox.BlankNode) else term

    return [ox.Triple(stable(q.subject), q.predicate, stable(q.object)) for q in dataset]


def _as_stored(content: dict[str, Iterable]) -> dict[str, list[ox.Triple]]:
    """The triples (or quads, or (s, p, o) tuples) as the store will keep them, without duplicates:
    oxigraph normalises literals ("01"^^xsd:integer is "1", xsd:nonNegativeInteger becomes
    xsd:integer), so the batch is validated in that form and compares equal with what is stored."""
    scratch = ox.Store()
    for iri, triples in content.items():
        scratch.bulk_extend(quads_in(triples, iri))
    return {iri: [ox.Triple(q.subject, q.predicate, q.object)
                  for q in scratch.quads_for_pattern(None, None, None, ox.NamedNode(iri))]
            for iri in content}


def _validate(store, content: dict[str, list[ox.Triple]], lang, locate, progress) -> ValidationReport:
    settings = store.settings
    replaced = set(content)
    shapes_prefix = f"{settings.base_iri}graph/shapes/"
    batch = [t for iri, triples in content.items() if not iri.startswith(shapes_prefix) for t in triples]
    mentioned = {term for t in batch for term in (t.subject, t.object) if isinstance(term, ox.NamedNode)}

    def visible(quad) -> bool:
        name = getattr(quad.graph_name, "value", "")
        return name not in replaced and not name.startswith(shapes_prefix)

    touched, objects = [], set()
    terms = mentioned
    if progress and len(terms) > 20000:
        from tqdm import tqdm

        terms = tqdm(terms, desc="reading what the batch touches", leave=False, file=sys.stderr)
    for node in terms:
        for quad in store.quads(subject=node):
            if visible(quad):
                touched.append(quad)
                if not isinstance(quad.object, ox.Literal) and quad.object not in mentioned:
                    objects.add(quad.object)
    for node in objects:
        touched.extend(q for q in store.quads(subject=node, predicate=RDF_TYPE) if visible(q))
    _status(progress, f"validating {len(batch)} triples (with {len(touched)} they touch) against the shapes ...")
    data = batch + [ox.Triple(q.subject, q.predicate, q.object) for q in touched]
    report = validate_triples(data, settings, lang=lang, locate=locate)
    names = {n.value for n in mentioned} | _blank_subjects(content)
    report.results = [r for r in report.results if r.focus_node in names]
    return report


def _blank_subjects(content: dict[str, list[ox.Triple]]) -> set[str]:
    return {t.subject.value for triples in content.values() for t in triples if isinstance(t.subject, ox.BlankNode)}


def _metadata(base: str, graph_iri: str, source: str, command: str, count: int, now) -> list[ox.Quad]:
    """PROV metadata of a written graph. The graph is deliberately not typed prov:Entity here: the
    shapes reserve that class for sources and curated graphs (whose files describe themselves)."""
    meta = ox.NamedNode(meta_graph(base))
    graph = ox.NamedNode(graph_iri)
    activity = ox.NamedNode(activity_iri(base, graph_iri))

    def n(term) -> ox.NamedNode:
        return ox.NamedNode(str(term))

    integer = ox.NamedNode(str(XSD.integer))
    return [
        ox.Quad(graph, n(DCTERMS.source), ox.Literal(source), meta),
        ox.Quad(graph, n(VOID.triples), ox.Literal(str(count), datatype=integer), meta),
        ox.Quad(graph, n(PROV.generatedAtTime), now, meta),
        ox.Quad(graph, n(PROV.wasGeneratedBy), activity, meta),
        ox.Quad(activity, RDF_TYPE, n(PROV.Activity), meta),
        ox.Quad(activity, n(RDFS.label), ox.Literal(command), meta),
        ox.Quad(activity, n(PROV.endedAtTime), now, meta),
    ]


def default_graph_iri(base_iri: str, source: Source) -> str:
    """``{base}graph/load/{stem}-{8 hex}``: sha1 of the absolute path (of the content for stdin)."""
    if source.path is None:
        stem, digest = "stdin", hashlib.sha1(source.data).hexdigest()[:8]
    else:
        name = source.path.name.removesuffix(".gz")
        stem = Path(name).stem
        digest = hashlib.sha1(str(source.path.resolve()).encode()).hexdigest()[:8]
    slug = "".join(c if c.isalnum() and c.isascii() else "-" for c in stem.lower()).strip("-") or "file"
    return f"{base_iri}graph/load/{slug}-{digest}"


def _prepare(store, paths, fmt, graph_iri, progress):
    """Read and parse files into {graph IRI: quads}, {graph IRI: file name} and a Locator."""
    base = store.settings.base_iri
    sources = [read_source(p, fmt) for p in paths]
    graphs: dict[str, list] = {}
    origin: dict[str, str] = {}
    for source in sources:
        target = graph_iri or default_graph_iri(base, source)
        graphs.setdefault(target, [])
        origin.setdefault(target, source.name)
        for quad in parse_source(source, base, progress=progress):
            name = target
            if graph_iri is None and source.fmt in QUAD_FORMATS and isinstance(quad.graph_name, ox.NamedNode):
                name = quad.graph_name.value
                origin.setdefault(name, source.name)
            graphs.setdefault(name, []).append(quad)
    if len(graphs) > 1:  # a quad file's own default graph may stay empty: don't wipe a graph for it
        graphs = {iri: quads for iri, quads in graphs.items() if quads or iri == graph_iri}
    return graphs, origin, sources


def load_files(store, paths, *, fmt=None, graph_iri=None, command, lang="nl", progress=False) -> IngestResult:
    """Load files (``-`` for stdin) as ONE batch: each file into its own graph (or all into
    ``graph_iri``); quads in named graphs of TriG/N-Quads/JSON-LD keep their graph unless
    ``graph_iri`` is given. Validated together; all or nothing."""
    graphs, origin, sources = _prepare(store, paths, fmt, graph_iri, progress)
    return ingest_batch(store, graphs, sources=origin, command=command, lang=lang,
                        locate=Locator(sources, store.settings.base_iri),
                        label=", ".join(s.name for s in sources), progress=progress)


def check_files(store, paths, *, fmt=None, lang="nl", progress=False) -> ValidationReport:
    """Validate files exactly as :func:`load_files` would, without changing the store."""
    graphs, _, sources = _prepare(store, paths, fmt, None, progress)
    content = {iri: _stable_blank_nodes(iri, triples) for iri, triples in _as_stored(graphs).items()}
    return _validate(store, content, lang, Locator(sources, store.settings.base_iri), progress)


def curated_files(settings) -> dict[str, Path]:
    """The curated files and their graphs: ontology/ -> graph/ontology/{stem}, shapes/ ->
    graph/shapes/{stem}, data/ -> graph/{stem}."""
    base = settings.base_iri
    files: dict[str, Path] = {}
    for directory, prefix in ((settings.ontology_dir, "graph/ontology/"), (settings.shapes_dir, "graph/shapes/"),
                              (settings.data_dir, "graph/")):
        for file in sorted(directory.glob("*.ttl")) if directory.is_dir() else []:
            files[f"{base}{prefix}{file.stem}"] = file
    return files


def load_curated(store, *, command: str = "leernet init", lang: str = "nl") -> IngestResult:
    """(Re)load ontology/, shapes/ and data/ into their graphs, validated together, in one transaction."""
    base = store.settings.base_iri
    files = curated_files(store.settings)
    sources, graphs, origin = [], {}, {}
    for iri, file in files.items():
        source = read_source(file, "turtle")
        sources.append(source)
        graphs[iri] = parse_source(source, base)
        origin[iri] = str(file.relative_to(store.settings.resources))
    if not graphs:
        return IngestResult(graphs=[], triples=0)
    return ingest_batch(store, graphs, sources=origin, command=command, lang=lang,
                        locate=Locator(sources, base), label="ontology/, shapes/, data/")


def drop_graph(store, graph_iri: str) -> None:
    """Remove a named graph and its metadata in one transaction; :class:`NotFound` if it is absent."""
    base = store.settings.base_iri
    if graph_iri not in store.named_graphs():
        raise NotFound(f"no graph <{graph_iri}> in the store", ["list the graphs with 'leernet stats'"])
    store.replace_graphs({graph_iri: []}, retract={meta_graph(base): [graph_iri, activity_iri(base, graph_iri)]})
