"""What every page of the web explorer shares: language, path-absolute links, names, rendering, CSV.

Links in the pages are path-absolute under the base IRI's path (``/doc/organisatie/x``), never absolute
``https://data.leernet.nl/...`` URLs, so a local server can be browsed; IRIs are shown as text.
"""

from __future__ import annotations

import string
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.context import Context
from api.explorer_i18n import COOKIE, UI, choose_language
from api.explorer_tables import Link, Table, csv_response
from graph.errors import NotFound

TEMPLATES = Path(__file__).parent / "templates"
ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)
MONTHS = {"nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
                 "november", "december"),
          "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December")}
SHORT_MONTHS = {"nl": ("jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."),
                "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}


class Page:
    """One request's page: its language, its link builder and the tables it can hand out as CSV."""

    def __init__(self, request: Request, ctx: Context):
        self.request = request
        self.ctx = ctx
        self.base = ctx.base
        self.root = urlsplit(ctx.base).path or "/"
        self.lang, self.remember = choose_language(request.query_params.get("lang"), request.cookies.get(COOKIE))
        self.ui = UI(self.lang)
        self.memo: dict = {}  # answers computed once per request (e.g. an organisation's collaborators)
        self._privacy = None

    @property
    def privacy(self):
        """The privacy rules, looked up once per request (checking the store's state is not free)."""
        if self._privacy is None:
            self._privacy = self.ctx.privacy
        return self._privacy

    # --- links -----------------------------------------------------------------------------------
    def local(self, iri: str | None) -> str | None:
        """The path-absolute link to the page about ``iri``; None if leernet has no page for it."""
        if not iri or not iri.startswith(self.base):
            return None
        rest = iri[len(self.base):]
        if rest.startswith("id/"):
            return self.root + "doc/" + rest[3:]
        if rest.startswith(("def/", "doc/", ".well-known/", "dumps/", "api/")):
            return self.root + rest
        return None

    def url(self, path: str = "", **params) -> str:
        """A path-absolute URL under the base path with the non-empty query parameters."""
        query = urlencode({k: v for k, v in params.items() if v not in (None, "", False)})
        return self.root + path + ("?" + query if query else "")

    def with_params(self, **changes) -> str:
        """This page's URL with some query parameters changed (None removes one)."""
        params = dict(self.request.query_params)
        params.pop("csv", None)
        params.update({k: v for k, v in changes.items()})
        query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        return self.request.url.path + ("?" + query if query else "")

    def csv_url(self, table_id: str) -> str:
        return self.with_params(csv=table_id, lang=None)

    # --- names -----------------------------------------------------------------------------------
    def name(self, ref) -> str:
        """The name of a REST ``Ref`` (or anything with name/name_en/id) in the page's language."""
        if ref is None:
            return ""
        if self.lang == "en" and getattr(ref, "name_en", None):
            return ref.name_en
        return getattr(ref, "name", None) or getattr(ref, "id", "")

    def link(self, ref, text: str | None = None) -> Link:
        """A :class:`Link` to the page of a REST ``Ref``."""
        return Link(text or self.name(ref), self.local(ref.iri), ref.iri)

    def iri_link(self, iri: str, name: str | None) -> Link:
        return Link(name or iri.rsplit("/", 1)[-1], self.local(iri), iri)

    def date(self, value, short: bool = False) -> str:
        """A date as "4 mei 2021" / "4 May 2021" (short: "4 mei 2021", "1 sep. 2019"); "…" for None."""
        if value is None:
            return "…"
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        parts = text[:10].split("-")
        try:
            year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
        except (ValueError, IndexError):
            return text
        return f"{day} {(SHORT_MONTHS if short else MONTHS)[self.lang][month - 1]} {year}"

    def period(self, period, short: bool = False) -> str:
        """A :class:`api.models.Period` as readable text ("" if unknown); short: "1 sep. 2019 – 31 aug. 2020"."""
        if period is None or (period.start is None and period.end is None):
            return ""
        if period.end is None:
            return self.ui("since", date=self.date(period.start, short))
        if short:
            return f"{self.date(period.start, True)} – {self.date(period.end, True)}"
        return self.ui("period_range", start=self.date(period.start), end=self.date(period.end))

    def rich(self, template: str, **values) -> list:
        """A sentence as parts (text and :class:`Link`): ``{field}`` takes text, a Link or a list of links."""
        parts: list = []
        for literal, field, _, _ in string.Formatter().parse(template):
            if literal:
                parts.append(literal)
            if field is None:
                continue
            value = values[field]
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if i:
                        parts.append(f" {self.ui['and']} " if i == len(value) - 1 else ", ")
                    parts.append(item)
            else:
                parts.append(value if isinstance(value, Link) else str(value))
        return parts

    # --- responses -------------------------------------------------------------------------------
    def render(self, template: str, *, title: str, tables: list[Table] = (), csv_name: str = "",
               status: int = 200, headers: dict | None = None, **values) -> Response:
        """The page as HTML, or with ``?csv={table}`` that table as a CSV download."""
        wanted = self.request.query_params.get("csv")
        if wanted is not None:
            for table in tables:
                if table.id == wanted:
                    return csv_response(table, f"{table.id}-{csv_name}" if csv_name else table.id)
            raise NotFound(f"this page has no table {wanted!r}",
                           [f"its tables are: {', '.join(t.id for t in tables) or 'none'}"])
        html = ENV.get_template(template).render(p=self, ui=self.ui, title=title, tables={t.id: t for t in tables},
                                                 **values)
        response = HTMLResponse(html, status_code=status, headers={"Vary": "Cookie", **(headers or {})})
        if self.remember:
            response.set_cookie(COOKIE, self.lang, max_age=365 * 24 * 3600, samesite="lax",
                                path=self.root, httponly=True)
        return response


def wants_html(request: Request) -> bool:
    """Whether a client explicitly asks for HTML (a browser), for friendly error pages."""
    return "text/html" in (request.headers.get("accept") or "")
