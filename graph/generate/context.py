"""The state every part of the generator shares: the random streams, the writer, the synthetic
marker, periods and dates (written once each, when first used), person IRIs and the invalid records."""

from __future__ import annotations

import calendar
import hashlib
import random
from dataclasses import dataclass

from graph.generate.writer import RecordWriter, typed

SOURCE = "id/bron/synthetisch"
MARK = ("dcterms:source", SOURCE)  # on every generated entity (not on the shared periods and dates)
FIRST_YEAR, YEARS = 2015, 10
MONTHS = YEARS * 12  # month indexes 0 (January 2015) .. 119 (December 2024)


@dataclass(frozen=True)
class InvalidRecord:
    """One deliberately invalid record: its kind, the record's subject, and the focus node and path a
    SHACL validator must report for it (full IRIs)."""

    kind: str
    record: str
    focus: str
    path: str


def month_start(month: int) -> str:
    """The first day of a month index as YYYY-MM-DD."""
    return f"{FIRST_YEAR + month // 12}-{month % 12 + 1:02d}-01"


def month_end(month: int) -> str:
    """The last day of a month index as YYYY-MM-DD."""
    year, number = FIRST_YEAR + month // 12, month % 12 + 1
    return f"{year}-{number:02d}-{calendar.monthrange(year, number)[1]:02d}"


class Context:
    """Random streams, output and bookkeeping of one generation run.

    ``rng`` drives the ecosystem; ``bad`` (a separate stream) only decides which records are made
    invalid, so the same seed gives the same ecosystem whatever the invalid share.
    """

    def __init__(self, writer: RecordWriter, seed: int, invalid_share: float = 0.0, salt: str = ""):
        self.writer = writer
        self.base = writer.base
        self.seed = seed
        self.salt = salt
        self.rng = random.Random(f"leernet-synthetic/{seed}/{salt}")
        self.bad = random.Random(f"leernet-synthetic-invalid/{seed}/{salt}")
        self.invalid_share = invalid_share
        self.themes: list[tuple[str, str]] = []  # (notation, Dutch label) of def/thema
        self.invalid: list[InvalidRecord] = []
        self.extra = 0  # triples added (or, negative, left out) by making records invalid
        self._periods: set[str] = set()
        self._dates: set[str] = set()
        self._persons: set[str] = set()
        self._person_counter = 0

    # -- writing ---------------------------------------------------------------------------------

    def emit(self, kind: str, subject: str, props: list[tuple[str, str]]) -> None:
        """Write a record; with probability ``invalid_share`` a record of a corruptible kind is
        first made invalid in one known way (see :mod:`graph.generate.invalid`)."""
        if self.invalid_share and self.bad.random() < self.invalid_share:
            from graph.generate.invalid import corrupt

            before, written = len(props), self.writer.triples
            subject, props = corrupt(self, kind, subject, props)
            self.extra += len(props) - before + self.writer.triples - written
        self.writer.record(subject, props)

    @property
    def planned(self) -> int:
        """Triples written as if nothing had been made invalid: the scale is measured in these, so
        that the invalid share does not change which records there are."""
        return self.writer.triples - self.extra

    def full(self, relative: str) -> str:
        """The absolute IRI of a base-relative one."""
        return self.base + relative

    # -- periods, dates, persons --------------------------------------------------------------------

    def period(self, start: int, end: int | None) -> str:
        """The IRI of the period from month ``start`` to the end of month ``end`` (``None``: open),
        writing it and its dates the first time."""
        begin = month_start(start)
        finish = month_end(end) if end is not None else None
        return self.period_of_dates(begin, finish)

    def period_of_dates(self, begin: str, finish: str | None) -> str:
        """The IRI of the period between two YYYY-MM-DD dates (``None``: open), written once."""
        iri = f"id/periode/{begin}--{finish or 'open'}"
        if iri not in self._periods:
            self._periods.add(iri)
            props = [("a", "time:Interval"), ("time:hasBeginning", self.date(begin))]
            if finish is not None:
                props.append(("time:hasEnd", self.date(finish)))
            self.writer.record(iri, props)
        return iri

    def date(self, day: str) -> str:
        """The IRI of the instant on a YYYY-MM-DD day, written once."""
        iri = f"id/datum/{day}"
        if iri not in self._dates:
            self._dates.add(iri)
            self.writer.record(iri, [("a", "time:Instant"), ("time:inXSDDate", typed(day, "date"))])
        return iri

    def person_iri(self) -> str:
        """A fresh opaque person IRI ``id/persoon/p-<10 hex>`` (a hash of seed and counter, not of a name)."""
        while True:
            self._person_counter += 1
            key = f"{self.seed}/{self.salt}/{self._person_counter}".encode()
            iri = f"id/persoon/p-{hashlib.sha256(key).hexdigest()[:10]}"
            if iri not in self._persons:
                self._persons.add(iri)
                return iri

    # -- random helpers --------------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self.rng.random() < p

    def weighted(self, options: dict):
        """One key of ``options`` (key -> weight)."""
        keys = list(options)
        return self.rng.choices(keys, weights=[options[k] for k in keys])[0]

    def day_in(self, start: int, end: int | None) -> str:
        """A random day (YYYY-MM-DD) within months ``start`` .. ``end`` (``None``: up to the last month)."""
        month = self.rng.randint(start, MONTHS - 1 if end is None else end)
        return f"{month_start(month)[:8]}{self.rng.randint(1, 28):02d}"
