"""SHACL validation of leernet data against shapes/, with reports that name file, line, node, path,
value and the shape's own message (Dutch or English).

The data graph handed to pyshacl is always the data together with the ontology (ontology/*.ttl), so
that class hierarchies and SKOS concepts are known; no inference is run. Shapes and ontology are
read once per process and read again when a file in their directory changes.

The store (oxigraph) keeps literals of the integer subtypes (xsd:nonNegativeInteger, xsd:int, ...)
as xsd:integer. So that data validates the same before and after it is stored, a ``sh:datatype``
of such a subtype is read as "that subtype, or an xsd:integer within the subtype's range".

Two engines give the same results: "sparql" (the default, :mod:`graph.shacl_sparql`: the shapes
compiled into SPARQL queries, run on the store itself or on an in-memory pyoxigraph store) and
"pyshacl" (the reference). Choose with ``engine=`` or the setting ``validator``
(``LEERNET_VALIDATOR``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD

from graph.errors import InputError
from graph.namespaces import prefixes
from graph.settings import Settings

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
ENGINES = ("sparql", "pyshacl")
WORDS = {
    "nl": {"Violation": "Overtreding", "Warning": "Waarschuwing", "Info": "Info", "path": "pad",
           "value": "waarde", "message": "melding", "shape": "shape", "on": "bij",
           "ok": "voldoet aan de shapes", "violations": "overtreding(en)", "warnings": "waarschuwing(en)",
           "infos": "opmerking(en)"},
    "en": {"Violation": "Violation", "Warning": "Warning", "Info": "Info", "path": "path", "value": "value",
           "message": "message", "shape": "shape", "on": "on", "ok": "conforms to the shapes",
           "violations": "violation(s)", "warnings": "warning(s)", "infos": "info(s)"},
}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with the message in the requested language and where it is in the input."""

    severity: str  # "Violation" | "Warning" | "Info"
    focus_node: str
    path: str | None
    value: str | None
    constraint: str  # constraint component IRI
    shape: str  # source shape IRI (or "parent shape > path" for a blank-node property shape)
    message: str
    location: str | None = None  # "file.ttl, line 12" / "sheet Deelnemers, row 7, column Rol"


