"""Reading and writing RDF safely: format detection, parsing with located errors, refusal of remote
JSON-LD contexts and XML DOCTYPE/entity declarations, finding the line that describes a node, and
serialising quads for export."""

from __future__ import annotations

import gzip
import io
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph.errors import InputError, NotFound

FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
ALIASES = {"ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "nq": "nquads", "n-quads": "nquads",
           "json-ld": "jsonld", "json": "jsonld", "xml": "rdfxml", "rdf": "rdfxml", "rdf/xml": "rdfxml"}
EXTENSIONS = {".ttl": "turtle", ".nt": "ntriples", ".nq": "nquads", ".trig": "trig", ".jsonld": "jsonld",
              ".json": "jsonld", ".rdf": "rdfxml", ".owl": "rdfxml", ".xml": "rdfxml"}
QUAD_FORMATS = {"nquads", "trig", "jsonld"}
TEXT_FORMATS = {"turtle", "ntriples", "nquads", "trig"}
LABELS = {"turtle": "Turtle", "ntriples": "N-Triples", "nquads": "N-Quads", "trig": "TriG",
          "jsonld": "JSON-LD", "rdfxml": "RDF/XML"}


@dataclass
class Source:
    """One input: its display name, raw bytes, format name and (for files) its path."""

    name: str
    data: bytes
    fmt: str
    path: Path | None = None
    prefixes: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The content decoded as UTF-8 (undecodable bytes replaced)."""
        return self.data.decode("utf-8", errors="replace")


def format_name(fmt: str) -> str:
    """The canonical format name for a user's ``--format`` value; :class:`InputError` if unknown."""
    key = fmt.lower().strip()
    key = ALIASES.get(key, key)
    if key not in FORMATS:
        raise InputError(f"unknown RDF format {fmt!r}", [f"use one of: {', '.join(FORMATS)}"])
    return key


def detect_format(name: str, fmt: str | None = None) -> str:
    """The format given explicitly, else the one the file name's extension says."""
    if fmt:
        return format_name(fmt)
    lowered = name.lower().removesuffix(".gz")
    for ext, found in EXTENSIONS.items():
        if lowered.endswith(ext):
            return found
    raise InputError(
        f"{name}: cannot tell the RDF format from the file name",
        [f"give --format (one of: {', '.join(FORMATS)}) or use an extension: {', '.join(EXTENSIONS)}"],
    )


def read_source(path: str | Path, fmt: str | None = None, stdin: BinaryIO | None = None) -> Source:
    """Read a file (``-`` for standard input; ``.gz`` is unpacked) and check it is safe to parse."""
    if str(path) == "-":
        if not fmt:
            raise InputError("reading standard input needs --format", [f"one of: {', '.join(FORMATS)}"])
        data = (stdin or sys.stdin.buffer).read()
        source = Source("<stdin>", data, format_name(fmt))
    else:
        file = Path(path)
        if not file.is_file():
            raise NotFound(f"{path}: no such file")
        name = str(path)
        kind = detect_format(name, fmt)
        data = file.read_bytes()
        if name.lower().endswith(".gz"):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as error:
                raise InputError(f"{name}: not a valid gzip file ({error})") from error
        source = Source(name, data, kind, file)
    check_safe(source)
    return source


def check_safe(source: Source) -> None:
    """Refuse what would make the parser fetch or expand things: remote JSON-LD contexts, XML DTDs."""
    if source.fmt == "jsonld":
        try:
            document = json.loads(source.data)
        except ValueError as error:
            line, column = getattr(error, "lineno", None), getattr(error, "colno", None)
            where = f", line {line}, column {column}" if line else ""
            raise InputError(f"{source.name}{where}: not valid JSON ({getattr(error, 'msg', error)})") from error
        remote = _remote_context(document)
        if remote is not None:
            raise InputError(
                f"{source.name}: JSON-LD context {remote!r} would have to be fetched; leernet never fetches contexts",
                ["embed the context in the file: \"@context\": { \"schema\": \"https://schema.org/\", ... }"],
            )
    elif source.fmt == "rdfxml":
        match = re.search(rb"<!\s*(DOCTYPE|ENTITY)", source.data, re.IGNORECASE)
        if match:
            line = source.data.count(b"\n", 0, match.start()) + 1
            raise InputError(
                f"{source.name}, line {line}: RDF/XML with a {match.group(1).decode().upper()} declaration is refused",
                ["entity declarations can expand or fetch content; write the IRIs out and remove the <!DOCTYPE ...> block"],
            )


