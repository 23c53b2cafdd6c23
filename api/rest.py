"""The REST API under /api/v1: collections with filters, paging and sorting; items with their relations;
the policymakers' questions (collaborators, members, networks on a theme or in a region, what a
programme funds). JSON by default, JSON-LD with ``Accept: application/ld+json``."""

from __future__ import annotations

import calendar
import inspect
import math
import re
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from api import queries as q
from api.context import API_VERSION, Context, get_context
from api.entities import Reader, parse_date
from api.jsonld import rest_context
from api.linked_data import negotiate
from api.models import (PAGES, DETAILS, ApiIndex, Health, Collaborator, CollaboratorPage, CollectionLink, FundedItem,
                        FundedPage, Link, MemberPage, PageLinks, SectorCount, Through)
from graph.errors import InputError, NotFound
from graph.names import sort_key

router = APIRouter()

SLUG_PATTERN = q.SLUG.pattern
PERIOD_PATTERN = r"^(\d{4}(-\d{2}(-\d{2})?)?|\.\.)(/(\d{4}(-\d{2}(-\d{2})?)?|\.\.))?$"
FILTER_DOCS = {
    "theme": "Slug of a theme (def/thema/…); narrower themes match too.",
    "sector": "Slug of a sector (def/sector/…); narrower sectors match too.",
    "region": "Slug of a region (id/regio/…); places inside it match too.",
    "programme": "Slug of a programme (id/programma/…).",
    "networkType": "Slug of a network type (def/netwerktype/…).",
    "role": "Slug of a role (def/rol/…).",
}
PERIOD_DOC = ("A year (2020), month (2020-03), date, or range start/end (2019-09-01/2020-08-31, 2019/.., ../2021). "
              "Keeps things whose memberships or periods overlap it; things without a known period are left out.")


def parse_period(text: str | None) -> tuple[str, str] | None:
    """``(start, end)`` ISO dates for a period parameter; :class:`InputError` if it is not one."""
    if not text:
        return None
    if not re.match(PERIOD_PATTERN, text):
        raise InputError(f"parameter 'period' has the value {text!r}, which is not a period", [PERIOD_DOC])
    first, _, second = text.partition("/")
    second = second or first

    def bound(value: str, end: bool) -> str:
        if value == "..":
            return "9999-12-31" if end else "0001-01-01"
        parts = [int(p) for p in value.split("-")]
        if len(parts) == 1:
            return f"{parts[0]:04d}-12-31" if end else f"{parts[0]:04d}-01-01"
        if len(parts) == 2:
            last = calendar.monthrange(parts[0], parts[1])[1] if 1 <= parts[1] <= 12 else 0
            if not last:
                raise InputError(f"parameter 'period' has the month {value!r}, which does not exist")
            return f"{parts[0]:04d}-{parts[1]:02d}-{last if end else 1:02d}"
        if parse_date(value) is None:
            raise InputError(f"parameter 'period' has the date {value!r}, which does not exist")
        return value

    start, end = bound(first, False), bound(second, True)
    if start > end:
        raise InputError(f"parameter 'period' has the value {text!r}, whose end is before its start")
    return start, end


def page_links(ctx: Context, path: str, params: dict, page: int, total_pages: int) -> PageLinks:
    """self/first/last/next/prev links, absolute from the base IRI, keeping the other parameters."""
    def url(n: int) -> Link:
        query = {k: v for k, v in params.items() if v is not None and k != "page"}
        query["page"] = n
        return Link(href=ctx.api_url(path) + "?" + urlencode(query))

    last = max(total_pages, 1)
    return PageLinks(self=url(page), first=url(1), last=url(last),
                     next=url(page + 1) if page < last else None, prev=url(page - 1) if page > 1 else None)


def paging(total: int, page: int, size: int) -> tuple[int, slice]:
    pages = max(math.ceil(total / size), 1)
    if page > pages and total:
        raise NotFound(f"page {page} does not exist", [f"there are {pages} pages of {size} items"])
    return pages, slice((page - 1) * size, page * size)


