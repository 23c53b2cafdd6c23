"""Checks SPARQL text before any engine parses it: size, nesting, SERVICE/LOAD, updates, OFFSET, form.

pyoxigraph's parser recurses once per nesting level (and per chained operator) and can overflow the
stack of the process that parses, so :func:`check_query` never parses: it scans the text once,
linearly, with a tokenizer that knows strings, IRIs, comments, variables and prefixed names, so that
keywords inside them are never mistaken for real ones. The engine accepts keywords glued to their
neighbours (``SERVICESILENT<x>{}``, ``1SERVICE``, ``LIMIT 10OFFSET 5``), so keywords are looked for
inside word tokens too, and the IRI a SERVICE or LOAD names is resolved (PREFIX, BASE, ``\\u``
escapes) before it is compared with ``settings.federation_allow_list``.

Every refusal is a :class:`graph.errors.QueryRefused` with ``reason`` (a machine-readable code, see
:data:`REASONS`), ``http_status``, a one-line message and hints in ``details``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from graph.errors import QueryRefused
from graph.settings import Settings

# reason code -> HTTP status of the refusal (all 4xx: the request, not the server, is at fault)
REASONS = {
    "syntax": 400, "too-large": 413, "too-deep": 400, "service-forbidden": 403, "load-forbidden": 403,
    "update-forbidden": 403, "offset-too-large": 400, "graph-not-public": 403, "unsupported-format": 406,
    "timeout": 400, "too-complex": 400, "busy": 429,
}
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_FORMS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

_BASE_CHARS = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
               "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_VAR_CHARS = _BASE_CHARS + "_0-9\u00b7\u0300-\u036f\u203f-\u2040"
_WORD = re.compile(rf"[{_BASE_CHARS}_0-9:](?:[{_VAR_CHARS}\-.:%]|\\.)*")
_VAR = re.compile(rf"[{_VAR_CHARS}]+")
_VAR_TOKEN = re.compile(rf"[?$][{_VAR_CHARS}]+")
_BNODE = re.compile(rf"_:[{_VAR_CHARS}](?:[{_VAR_CHARS}\-.]*[{_VAR_CHARS}\-])?")
_IRI = re.compile(r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>")
_LANGTAG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?")
_STRINGS = {q: re.compile(rf"{q}(?:[^{q}\\\n\r]|\\.)*{q}") for q in "'\""}
_LONG_STRINGS = {q: re.compile(rf"{q * 3}(?:[^{q}\\]|\\[\s\S]|{q}(?!{q}{q}))*{q * 3}") for q in "'\""}
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_TWO_CHAR = {"<<", ">>", ">=", "<=", "!=", "&&", "||", "^^"}
_OPEN, _CLOSE = set("{([") | {"<<"}, set("})]") | {">>"}


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed :func:`check_query`, with what the runner needs to know about it."""

    text: str
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    from_graphs: tuple[str, ...] = ()  # FROM <g>
    from_named_graphs: tuple[str, ...] = ()  # FROM NAMED <g>
    services: tuple[str, ...] = ()  # allow-listed endpoints it calls
    offset: int | None = None  # the largest OFFSET in it
    depth: int = 0
    size: int = 0


@dataclass(frozen=True)
class CheckedUpdate:
    """An update that passed :func:`check_update`."""

    text: str
    loads: tuple[str, ...] = ()  # allow-listed documents it LOADs
    services: tuple[str, ...] = ()
    depth: int = 0
    size: int = 0


@dataclass(frozen=True)
class _Token:
    kind: str  # word | iri | var | bnode | string | lang | punct
    text: str
    pos: int
    depth: int


def refusal(reason: str, message: str, *hints: str) -> QueryRefused:
    """A :class:`QueryRefused` with a reason code and the HTTP status that goes with it."""
    return QueryRefused(message, list(hints), reason=reason, http_status=REASONS.get(reason, 400))