class ValidationReport:
    """The results of one validation: ``conforms`` is true when there is no violation."""

    def __init__(self, results: list[ValidationResult], namespaces: dict[str, str] | None = None):
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        self.results = sorted(results, key=lambda r: (order.get(r.severity, 3), *_place(r.location), r.focus_node,
                                                      r.path or "", r.constraint))
        self.namespaces = dict(namespaces or {})

    @property
    def violations(self) -> list[ValidationResult]:
        """The results of severity Violation."""
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        """The results of severity Warning."""
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings and infos do not count)."""
        return not self.violations

    def summary(self, lang: str = "nl") -> str:
        """One line: how many violations and warnings, or that the data conforms."""
        words = WORDS.get(lang, WORDS["en"])
        infos = len(self.results) - len(self.violations) - len(self.warnings)
        if not self.results:
            return words["ok"]
        parts = [f"{len(self.violations)} {words['violations']}", f"{len(self.warnings)} {words['warnings']}"]
        if infos:
            parts.append(f"{infos} {words['infos']}")
        return ", ".join(parts)

    def format(self, lang: str = "nl", *, limit: int | None = None, severities: tuple[str, ...] | None = None) -> str:
        """A readable report: a summary line, then each result with location, node, path, value,
        message and shape (at most ``limit`` results, of the given severities)."""
        words = WORDS.get(lang, WORDS["en"])
        lines = [self.summary(lang)]
        chosen = [r for r in self.results if severities is None or r.severity in severities]
        shown = chosen if limit is None else chosen[:limit]
        for r in shown:
            where = f"{r.location}: " if r.location else ""
            lines.append(f"{where}{words[r.severity]} {words['on']} <{r.focus_node}>")
            if r.path:
                lines.append(f"  {words['path']:<8} {self.compact(r.path)}")
            if r.value is not None:
                lines.append(f"  {words['value']:<8} {r.value}")
            lines.append(f"  {words['message']:<8} {r.message}")
            lines.append(f"  {words['shape']:<8} {self.compact(r.shape)} ({self.compact(r.constraint)})")
        if len(shown) < len(chosen):
            lines.append(f"... {len(chosen) - len(shown)} more")
        return "\n".join(lines)

    def failure_details(self, lang: str = "nl", limit: int = 50) -> list[str]:
        """The violations (at most ``limit``) as detail lines for an error, plus a pointer to the warnings."""
        lines = self.format(lang, limit=limit, severities=("Violation",)).splitlines()[1:]
        if self.warnings:
            lines.append(("(en waarschuwingen: 'leernet validate BESTAND' toont ze)" if lang == "nl"
                          else "(and warnings: 'leernet validate FILE' shows them)"))
        return lines

    def compact(self, iri: str) -> str:
        """A prefixed name for an IRI where a known namespace fits, else the IRI itself; IRIs in
        a complex path (``(<a>|<b>)``) are compacted one by one."""
        if "<" in iri:
            return re.sub(r"<([^<>]*)>", lambda m: self._compact_one(m.group(1), wrap=True), iri)
        return self._compact_one(iri)

    def _compact_one(self, iri: str, wrap: bool = False) -> str:
        best = ""
        for prefix, namespace in self.namespaces.items():
            if iri.startswith(namespace) and len(namespace) > len(self.namespaces.get(best, "")):
                local = iri[len(namespace):]
                if local and all(c.isalnum() or c in "-_." for c in local):
                    best = prefix
        if best:
            return f"{best}:{iri[len(self.namespaces[best]):]}"
        return f"<{iri}>" if wrap else iri

    def to_dict(self) -> dict:
        """A JSON-ready form: conforms, counts and every result."""
        return {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "results": [asdict(r) for r in self.results],
        }


def _place(location: str | None) -> tuple[str, int, str]:
    """Sort key of a location: file name, line number, rest (unlocated results last)."""
    if not location:
        return ("\uffff", 0, "")
    found = re.match(r"(.*), (?:line|row) (\d+)(.*)", location)
    return (found.group(1), int(found.group(2)), found.group(3)) if found else (location, 0, "")


_cache: dict[tuple, Graph] = {}


def _read_dir(directory: Path, base_iri: str) -> Graph:
    files = sorted(directory.glob("*.ttl")) if directory.is_dir() else []
    key = (str(directory), base_iri, tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files))
    if key not in _cache:
        graph = Graph()
        for file in files:
            graph.parse(file, format="turtle", publicID=base_iri)
        _cache[key] = graph
    return _cache[key]


def load_shapes(settings: Settings) -> Graph:
    """The SHACL shapes of shapes/*.ttl (relative IRIs resolved against the base), cached; integer
    subtype datatypes also accept the xsd:integer the store turns them into (module docstring)."""
    shapes = _read_dir(settings.shapes_dir, settings.base_iri)
    if id(shapes) not in _widened:
        _widened.clear()
        _widened[id(shapes)] = _accept_stored_integers(shapes)
    return _widened[id(shapes)]


INTEGER_RANGES = {
    "nonNegativeInteger": (0, None), "positiveInteger": (1, None), "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1), "unsignedByte": (0, 255), "unsignedShort": (0, 65535),
    "unsignedInt": (0, 4294967295), "unsignedLong": (0, 18446744073709551615), "byte": (-128, 127),
    "short": (-32768, 32767), "int": (-2147483648, 2147483647),
    "long": (-9223372036854775808, 9223372036854775807),
}
_widened: dict[int, Graph] = {}


def _accept_stored_integers(shapes: Graph) -> Graph:
    widened = Graph()
    for prefix, namespace in shapes.namespaces():
        widened.bind(prefix, namespace, override=True)
    widened += shapes
    for node, datatype in list(shapes.subject_objects(SH.datatype)):
        name = str(datatype).removeprefix(str(XSD))
        if name not in INTEGER_RANGES or not str(datatype).startswith(str(XSD)):
            continue
        low, high = INTEGER_RANGES[name]
        exact, integer = BNode(), BNode()
        widened.remove((node, SH.datatype, datatype))
        widened.add((exact, SH.datatype, datatype))
        widened.add((integer, SH.datatype, XSD.integer))
        if low is not None:
            widened.add((integer, SH.minInclusive, Literal(low)))
        if high is not None:
            widened.add((integer, SH.maxInclusive, Literal(high)))
        choice = BNode()
        Collection(widened, choice, [exact, integer])
        widened.add((node, SH["or"], choice))
    return widened


def load_ontology(settings: Settings) -> Graph:
    """The ontology and concept schemes of ontology/*.ttl, cached."""
    return _read_dir(settings.ontology_dir, settings.base_iri)


def validate_graph(
    data: Graph,
    settings: Settings,
    *,
    lang: str = "nl",
    locate: Callable[[str], str | None] | None = None,
    inplace: bool = False,
    engine: str | None = None,
) -> ValidationReport:
    """Validate ``data`` ∪ ontology against the shapes (no inference).

    ``locate`` maps a focus node IRI to where it is written ("file.ttl, line 12"); with
    ``inplace=True`` pyshacl adds the ontology to ``data`` itself instead of to a copy (faster).
    ``engine`` is "sparql" or "pyshacl" (default: ``settings.validator``).
    """
    shapes = load_shapes(settings)
    if _engine(engine, settings) == "sparql":
        return _validate_graph_sparql(data, settings, shapes, lang, locate, inplace)
    if inplace:
        data_graph = data
    else:
        data_graph = Graph()
        data_graph += data
    data_graph += load_ontology(settings)
    namespaces = report_namespaces(settings)
    if len(shapes) == 0:
        return ValidationReport([], namespaces)
    _, results_graph, _ = pyshacl.validate(
        data_graph, shacl_graph=shapes, inference="none", abort_on_first=False, allow_infos=True,
        allow_warnings=True, meta_shacl=False, advanced=True, js=False, inplace=True,
    )
    # Only the report's own results: those nested under sh:detail (why an sh:node failed) repeat the
    # top-level result with a concept or other value node as their focus.
    results = [_result(results_graph, node, shapes, lang, locate)
               for report in results_graph.subjects(RDF.type, SH.ValidationReport)
               for node in results_graph.objects(report, SH.result)]
    return ValidationReport(results, namespaces)


def validate_triples(triples: list, settings: Settings, *, lang: str = "nl",
                     locate: Callable[[str], str | None] | None = None) -> ValidationReport:
    """Validate pyoxigraph triples (in the form the store keeps them) ∪ ontology against the shapes.

    The same report as :func:`validate_graph` of those triples, without making an rdflib graph of
    them for the SPARQL engine: a load of millions of triples goes straight into pyoxigraph.
    """
    from graph.rdfio import triples_to_rdflib

    if _engine(None, settings) != "sparql":
        return validate_graph(triples_to_rdflib(triples), settings, lang=lang, locate=locate, inplace=True)
    import pyoxigraph as ox

    from graph.shacl_sparql import evaluate, load_graphs

    shapes, namespaces = load_shapes(settings), report_namespaces(settings)
    if len(shapes) == 0:
        return ValidationReport([], namespaces)
    ontology = load_ontology(settings)
    store, term = load_graphs([ontology], cache=(ontology,))
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    found = evaluate(shapes, store.query, term=term, data_graph=lambda: triples_to_rdflib(triples))
    return ValidationReport([_from_raw(r, shapes, lang, locate) for r in found], namespaces)


def _engine(engine: str | None, settings: Settings) -> str:
    chosen = engine or getattr(settings, "validator", "sparql")
    if chosen not in ENGINES:
        raise InputError(f"unknown validator {chosen!r}", ["choose 'sparql' (fast, the default) or 'pyshacl' "
                                                            "(e.g. LEERNET_VALIDATOR=pyshacl)"])
    return chosen


def _validate_graph_sparql(data: Graph, settings: Settings, shapes: Graph, lang: str, locate, inplace: bool):
    """validate_graph with the SPARQL engine: data and ontology in an in-memory pyoxigraph store."""
    from graph.shacl_sparql import evaluate, load_graphs

    namespaces = report_namespaces(settings)
    if len(shapes) == 0:
        return ValidationReport([], namespaces)
    ontology = load_ontology(settings)
    store, term = load_graphs([data, ontology], cache=(ontology,))

    def data_graph() -> Graph:  # the graph pyshacl would validate: its prefixes shape default messages
        if inplace:
            return data
        copy = Graph()
        copy += data
        return copy

    found = evaluate(shapes, store.query, term=term, data_graph=data_graph)
    return ValidationReport([_from_raw(r, shapes, lang, locate) for r in found], namespaces)


def _from_raw(raw, shapes: Graph, lang: str, locate) -> ValidationResult:
    """A ValidationResult from a :class:`graph.shacl_sparql.RawResult`, written as :func:`_result` does."""
    focus_text = str(raw.focus)
    return ValidationResult(
        severity=SEVERITIES.get(raw.shape.severity, "Violation"),
        focus_node=focus_text,
        path=None if raw.path is None else _path_text(raw.path, shapes),
        value=None if raw.value is None else _value_text(raw.value),
        constraint=str(raw.component),
        shape=_shape_text(raw.shape.node, shapes),
        message=_message(list(raw.messages), lang),
        location=locate(focus_text) if locate and isinstance(raw.focus, URIRef) else None,
    )


def report_namespaces(settings: Settings) -> dict[str, str]:
    """The prefixes used to shorten IRIs in reports: leernet's own plus those of the shapes files."""
    namespaces = dict(prefixes(settings.base_iri))
    for prefix, namespace in load_shapes(settings).namespaces():
        if prefix and str(namespace).startswith(settings.base_iri):
            namespaces.setdefault(prefix, str(namespace))
    return namespaces


def _result(results: Graph, node, shapes: Graph, lang: str, locate) -> ValidationResult:
    focus = results.value(node, SH.focusNode)
    path = results.value(node, SH.resultPath)
    value = results.value(node, SH.value)
    shape = results.value(node, SH.sourceShape)
    focus_text = str(focus)
    return ValidationResult(
        severity=SEVERITIES.get(results.value(node, SH.resultSeverity), "Violation"),
        focus_node=focus_text,
        path=None if path is None else _path_text(path, results if (path, None, None) in results else shapes),
        value=None if value is None else _value_text(value),
        constraint=str(results.value(node, SH.sourceConstraintComponent) or ""),
        shape=_shape_text(shape, shapes),
        message=_message(list(results.objects(node, SH.resultMessage)), lang),
        location=locate(focus_text) if locate and isinstance(focus, URIRef) else None,
    )


def _message(messages: list, lang: str) -> str:
    other = "en" if lang == "nl" else "nl"
    for wanted in (lang, other, None):
        for m in messages:
            if isinstance(m, Literal) and (m.language == wanted or wanted is None):
                return str(m)
    return "(no message)"


def _value_text(value) -> str:
    if isinstance(value, Literal):
        text = '"' + str(value).replace('"', '\\"') + '"'
        if value.language:
            return f"{text}@{value.language}"
        if value.datatype is not None and value.datatype != XSD.string:
            datatype = str(value.datatype)
            return f"{text}^^xsd:{datatype[len(str(XSD)):]}" if datatype.startswith(str(XSD)) else f"{text}^^<{datatype}>"
        return text
    if isinstance(value, BNode):
        return f"_:{value}"
    return f"<{value}>"


def _path_text(path, graph: Graph) -> str:
    """A SHACL path as text: an IRI, or SPARQL property-path syntax for complex paths."""
    if isinstance(path, URIRef):
        return str(path)
    if (path, RDF.first, None) in graph:
        return "/".join(_wrap(p, graph) for p in Collection(graph, path))
    for predicate, symbol in ((SH.inversePath, "^"), (SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"),
                              (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            return f"^{_wrap(inner, graph)}" if symbol == "^" else f"{_wrap(inner, graph)}{symbol}"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_wrap(p, graph) for p in Collection(graph, alternatives)) + ")"
    return str(path)


def _wrap(path, graph: Graph) -> str:
    text = _path_text(path, graph)
    return f"<{text}>" if isinstance(path, URIRef) else text


def _shape_text(shape, shapes: Graph) -> str:
    if isinstance(shape, URIRef):
        return str(shape)
    parent = shapes.value(None, SH.property, shape) if shape is not None else None
    path = shapes.value(shape, SH.path) if shape is not None else None
    if parent is not None and path is not None:
        return f"{_shape_text(parent, shapes)} > {_path_text(path, shapes)}"
    return "(anonymous shape)"


def validate_store(store, settings: Settings, *, lang: str = "nl", engine: str | None = None) -> ValidationReport:
    """Validate the whole store (every graph except the shapes graphs); locations name the graph
    (the first one, by IRI, in which the focus node is a subject).

    The "sparql" engine copies those graphs into an in-memory pyoxigraph store and runs the compiled
    shapes there (an in-memory store is queried as it is). "pyshacl" copies everything into an
    rdflib graph first.
    """
    import pyoxigraph as ox

    from graph.rdfio import triples_to_rdflib

    shapes_prefix = f"{settings.base_iri}graph/shapes/"
    if _engine(engine, settings) == "sparql":
        return _validate_store_sparql(store, settings, lang, shapes_prefix)
    home: dict[str, str] = {}
    kept = []
    for quad in store.quads():
        graph = getattr(quad.graph_name, "value", "")
        if graph.startswith(shapes_prefix):
            continue
        kept.append(quad)
        if graph and isinstance(quad.subject, ox.NamedNode):
            home[quad.subject.value] = min(home.get(quad.subject.value, graph), graph)
    return validate_graph(triples_to_rdflib(kept), settings, lang=lang, inplace=True, engine="pyshacl",
                          locate=lambda iri: f"graph <{home[iri]}>" if iri in home else None)


def _validate_store_sparql(store, settings: Settings, lang: str, shapes_prefix: str) -> ValidationReport:
    from graph.shacl_sparql import evaluate

    namespaces = report_namespaces(settings)
    shapes = load_shapes(settings)
    graphs = [g for g in store.named_graphs() if not g.startswith(shapes_prefix)]
    if len(shapes) == 0 or not graphs:
        return ValidationReport([], namespaces)
    if getattr(store, "path", None) is not None or getattr(store, "oxigraph", None) is None:
        # The shapes are checked on an in-memory copy: at 1M triples copying and checking took 31 s,
        # checking on the on-disk store 170 s (RocksDB scans); and Virtuoso 7 cannot compile some of
        # the compiled SPARQL (COALESCE over EXISTS, error SQ074).
        from graph.store import EmbeddedStore

        local = EmbeddedStore(settings.with_(store_path=None))
        local.oxigraph.bulk_extend(q for g in graphs for q in store.quads(graph=g))
        store = local
    found = evaluate(shapes, lambda sparql: store.query(sparql, default_graph=graphs))
    home = _homes(store, graphs, sorted({str(r.focus) for r in found if isinstance(r.focus, URIRef)}))
    return ValidationReport([_from_raw(r, shapes, lang, lambda iri: f"graph <{home[iri]}>" if iri in home else None)
                             for r in found], namespaces)


def _homes(store, graphs: list[str], iris: list[str], chunk: int = 2000) -> dict[str, str]:
    """For each IRI, the first graph (by IRI) in which it is a subject."""
    home: dict[str, str] = {}
    for start in range(0, len(iris), chunk):
        values = " ".join(f"<{iri}>" for iri in iris[start:start + chunk])
        rows = store.query(f"SELECT DISTINCT ?s ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}",
                           default_graph=graphs, named_graphs=graphs)
        for row in rows:
            subject, graph = row["s"].value, row["g"].value
            home[subject] = min(home.get(subject, graph), graph)
    return home
