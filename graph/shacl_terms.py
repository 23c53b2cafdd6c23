"""SPARQL expressions about single RDF terms, with pyshacl's meaning on rdflib terms: datatypes as rdflib
judges a literal well-typed, regular expressions as Python reads them, comparisons as pyshacl makes them.
Used by :mod:`graph.shacl_compile`.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from graph.errors import InputError

INTEGER = r"^\s*[+-]?[0-9]+(_[0-9]+)*\s*$"  # what Python's int() accepts (ASCII digits)
# rdflib's well-formedness ranges of the integer types (xsd:long has none, xsd:unsignedLong no upper one)
INTEGER_TYPES = {
    "integer": (None, None), "long": (None, None), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1), "unsignedLong": (0, None),
    "int": (-2147483648, 2147483647), "short": (-32768, 32767), "byte": (-128, 127),
    "unsignedInt": (0, 4294967295), "unsignedShort": (0, 65535), "unsignedByte": (0, 255),
}
# Oxigraph stores the integer subtypes as xsd:integer. graph.shacl_sparql.load_graphs keeps them as given
# (for validate_graph, judged like pyshacl) under this private datatype: RAW_DATATYPE + the datatype IRI.
RAW_DATATYPE = "urn:leernet:raw-datatype:"
REWRITTEN = frozenset(XSD[name] for name in INTEGER_TYPES if name != "integer")
# xsd datatypes rdflib has no value mapping for: any literal with that datatype IRI matches
UNMAPPED = {"gYear", "gYearMonth", "gMonth", "gMonthDay", "gDay", "anyURI", "normalizedString", "token",
            "language", "Name", "NCName", "NMTOKEN", "ID", "IDREF", "ENTITY"}
NODE_KINDS = {SH.IRI: "isIRI({0})", SH.BlankNode: "isBlank({0})", SH.Literal: "isLiteral({0})",
              SH.BlankNodeOrIRI: "!isLiteral({0})", SH.BlankNodeOrLiteral: "!isIRI({0})",
              SH.IRIOrLiteral: "!isBlank({0})"}


class UnsupportedShape(InputError):
    """A construct in the shapes that the SPARQL validator does not evaluate (use engine="pyshacl")."""

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message, details or ["set LEERNET_VALIDATOR=pyshacl to validate with pyshacl instead"])


def sparql_term(node) -> str:
    """A constant of the shapes graph as SPARQL text (no blank nodes: they would be variables)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        if node.language:
            return str(ox.Literal(str(node), language=node.language))
        if node.datatype in REWRITTEN:  # equal only to such a literal as given (rdflib's term equality)
            return str(ox.Literal(str(node), datatype=ox.NamedNode(RAW_DATATYPE + str(node.datatype))))
        return str(ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string))))
    raise UnsupportedShape(f"a blank node ({node}) cannot be a constant in a SPARQL query")


def string_literal(text: str) -> str:
    """A Python string as a SPARQL string literal."""
    return str(ox.Literal(text))


def same_lang(a: str, b: str) -> str:
    """True when ``a`` and ``b`` are two literals with the same language tag (case-insensitive)."""
    return f'isLiteral({a}) && LANG({a}) != "" && !sameTerm({a}, {b}) && LCASE(LANG({a})) = LCASE(LANG({b}))'


def compare(a: str, operator: str, b: str) -> str:
    """pyshacl's comparison: IRIs and strings as text, other literals by value; mixed kinds fail."""
    def key(v: str) -> str:
        return f'IF(isIRI({v}) || DATATYPE({v}) = <{XSD.string}> || LANG({v}) != "", STR({v}), {number(v)})'
    return f"COALESCE(!isBlank({a}) && !isBlank({b}) && {key(a)} {operator} {key(b)}, false)"


def number(x: str) -> str:
    """The value of ``x``, reading an integer as Python's int() would (spaces and _ allowed)."""
    integer = f'DATATYPE({x}) = <{XSD.integer}> || STRSTARTS(STR(DATATYPE({x})), "{RAW_DATATYPE}")'
    return f'IF({integer}, <{XSD.integer}>(REPLACE(STR({x}), "[\\\\s_]", "")), {x})'


def datatype_test(datatype, x: str) -> str:
    """sh:datatype as pyshacl checks it on rdflib literals: same datatype IRI and not ill-typed."""
    has_type = f"(isLiteral({x}) && DATATYPE({x}) = <{datatype}>"
    if datatype in REWRITTEN:
        has_type = f"(isLiteral({x}) && DATATYPE({x}) IN (<{datatype}>, <{RAW_DATATYPE}{datatype}>)"
    name = str(datatype).removeprefix(str(XSD)) if str(datatype).startswith(str(XSD)) else None
    if datatype == RDF.langString:
        return f'(isLiteral({x}) && LANG({x}) != "")'
    if name == "string" or name in UNMAPPED or (name is None and datatype not in (RDF.XMLLiteral, RDF.HTML)):
        return has_type + ")"
    if name == "boolean":
        return has_type + f' && STR({x}) IN ("true", "false", "1", "0"))'
    if name in INTEGER_TYPES:
        low, high = INTEGER_TYPES[name]
        value = f'<{XSD.integer}>(REPLACE(STR({x}), "[\\\\s_]", ""))'
        limits = "".join(f" && COALESCE({value} {op} {limit}, false)"
                         for op, limit in ((">=", low), ("<=", high)) if limit is not None)
        return has_type + f" && REGEX(STR({x}), {string_literal(INTEGER)}){limits})"
    if name == "date":
        day = f"<{XSD.date}>(SUBSTR(STR({x}), 1, 10))"
        form = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T.*|[Zz]|\+.*|-[^-]*:[^-]*)?$"
        return (has_type + f' && REGEX(STR({x}), {string_literal(form)}) && !STRSTARTS(STR({x}), "0000")'
                f" && COALESCE(DATATYPE({day}) = <{XSD.date}>, false))")
    raise UnsupportedShape(f"sh:datatype {datatype} is not supported by the SPARQL validator")


def python_regex(pattern: str) -> str:
    """A Python regular expression for SPARQL REGEX: Python's ``$`` also matches before a final newline.
    Raises UnsupportedShape when the SPARQL engine cannot compile it."""
    out, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
            char = "z" if char == "Z" and not in_class else char  # Python's \Z is \z elsewhere
        elif char == "\\":
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            out.append("\\n?")
        out.append(char)
    regex = "".join(out)
    [row] = ox.Store().query(f"SELECT (REGEX(\"\", {string_literal(regex)}) AS ?ok) {{}}")
    if row["ok"] is None:  # SPARQL gives an error (unbound), not an exception, for a bad expression
        raise UnsupportedShape(f"sh:pattern {pattern!r} cannot be evaluated by SPARQL REGEX")
    return regex