def respond(request: Request, ctx: Context, model, status: int = 200) -> JSONResponse:
    """JSON, or JSON-LD with the REST context when the client asks for ``application/ld+json``."""
    body = model.model_dump(mode="json", by_alias=True)
    media = negotiate(request.headers.get("accept"), ["application/json", "application/ld+json"], "application/json")
    headers = {"Vary": "Accept"}
    if media == "application/ld+json":
        body = {"@context": ctx.api_url("/context.jsonld"), **body}
        return JSONResponse(body, status_code=status, media_type="application/ld+json", headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


def run_list(ctx: Context, kind: q.Kind, params: dict) -> tuple[list[str], int, slice, int]:
    """Matching visible IRIs sorted as asked, the number of pages and the slice of this page."""
    filters = {k: params[k] for k in kind.filters if k != "period" and params.get(k)}
    period = parse_period(params.get("period")) if "period" in kind.filters else None
    sort = params.get("sort") or "name"
    field = sort.lstrip("-")
    if field not in kind.sorts:
        raise InputError(f"parameter 'sort' has the value {sort!r}, which {kind.name} cannot be sorted by",
                         [f"use one of: {', '.join(s for f in kind.sorts for s in (f, '-' + f))}"])
    index = ctx.theme_index() if kind.name == "networks" and list(filters) == ["theme"] and period is None \
        and field == "name" else None
    if index is not None:  # a theme's networks, kept sorted by name (graph.theme_index)
        found = index.networks(f"{ctx.base}{q.FILTER_SPACES['theme']}{filters['theme']}")
        visible = ctx.privacy.visible
        iris = [i for i in (reversed(found) if sort.startswith("-") else found) if visible(i)]
        pages, window = paging(len(iris), params["page"], params["pageSize"])
        return iris, pages, window, len(iris)
    reader = Reader(ctx)
    rows = reader.select(q.list_query(ctx.base, kind, filters, period))
    iris = [r["s"].value for r in rows if ctx.privacy.visible(r["s"].value)]
    reader.load_labels(iris)
    by_name = {i: sort_key(reader._labels[i][0], i) for i in iris}
    iris.sort(key=lambda i: (by_name[i], i), reverse=sort.startswith("-"))
    if field == "startDate" and iris:
        dates = {r["s"].value: r["d"].value for r in reader.select(q.dates_query(ctx.base, iris, kind.date_path))
                 if "d" in r}
        dated = sorted((i for i in iris if i in dates), key=lambda i: (dates[i], by_name[i]),
                       reverse=sort.startswith("-"))
        iris = dated + [i for i in iris if i not in dates]
    pages, window = paging(len(iris), params["page"], params["pageSize"])
    return iris, pages, window, len(iris)


def list_endpoint(kind: q.Kind):
    """The list handler of a collection, with exactly the query parameters it supports."""
    def handler(request: Request, ctx: Context = Depends(get_context), **params):
        iris, pages, window, total = run_list(ctx, kind, params)
        items = Reader(ctx).summaries(kind, iris[window])
        page = PAGES[kind.name](links=page_links(ctx, f"/{kind.name}", params, params["page"], pages),
                                page=params["page"], page_size=params["pageSize"], total_items=total,
                                total_pages=pages, items=items)
        return respond(request, ctx, page)

    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
             for name, annotation, default in list_parameters(kind)]
    base = list(inspect.signature(handler).parameters.values())[:2]
    handler.__signature__ = inspect.Signature(base + extra)
    handler.__name__ = f"list_{kind.name}"
    return handler


def list_parameters(kind: q.Kind) -> list[tuple]:
    params = []
    for name in kind.filters:
        if name == "q":
            params.append(("q", str | None, Query(None, max_length=200, description="Text to find in names, "
                                                  "other names and descriptions (case-insensitive).")))
        elif name == "period":
            params.append(("period", str | None, Query(None, pattern=PERIOD_PATTERN, description=PERIOD_DOC)))
        else:
            params.append((name, str | None, Query(None, pattern=SLUG_PATTERN, description=FILTER_DOCS[name])))
    return params + paging_parameters(kind.sorts)


def paging_parameters(sorts=("name",)) -> list[tuple]:
    choices = "|".join(sorts)
    return [
        ("sort", str, Query("name", pattern=f"^-?({choices})$",
                            description=f"Sort by {', '.join(sorts)}; a leading '-' sorts descending.")),
        ("page", int, Query(1, ge=1, description="Page number, from 1.")),
        ("pageSize", int, Query(20, ge=1, le=100, description="Items per page (1–100).")),
    ]


