"""Importers: ROR and DUO reference data, and spreadsheets through a column mapping.

:func:`run_import` reads a file, links what it describes to what the store holds, converts it to
RDF and hands it to :func:`graph.ingest.ingest_graph`, which validates it and replaces the file's
batch graph ``{base}graph/import/{kind}-{stem}-{8 hex}`` atomically (so re-importing a file
replaces its earlier import). The converters (:func:`convert_ror`, :func:`convert_duo`,
:func:`convert_spreadsheet`) work without a store, on an :class:`Index`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from graph.errors import InputError
from graph.importers.common import Conversion
from graph.importers.duo import convert_duo, duo_file_to_graph
from graph.importers.mapping import Mapping, load_mapping
from graph.importers.matching import Index
from graph.importers.naming import slugify
from graph.importers.ror import convert_ror, read_ror_file, ror_records_to_graph
from graph.importers.spreadsheet import convert_spreadsheet
from graph.importers.tables import Table, read_csv, read_xlsx

KINDS = ("ror", "duo", "csv", "xlsx")

__all__ = ["KINDS", "Conversion", "Index", "Mapping", "batch_graph_iri", "convert", "convert_duo",
           "convert_ror", "convert_spreadsheet", "duo_file_to_graph", "load_mapping", "read_source",
           "ror_records_to_graph", "run_import", "Source"]


def batch_graph_iri(base_iri: str, kind: str, path: Path, sheet: str | None = None) -> str:
    """The named graph of an import batch: ``{base}graph/import/{kind}-{stem}-{8 hex}``.

    The hex digits are the start of the SHA-1 of the absolute path (for a workbook sheet:
    ``{path}#{sheet}``, so that each sheet is its own batch).
    """
    key = str(Path(path).resolve()) + (f"#{sheet}" if sheet else "")
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
    return f"{base_iri}graph/import/{kind}-{slugify(Path(path).stem, 60)}-{digest}"


@dataclasses.dataclass
class Source:
    """A file read for import, not converted yet: its kind, batch graph and contents."""

    kind: str
    path: Path
    graph_iri: str
    content: object  # ROR records, or a Table
    mapping: Mapping | None = None

    def convert(self, index: Index) -> Conversion:
        """The file as RDF, linked to what ``index`` knows."""
        base = index.base_iri
        if self.kind == "ror":
            return convert_ror(self.content, base, index, source_name=self.path.name)
        if self.kind == "duo":
            return convert_duo(self.content, base, index)
        return convert_spreadsheet(self.content, self.mapping, index, graph_iri=self.graph_iri)


def read_source(kind: str, path, base_iri: str, *, mapping: str | Path | None = None,
                sheet: str | None = None) -> Source:
    """Read a file of ``kind`` (and its mapping); InputError when it cannot be read."""
    path = Path(path)
    if kind not in KINDS:
        raise InputError(f"unknown import kind '{kind}'", [f"use one of: {', '.join(KINDS)}"])
    if not path.is_file():
        raise InputError(f"{path}: no such file", ["check the path"])
    if kind == "ror":
        return Source(kind, path, batch_graph_iri(base_iri, kind, path), read_ror_file(path))
    if kind == "duo":
        return Source(kind, path, batch_graph_iri(base_iri, kind, path), read_csv(path))
    parsed = load_mapping(mapping)
    table: Table = read_csv(path) if kind == "csv" else read_xlsx(path, sheet, preferred=parsed.sheet)
    return Source(kind, path, batch_graph_iri(base_iri, kind, path, table.sheet), table, parsed)


def convert(kind: str, path, index: Index, *, mapping: str | Path | None = None,
            sheet: str | None = None) -> tuple[str, Conversion]:
    """Read and convert a file without a store; returns the batch graph IRI and the conversion."""
    source = read_source(kind, path, index.base_iri, mapping=mapping, sheet=sheet)
    index.exclude_graph = index.exclude_graph or source.graph_iri
    return source.graph_iri, source.convert(index)


def run_import(kind: str, path, store, *, mapping=None, sheet=None, lang: str = "nl", command: str = ""):
    """Import a file into the store as one batch graph; returns the :class:`graph.ingest.IngestResult`.

    Raises :class:`graph.errors.InputError` (with every row error) or
    :class:`graph.errors.ValidationFailed` (SHACL, with locations in the file); then nothing is written.
    """
    from graph.ingest import ingest_graph  # late import: ingest builds on the store, not on importers

    source = read_source(kind, path, store.settings.base_iri, mapping=mapping, sheet=sheet)
    index = Index.from_store(store, exclude_graph=source.graph_iri)
    conversion = source.convert(index)
    result = ingest_graph(store, conversion.graph, graph_iri=source.graph_iri, source=str(source.path),
                          command=command, lang=lang, locate=conversion.locate)
    if conversion.warnings:
        result.warnings = [*notes_as_results(conversion.warnings, kind), *result.warnings]
    return result


def notes_as_results(notes, kind: str) -> list:
    """The importer's notes as :class:`graph.validation.ValidationResult`, so that they are reported
    with the SHACL warnings of the same import."""
    from graph.validation import ValidationResult

    return [ValidationResult(severity=note.severity, focus_node=note.focus or note.location or kind, path=None,
                             value=None, constraint=f"leernet import {kind}", shape="graph.importers",
                             message=note.message, location=note.location)
            for note in notes]
