"""Compile a SHACL shapes graph into SPARQL SELECT queries that find every validation result at once.

Used by :mod:`graph.shacl_sparql`; the semantics are pyshacl's (inference "none", warnings allowed),
so that both engines report the same results. Each (shape, constraint) becomes one query over all
focus nodes; the focus nodes are the shape's targets, written as a group pattern that binds ``?this``
(``%FOCUS%`` in the query text, filled in per top-level shape, because a property shape is checked
for the focus nodes of the node shape that holds it). Shapes reached through ``sh:node``, ``sh:or``
and ``sh:qualifiedValueShape`` become a boolean SPARQL expression on the value node ("does it
conform"), nested with EXISTS. A test of single values is run once per distinct value of the path
(values repeat: ten thousand memberships share a dozen roles), then joined back to the focus nodes.

Two notions of conformance, as in pyshacl: ``sh:node`` fails when the shape reports anything at all
(mode "node"); ``sh:or`` and qualified value shapes ask whether the shape conforms, and a shape of
severity Warning or Info always does (mode "or").

Anything else in the ``sh:`` namespace raises :class:`UnsupportedShape` while compiling, so a new
kind of constraint is never skipped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

from graph.shacl_terms import (NODE_KINDS, UnsupportedShape, compare, datatype_test, number, python_regex, same_lang,
                               sparql_term, string_literal)

# rdf:type/rdfs:subClassOf*, written without a zero-length path: Virtuoso 7 gets those wrong when the
# subject is bound by the enclosing pattern (EXISTS, joins), and the meaning is the same.
TYPE_PATH = f"(<{RDF.type}>|<{RDF.type}>/<{RDFS.subClassOf}>+)"
FOCUS = "%FOCUS%"
FENCE = 2**31 - 1  # a LIMIT no result reaches (and 32-bit safe): it fences a subquery off from the optimizer
ALLOWED_SEVERITIES = {SH.Warning, SH.Info}  # pyshacl with allow_warnings: such shapes always "conform"
RANGES = {SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
          SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
          SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
          SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent)}
COMPARISONS = {SH.lessThan: "<", SH.lessThanOrEquals: "<="}
COMPARISON_COMPONENTS = {SH.lessThan: SH.LessThanConstraintComponent,
                         SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent}
PATHS = {SH.inversePath: "^({})", SH.zeroOrMorePath: "({})*", SH.oneOrMorePath: "({})+", SH.zeroOrOnePath: "({})?"}
SUPPORTED = {
    SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.path, SH.alternativePath,
    *PATHS, SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH.flags, SH.languageIn, SH["in"], SH.hasValue,
    *RANGES, SH.minCount, SH.maxCount, SH.uniqueLang, *COMPARISONS, SH.node, SH["or"], SH.property,
    SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint,
    SH.sparql, SH.select, SH.prefixes, SH.declare, SH.prefix, SH.namespace, SH.name, SH.description,
    SH.message, SH.severity, SH.deactivated, SH.order, SH.group, SH.defaultValue,
}
SUPPORTED_TYPES = {SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint, SH.PrefixDeclaration}


@dataclass
class Check:
    """One query giving the results of one constraint of a shape: columns ?this, maybe ?value, and for
    qualified counts ?n; a SPARQL constraint's own variables (?path, ...) too."""

    component: URIRef
    query: str
    params: list = field(default_factory=list)  # the parameter values, for pyshacl's default messages
    qualified: tuple[int | None, int | None] | None = None
    constraint: URIRef | BNode | None = None  # the sh:sparql constraint node
    constraint_messages: list = field(default_factory=list)


@dataclass
class CompiledShape:
    """A shape with its focus pattern (own targets), its checks and its property shapes."""

    node: URIRef | BNode
    path: URIRef | BNode | None
    severity: URIRef
    messages: list
    focus: str | None
    checks: list[Check]
    properties: list[CompiledShape]


def compile_shapes(shapes: Graph) -> list[CompiledShape]:
    """The shapes that have targets, compiled (with their property shapes); raises UnsupportedShape."""
    return _Compiler(shapes).top_level()