def item_endpoint(kind: q.Kind):
    """The handler returning one thing of a collection with its relations."""
    def handler(request: Request, id: str, ctx: Context = Depends(get_context)):
        iri = existing(ctx, kind, id)
        return respond(request, ctx, Reader(ctx).detail(kind, iri))

    handler.__name__ = f"get_{kind.name}"
    return handler


def existing(ctx: Context, kind: q.Kind, slug: str) -> str:
    """The IRI of a visible thing of ``kind`` with this slug, or :class:`NotFound`."""
    iri = f"{ctx.base}{kind.space}{slug}"
    if not q.SLUG.match(slug) or not ctx.privacy.visible(iri) or not ctx.store.ask(q.exists_query(ctx.base, kind, iri)):
        raise NotFound(f"there is no {kind.type} with id {slug!r}",
                       [f"list them at {ctx.api_url('/' + kind.name)}"])
    return iri


ID_PARAM = {"id": "The slug of the thing: the last segment of its IRI."}

for _kind in q.KINDS.values():
    _singular = DETAILS[_kind.name].__name__.removesuffix("Detail")
    router.add_api_route(f"/{_kind.name}", list_endpoint(_kind), methods=["GET"], response_model=PAGES[_kind.name],
                         operation_id=f"list{_kind.name[0].upper()}{_kind.name[1:]}", tags=[_kind.name],
                         summary=f"List {_kind.name}")
    router.add_api_route(f"/{_kind.name}/{{id}}", item_endpoint(_kind), methods=["GET"],
                         response_model=DETAILS[_kind.name], operation_id=f"get{_singular}", tags=[_kind.name],
                         summary=f"One {_kind.type} with its relations")


@router.get("/organisations/{id}/collaborators", response_model=CollaboratorPage, tags=["organisations"],
            operation_id="listCollaborators", summary="With whom an organisation works, through what, when, across which sectors")
