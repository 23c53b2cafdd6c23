"""Deliberately invalid records, each of one known kind, for testing validation at scale.

Each corruption breaks exactly one mandatory shape at exactly one focus node (the record itself,
or for ``end-before-start`` the new period it points to) and touches nothing else, so a validator
must report exactly the focus nodes listed in :attr:`Context.invalid`.
"""

from __future__ import annotations

from graph.generate.context import Context, InvalidRecord, month_end, month_start, MONTHS
from graph.generate.writer import lit, typed

# record kind -> the invalid kinds it can be turned into
KINDS = {
    "organisation": ("bad-ror", "missing-name", "wrong-scheme-classification"),
    "network": ("wrong-scheme-classification",),
    "membership": ("end-before-start", "missing-role"),
    "count": ("bad-slug", "min-greater-than-max", "count-not-a-number"),
    "person": ("private-role",),
    "event": ("missing-date",),
    "product": ("missing-name",),
}
ALL_KINDS = tuple(sorted({k for kinds in KINDS.values() for k in kinds}))

PATHS = {
    "bad-ror": "ln:rorId", "missing-name": "skos:prefLabel", "wrong-scheme-classification": "org:classification",
    "end-before-start": "time:hasEnd", "missing-role": "org:role", "bad-slug": "", "min-greater-than-max": "ln:minCount",
    "count-not-a-number": "ln:count", "private-role": "ln:publicRole", "missing-date": "schema:startDate",
}


def corrupt(ctx: Context, kind: str, subject: str, props: list[tuple[str, str]]):
    """The record made invalid in one of the ways its kind allows (or unchanged if it allows none)."""
    options = KINDS.get(kind)
    if not options:
        return subject, props
    what = options[ctx.bad.randrange(len(options))]
    focus, path = subject, PATHS[what]
    if what == "bad-ror":
        props = [(p, o) for p, o in props if p != "ln:rorId"] + [("ln:rorId", lit(f"ROR-{ctx.bad.randrange(10**6)}"))]
    elif what == "missing-name":
        path = "skos:prefLabel" if kind == "organisation" else "schema:name"
        props = [(p, o) for p, o in props if p != path]
    elif what == "wrong-scheme-classification":
        wrong = "def/netwerktype/leernetwerk" if kind == "organisation" else "def/sector/jeugdhulp"
        props = [(p, o) for p, o in props if p != "org:classification"] + [("org:classification", wrong)]
    elif what == "end-before-start":
        focus = _backwards_period(ctx)
        props = [(p, o) for p, o in props if p != "org:memberDuring"] + [("org:memberDuring", focus)]
    elif what == "missing-role":
        props = [(p, o) for p, o in props if p != "org:role"]
    elif what == "bad-slug":
        subject = focus = subject.replace("/syn-", "/Syn_Ongeldig_").replace("-", "_")
    elif what == "min-greater-than-max":
        props = [(p, o) for p, o in props if p not in ("ln:count", "ln:minCount", "ln:maxCount")]
        props += [("ln:minCount", typed(20, "nonNegativeInteger")), ("ln:maxCount", typed(10, "nonNegativeInteger"))]
    elif what == "count-not-a-number":
        props = [(p, o) for p, o in props if p != "ln:count"] + [("ln:count", lit("veel"))]
    elif what == "private-role":
        props = [(p, o) for p, o in props if p != "ln:publicRole"] + [("ln:publicRole", "def/rol/student")]
    elif what == "missing-date":
        props = [(p, o) for p, o in props if p != "schema:startDate"]
    full_path = ctx.writer._name(path)[1:-1] if path else ""
    ctx.invalid.append(InvalidRecord(what, ctx.full(subject), ctx.full(focus), full_path))
    return subject, props


def _backwards_period(ctx: Context) -> str:
    """A new period whose end lies before its beginning (each one used by one record only)."""
    while True:
        start = ctx.bad.randrange(1, MONTHS)
        end = ctx.bad.randrange(0, start)
        iri = f"id/periode/{month_start(start)}--{month_end(end)}"
        if iri not in ctx._periods:
            return ctx.period_of_dates(month_start(start), month_end(end))
