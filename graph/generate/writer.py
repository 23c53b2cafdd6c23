"""Streaming RDF output for the generator: Turtle or N-Triples, optionally gzipped, byte-for-byte
deterministic (no timestamps in the gzip header), written a record (one subject) at a time.

A record is a subject and a list of ``(predicate, object)`` tokens:

- a predicate is a prefixed name of :data:`PREFIXES` (``"skos:prefLabel"``, ``"a"`` for rdf:type);
- an object is a literal already in N-Triples syntax (starts with ``"``), an absolute IRI in
  angle brackets (``<https://…>``), an IRI relative to the base (``id/…``, ``def/…``, ``graph/…``)
  or a prefixed name (classes: ``org:FormalOrganization``).

Turtle output declares ``@base`` and the prefixes and keeps IRIs relative; N-Triples expands all.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

XSD = "http://www.w3.org/2001/XMLSchema#"
STANDARD = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": XSD,
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
}
RELATIVE = ("id/", "def/", "graph/")
FLUSH_CHARS = 1 << 20


def format_of(path: str | Path) -> str:
    """``turtle`` or ``ntriples`` from a file name (``.ttl``/``.nt``, optionally ``.gz``)."""
    name = str(path).lower().removesuffix(".gz")
    if name.endswith(".ttl"):
        return "turtle"
    if name.endswith(".nt"):
        return "ntriples"
    return ""


def lit(text: str, lang: str | None = None) -> str:
    """A string literal (with a language tag if given) in N-Triples/Turtle syntax."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(value, datatype: str) -> str:
    """A typed literal; ``datatype`` is an XSD local name (``date``, ``integer``, ...)."""
    return f'"{value}"^^<{XSD}{datatype}>'


class RecordWriter:
    """Writes records to ``path`` (atomically: a partial file is renamed at :meth:`close`) and
    counts the triples written."""

    def __init__(self, path: str | Path, base_iri: str, fmt: str | None = None):
        self.path = Path(path)
        self.fmt = fmt or format_of(self.path)
        if self.fmt not in ("turtle", "ntriples"):
            raise ValueError(f"unknown output format for {self.path}")
        self.base = base_iri
        self.prefixes = {"ln": f"{base_iri}def/leernet#", **STANDARD}
        self.triples = 0
        self._partial = self.path.with_name(f".{self.path.name}.partial")
        self._raw = open(self._partial, "wb")
        self._out = (gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=6)
                     if self.path.name.endswith(".gz") else self._raw)
        self._buffer: list[str] = []
        self._size = 0
        self._names: dict[str, str] = {}
        if self.fmt == "turtle":
            header = [f"@base <{base_iri}> ."] + [f"@prefix {p}: <{iri}> ." for p, iri in self.prefixes.items()]
            self._emit("\n".join(header) + "\n\n")

    def comment(self, text: str) -> None:
        """A comment line (Turtle only; N-Triples files get it too, as ``#`` lines are allowed)."""
        self._emit("".join(f"# {line}\n" for line in text.splitlines()))

    def _name(self, token: str) -> str:
        """The full ``<IRI>`` of a prefixed name (cached)."""
        found = self._names.get(token)
        if found is None:
            if token == "a":
                found = f"<{STANDARD['rdf']}type>"
            else:
                prefix, local = token.split(":", 1)
                found = f"<{self.prefixes[prefix]}{local}>"
            self._names[token] = found
        return found

    def record(self, subject: str, props: list[tuple[str, str]]) -> None:
        """Write one subject with its properties (see the module docstring for the tokens)."""
        if not props:
            return
        self.triples += len(props)
        if self.fmt == "turtle":
            parts = [f"<{subject}> "]
            last = len(props) - 1
            for i, (p, o) in enumerate(props):
                if o[0] not in '"<' and o.startswith(RELATIVE):
                    o = f"<{o}>"
                parts.append(f"{'' if i == 0 else '    '}{p} {o}{' .' if i == last else ' ;'}\n")
            parts.append("\n")
            self._emit("".join(parts))
        else:
            base = self.base
            s = f"<{base}{subject}>" if subject.startswith(RELATIVE) else f"<{subject}>"
            lines = []
            for p, o in props:
                first = o[0]
                if first == '"' or first == "<":
                    pass
                elif o.startswith(RELATIVE):
                    o = f"<{base}{o}>"
                else:
                    o = self._name(o)
                lines.append(f"{s} {self._name(p)} {o} .\n")
            self._emit("".join(lines))

    def _emit(self, text: str) -> None:
        self._buffer.append(text)
        self._size += len(text)
        if self._size >= FLUSH_CHARS:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._out.write("".join(self._buffer).encode("utf-8"))
            self._buffer, self._size = [], 0

    def close(self) -> None:
        """Flush, close and move the finished file into place."""
        self._flush()
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()
        os.replace(self._partial, self.path)

    def abort(self) -> None:
        """Close and remove the partial file (after an error)."""
        try:
            if self._out is not self._raw:
                self._out.close()
            self._raw.close()
        finally:
            self._partial.unlink(missing_ok=True)


class NullWriter(RecordWriter):
    """A writer that only counts: used to rebuild a generated pool without writing it again."""

    def __init__(self, base_iri: str):  # noqa: D107 - no file, no format
        self.base = base_iri
        self.fmt = "ntriples"
        self.prefixes = {"ln": f"{base_iri}def/leernet#", **STANDARD}
        self.triples = 0
        self._names = {}

    def record(self, subject: str, props: list[tuple[str, str]]) -> None:
        self.triples += len(props)

    def comment(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass
