"""Fast SHACL validation: the shapes are compiled into SPARQL queries (:mod:`graph.shacl_compile`) that
run on a pyoxigraph store, or on any :class:`graph.store.Store` through its ``query`` method.

The results are pyshacl's (inference "none", warnings allowed), result for result: focus node, path,
value, constraint component, source shape, severity and message, including pyshacl's default English
messages for shapes without ``sh:message`` (made with pyshacl's own ``stringify_node``). One deliberate
difference: for a SPARQL-based constraint pyshacl drops the language of the messages and then reports
one of them at random; here it is the constraint's message in the requested language.

Literals are judged as pyshacl judges rdflib literals (an ill-typed ``"x"^^xsd:date`` fails
``sh:datatype``, ``" 5"^^xsd:integer`` does not). Oxigraph keeps some literals in another form than
rdflib does: the integer subtypes become ``xsd:integer`` (so :func:`load_graphs` gives them a private
datatype that the queries read as the original one), other literals get a canonical lexical form
(``"1"^^xsd:boolean`` is ``"true"``) and language tags are lower-cased. Reported values are mapped back
to the literals as given; only identity checks (``sh:hasValue``, ``sh:in``, counting two values that
differ in nothing but such a form) see the canonical form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD

from graph.rdfio import from_rdflib, to_rdflib
from graph.shacl_compile import FOCUS, Check, CompiledShape, compile_shapes
from graph.shacl_terms import RAW_DATATYPE, REWRITTEN, UnsupportedShape

__all__ = ["RawResult", "UnsupportedShape", "compiled", "evaluate", "load_graphs"]


@dataclass(frozen=True)
class RawResult:
    """One validation result with rdflib terms, before it is written as text for a report."""

    shape: CompiledShape
    component: URIRef
    focus: URIRef | BNode | Literal
    value: URIRef | BNode | Literal | None
    path: URIRef | BNode | None  # a path node of the shapes graph, or the IRI a SPARQL constraint bound
    messages: tuple[Literal, ...]
    source_constraint: URIRef | BNode | None = None


_compiled: dict[int, tuple[Graph, list[CompiledShape]]] = {}


def compiled(shapes: Graph) -> list[CompiledShape]:
    """The compiled top-level shapes of a shapes graph (cached while that graph object lives)."""
    if id(shapes) not in _compiled or _compiled[id(shapes)][0] is not shapes:
        if len(_compiled) > 4:
            _compiled.clear()
        _compiled[id(shapes)] = (shapes, compile_shapes(shapes))
    return _compiled[id(shapes)][1]


def evaluate(shapes: Graph, query: Callable[[str], Iterable], *, term: Callable | None = None,
             data_graph: Callable[[], Graph] = Graph) -> list[RawResult]:
    """Validate: run every compiled query through ``query`` and return the results.

    ``term(ox_term, focus)`` turns a pyoxigraph term of a solution into the rdflib term to report
    (``focus`` is the rdflib focus node, for a value); ``data_graph()`` gives the rdflib graph whose
    prefixes pyshacl's default messages use (only called for shapes without ``sh:message``).
    """
    run = _Run(shapes, query, term or (lambda value, focus: to_rdflib(value)), data_graph)
    for shape in compiled(shapes):
        run.shape(shape, shape.focus)
    return run.results


class _Run:
    def __init__(self, shapes: Graph, query, term, data_graph):
        self.shapes, self.query, self.term, self.data_graph = shapes, query, term, data_graph
        self.results: list[RawResult] = []
        self._data: Graph | None = None

    def shape(self, shape: CompiledShape, focus: str) -> None:
        for check in shape.checks:
            solutions = self.query(check.query.replace(FOCUS, focus))
            names = {v.value for v in solutions.variables}
            for row in solutions:
                self.row(shape, check, row, names)
        for child in shape.properties:
            self.shape(child, focus)

    def row(self, shape: CompiledShape, check: Check, row, names: set[str]) -> None:
        focus = self.term(row["this"], None)
        if check.qualified is not None:
            count, (low, high) = int(row["n"].value), check.qualified
            if high is not None and count > high:
                self.add(shape, check, SH.QualifiedMaxCountConstraintComponent, focus, None)
            if low is not None and count < low:
                self.add(shape, check, SH.QualifiedMinCountConstraintComponent, focus, None)
            return
        found = row["value"] if "value" in names else None
        value = None if found is None else self.term(found, focus)
        if check.constraint is None:
            self.add(shape, check, check.component, focus, value)
            return
        if value is None and shape.path is None:
            value = focus  # pyshacl: a node shape's SPARQL result without ?value has the focus node as value
        bound = row["path"] if "path" in names else None
        path = None if bound is None else self.term(bound, None)
        variables = {name: self.term(row[name], None) for name in names if row[name] is not None}
        variables.update(this=focus, **({"path": path} if path is not None else {}),
                         **({"value": value} if value is not None else {}))
        messages = check.constraint_messages or shape.messages
        text = tuple(Literal(_fill(str(m), variables), lang=m.language) for m in messages)
        self.results.append(RawResult(shape, check.component, focus, value, path if path is not None else shape.path,
                                      text, check.constraint))

    def add(self, shape, check, component, focus, value) -> None:
        messages = tuple(shape.messages) or (Literal(self.default_message(shape, check, component, focus, value)),)
        self.results.append(RawResult(shape, component, focus, value, shape.path, messages))

    def default_message(self, shape, check, component, focus, value) -> str:
        """pyshacl's generic message for a result of a shape without sh:message."""
        from pyshacl.rdfutil import stringify_node

        if self._data is None:
            self._data = self.data_graph()
        sg, params = self.shapes, check.params

        def s(node) -> str:
            return stringify_node(sg, node)

        def d(node) -> str:
            return stringify_node(self._data, node)

        name = str(component).removeprefix(str(SH)).removesuffix("ConstraintComponent")
        on = f"{d(focus)}->{s(shape.path)}" if shape.path is not None else d(focus)
        several = len(params) > 1
        if name == "Class":
            return (f"Value class is not in classes ({', '.join(s(c) for c in params)})" if several
                    else f"Value does not have class {s(params[0])}")
        if name in ("Datatype", "NodeKind"):
            return f"Value is not {'Literal with datatype' if name == 'Datatype' else 'of Node Kind'} {s(params[0])}"
        if name == "Pattern":
            if several:
                return "Value does not match every pattern in ('{}')".format("', '".join(str(p) for p in params))
            return f"Value does not match pattern '{params[0]}'"
        if name == "LanguageIn":
            return f"String language is not in {s(params[0])}"
        if name == "UniqueLang":
            return "More than one String shares the same Language"
        if name == "In":
            return f"Value {d(value)} not in list {[s(v) for v in params]}"
        if name == "HasValue":
            found = [s(v) for v in params]
            if shape.path is not None:
                return f"Node {on} does not contain a value in the set: {found}"
            return f"Node {d(focus)} value is not a in the set of values: {found}"
        if name in ("MinCount", "MaxCount"):
            return f"{'Less' if name == 'MinCount' else 'More'} than {params[0]} values on {on}"
        if name == "Node":
            if several:
                return "Value must conform to every Shape in ('{}'). See details for more information.".format(
                    "', '".join(s(n) for n in params))
            return f"Value does not conform to Shape {s(params[0])}. See details for more information."
        if name == "Or":
            lists = [" , ".join(s(m) for m in Collection(sg, c)) for c in params]
            text = lists[0] if not several else " and ".join(f"({t})" for t in lists)
            return f"Node {d(value)} must conform to one or more shapes in {text}"
        if name in ("QualifiedMinCount", "QualifiedMaxCount"):
            low, high = check.qualified
            counts = (f" MinCount {low}" if low is not None else "") + (f" MaxCount {high}" if high is not None else "")
            return f"Focus node does not conform to shape{counts}: {','.join(s(q) for q in params)}"
        if name in ("LessThan", "LessThanOrEquals"):
            rules = ", ".join(s(p) for p in params)
            # sic: pyshacl writes "<=" for sh:lessThan and "<" for sh:lessThanOrEquals
            return f"Value of {d(focus)}->{rules} {'<=' if name == 'LessThan' else '<'} {d(value)}"
        ranges = {"MinInclusive": ">=", "MaxInclusive": "<=", "MinExclusive": ">", "MaxExclusive": "<"}
        if name in ranges:
            op = ranges[name]
            return (f"Value is not {op} in ({', '.join(s(v) for v in params)})" if several
                    else f"Value is not {op} {s(params[0])}")
        return "(no message)"