def _remote_context(node) -> str | None:
    """The first context reference that is not an embedded object (a URL or file name), if any."""
    if isinstance(node, list):
        for item in node:
            found = _remote_context(item)
            if found is not None:
                return found
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                for ctx in value if isinstance(value, list) else [value]:
                    if isinstance(ctx, str):
                        return ctx
                    if isinstance(ctx, dict) and isinstance(ctx.get("@import"), str):
                        return ctx["@import"]
            found = _remote_context(value)
            if found is not None:
                return found
    return None


def parse_source(source: Source, base_iri: str, *, progress: bool = False) -> list[ox.Quad]:
    """All quads of a source (triples land in the default graph); syntax errors become an
    :class:`InputError` naming the file, line and column. Fills ``source.prefixes``."""
    stream: BinaryIO = io.BytesIO(source.data)
    bar = None
    if progress and len(source.data) > 1_000_000:
        from tqdm import tqdm

        bar = tqdm(total=len(source.data), unit="B", unit_scale=True, desc=f"parsing {source.name}",
                   file=sys.stderr, leave=False)
        stream = _ProgressReader(stream, bar)
    parser = ox.parse(stream, FORMATS[source.fmt], base_iri=base_iri)
    try:
        quads = list(parser)
    except SyntaxError as error:
        raise _syntax_error(source, error) from error
    finally:
        if bar is not None:
            bar.close()
    source.prefixes = dict(getattr(parser, "prefixes", {}) or {})
    return quads


class _ProgressReader:
    """A binary reader that advances a progress bar as the parser pulls bytes."""

    def __init__(self, inner: BinaryIO, bar):
        self.inner, self.bar = inner, bar

    def read(self, size: int = -1) -> bytes:
        chunk = self.inner.read(size)
        self.bar.update(len(chunk))
        return chunk


def _syntax_error(source: Source, error: SyntaxError) -> InputError:
    line, column = error.lineno, error.offset
    message = re.sub(r"^Parser error between line \d+ column \d+ and line \d+ column \d+: ", "", str(error.msg))
    message = re.sub(r"^error at \d+:\d+: ", "", message)
    details: list[str] = []
    if line:
        lines = source.text.splitlines()
        if 0 < line <= len(lines):
            details.append(f"  {line:>5} | {lines[line - 1]}")
            if column:
                details.append(f"        | {' ' * (column - 1)}^")
    details.append(f"fix the {LABELS[source.fmt]} syntax there"
                   + ("" if source.path is None else "; give --format if the file is in another format"))
    where = f", line {line}, column {column}" if line else ""
    return InputError(f"{source.name}{where}: {message}", details)


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_TOKEN = re.compile(r"\s*(<[^>\s]*>|(?:[A-Za-z][\w\-.]*)?:(?:[\w\-:%]|\\.|\.(?=[\w\-:%]))*)")
_DIRECTIVE = re.compile(r"\s*(@?)(prefix|base)\b\s*(?:([\w\-.]*):\s*)?<([^>]*)>", re.IGNORECASE)
_COMMENT = re.compile(r"(^|\s)#.*$")


