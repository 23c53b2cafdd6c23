"""Reading spreadsheets (CSV with ; , or tab, with or without BOM; XLSX) into numbered rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import InputError


@dataclass
class Row:
    """One non-empty data row; ``number`` is the row number the spreadsheet program shows."""

    number: int
    cells: dict[str, object]

    def text(self, column: str | None) -> str:
        """The cell of ``column`` as trimmed text ('' when empty or absent); 2021.0 reads '2021'."""
        if column is None:
            return ""
        value = self.cells.get(column)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, dt.datetime) and value.time() == dt.time(0):
            return value.date().isoformat()
        return str(value).strip()

    def value(self, column: str | None):
        """The raw cell of ``column`` (a date stays a date), None when empty."""
        value = self.cells.get(column) if column else None
        return None if value is None or (isinstance(value, str) and not value.strip()) else value


@dataclass
class Table:
    """The rows of one CSV file or one worksheet; ``where`` names it in messages."""

    where: str
    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    sheet: str | None = None

    def column(self, wanted: str | list[str]) -> str | None:
        """The header matching ``wanted`` (or one of a list of alternatives), case-insensitively."""
        options = [wanted] if isinstance(wanted, str) else list(wanted)
        by_key = {h.strip().casefold(): h for h in self.headers}
        for option in options:
            if option.strip().casefold() in by_key:
                return by_key[option.strip().casefold()]
        return None


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel on Windows saves CSV in cp1252


def _delimiter(text: str) -> str:
    """The delimiter: csv.Sniffer's choice among ; , tab and |, if the header line contains it;
    else the one the header line contains most."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    header = lines[0] if lines else ""
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters=";,\t|").delimiter
    except csv.Error:
        sniffed = ""
    if sniffed and sniffed in header:
        return sniffed
    return max(";,\t|", key=header.count)


def _build(where: str, records: list[tuple[int, list]], sheet: str | None = None) -> Table:
    def empty(cells) -> bool:
        return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)

    records = [(n, cells) for n, cells in records if not empty(cells)]
    if not records:
        raise InputError(f"{where} is empty", ["put the column names in the first row and one row per entry below it"])
    header_number, header_cells = records[0]
    headers = [str(c).strip() if c is not None else "" for c in header_cells]
    table = Table(where, [h for h in headers if h], sheet=sheet)
    for number, cells in records[1:]:
        row = {}
        for header, cell in zip(headers, cells):
            if header and header not in row:
                row[header] = cell.strip() if isinstance(cell, str) else cell
        if not empty(row.values()):
            table.rows.append(Row(number, row))
    return table


def read_csv(path: Path) -> Table:
    """A CSV file: UTF-8 (with or without BOM; cp1252 as fallback), delimiter ; , tab or | sniffed."""
    try:
        text = _decode(Path(path))
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from error
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    return _build(Path(path).name, [(n, cells) for n, cells in enumerate(reader, start=1)])


def read_xlsx(path: Path, sheet: str | None = None, *, preferred: str | None = None) -> Table:
    """One worksheet of an XLSX workbook: ``sheet`` by name (case-insensitive), else ``preferred``
    if the workbook has it, else the first sheet."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(Path(path), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several types for a file that is not a workbook
        raise InputError(f"cannot read {path} as an XLSX workbook: {error}",
                         ["save the file as Excel workbook (.xlsx), or export it as CSV"]) from error
    try:
        names = book.sheetnames
        if sheet is None:
            chosen = next((n for n in names if preferred and n.casefold() == preferred.casefold()), names[0])
        else:
            chosen = next((n for n in names if n.casefold() == sheet.strip().casefold()), None)
            if chosen is None:
                raise InputError(f"{Path(path).name} has no sheet '{sheet}'",
                                 [f"sheets in the file: {', '.join(names)}; pass one with --sheet"])
        worksheet = book[chosen]
        cells = worksheet.iter_rows(min_row=1, values_only=True)
        records = [(number, list(row)) for number, row in enumerate(cells, start=1)]
    finally:
        book.close()
    return _build(f"{Path(path).name}, sheet {chosen}", records, sheet=chosen)


def read_table(path: Path, sheet: str | None = None, *, preferred: str | None = None) -> Table:
    """A CSV or XLSX file by its extension."""
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet, preferred=preferred)
    return read_csv(path)
