"""Dates as curators type them, and periods as ``time:Interval`` at ``id/periode/{start}--{end}``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, TIME, XSD

DATE_FORMATS_HELP = "write dates as YYYY-MM-DD (2021-09-01), DD-MM-YYYY (01-09-2021) or D-M-YYYY (1-9-2021)"

_EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class Day:
    """A date and the precision the source stated it with: 'day', 'month' or 'year'."""

    date: dt.date
    precision: str = "day"


def parse_day(value, *, end: bool = False) -> Day:
    """Parse a cell into a :class:`Day`; raise ValueError with the reason.

    Accepts date/datetime objects (Excel cells), Excel serial numbers, YYYY-MM-DD, DD-MM-YYYY,
    D-M-YYYY (with -, / or . between the parts), and YYYY-MM or YYYY for a month or year, which
    stand for its first day, or for its last day when ``end`` is true.
    """
    if isinstance(value, dt.datetime):
        return Day(value.date())
    if isinstance(value, dt.date):
        return Day(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _excel_serial(value)
    text = str(value).strip()
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _excel_serial(float(text))
    text = re.sub(r"[ T]00:00(:00)?$", "", text)  # '2021-09-01 00:00:00' from an Excel export
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    if match:
        return Day(_date(int(match[1]), int(match[2]), int(match[3]), value))
    match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if match:
        return Day(_date(int(match[3]), int(match[2]), int(match[1]), value))
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})", text)
    if match:
        year, month = int(match[1]), int(match[2])
        first = _date(year, month, 1, value)
        if end:
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return Day(following - dt.timedelta(days=1), "month")
        return Day(first, "month")
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        return Day(dt.date(year, 12, 31) if end else dt.date(year, 1, 1), "year")
    raise ValueError(f"'{text}' is not a date; {DATE_FORMATS_HELP}")


def _date(year: int, month: int, day: int, original) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"'{original}' is not an existing date (day {day}, month {month}, year {year}); "
                         f"{DATE_FORMATS_HELP}") from None


def _excel_serial(number: float) -> Day:
    if not 1 <= number < 2958466:
        raise ValueError(f"{number:g} is not an Excel date; {DATE_FORMATS_HELP}")
    return Day(_EXCEL_EPOCH + dt.timedelta(days=int(number)))


def instant_iri(base_iri: str, day: Day) -> URIRef:
    """The IRI of the ``time:Instant`` of a day."""
    return URIRef(f"{base_iri}id/datum/{day.date.isoformat()}")


def period_iri(base_iri: str, start: Day, end: Day | None) -> URIRef:
    """The IRI of the ``time:Interval`` from ``start`` to ``end`` (``open`` when it has none)."""
    tail = end.date.isoformat() if end else "open"
    return URIRef(f"{base_iri}id/periode/{start.date.isoformat()}--{tail}")


def add_instant(graph: Graph, base_iri: str, day: Day) -> URIRef:
    """Describe the ``time:Instant`` of a day, with the precision the source stated."""
    iri = instant_iri(base_iri, day)
    graph.add((iri, RDF.type, TIME.Instant))
    graph.add((iri, TIME.inXSDDate, Literal(day.date.isoformat(), datatype=XSD.date)))
    if day.precision == "month":
        graph.add((iri, TIME.inXSDgYearMonth, Literal(day.date.strftime("%Y-%m"), datatype=XSD.gYearMonth)))
    elif day.precision == "year":
        graph.add((iri, TIME.inXSDgYear, Literal(str(day.date.year), datatype=XSD.gYear)))
    return iri


def add_period(graph: Graph, base_iri: str, start: Day, end: Day | None) -> URIRef:
    """Describe the ``time:Interval`` from ``start`` to ``end`` with its instants; return its IRI."""
    iri = period_iri(base_iri, start, end)
    graph.add((iri, RDF.type, TIME.Interval))
    graph.add((iri, TIME.hasBeginning, add_instant(graph, base_iri, start)))
    if end is not None:
        graph.add((iri, TIME.hasEnd, add_instant(graph, base_iri, end)))
    return iri