def check_query(text: str, settings: Settings) -> CheckedQuery:
    """Check a query for the public endpoint; :class:`QueryRefused` says what is wrong and how to fix it."""
    scan = _Scan(text, settings)
    i = scan.after_prologue(0)
    if i >= len(scan.tokens):
        raise refusal("syntax", "the query is empty", "send a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    first = scan.tokens[i]
    word = first.text.upper() if first.kind == "word" else ""
    form = next((f for f in QUERY_FORMS if word.startswith(f)), None)
    if form is None:
        if word.startswith("LOAD"):
            raise refusal("load-forbidden", f"LOAD at {scan.where(first)} is an update that fetches data from "
                          "the web; this endpoint only answers queries", "send a SELECT, ASK, CONSTRUCT or "
                          "DESCRIBE query; data is loaded by the curators, not through the query endpoint")
        update = next((f for f in UPDATE_FORMS if word.startswith(f)), None)
        if update:
            raise refusal("update-forbidden", f"{update} at {scan.where(first)} is a SPARQL update; this "
                          "endpoint only answers queries", "send a SELECT, ASK, CONSTRUCT or DESCRIBE query")
        raise refusal("syntax", f"expected SELECT, ASK, CONSTRUCT or DESCRIBE at {scan.where(first)}, "
                      f"found {first.text[:40]!r}", "start the query (after any PREFIX and BASE lines) "
                      "with SELECT, ASK, CONSTRUCT or DESCRIBE")
    return CheckedQuery(text, form, *scan.dataset(), scan.services(), scan.offset(), scan.max_depth, scan.size)


def check_update(text: str, settings: Settings) -> CheckedUpdate:
    """Check an update for the authenticated write endpoint: size, nesting, LOAD and SERVICE hosts."""
    scan = _Scan(text, settings)
    i = scan.after_prologue(0)
    if i < len(scan.tokens) and any(scan.tokens[i].text.upper().startswith(f) for f in QUERY_FORMS):
        raise refusal("syntax", f"{scan.tokens[i].text} at {scan.where(scan.tokens[i])} starts a query, not an "
                      "update", "send queries to the query endpoint")
    loads: list[str] = []
    for i, token in enumerate(scan.tokens):  # LOAD only starts an operation; checking every word is safe
        if token.kind == "word" and token.text.upper().startswith("LOAD"):
            target = scan.target(token.text[4:], i)
            if target is not None and target[0] == "iri":
                loads.extend(scan.require_allowed("LOAD", target[1], token, "load-forbidden"))
            elif token.text.upper() == "LOAD":
                raise refusal("load-forbidden", f"LOAD at {scan.where(token)} must name a document by its IRI",
                              "write LOAD <https://…> INTO GRAPH <…> with an allow-listed IRI")
    return CheckedUpdate(text, tuple(dict.fromkeys(loads)), scan.services(), scan.max_depth, scan.size)


def allowed(iri: str, allow_list: tuple[str, ...]) -> bool:
    """Whether an endpoint IRI is on the allow-list (equal, or below an entry that ends in ``/``)."""
    return any(iri == entry or (entry.endswith("/") and iri.startswith(entry)) for entry in allow_list)


class _Scan:
    """One linear pass over the text: tokens with their nesting depth, PREFIX and BASE declarations."""

    def __init__(self, text: str, settings: Settings):
        self.text = text
        self.settings = settings
        self.size = len(text.encode("utf-8", "surrogatepass"))
        if self.size > settings.max_query_bytes:
            raise refusal("too-large", f"the request is {self.size:,} bytes; at most "
                          f"{settings.max_query_bytes:,} are accepted", "shorten it, e.g. split a long "
                          "VALUES list over several requests")
        self.max_depth = 0
        self.tokens = list(self._tokenize())
        self.prefixes: dict[str, set[str]] = {}
        self.bases: list[str] = []
        self._declarations()

    def where(self, token_or_pos) -> str:
        pos = token_or_pos.pos if isinstance(token_or_pos, _Token) else token_or_pos
        line = self.text.count("\n", 0, pos) + 1
        column = pos - self.text.rfind("\n", 0, pos)
        return f"line {line}, column {column}"

    def _tokenize(self):
        text, limit = self.text, self.settings.max_nesting
        pos, depth, bangs, n = 0, 0, 0, len(text)
        while pos < n:
            c = text[pos]
            if c.isspace():
                pos += 1
                continue
            if c == "#":
                end = text.find("\n", pos)
                pos = n if end < 0 else end
                continue
            kind, m = "punct", None
            if c == "<":
                m = _IRI.match(text, pos)
                kind = "iri" if m else "punct"
            elif c in "'\"":
                m = (_LONG_STRINGS if text.startswith(c * 3, pos) else _STRINGS)[c].match(text, pos)
                if m is None:
                    raise refusal("syntax", f"unterminated string starting at {self.where(pos)}",
                                  f"close the string with {c}, and escape {c} inside it as \\{c}")
                kind = "string"
            elif c in "?$":
                m = _VAR.match(text, pos + 1)
                if m:
                    kind, m = "var", _VAR_TOKEN.match(text, pos)
            elif c == "@":
                m = _LANGTAG.match(text, pos)
                kind = "lang" if m else "punct"
            elif c == "_" and text.startswith("_:", pos):
                m = _BNODE.match(text, pos)
                kind = "bnode" if m else "punct"
            if m is None and kind == "punct":
                m = _WORD.match(text, pos)
                if m:
                    kind = "word"
            if m is not None:
                value = m.group()
                if kind == "word":
                    value = value.rstrip(".") or value  # a trailing dot ends a triple, not a name
            else:
                value = text[pos:pos + 2] if text[pos:pos + 2] in _TWO_CHAR else c
            if kind == "punct" and value in _OPEN:
                depth += 1
            elif kind == "punct" and value in _CLOSE:
                depth = max(0, depth - 1)
            bangs = bangs + 1 if value == "!" else 0
            if depth + bangs > self.max_depth:
                self.max_depth = depth + bangs
                if self.max_depth > limit:
                    raise refusal("too-deep", f"the request nests brackets {{ ( [ << or ! more than {limit} "
                                  f"levels deep (at {self.where(pos)})", "flatten it: join groups, use "
                                  "VALUES or IN instead of nested alternatives, split it into several requests")
            yield _Token(kind, value, pos, depth - (1 if kind == "punct" and value in _OPEN else 0))
            pos += len(value)

    def _declarations(self) -> None:
        """Collect every BASE and PREFIX declaration (an update may declare more between operations)."""
        tokens = self.tokens
        for i, token in enumerate(tokens):
            if token.kind == "word" and token.text.upper() == "BASE" and i + 1 < len(tokens) \
                    and tokens[i + 1].kind == "iri":
                self.bases.extend(self.resolve(tokens[i + 1].text))
        for i, token in enumerate(tokens):
            end = self._prefix_declaration(i)
            if end:
                name = tokens[end - 2].text if tokens[i].text.upper() == "PREFIX" else tokens[i].text[6:]
                self.prefixes.setdefault(name[:-1], set()).update(self.resolve(tokens[end - 1].text))

    def _prefix_declaration(self, i: int) -> int:
        """The index after ``PREFIX name: <iri>`` starting at token ``i`` (also glued ``PREFIXname:``), else 0."""
        tokens = self.tokens
        if tokens[i].kind != "word" or not tokens[i].text.upper().startswith("PREFIX"):
            return 0
        rest, j = tokens[i].text[6:], i + 1
        if not rest and j < len(tokens) and tokens[j].kind == "word":
            rest, j = tokens[j].text, j + 1
        if rest.endswith(":") and j < len(tokens) and tokens[j].kind == "iri":
            return j + 1
        return 0

    def after_prologue(self, i: int) -> int:
        """The index of the first token after the BASE and PREFIX declarations that start at token ``i``."""
        tokens = self.tokens
        while i < len(tokens):
            if tokens[i].kind == "word" and tokens[i].text.upper() == "BASE" and i + 1 < len(tokens) \
                    and tokens[i + 1].kind == "iri":
                i += 2
            elif self._prefix_declaration(i):
                i = self._prefix_declaration(i)
            else:
                break
        return i

    def resolve(self, iri_token: str) -> list[str]:
        """The absolute IRIs an ``<…>`` token may stand for (escapes decoded, relative ones resolved)."""
        iri = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri_token[1:-1])
        if _SCHEME.match(iri):
            return [iri]
        return sorted({urljoin(base, iri) for base in [*self.bases, self.settings.base_iri]})

    def resolve_one(self, iri_token: str) -> str:
        """The IRI the engine makes of an ``<…>`` token: resolved against the last BASE, else the base IRI."""
        iri = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri_token[1:-1])
        return iri if _SCHEME.match(iri) else urljoin(self.bases[-1] if self.bases else self.settings.base_iri, iri)

    def expand(self, name: str) -> list[str]:
        """The IRIs a prefixed name stands for; empty when its prefix is not declared."""
        prefix, _, local = name.partition(":")
        local = re.sub(r"\\(.)", r"\1", local)
        return sorted(ns + local for ns in self.prefixes.get(prefix, ()))

    def target(self, rest: str, i: int):
        """What follows a SERVICE or LOAD keyword (``rest`` is the part of its word after the keyword):
        ``(kind, iris, index after)`` with kind iri/var, or None when nothing that names an endpoint follows."""
        tokens = self.tokens
        if rest.upper().startswith("SILENT"):
            rest = rest[6:]
        if not rest and i + 1 < len(tokens) and tokens[i + 1].kind == "word" \
                and tokens[i + 1].text.upper().startswith("SILENT"):
            i += 1
            rest = tokens[i].text[6:]
        if rest:
            return ("iri", self.expand(rest), i + 1) if ":" in rest and self.expand(rest) else None
        if i + 1 >= len(tokens):
            return None
        nxt = tokens[i + 1]
        if nxt.kind == "iri":
            return "iri", self.resolve(nxt.text), i + 2
        if nxt.kind == "var":
            return "var", [nxt.text], i + 2
        if nxt.kind == "word" and ":" in nxt.text and self.expand(nxt.text):
            return "iri", self.expand(nxt.text), i + 2
        return None

    def require_allowed(self, keyword: str, iris: list[str], token: _Token, reason: str) -> list[str]:
        allow = tuple(self.settings.federation_allow_list)
        for iri in iris:
            if not allowed(iri, allow):
                what = "queries other endpoints (federation)" if keyword == "SERVICE" else "fetches documents"
                raise refusal(reason, f"{keyword} <{iri}> at {self.where(token)}: this endpoint only {what} "
                              "on its allow-list, and this one is not on it", f"remove the {keyword}, or ask "
                              "the administrator to add the IRI to LEERNET_FEDERATION_ALLOW_LIST")
        return iris

    def services(self) -> tuple[str, ...]:
        """Refuse every SERVICE call that is not allow-listed; the allow-listed endpoints called."""
        found: list[str] = []
        for i, token in enumerate(self.tokens):
            if token.kind != "word":
                continue
            head = token.text.partition(":")[0].upper()
            at = head.find("SERVICE")
            while at >= 0:
                target = self.target(token.text[at + 7:], i)
                if target and target[2] < len(self.tokens) and self.tokens[target[2]].text == "{":
                    if target[0] == "var":
                        raise refusal("service-forbidden", f"SERVICE {target[1][0]} at {self.where(token)}: an "
                                      "endpoint chosen by a variable is never allowed", "remove the SERVICE "
                                      "clause; the data of this endpoint is queried without it")
                    found.extend(self.require_allowed("SERVICE", target[1], token, "service-forbidden"))
                at = head.find("SERVICE", at + 1)
        return tuple(dict.fromkeys(found))

    def offset(self) -> int | None:
        """Refuse an OFFSET above ``settings.max_offset``; the largest OFFSET found."""
        largest = None
        for i, token in enumerate(self.tokens):
            head = token.text.partition(":")[0].upper() if token.kind == "word" else ""
            at = head.find("OFFSET")
            if at < 0:
                continue
            rest = token.text[at + 6:]
            if not rest and i + 1 < len(self.tokens) and self.tokens[i + 1].kind == "word":
                rest = self.tokens[i + 1].text
            if not re.fullmatch(r"[0-9]+", rest):
                continue
            value = int(rest)
            if value > self.settings.max_offset:
                raise refusal("offset-too-large", f"OFFSET {value} at {self.where(token)} is above the limit of "
                              f"{self.settings.max_offset:,}", "page with a condition instead: ORDER BY a key "
                              "and FILTER on the last value you saw, with a LIMIT")
            largest = value if largest is None else max(largest, value)
        return largest

    def dataset(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The FROM and FROM NAMED graphs of the query."""
        graphs: tuple[list[str], list[str]] = ([], [])
        tokens = self.tokens
        for i, token in enumerate(tokens):
            if token.kind != "word" or token.depth != 0 or token.text.upper() != "FROM":
                continue
            named = i + 1 < len(tokens) and tokens[i + 1].text.upper() == "NAMED"
            j = i + 1 + named
            if j < len(tokens) and tokens[j].kind == "iri":
                graphs[named].append(self.resolve_one(tokens[j].text))
            elif j < len(tokens) and tokens[j].kind == "word" and ":" in tokens[j].text:
                iris = self.expand(tokens[j].text)
                if not iris:
                    raise refusal("syntax", f"FROM {tokens[j].text} at {self.where(tokens[j])} uses an "
                                  "undeclared prefix", "declare it with a PREFIX line")
                graphs[named].append(iris[0])
        return tuple(graphs[0]), tuple(graphs[1])
