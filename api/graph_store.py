"""The SPARQL 1.1 Graph Store HTTP Protocol at ``{base}rdf-graph-store`` (graphs named by ``?graph=``).

- GET / HEAD ``?graph=<iri>``: the graph in Turtle (default), N-Triples, JSON-LD or RDF/XML by ``Accept``.
  Anonymous clients get only its publishable triples (404 when it has none); curators (with the
  token) get all of it. ``?default``: leernet's default graph, the union of all public graphs.
- PUT ``?graph=``: replace the graph by the body (201 when it is new, else 204). POST ``?graph=``: add
  the body to the graph (201 / 204); POST without a graph makes a new one,
  ``{base}graph/upload/gsp-{hex}`` (201, its IRI in ``Location``). The body is RDF with its media type,
  or multipart/form-data with RDF parts. Validated and atomic as uploads (:mod:`api.write`).
- DELETE ``?graph=``: drop the graph, validated as the update ``DROP GRAPH`` is (nothing that other
  graphs rely on may go); 204, or 404 when it does not exist.
- The default graph is read-only (leernet keeps every triple in a named graph): writing it is 405.
"""

from __future__ import annotations

import uuid

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api import rdf_docs
from api.context import Context, get_context
from api.linked_data import negotiate
from api.problems import NotAcceptable
from api.sparql import content_type, read_body
from api.sparql_update import apply_update
from api.write import (MAX_UPLOAD_BYTES, UnsupportedMediaType, after_write, authorise, load_rdf, multipart,
                       rdf_format, report_language, resolve_graph, write_lock, write_problem)
from graph.errors import InputError, LeernetError, NotFound
from graph.sparql_guard import check_update

router = APIRouter(include_in_schema=False)

PATH = "/rdf-graph-store"
OFFERS = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
          "application/ld+json": ox.RdfFormat.JSON_LD, "application/rdf+xml": ox.RdfFormat.RDF_XML}


class MethodNotAllowed(LeernetError):
    """The default graph is read-only."""

    http_status = 405
    title = "Method not allowed"


def target(request: Request, ctx: Context) -> str | None:
    """The graph IRI a request names (None for ``?default``); InputError when it names none or both."""
    params = request.query_params
    graphs = params.getlist("graph")
    if "default" in params and graphs or len(graphs) > 1:
        raise InputError("name one graph: ?graph=<iri> or ?default", ["give the graph once"])
    if "default" in params:
        return None
    if not graphs or not graphs[0].strip():
        raise InputError("no graph named", ["add ?graph=<graph IRI> (URL-encoded) or ?default"])
    return graphs[0].strip()


def _curator(request: Request) -> bool:
    if "authorization" not in request.headers:
        return False
    authorise(request)
    return True


def _triples(ctx: Context, graph: str | None, curator: bool) -> list[ox.Triple]:
    if graph is None:
        return rdf_docs.public_triples(ctx)
    if curator:
        quads = list(ctx.store.quads(graph=graph)) if graph in ctx.store.named_graphs() else []
    else:
        data = rdf_docs.public_data(ctx)
        quads = list(data.quads(graph)) if graph in data.graphs else []
    if not quads:
        raise NotFound(f"there is no graph <{graph}>" + ("" if curator else " with public data"),
                       ["list the graphs in the SPARQL Service Description at /sparql"])
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


@router.api_route(PATH, methods=["GET", "HEAD"])
def read_graph(request: Request):
    """A graph's content (public triples only unless the request carries the curator's token)."""
    ctx = get_context(request)
    try:
        graph = target(request, ctx)
        media = negotiate(request.headers.get("accept"), list(OFFERS), "text/turtle")
        if media is None:
            raise NotAcceptable("none of the formats in Accept can be served", [f"ask for one of: {', '.join(OFFERS)}"])
        triples = _triples(ctx, graph, _curator(request))
    except LeernetError as error:
        return write_problem(request, error)
    body = ox.serialize(sorted(triples, key=str), format=OFFERS[media])
    headers = {"Vary": "Accept"}
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=200, media_type=media, headers=headers)
    return Response(body, media_type=media, headers=headers)


async def _parts(request: Request) -> list[tuple[str, bytes, str]]:
    media, _ = content_type(request)
    body = await read_body(request, MAX_UPLOAD_BYTES)
    if media == "multipart/form-data":
        parts = [(name or field, data, rdf_format(part_media, name, None))
                 for field, found in multipart(body, request.headers["content-type"]).items()
                 for name, part_media, data in found]
        if not parts:
            raise InputError("the multipart form has no parts", ["send the RDF as form parts with their media type"])
        return parts
    if not media:
        raise UnsupportedMediaType("the body has no Content-Type", ["send it as text/turtle or another RDF type"])
    return [("body", body, rdf_format(media, None, None))]


async def _write(request: Request, method: str) -> Response:
    ctx = get_context(request)
    try:
        authorise(request)
        graph = target(request, ctx) if "graph" in request.query_params or "default" in request.query_params \
            or method != "POST" else f"{ctx.base}graph/upload/gsp-{uuid.uuid4().hex[:12]}"
        if graph is None:
            raise MethodNotAllowed("the default graph is the union of all named graphs and cannot be written",
                                   ["write a named graph: ?graph=<iri>"])
        graph = resolve_graph(ctx, graph)
        store = ctx.store
        parts = await _parts(request) if method != "DELETE" else []
        lang = report_language(request)

        def run() -> bool:
            with write_lock(store):
                existed = graph in store.named_graphs()
                if method == "DELETE":
                    if not existed:
                        raise NotFound(f"there is no graph <{graph}>")
                    apply_update(store, check_update(f"DROP GRAPH <{graph}>", ctx.settings), lang=lang,
                                 command=f"DELETE {PATH}")
                else:
                    load_rdf(store, parts, graph, keep_graphs=False, merge=method == "POST",
                             command=f"{method} {PATH}", lang=lang)
                return existed

        existed = await run_in_threadpool(run)
    except LeernetError as error:
        return write_problem(request, error)
    after_write(ctx)
    if method == "DELETE" or existed:
        return Response(status_code=204)
    return Response(status_code=201, headers={"Location": graph})


@router.put(PATH)
async def put_graph(request: Request):
    """Replace a graph (curators)."""
    return await _write(request, "PUT")


@router.post(PATH)
async def post_graph(request: Request):
    """Add to a graph, or make a new one (curators)."""
    return await _write(request, "POST")


@router.delete(PATH)
async def delete_graph(request: Request):
    """Drop a graph (curators)."""
    return await _write(request, "DELETE")