class Locator:
    """Finds where a node is described in the source files: ``"file.ttl, line 12"``.

    For Turtle, TriG, N-Triples and N-Quads it is the first line where the node starts a statement
    (its subject position), else the first line that starts with it; for other formats, or when
    neither exists, the first line where the IRI appears at all.
    """

    def __init__(self, sources: Iterable[Source], base_iri: str):
        self.sources = list(sources)
        self.base_iri = base_iri
        self._indexes: dict[int, tuple[dict[str, int], dict[str, int]]] = {}

    def __call__(self, node: str) -> str | None:
        for number, source in enumerate(self.sources):
            line = self.line_of(number, node)
            if line is not None:
                return f"{source.name}, line {line}"
        return None

    def line_of(self, number: int, node: str) -> int | None:
        """The line where ``node`` is described in the source with index ``number``, if found."""
        source = self.sources[number]
        if source.fmt in TEXT_FORMATS:
            if number not in self._indexes:
                self._indexes[number] = self._index(source)
            subjects, starts = self._indexes[number]
            if node in subjects:
                return subjects[node]
            if node in starts:
                return starts[node]
        return self._anywhere(source, node)

    def _index(self, source: Source) -> tuple[dict[str, int], dict[str, int]]:
        if source.fmt in ("ntriples", "nquads"):
            return self._line_index(source)
        prefixes = dict(source.prefixes)
        base = self.base_iri
        subjects: dict[str, int] = {}
        starts: dict[str, int] = {}
        at_start = True
        for number, raw in enumerate(source.text.splitlines(), start=1):
            line = _COMMENT.sub("", raw).rstrip()
            if not line.strip():
                continue
            directive = _DIRECTIVE.match(line)
            if directive:
                at, kind, prefix, iri = directive.groups()
                if kind.lower() == "base":
                    base = urljoin(base, iri)
                else:
                    prefixes[prefix or ""] = urljoin(base, iri)
                at_start = True
                continue
            token = _TOKEN.match(line)
            if token:
                iri = self._resolve(token.group(1), prefixes, base)
                if iri is not None:
                    starts.setdefault(iri, number)
                    if at_start:
                        subjects.setdefault(iri, number)
            at_start = line.endswith((".", "{", "}"))
        return subjects, starts

    @staticmethod
    def _line_index(source: Source) -> tuple[dict[str, int], dict[str, int]]:
        """N-Triples and N-Quads: one statement per line, its subject first, IRIs absolute (1M lines
        in about a second, against 15 s through the Turtle tokens)."""
        subjects: dict[str, int] = {}
        for number, line in enumerate(source.text.split("\n"), start=1):
            line = line.lstrip(" \t")
            if line.startswith("<"):
                end = line.find(">")
                if end > 0:
                    subjects.setdefault(line[1:end], number)
        return subjects, subjects

    @staticmethod
    def _resolve(token: str, prefixes: dict[str, str], base: str) -> str | None:
        if token.startswith("<"):
            iri = token[1:-1]
            if _SCHEME.match(iri) and "/." not in iri:  # already absolute (urljoin took 20 s per 1M lines)
                return iri
            return urljoin(base, iri)
        prefix, _, local = token.partition(":")
        if prefix not in prefixes:
            return None
        return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)

    def _anywhere(self, source: Source, node: str) -> int | None:
        text = source.text
        candidates = [node]
        if node.startswith(self.base_iri) and len(node) > len(self.base_iri):
            candidates.append(node[len(self.base_iri):])
        for candidate in candidates:
            for quoted in (f'"{candidate}"', f"<{candidate}>"):
                position = text.find(quoted)
                if position >= 0:
                    return text.count("\n", 0, position) + 1
        return None


_XSD_STRING = str(XSD.string)


def to_rdflib(term):
    """The rdflib term for a pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return _iri(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=_iri(datatype))
    raise InputError(f"RDF-star terms are not supported: {term}")


@lru_cache(maxsize=65536)
def _iri(value: str) -> URIRef:
    return URIRef(value)


def triples_to_rdflib(triples: Iterable, graph: Graph | None = None) -> Graph:
    """Add pyoxigraph triples or quads (their graph names dropped) to an rdflib graph (a new one by default)."""
    graph = Graph() if graph is None else graph
    graph.addN((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object), graph) for t in triples)
    return graph


def from_rdflib(term):
    """The pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r}")


def serialize(quads: Iterable[ox.Quad], fmt: str, output: BinaryIO, *, prefixes: dict[str, str]) -> None:
    """Write quads in a format; graph formats (Turtle, N-Triples) get the triples of all graphs."""
    kind = format_name(fmt)
    if kind in ("turtle", "ntriples", "rdfxml"):
        items: Iterable = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    else:
        items = quads
    ox.serialize(items, output, FORMATS[kind], prefixes=prefixes if kind in ("turtle", "trig", "rdfxml") else None)
