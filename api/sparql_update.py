"""Validated SPARQL Update for curators: one update is one transaction that passes the shapes or changes
nothing.

How: the update first runs on a scratch copy of the store (in memory). What it would change is the
difference per named graph. Every changed graph is then validated and written exactly like a file
load: :func:`graph.ingest.ingest_batch` with the graph's new content, validated with what it touches,
replaced atomically together with its PROV record in graph/meta. A removal can also break a node that
the changed graphs no longer mention (a deleted name or type another graph's node relies on), so the
subjects and objects of removed triples, and the nodes that point at a subject that lost a triple,
are validated as well, in the state after the update. Any violation: 422 and nothing is written.

Dataset: ``using-graph-uri`` / ``using-named-graph-uri`` become USING / USING NAMED clauses (refused
together with USING or WITH in the update); without them, WHERE sees the union of all named graphs as
its default graph, as queries do. Refused: changes to the store's own default graph (leernet keeps
every triple in a named graph). graph/meta is kept by leernet: the update's own changes to it are not
applied (leernet records every graph the update changed there itself).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.errors import InputError, ValidationFailed
from graph.ingest import ingest_batch, meta_graph
from graph.rdfio import triples_to_rdflib
from graph.sparql_guard import CheckedUpdate, refusal
from graph.validation import ValidationReport, ValidationResult, validate_graph

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_TOKEN = re.compile(r"""
    (?P<space>\s+) | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>) | (?P<var>[?$]\w+)
  | (?P<word>[\w:][\w\-.:%]*) | (?P<other>.)""", re.VERBOSE | re.DOTALL)


@dataclass
class UpdateResult:
    """What an update changed: the graphs, how many triples it added and removed, warnings, notes."""

    graphs: list[str]
    added: int = 0
    removed: int = 0
    warnings: list[ValidationResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def with_dataset(text: str, using: list[str], using_named: list[str], all_graphs: list[str]) -> str:
    """The update with USING / USING NAMED clauses before the WHERE of each DELETE/INSERT operation:
    the protocol's graphs, or (when none are given and the operation has no USING or WITH) every
    named graph, so that WHERE's default graph is their union. ``DELETE WHERE {P}`` is written as
    ``DELETE {P} USING … WHERE {P}``."""
    protocol = bool(using or using_named)
    if protocol:
        clauses = " ".join([*(f"USING <{g}>" for g in using), *(f"USING NAMED <{g}>" for g in using_named)])
    else:
        clauses = " ".join([*(f"USING <{g}>" for g in all_graphs), *(f"USING NAMED <{g}>" for g in all_graphs)])
    tokens = [(m.lastgroup, m.group(), m.start()) for m in _TOKEN.finditer(text)
              if m.lastgroup not in ("space", "comment")]
    depth, edits, own_dataset, previous = 0, [], False, ""
    for index, (kind, value, start) in enumerate(tokens):
        word = value.upper() if kind == "word" else ""
        if kind == "other" and value == "{":
            depth += 1
        elif kind == "other" and value == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and kind == "other" and value == ";":
            own_dataset = False
        elif depth == 0 and word in ("USING", "WITH"):
            if protocol:
                raise refusal("syntax", f"the update has {word} at position {start} and the request has "
                              "using-graph-uri or using-named-graph-uri", "give the dataset one way only")
            own_dataset = True
        elif depth == 0 and word == "WHERE" and not own_dataset and clauses:
            if previous == "DELETE":
                end = _group_end(tokens, index + 1)
                pattern = text[tokens[index + 1][2]:end]
                edits.append((start, end, f"{pattern} {clauses} WHERE {pattern}"))
            else:
                edits.append((start, start, clauses + " "))
        previous = word
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return text


def _group_end(tokens, index: int) -> int:
    """The text position just after the ``{ … }`` group that starts at token ``index``."""
    depth = 0
    for kind, value, start in tokens[index:]:
        if kind == "other" and value in "{}":
            depth += 1 if value == "{" else -1
            if depth == 0:
                return start + 1
    raise refusal("syntax", "DELETE WHERE is not followed by a closed { … } group", "close the group with }")


def apply_update(store, checked: CheckedUpdate, *, using=(), using_named=(), lang: str = "nl",
                 command: str = "SPARQL Update") -> UpdateResult:
    """Run a checked update as one validated transaction on ``store`` (see the module doc).

    Raises :class:`graph.errors.ValidationFailed` (422) or :class:`graph.errors.InputError` /
    :class:`graph.errors.QueryRefused` (4xx); then nothing is written."""
    settings = store.settings
    meta = meta_graph(settings.base_iri)
    before = list(store.quads())
    text = with_dataset(checked.text, list(using), list(using_named), store.named_graphs())
    scratch = ox.Store()
    scratch.extend(before)
    try:
        scratch.update(text, base_iri=settings.base_iri)
    except SyntaxError as error:
        raise refusal("syntax", f"the update does not parse: {str(error).splitlines()[0][:300]}",
                      "correct the update at the line and column named") from None
    except OSError as error:
        raise InputError(f"the update failed: {error}", ["check the IRIs it LOADs"]) from None
    old, new = _by_graph(before), _by_graph(scratch.quads_for_pattern(None, None, None, None))
    notes = []
    if old.get(meta, set()) != new.get(meta, set()):
        notes.append(f"changes to <{meta}> were not applied: leernet keeps that graph itself")
    if old.get("", set()) != new.get("", set()):
        raise InputError("the update writes to the store's default graph; leernet keeps every triple in a "
                         "named graph (one per source)", ["put the triples in GRAPH <…> { … }, e.g. "
                                                          f"GRAPH <{settings.base_iri}graph/curator> {{ … }}"])
    changed = sorted(g for g in (set(old) | set(new)) - {meta, ""} if old.get(g, set()) != new.get(g, set()))
    result = UpdateResult(graphs=changed, notes=notes)
    if not changed:
        return result
    removed = [t for g in changed for t in old.get(g, set()) - new.get(g, set())]
    result.added = sum(len(new.get(g, set()) - old.get(g, set())) for g in changed)
    result.removed = len(removed)
    contents = {g: sorted(new.get(g, set()), key=str) for g in changed}
    mentioned = {term for triples in contents.values() for t in triples for term in (t.subject, t.object)
                 if not isinstance(term, ox.Literal)}
    home = {t.subject.value: g for g, triples in contents.items() for t in triples}
    extra = _removal_report(scratch, removed, mentioned, settings, lang)
    if extra is not None and not extra.conforms:
        raise ValidationFailed(f"SPARQL Update: {extra.summary(lang)}; nothing was written", report=extra,
                               details=extra.failure_details(lang))
    written = ingest_batch(store, contents, sources={g: command for g in changed}, command=command, lang=lang,
                           label="SPARQL Update",
                           locate=lambda iri: f"graph <{home[iri]}> after the update" if iri in home else None)
    result.warnings = [*(extra.warnings if extra else []), *written.warnings]
    return result


def _by_graph(quads) -> dict[str, set[ox.Triple]]:
    graphs: dict[str, set[ox.Triple]] = defaultdict(set)
    for q in quads:
        graphs[q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""].add(
            ox.Triple(q.subject, q.predicate, q.object))
    return graphs


def _removal_report(scratch: ox.Store, removed: list[ox.Triple], mentioned: set, settings,
                    lang: str) -> ValidationReport | None:
    """Validate, after the update, the nodes removals may have broken that the changed graphs no longer
    mention: subjects and objects of removed triples, and the nodes pointing at a subject that lost a
    triple (their sh:class and sh:node checks look at it)."""
    subjects = {t.subject for t in removed}
    touched = subjects | {t.object for t in removed if not isinstance(t.object, ox.Literal)}
    for node in subjects:
        touched.update(q.subject for q in scratch.quads_for_pattern(None, None, node, None))
    focus = touched - mentioned
    shapes_prefix = f"{settings.base_iri}graph/shapes/"

    def data_quad(quad) -> bool:
        return not getattr(quad.graph_name, "value", "").startswith(shapes_prefix)

    data, objects, home = [], set(), {}
    for node in focus:
        for quad in filter(data_quad, scratch.quads_for_pattern(node, None, None, None)):
            data.append(quad)
            home.setdefault(node.value, getattr(quad.graph_name, "value", ""))
            if not isinstance(quad.object, ox.Literal):
                objects.add(quad.object)
    if not data:
        return None
    for node in objects - focus:
        data.extend(filter(data_quad, scratch.quads_for_pattern(node, RDF_TYPE, None, None)))
    report = validate_graph(triples_to_rdflib(data), settings, lang=lang, inplace=True,
                            locate=lambda iri: f"graph <{home[iri]}> after the update" if iri in home else None)
    report.results = [r for r in report.results if r.focus_node in home]
    return report