def _fill(message: str, variables: dict) -> str:
    """pyshacl's message template: {?var} or {$var} becomes the variable's value."""
    for name, value in variables.items():
        message = re.sub(r"\{[?$]" + re.escape(name) + r"\}", lambda _: str(value), message)
    return message


# --- rdflib graphs into a pyoxigraph store ------------------------------------------------------------

_converted: dict[int, tuple[Graph, list[ox.Quad], dict]] = {}


def load_graphs(graphs: list[Graph], *, cache: tuple[Graph, ...] = ()) -> tuple[ox.Store, Callable]:
    """An in-memory store with the triples of the rdflib graphs, and ``term(ox_term, focus)`` that gives
    the rdflib term as it was in the graphs (oxigraph may have stored a literal in another form).
    The conversion of the graphs in ``cache`` (e.g. the ontology) is kept between calls."""
    store, back = ox.Store(), {}
    for graph in graphs:
        if any(graph is kept for kept in cache):
            key = id(graph)
            if key not in _converted or _converted[key][0] is not graph or len(_converted[key][1]) != len(graph):
                _converted[key] = (graph, *_convert(graph))
            _, quads, stored = _converted[key]
        else:
            quads, stored = _convert(graph)
        store.extend(quads)
        for literal, originals in stored.items():
            back.setdefault(literal, []).extend(o for o in originals if o not in back.get(literal, ()))

    def term(value, focus):
        if isinstance(value, (ox.Literal, ox.BlankNode)) and value in back:
            candidates = back[value]
            if len(candidates) > 1 and focus is not None:
                for candidate in candidates:
                    if any((focus, None, candidate) in graph for graph in graphs):
                        return candidate
            return candidates[0]
        return to_rdflib(value)

    return store, term