def collaborators(request: Request, id: str, period: str | None = Query(None, pattern=PERIOD_PATTERN, description=PERIOD_DOC),
                  page: int = Query(1, ge=1), pageSize: int = Query(20, ge=1, le=100),
                  ctx: Context = Depends(get_context)):
    """Organisations (and lectoraten) that take part in a network, collaboration or programme together
    with this organisation or one of its lectoraten, directly or through networks inside it."""
    kind = q.KINDS["organisations"]
    iri = existing(ctx, kind, id)
    window = parse_period(period)
    reader = Reader(ctx)
    visible = ctx.privacy.visible
    units = [r["u"].value for r in reader.select(q.units_query(ctx.base, iri))]
    contexts = [r["c1"].value for r in reader.select(q.contexts_query(ctx.base, [iri, *units]))]
    rows = [r for r in reader.select(q.collaborators_query(ctx.base, iri, contexts))
            if all(visible(r[k].value) for k in ("ctx", "c2", "other", "m2"))] if contexts else []
    if rows:
        memberships = sorted({r["m2"].value for r in rows})
        rows = q.with_membership_details(rows, reader.select(q.membership_details_query(ctx.base, memberships)))
    contexts = sorted({r["ctx"].value for r in rows} | {r["c2"].value for r in rows})
    parents, programmes, ctx_periods = {}, {}, {}
    if contexts:
        for r in reader.select(q.context_info_query(ctx.base, contexts)):
            c = r["c"].value
            if "parent" in r:
                parents.setdefault(c, set()).add(r["parent"].value)
            if "prog" in r and visible(r["prog"].value):
                programmes.setdefault(c, set()).add(r["prog"].value)
            if "period" in r:
                ctx_periods.setdefault(c, r["period"].value)
    periods = reader.periods([r["period"].value for r in rows if "period" in r] + list(ctx_periods.values()))
    reader.load_labels({r[k].value for r in rows for k in ("ctx", "c2", "other", "role") if k in r}
                       | {p for ps in programmes.values() for p in ps})

    def ancestors(c: str) -> set[str]:
        seen, todo = set(), [c]
        while todo:
            for p in parents.get(todo.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return seen

    found: dict[str, dict[tuple, Through]] = {}
    for r in rows:
        shared, where, other = r["ctx"].value, r["c2"].value, r["other"].value
        period_ = periods.get(r["period"].value) if "period" in r else periods.get(ctx_periods.get(where, ""))
        if window and not overlaps(period_, window):
            continue
        found.setdefault(other, {})[(shared, where, r.get("role") and r["role"].value)] = Through(
            network=reader.ref(shared), member_of=reader.ref(where),
            programmes=sorted((reader.ref(p) for p in programmes.get(shared, ())), key=lambda x: x.iri),
            role=reader.ref(r["role"].value) if "role" in r else None, period=period_)
    for other, ways in found.items():  # keep the closest shared context: drop ones that enclose another
        keys = list(ways)
        for key in keys:
            if any(o[1] == key[1] and o[0] != key[0] and key[0] in ancestors(o[0]) for o in keys):
                del ways[key]
    sector_rel = q.Rel("sectors", "org:classification")
    others = sorted(found, key=lambda i: (sort_key(reader._labels.get(i, (None,))[0], i), i))
    sectors = reader.fill(others, [sector_rel])
    counts: dict[str, int] = {}
    for other in others:
        for s in sectors[other]["sectors"]:
            counts[s.iri] = counts.get(s.iri, 0) + 1
    pages, sl = paging(len(others), page, pageSize)
    items = [Collaborator(organisation=reader.ref(o), sectors=sectors[o]["sectors"],
                          through=sorted(found[o].values(), key=lambda t: (t.network.iri, t.member_of.iri,
                                                                           t.role.iri if t.role else "")))
             for o in others[sl]]
    reader.load_labels(set(counts) | {iri})
    params = {"period": period, "pageSize": pageSize}
    body = CollaboratorPage(
        links=page_links(ctx, f"/organisations/{id}/collaborators", params, page, pages), page=page,
        page_size=pageSize, total_items=len(others), total_pages=pages, organisation=reader.ref(iri),
        sectors=[SectorCount(sector=reader.ref(s), collaborators=n)
                 for s, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))], items=items)
    return respond(request, ctx, body)


def overlaps(period, window: tuple[str, str]) -> bool:
    if period is None or period.start is None:
        return False
    return period.start.isoformat() <= window[1] and (period.end is None or period.end.isoformat() >= window[0])


@router.get("/networks/{id}/members", response_model=MemberPage, tags=["networks"], operation_id="listMembers",
            summary="Members and partners of a network and of the networks inside it")
def members(request: Request, id: str, role: str | None = Query(None, pattern=SLUG_PATTERN, description=FILTER_DOCS["role"]),
            period: str | None = Query(None, pattern=PERIOD_PATTERN, description=PERIOD_DOC),
            page: int = Query(1, ge=1), pageSize: int = Query(20, ge=1, le=100), ctx: Context = Depends(get_context)):
    """Every visible membership (organisation or public person, role, period) in the network or a network inside it."""
    iri = existing(ctx, q.KINDS["networks"], id)
    window = parse_period(period)
    reader = Reader(ctx)
    networks = [r["n"].value for r in reader.select(q.descendants_query(ctx.base, iri)) if ctx.privacy.visible(r["n"].value)]
    found = reader.memberships(of_organizations=networks or [iri])
    if role:
        found = [m for m in found if m.role and m.role.iri == f"{ctx.base}def/rol/{role}"]
    if window:
        found = [m for m in found if overlaps(m.period, window)]
    pages, sl = paging(len(found), page, pageSize)
    reader.load_labels([iri])
    params = {"role": role, "period": period, "pageSize": pageSize}
    return respond(request, ctx, MemberPage(
        links=page_links(ctx, f"/networks/{id}/members", params, page, pages), page=page, page_size=pageSize,
        total_items=len(found), total_pages=pages, network=reader.ref(iri), items=found[sl]))


