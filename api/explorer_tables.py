"""Tables of the web explorer: the cells a page shows and the same rows as a CSV download.

A :class:`Table` holds columns and rows of cells; a cell is plain text or a number, a :class:`Link`,
or a list of links. In the CSV a link becomes its text, and a column of single links gets a second
column with the IRIs. Text cells that a spreadsheet would run as a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) are prefixed with a single quote; numbers stay
numbers.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from fastapi.responses import Response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Link:
    """A link in a page: its text, the path-absolute ``href`` (or None for plain text) and the IRI."""

    text: str
    href: str | None = None
    iri: str | None = None
    lang: str | None = None  # the language of the text when it differs from the page's


@dataclass
class Table:
    """A table on a page, downloadable as CSV under ``?csv={id}``."""

    id: str
    title: str
    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[dict] = field(default_factory=list)
    note: str | None = None  # shown under the caption, e.g. "the map as a table"
    empty: str = ""  # shown instead of an empty table

    def csv_columns(self) -> list[tuple[str, str, str]]:
        """(key, heading, "text"|"iri") for every CSV column: link columns get an IRI column too."""
        out = []
        for key, heading in self.columns:
            out.append((key, heading, "text"))
            if any(isinstance(row.get(key), Link) and row[key].iri for row in self.rows):
                out.append((key, f"{heading} (IRI)", "iri"))
        return out


def safe_cell(value) -> str | int | float:
    """A value as a CSV cell that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def cell_text(value) -> str | int | float | None:
    """The text of a cell: a link's text, links joined with "; ", numbers as they are."""
    if isinstance(value, Link):
        return value.text
    if isinstance(value, (list, tuple)):
        return "; ".join(str(cell_text(v)) for v in value if cell_text(v) not in (None, ""))
    return value


def cell_iri(value) -> str | None:
    if isinstance(value, Link):
        return value.iri
    if isinstance(value, (list, tuple)):
        return "; ".join(v.iri for v in value if isinstance(v, Link) and v.iri) or None
    return None


def to_csv(table: Table) -> str:
    """The table as CSV text (comma-separated, every field safe to open in a spreadsheet)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = table.csv_columns()
    writer.writerow([safe_cell(heading) for _, heading, _ in columns])
    for row in table.rows:
        writer.writerow([safe_cell(cell_iri(row.get(key)) if kind == "iri" else cell_text(row.get(key)))
                         for key, _, kind in columns])
    return buffer.getvalue()


def filename_part(text: str) -> str:
    """A safe piece of a file name: lower-case letters, digits and hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "tabel"


def csv_response(table: Table, name: str) -> Response:
    """The table as a CSV download named ``leernet-{name}.csv`` (UTF-8 with a BOM for spreadsheets)."""
    filename = f"leernet-{filename_part(name)}.csv"
    return Response("\ufeff" + to_csv(table), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "X-Content-Type-Options": "nosniff"})