def _convert(graph: Graph) -> tuple[list[ox.Quad], dict]:
    """The quads of an rdflib graph, and {stored term: [rdflib terms]} for the blank nodes and for the
    literals oxigraph may keep in another form (typed ones other than xsd:string, upper-case language
    tags). Literals of the integer subtypes get the private datatype RAW_DATATYPE + their datatype, so
    that oxigraph does not make them xsd:integer (the compiled queries know that datatype)."""
    cache: dict = {}
    risky: dict[Literal, ox.Literal] = {}

    def convert(node):
        found = cache.get(node)
        if found is None:
            if isinstance(node, Literal) and node.datatype in REWRITTEN:
                found = ox.Literal(str(node), datatype=ox.NamedNode(RAW_DATATYPE + str(node.datatype)))
            else:
                found = _ox_term(node)
                if isinstance(node, Literal) and ((node.datatype is not None and node.datatype != XSD.string)
                                                  or (node.language and node.language != node.language.lower())):
                    risky[node] = found
            cache[node] = found
        return found

    quads = [ox.Quad(convert(s), convert(p), convert(o)) for s, p, o in graph]
    stored: dict = {found: [node] for node, found in cache.items()
                    if isinstance(node, BNode) or (isinstance(node, Literal) and node.datatype in REWRITTEN)}
    if risky:
        originals = list(risky)
        scratch = ox.Store()
        marker = ox.NamedNode("urn:leernet:literal")
        scratch.extend(ox.Quad(ox.NamedNode(f"urn:leernet:literal:{i}"), marker, risky[lit])
                       for i, lit in enumerate(originals))
        for quad in scratch:
            stored.setdefault(quad.object, []).append(originals[int(quad.subject.value.rsplit(":", 1)[1])])
    return quads, stored


def _ox_term(node):
    if isinstance(node, BNode):
        try:
            return ox.BlankNode(str(node))
        except ValueError:
            return ox.BlankNode()  # not a valid label for oxigraph: mapped back by load_graphs
    return from_rdflib(node)