def networks_of(kind_name: str, param: str):
    """A handler listing the networks on a theme / in a region (the list filter, as a sub-resource)."""
    def handler(request: Request, id: str, ctx: Context = Depends(get_context), **params):
        existing(ctx, q.KINDS[kind_name], id)
        networks = q.KINDS["networks"]
        params = {**params, param: id}
        iris, pages, window, total = run_list(ctx, networks, params)
        page = PAGES["networks"](links=page_links(ctx, f"/{kind_name}/{id}/networks", {k: v for k, v in params.items() if k != param},
                                                  params["page"], pages),
                                 page=params["page"], page_size=params["pageSize"], total_items=total,
                                 total_pages=pages, items=Reader(ctx).summaries(networks, iris[window]))
        return respond(request, ctx, page)

    base = list(inspect.signature(handler).parameters.values())[:3]
    extra = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a, default=d)
             for n, a, d in list_parameters(q.KINDS["networks"]) if n not in (param,)]
    handler.__signature__ = inspect.Signature(base + extra)
    return handler


router.add_api_route("/themes/{id}/networks", networks_of("themes", "theme"), methods=["GET"],
                     response_model=PAGES["networks"], tags=["themes"], operation_id="listThemeNetworks",
                     summary="Networks on a theme (or a narrower one)")
router.add_api_route("/regions/{id}/networks", networks_of("regions", "region"), methods=["GET"],
                     response_model=PAGES["networks"], tags=["regions"], operation_id="listRegionNetworks",
                     summary="Networks serving or located in a region (or a place inside it)")


@router.get("/programmes/{id}/funded", response_model=FundedPage, tags=["programmes"], operation_id="listFunded",
            summary="What a programme funds or frames")
def funded(request: Request, id: str, page: int = Query(1, ge=1), pageSize: int = Query(20, ge=1, le=100),
           ctx: Context = Depends(get_context)):
    """Networks, projects and organisations with ``schema:funder`` or ``ln:programme`` this programme,
    and the networks inside them."""
    iri = existing(ctx, q.KINDS["programmes"], id)
    reader = Reader(ctx)
    rows = [r for r in reader.select(q.funded_query(ctx.base, iri)) if ctx.privacy.visible(r["x"].value)
            and ("through" not in r or ctx.privacy.visible(r["through"].value))]
    reader.load_labels({r[k].value for r in rows for k in ("x", "through") if k in r} | {iri})
    items = {}
    for r in rows:
        item = FundedItem(item=reader.ref(r["x"].value), relation=r["relation"].value,
                          through=reader.ref(r["through"].value) if "through" in r else None)
        items.setdefault((r["x"].value, item.relation), item)
    ordered = sorted(items.values(), key=lambda f: (sort_key(f.item.name, f.item.id), f.relation))
    pages, sl = paging(len(ordered), page, pageSize)
    return respond(request, ctx, FundedPage(
        links=page_links(ctx, f"/programmes/{id}/funded", {"pageSize": pageSize}, page, pages), page=page,
        page_size=pageSize, total_items=len(ordered), total_pages=pages, programme=reader.ref(iri), items=ordered[sl]))


@router.get("", response_model=ApiIndex, tags=["api"], operation_id="getApiIndex", summary="The entry point")
def index(request: Request, ctx: Context = Depends(get_context)):
    """Links to every collection and to the OpenAPI document."""
    return respond(request, ctx, ApiIndex(
        title="leernet API", version=API_VERSION,
        links={"self": Link(href=ctx.api_url()), "openapi": Link(href=ctx.api_url("/openapi.json")),
               "void": Link(href=f"{ctx.base}.well-known/void")},
        collections=[CollectionLink(name=k, href=ctx.api_url(f"/{k}")) for k in q.KINDS]))


@router.get("/health", response_model=Health, tags=["api"], operation_id="getHealth", summary="Health of the server")
def health(request: Request, ctx: Context = Depends(get_context)):
    """Up, and whether the kept indexes are ready (for readiness probes and benchmarks)."""
    public = getattr(ctx.query_runner, "ready", True)
    return respond(request, ctx, Health(status="up", theme_index="ready" if ctx.theme_index() else "building",
                                        public_data="ready" if public else "building"))


@router.get("/context.jsonld", include_in_schema=False)
def context_document(ctx: Context = Depends(get_context)):
    """The JSON-LD context that turns this API's JSON into linked data."""
    return JSONResponse(rest_context(ctx.base), media_type="application/ld+json")
