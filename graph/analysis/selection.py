"""What part of the knowledge graph to analyse: a :class:`Selection` (a period and filters), and
periods read from text (a year, a month, a date or a range) and compared."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from graph.errors import InputError

PERIOD_FORMAT = r"^(\d{4}(-\d{2}(-\d{2})?)?|\.\.)(/(\d{4}(-\d{2}(-\d{2})?)?|\.\.))?$"
PERIOD_HELP = ("a year (2020), a month (2020-03), a date, or a range start/end "
               "(2019-09-01/2020-08-31, 2019/.., ../2021)")


@dataclass(frozen=True)
class Selection:
    """Which part of the graph to analyse: a period (ISO dates, inclusive) and filters (IRIs).

    ``include_undated`` keeps ties whose period is unknown when a period is asked for;
    ``indirect`` adds the ties through enclosing contexts (umbrella networks, programmes);
    ``units`` is "merge" (a lectoraat counts for its hogeschool) or "keep".
    """

    start: str | None = None
    end: str | None = None
    theme: str | None = None
    region: str | None = None
    programme: str | None = None
    network_type: str | None = None
    include_undated: bool = False
    indirect: bool = True
    units: str = "merge"

    def parameters(self) -> dict:
        """The selection as plain values (for hashing, provenance and display)."""
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @property
    def period_label(self) -> str:
        """The period as "start/end" ("" for all time)."""
        if self.start is None and self.end is None:
            return ""
        return f"{self.start or '..'}/{self.end or '..'}"


def parse_period(text: str | None) -> tuple[str, str] | None:
    """``(start, end)`` ISO dates for a period text; :class:`InputError` naming the value if it is not one."""
    if not text:
        return None
    if not re.match(PERIOD_FORMAT, text):
        raise InputError(f"period {text!r} is not a period", [f"give {PERIOD_HELP}"])
    first, _, second = text.partition("/")

    def bound(value: str, end: bool) -> str:
        if value == "..":
            return "9999-12-31" if end else "0001-01-01"
        parts = [int(p) for p in value.split("-")]
        try:
            if len(parts) == 1:
                return f"{parts[0]:04d}-12-31" if end else f"{parts[0]:04d}-01-01"
            if len(parts) == 2:
                last = calendar.monthrange(parts[0], parts[1])[1]
                return f"{parts[0]:04d}-{parts[1]:02d}-{last if end else 1:02d}"
            calendar.weekday(*parts)
        except (ValueError, calendar.IllegalMonthError):
            raise InputError(f"period {text!r} names {value!r}, which is not a date", [f"give {PERIOD_HELP}"]) from None
        return value

    start, end = bound(first, False), bound(second or first, True)
    if start > end:
        raise InputError(f"period {text!r} ends before it starts", [f"give {PERIOD_HELP}"])
    return start, end


def overlaps(span: tuple[str | None, str | None] | None, start: str | None, end: str | None) -> bool | None:
    """Whether a (begin, end-or-None) span overlaps start..end; ``None`` when the span is unknown."""
    if start is None and end is None:
        return True
    if span is None or span[0] is None:
        return None
    return span[0] <= (end or "9999-12-31") and (span[1] is None or span[1] >= (start or "0001-01-01"))