class _Compiler:
    def __init__(self, shapes: Graph):
        self.g = shapes
        self.fresh = 0
        self.stack: list = []
        self._check_vocabulary()

    def _check_vocabulary(self) -> None:
        for s, p, o in self.g:
            if str(p).startswith(str(SH)) and p not in SUPPORTED:
                raise UnsupportedShape(f"{p} (on {s}) is not supported by the SPARQL validator; use engine='pyshacl'")
            if p == RDF.type and str(o).startswith(str(SH)) and o not in SUPPORTED_TYPES:
                raise UnsupportedShape(f"{s} is a {o}, which the SPARQL validator does not support")
            if p == RDF.type and o in (RDFS.Class, OWL.Class) and self._is_shape(s):
                raise UnsupportedShape(f"{s} is a shape and a class (implicit class target): not supported")
        for s, o in self.g.subject_objects(SH.qualifiedValueShapesDisjoint):
            if o.toPython() is True:
                raise UnsupportedShape(f"sh:qualifiedValueShapesDisjoint true (on {s}) is not supported")

    def _is_shape(self, s) -> bool:
        return any((s, RDF.type, t) in self.g for t in (SH.NodeShape, SH.PropertyShape))

    # --- shapes ---------------------------------------------------------------------------------------

    def top_level(self) -> list[CompiledShape]:
        targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
        nodes = {s for t in targets for s in self.g.subjects(t, None)}
        return [self.shape(s, self._focus(s)) for s in sorted(nodes, key=str) if not self._off(s)]

    def shape(self, s, focus: str | None) -> CompiledShape:
        path = self.g.value(s, SH.path)
        checks = self._checks(s, path)
        properties = []
        for p in self.g.objects(s, SH.property):
            if path is not None:
                raise UnsupportedShape(f"sh:property on the property shape {s} is not supported")
            if not self._off(p):
                properties.append(self.shape(p, None))
        return CompiledShape(s, path, self.g.value(s, SH.severity) or SH.Violation, list(self.g.objects(s, SH.message)),
                             focus, checks, properties)

    def _off(self, s) -> bool:
        return any(o.toPython() is True for o in self.g.objects(s, SH.deactivated))

    def _focus(self, s) -> str:
        parts = [f"{{ ?this {TYPE_PATH} {sparql_term(c)} }}" for c in self.g.objects(s, SH.targetClass)]
        parts += [f"{{ ?this {sparql_term(p)} ?_o }}" for p in self.g.objects(s, SH.targetSubjectsOf)]
        parts += [f"{{ ?_s {sparql_term(p)} ?this }}" for p in self.g.objects(s, SH.targetObjectsOf)]
        parts += [f"{{ VALUES ?this {{ {sparql_term(n)} }} }}" for n in self.g.objects(s, SH.targetNode)]
        return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(sorted(parts))} }} }}"

    def path(self, node) -> str:
        """A SHACL path as a SPARQL property path."""
        g = self.g
        if isinstance(node, URIRef):
            return f"<{node}>"
        if (node, RDF.first, None) in g:
            return "(" + "/".join(self.path(p) for p in Collection(g, node)) + ")"
        alternatives = g.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(p) for p in Collection(g, alternatives)) + ")"
        for predicate, form in PATHS.items():
            inner = g.value(node, predicate)
            if inner is not None:
                return form.format(self.path(inner))
        raise UnsupportedShape(f"cannot read the path {node}")

    def var(self) -> str:
        self.fresh += 1
        return f"?_v{self.fresh}"

    def _one(self, s, predicate):
        values = list(self.g.objects(s, predicate))
        if len(values) > 1:
            raise UnsupportedShape(f"{s} has more than one {predicate}")
        return values[0] if values else None

    def _count(self, s, predicate) -> int | None:
        value = self._one(s, predicate)
        if value is None:
            return None
        if not isinstance(value, Literal) or not isinstance(value.toPython(), int):
            raise UnsupportedShape(f"{predicate} of {s} must be an integer")
        return value.toPython()

    # --- value tests: one boolean expression per constraint on a single value node -------------------

    def value_tests(self, s, x: str) -> list[tuple[URIRef, object, list, str]]:
        """(component, parameter, all parameter values, expression true when ``x`` passes), per test."""
        g, tests = self.g, []
        classes = list(g.objects(s, SH["class"]))
        for c in classes:
            tests.append((SH.ClassConstraintComponent, c, classes,
                          f"(!isLiteral({x}) && EXISTS {{ {x} {TYPE_PATH} {sparql_term(c)} }})"))
        datatype = self._one(s, SH.datatype)
        if datatype is not None:
            tests.append((SH.DatatypeConstraintComponent, datatype, [datatype], datatype_test(datatype, x)))
        kind = self._one(s, SH.nodeKind)
        if kind is not None:
            if kind not in NODE_KINDS:
                raise UnsupportedShape(f"unknown sh:nodeKind {kind} on {s}")
            tests.append((SH.NodeKindConstraintComponent, kind, [kind], NODE_KINDS[kind].format(x)))
        patterns = list(g.objects(s, SH.pattern))
        flags = "".join(f for f in str(next(iter(g.objects(s, SH.flags)), "")).lower() if f in "im")
        for p in patterns:
            regex = python_regex(str(p))
            tests.append((SH.PatternConstraintComponent, p, patterns,
                          f"(!isBlank({x}) && REGEX(STR({x}), {string_literal(regex)}, {string_literal(flags)}))"))
        languages = self._one(s, SH.languageIn)
        if languages is not None:
            wanted = [str(lang).lower() for lang in Collection(g, languages)]
            if "*" in wanted:
                test = f'(isLiteral({x}) && LANG({x}) != "")'
            else:
                options = ", ".join(string_literal(w) for w in wanted)
                test = (f'(isLiteral({x}) && LANG({x}) != "" && (LCASE(LANG({x})) IN ({options}) || '
                        f'LCASE(STRBEFORE(CONCAT(LANG({x}), "-"), "-")) IN ({options})))')
            tests.append((SH.LanguageInConstraintComponent, languages, [languages], test))
        members = self._one(s, SH["in"])
        if members is not None:
            options = " || ".join(f"sameTerm({x}, {sparql_term(m)})" for m in Collection(g, members))
            tests.append((SH.InConstraintComponent, members, list(Collection(g, members)), f"({options or 'false'})"))
        for predicate, (operator, component) in RANGES.items():
            for limit in g.objects(s, predicate):
                if not isinstance(limit, Literal) or not isinstance(limit.toPython(), (int, float)):
                    raise UnsupportedShape(f"{predicate} of {s}: only numeric limits are supported")
                tests.append((component, limit, list(g.objects(s, predicate)),
                              f"(isLiteral({x}) && COALESCE({number(x)} {operator} {sparql_term(limit)}, false))"))
        shapes = list(g.objects(s, SH.node))
        for n in shapes:
            tests.append((SH.NodeConstraintComponent, n, shapes, self.conforms(n, x, "node")))
        lists = list(g.objects(s, SH["or"]))
        for choice in lists:
            options = " || ".join(self.conforms(m, x, "or") for m in Collection(g, choice))
            tests.append((SH.OrConstraintComponent, choice, lists, f"({options or 'false'})"))
        # an error in a test must count as a failure (as in pyshacl), never drop the row from FILTER(!test)
        return [(component, param, params, f"COALESCE({test}, false)") for component, param, params, test in tests]

    # --- conformance of a value node to a whole shape -------------------------------------------------

    def conforms(self, s, x: str, mode: str) -> str:
        """A SPARQL expression: does the node ``x`` conform to shape ``s`` (mode "node" or "or")?"""
        if self._off(s) or (mode == "or" and (self.g.value(s, SH.severity) or SH.Violation) in ALLOWED_SEVERITIES):
            return "true"
        if s in self.stack:
            raise UnsupportedShape(f"the shape {s} refers to itself: recursive shapes are not supported")
        self.stack.append(s)
        try:
            return self._conforms(s, x, mode)
        finally:
            self.stack.pop()

    def _conforms(self, s, x: str, mode: str) -> str:
        g, path = self.g, self.g.value(s, SH.path)
        if next(g.objects(s, SH.sparql), None) is not None:
            raise UnsupportedShape(f"sh:sparql in {s}, which is checked through sh:node/sh:or: not supported")
        if path is None:
            parts = [test for *_, test in self.value_tests(s, x)]
            parts += [f"sameTerm({x}, {sparql_term(v)})" for v in g.objects(s, SH.hasValue)]
            self._no_focus_counts(s)
            parts += [self.conforms(p, x, mode) for p in g.objects(s, SH.property)]
        else:
            p, y = self.path(path), self.var()
            tests = [test for *_, test in self.value_tests(s, y)]
            parts = [f"NOT EXISTS {{ {x} {p} {y} . FILTER(!({' && '.join(tests)})) }}"] if tests else []
            least, most = self._count(s, SH.minCount), self._count(s, SH.maxCount)
            if least:
                parts.append(self._at_least(x, p, least))
            if most is not None:
                parts.append("!" + self._at_least(x, p, most + 1))
            parts += [f"EXISTS {{ {x} {p} {sparql_term(v)} }}" for v in g.objects(s, SH.hasValue)]
            if self._unique_lang(s):
                a, b = self.var(), self.var()
                parts.append(f"NOT EXISTS {{ {x} {p} {a} . {x} {p} {b} . FILTER({same_lang(a, b)}) }}")
            qualified = self._one(s, SH.qualifiedValueShape)
            if qualified is not None:
                low, high = self._count(s, SH.qualifiedMinCount), self._count(s, SH.qualifiedMaxCount)
                if low:
                    parts.append(self._at_least(x, p, low, lambda v: self.conforms(qualified, v, "or")))
                if high is not None:
                    parts.append("!" + self._at_least(x, p, high + 1, lambda v: self.conforms(qualified, v, "or")))
            for predicate, operator in COMPARISONS.items():
                for other in g.objects(s, predicate):
                    a, b = self.var(), self.var()
                    parts.append(f"NOT EXISTS {{ {x} {p} {a} . {x} {sparql_term(other)} {b} . "
                                 f"FILTER(!{compare(a, operator, b)}) }}")
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def _at_least(self, x: str, p: str, n: int, condition=None) -> str:
        if n <= 0:
            return "true"
        if n > 4:
            raise UnsupportedShape(f"counting {n} values inside sh:node/sh:or is not supported")
        names = [self.var() for _ in range(n)]
        tests = [condition(v) for v in names] if condition else []
        tests += [f"!sameTerm({a}, {b})" for i, a in enumerate(names) for b in names[i + 1:]]
        patterns = " ".join(f"{x} {p} {v} ." for v in names)
        return f"EXISTS {{ {patterns} FILTER({' && '.join(tests)}) }}" if tests else f"EXISTS {{ {patterns} }}"

    def _unique_lang(self, s) -> bool:
        value = self._one(s, SH.uniqueLang)
        return value is not None and value.toPython() is True

    def _no_focus_counts(self, s) -> None:
        for predicate in (SH.minCount, SH.maxCount, SH.uniqueLang, SH.qualifiedValueShape, *COMPARISONS):
            if self._one(s, predicate) is not None:
                raise UnsupportedShape(f"{predicate} on the node shape {s} is not supported")

    # --- top-level checks -----------------------------------------------------------------------------

    def _checks(self, s, path) -> list[Check]:
        g, checks = self.g, []
        p = None if path is None else self.path(path)
        value = "?value" if p else "?this"
        for component, param, params, test in self.value_tests(s, value):
            if p:
                # Each distinct value is tested once, then joined back to its focus nodes. The LIMIT keeps
                # the engine from pushing the FILTER below the DISTINCT (oxigraph would test every row).
                # Without zero-length steps the values of all subjects are a cheap superset.
                source = f"?_s {p} ?value" if not re.search(r"\)[*?]", p) else f"{FOCUS} ?this {p} ?value"
                failing = (f"{{ SELECT ?value WHERE {{ {{ SELECT DISTINCT ?value WHERE {{ {source} }} LIMIT {FENCE} }} "
                           f"FILTER(!({test})) }} }}")
                query = f"SELECT DISTINCT ?this ?value WHERE {{ {failing} ?this {p} ?value . {FOCUS} }}"
            else:
                query = f"SELECT ?this (?this AS ?value) WHERE {{ {FOCUS} FILTER(!({test})) }}"
            checks.append(Check(component, query, params))
        values = list(g.objects(s, SH.hasValue))
        for v in values:
            found = f"EXISTS {{ ?this {p} {sparql_term(v)} }}" if p else f"sameTerm(?this, {sparql_term(v)})"
            checks.append(Check(SH.HasValueConstraintComponent,
                                f"SELECT ?this WHERE {{ {FOCUS} FILTER(!{found}) }}", values))
        if p is None:
            self._no_focus_counts(s)
        else:
            checks += self._focus_checks(s, p)
        for constraint in g.objects(s, SH.sparql):
            if not self._off(constraint):
                checks.append(self._sparql(s, constraint, p))
        return checks

    def _focus_checks(self, s, p: str) -> list[Check]:
        g, checks = self.g, []
        least, most = self._count(s, SH.minCount), self._count(s, SH.maxCount)
        if least == 1:
            checks.append(Check(SH.MinCountConstraintComponent,
                                f"SELECT ?this WHERE {{ {FOCUS} FILTER NOT EXISTS {{ ?this {p} ?v }} }}", [least]))
        elif least:
            checks.append(Check(SH.MinCountConstraintComponent,
                                f"SELECT ?this WHERE {{ {FOCUS} OPTIONAL {{ ?this {p} ?v }} }} "
                                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {least})", [least]))
        if most is not None:
            # counted for every subject first (fenced, see _checks), unless the path has zero-length steps
            source = f"?this {p} ?v" if not re.search(r"\)[*?]", p) else f"{FOCUS} ?this {p} ?v"
            checks.append(Check(SH.MaxCountConstraintComponent,
                                f"SELECT ?this WHERE {{ {{ SELECT ?this WHERE {{ {source} }} GROUP BY ?this "
                                f"HAVING (COUNT(DISTINCT ?v) > {most}) LIMIT {FENCE} }} {FOCUS} }}", [most]))
        if self._unique_lang(s):
            checks.append(Check(SH.UniqueLangConstraintComponent,
                                f"SELECT ?this ?lang WHERE {{ {FOCUS} ?this {p} ?a . ?this {p} ?b . "
                                f"FILTER({same_lang('?a', '?b')}) BIND(LCASE(LANG(?a)) AS ?lang) }} "
                                f"GROUP BY ?this ?lang"))
        qualified = self._one(s, SH.qualifiedValueShape)
        if qualified is not None:
            low, high = self._count(s, SH.qualifiedMinCount), self._count(s, SH.qualifiedMaxCount)
            if low is None and high is None:
                raise UnsupportedShape(f"sh:qualifiedValueShape without a qualified count on {s}")
            test = self.conforms(qualified, "?v", "or")
            wrong = " || ".join([f"COUNT(DISTINCT ?v) < {low}"] * bool(low) +
                                [f"COUNT(DISTINCT ?v) > {high}"] * (high is not None)) or "false"
            checks.append(Check(SH.QualifiedMinCountConstraintComponent,
                                f"SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {FOCUS} "
                                f"OPTIONAL {{ ?this {p} ?v . FILTER({test}) }} }} GROUP BY ?this HAVING ({wrong})",
                                [qualified], qualified=(low, high)))
        for predicate, operator in COMPARISONS.items():
            others = list(g.objects(s, predicate))
            for other in others:
                query = (f"SELECT DISTINCT ?this ?value ?other WHERE {{ {FOCUS} ?this {p} ?value . "
                         f"?this {sparql_term(other)} ?other . FILTER(!{compare('?value', operator, '?other')}) }}")
                checks.append(Check(COMPARISON_COMPONENTS[predicate], query, others))
        return checks

    def _sparql(self, s, constraint, p: str | None) -> Check:
        text = str(self._one(constraint, SH.select) or "")
        if not text:
            raise UnsupportedShape(f"the SPARQL constraint {constraint} has no sh:select")
        if re.search(r"\$(shapesGraph|currentShape)\b", text):
            raise UnsupportedShape(f"{constraint}: pre-bound $shapesGraph and $currentShape are not supported")
        if re.search(r"\b(MINUS|VALUES|SERVICE)\b", text, re.IGNORECASE):
            raise UnsupportedShape(f"{constraint}: a SPARQL constraint must not use MINUS, VALUES or SERVICE")
        if "$PATH" in text:
            if p is None:
                raise UnsupportedShape(f"{constraint} uses $PATH on a node shape")
            text = re.sub(r"\$PATH\b", lambda _: p, text)
        text = re.sub(r"\$this\b", "?this", text)
        head = re.match(r"\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\s*(?:WHERE\s*)?\{", text, re.S | re.I)
        if head is None or not (head.group(1).strip() == "*" or re.search(r"\?this\b", head.group(1))):
            raise UnsupportedShape(f"{constraint}: the SELECT must return $this")
        prologue = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in self._prefixes(constraint))
        query = f"{prologue}SELECT DISTINCT * WHERE {{ {FOCUS} {{ {text} }} }}"
        return Check(SH.SPARQLConstraintComponent, query, constraint=constraint,
                     constraint_messages=list(self.g.objects(constraint, SH.message)))

    def _prefixes(self, constraint) -> list[tuple[str, str]]:
        """The sh:prefixes declarations as pyshacl collects them (those of every owl:Ontology count)."""
        g = self.g
        ontologies = set(g.subjects(RDF.type, OWL.Ontology))
        named = set(g.objects(g.identifier, SH.declare))
        everywhere = named.union(*(set(g.objects(o, SH.declare)) for o in ontologies))
        found = {}
        for source in g.objects(constraint, SH.prefixes):
            own = set(g.objects(source, SH.declare))
            for declaration in (own | named) if own and source in ontologies else (everywhere | own):
                found[str(self._one(declaration, SH.prefix))] = str(self._one(declaration, SH.namespace))
        return sorted(found.items())
