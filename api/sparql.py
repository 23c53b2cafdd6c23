"""The public SPARQL 1.1 Protocol endpoint at ``/sparql`` (under the base path).

- Queries by GET (``?query=``), by POST with a form (``query=``) or an ``application/sparql-query`` body.
  ``default-graph-uri`` / ``named-graph-uri`` give the dataset; else the query's FROM / FROM NAMED;
  else every public graph, the default graph being their union. A graph that is not there is empty.
- SELECT and ASK answer in SPARQL JSON (default), XML, CSV or TSV; CONSTRUCT and DESCRIBE in Turtle
  (default), N-Triples, JSON-LD or RDF/XML; chosen by ``Accept`` (q-values) or, for browsers, by
  ``format`` (json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml, or a media type), which wins.
- GET without a query answers the Service Description (:mod:`api.service_description`).
- Privacy: queries never touch the store. They run in :class:`graph.query_runner.QueryRunner` worker
  processes on a snapshot of a store that holds only the publishable quads
  (:mod:`api.public_data`), so no FROM, GRAPH or dataset parameter can reach anything else.
  :meth:`PublicSparql.refresh` takes the new public data after every write.
- Refusals (:mod:`graph.sparql_guard`, the runner) are problem+json with a ``reason`` code and the
  guard's status (400, 403, 406, 413; a timeout is 400: the query, not the server, is at fault),
  except ``busy``: 503 with ``Retry-After``.
- Updates (``update=``, ``application/sparql-update``) go to the curators' endpoint (:mod:`api.write`).
- CORS: any origin may query (``Access-Control-Allow-Origin: *``); preflight OPTIONS is answered.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import parse_qsl, urlsplit

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api import rdf_docs
from api.context import Context, get_context
from api.linked_data import negotiate
from api.problems import problem
from api.service_description import SERIALISATIONS, describe_service, serialise
from graph.errors import LeernetError, QueryRefused
from graph.query_runner import QueryRunner
from graph.sparql_guard import check_query, refusal

router = APIRouter(include_in_schema=False)

RESULTS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
           "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPHS = {"turtle": "text/turtle", "ntriples": "application/n-triples", "jsonld": "application/ld+json",
          "rdfxml": "application/rdf+xml"}
SHORT_NAMES = {"ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "json-ld": "jsonld", "rdf": "rdfxml",
               "rdf/xml": "rdfxml"}
RESULT_ALIASES = {"application/json": RESULTS["json"], "application/xml": RESULTS["xml"], "text/xml": RESULTS["xml"]}
GRAPH_ALIASES = {"application/turtle": "text/turtle", "application/x-turtle": "text/turtle",
                 "text/plain": "application/n-triples", "application/json": "application/ld+json",
                 "application/x-json+ld": "application/ld+json", "application/xml": "application/rdf+xml",
                 "text/xml": "application/rdf+xml"}
GRAPH_WORDS = {"json": "jsonld", "xml": "rdfxml"}  # what format=json / format=xml mean for CONSTRUCT and DESCRIBE
FORM = "application/x-www-form-urlencoded"
QUERY_TYPE, UPDATE_TYPE = "application/sparql-query", "application/sparql-update"
EMPTY_GRAPH = "urn:leernet:empty-graph"  # stands for a requested graph that is not there (no data, ever)
TRUNCATED_HEADER = "Leernet-Results-Truncated"
CORS_HEADERS = {"access-control-allow-origin": "*",
                "access-control-expose-headers": f"{TRUNCATED_HEADER}, Retry-After, API-Version, Content-Location"}


class PublicSparql:
    """What /sparql answers from: the publishable quads (:func:`api.rdf_docs.public_data`) and a
    :class:`QueryRunner` on them. Same ``run`` as the runner; :meth:`refresh` after writing the store.

    The public data is first made on a background thread, so that the server answers at once (on
    10M triples making it takes minutes); until it is ready a query waits up to the query time
    limit and is then refused as ``busy`` (503 with Retry-After).
    """

    def __init__(self, ctx: Context, **runner_options):
        self.ctx = ctx
        self._lock = threading.RLock()
        self._generation = 0
        self._synced: tuple | None = None
        self._data = None
        self._runner_options = runner_options
        self.runner: QueryRunner | None = None
        self._ready = threading.Event()
        threading.Thread(target=self._first_build, name="leernet-public-data", daemon=True).start()

    def _first_build(self) -> None:
        try:
            self.refresh()
        except Exception:  # noqa: BLE001 - logged; the next query tries again and reports it
            logging.getLogger("leernet.api").exception("making the public data failed")
        finally:
            self._ready.set()

    @property
    def ready(self) -> bool:
        """Whether the first public data has been made."""
        return self._ready.is_set()

    def wait_until_ready(self, seconds: float | None = None) -> None:
        """Wait for the first public data; :class:`QueryRefused` (busy) if it takes longer than ``seconds``."""
        if not self._ready.wait(self.ctx.settings.query_timeout if seconds is None else seconds):
            raise refusal("busy", "the public data is still being prepared after the server started",
                          "try again in a minute")
        self.refresh()

    def _key(self) -> tuple:
        return self.ctx.version, self._generation

    def graphs(self) -> list[str]:
        """The graphs a query may name: the public ones, and the stand-in for a missing graph."""
        return [*(self._data.graphs if self._data else ()), EMPTY_GRAPH]

    def description(self) -> list[ox.Triple]:
        """The Service Description of the current public data."""
        self.wait_until_ready()
        triples, per_graph = self._data.counts()
        return describe_service(self.ctx.settings, triples, per_graph)

    def refresh(self, changed: bool = False) -> None:
        """Take the public data of the store's current state and renew the runner's snapshot if the
        store changed (``changed``: it did; also drops the context's cached privacy rules and dumps)."""
        with self._lock:
            if changed:
                self._generation += 1
                invalidate(self.ctx)
            if self._key() == self._synced:
                return
            self._data = rdf_docs.public_data(self.ctx)
            self._synced = self._key()
            if self.runner is None:
                self.runner = QueryRunner(self.ctx.settings, self._data.store, self.graphs, **self._runner_options)
            else:
                self.runner.use_source(self._data.store)

    def dataset(self, checked, default_graph_uris=None, named_graph_uris=None) -> tuple[list[str], list[str]]:
        """The protocol's graphs, else the query's FROM / FROM NAMED, else all public graphs; graphs that
        are not there are empty (left out; an empty default graph is :data:`EMPTY_GRAPH`)."""
        default, named = list(default_graph_uris or ()), list(named_graph_uris or ())
        if not default and not named:
            default, named = list(checked.from_graphs), list(checked.from_named_graphs)
        if not default and not named:
            return list(self._data.graphs), list(self._data.graphs)
        present = set(self._data.graphs)
        default = [g for g in dict.fromkeys(default) if g in present] or [EMPTY_GRAPH]
        return default, [g for g in dict.fromkeys(named) if g in present]

    def run(self, checked, accept_format=None, default_graph_uris=None, named_graph_uris=None):
        """Answer a checked query on the public data (see :meth:`QueryRunner.run`)."""
        self.wait_until_ready()
        default, named = self.dataset(checked, default_graph_uris, named_graph_uris)
        return self.runner.run(checked, accept_format, default, named)

    def close(self) -> None:
        """Stop the runner's workers."""
        self._ready.wait(60)
        if self.runner is not None:
            self.runner.close()


def invalidate(ctx: Context) -> None:
    """Forget what the context cached about the store (privacy rules, public quads, dumps)."""
    with ctx._lock:
        ctx.cache.clear()
        ctx._privacy = None


def start_endpoint(app, **runner_options) -> PublicSparql:
    """Start the public endpoint's runner for an app made by :func:`api.app.create_app`; close it when done."""
    ctx = app.state.context
    endpoint = PublicSparql(ctx, **runner_options)
    ctx.query_runner = endpoint
    return endpoint


# -- HTTP helpers shared with the write endpoints ---------------------------------------------------

class ContentTooLarge(LeernetError):
    """A request body above the limit."""

    http_status = 413
    title = "Content too large"
    reason = "too-large"


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with :class:`ContentTooLarge` as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ContentTooLarge(f"the request body is {int(declared):,} bytes; at most {limit:,} are accepted")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ContentTooLarge(f"the request body is more than {limit:,} bytes; at most {limit:,} are accepted")
        chunks.append(chunk)
    return b"".join(chunks)


def content_type(request: Request) -> tuple[str, str | None]:
    """The request's media type (lower case, without parameters) and its charset parameter."""
    media, *params = [p.strip() for p in request.headers.get("content-type", "").split(";")]
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def utf8(data: bytes, charset: str | None, what: str) -> str:
    """Bytes as UTF-8 text; :class:`QueryRefused` (415/400) for another charset or invalid bytes."""
    if charset not in (None, "utf-8", "utf8"):
        error = refusal("syntax", f"the {what} is declared as {charset}; only UTF-8 is accepted",
                        "send it encoded as UTF-8 (charset=utf-8)")
        error.http_status = 415
        raise error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as failure:
        raise refusal("syntax", f"the {what} is not valid UTF-8 (byte {failure.start})",
                      "send it encoded as UTF-8") from None


def form_fields(body: bytes, charset: str | None) -> list[tuple[str, str]]:
    """The fields of an ``application/x-www-form-urlencoded`` body (UTF-8)."""
    text = utf8(body, charset, "form")
    try:
        return parse_qsl(text, keep_blank_values=True, strict_parsing=False, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise refusal("syntax", "the form has percent-encoded bytes that are not UTF-8",
                      "percent-encode the UTF-8 bytes of the text") from None


def values(params: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in params if key == name]


def refusal_problem(request: Request, error: LeernetError) -> JSONResponse:
    """The problem+json for a refused query or update: the reason code, hints, Retry-After when busy."""
    reason = getattr(error, "reason", None)
    status = 503 if reason == "busy" else error.http_status
    extra = {"reason": reason} if reason else {}
    if error.details:
        extra["hints"] = error.details
    response = problem(request, status, error.title, error.message, **extra)
    if status == 503:
        response.headers["Retry-After"] = "1"
    return response


# -- the endpoint -----------------------------------------------------------------------------------

def response_type(form: str, accept: str | None, fmt: str | None) -> str:
    """The media type to answer a ``form`` query in: ``format`` if given, else the ``Accept`` header's
    best fit, else the default (SPARQL JSON, Turtle); :class:`QueryRefused` if nothing fits."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    table, aliases = (GRAPHS, GRAPH_ALIASES) if graph else (RESULTS, RESULT_ALIASES)
    offers = list(table.values())
    if fmt:
        name = fmt.split(";")[0].strip().lower()
        name = SHORT_NAMES.get(name, name)
        name = GRAPH_WORDS.get(name, name) if graph else name
        media = table.get(name) or aliases.get(name, name)
        if media not in offers:
            raise refusal("unsupported-format", f"format={fmt!r} does not fit a {form} query",
                          f"use one of: {', '.join(table)} (or the media types {', '.join(offers)})")
        return media
    if accept:
        parts = []
        for part in accept.split(","):
            media, _, rest = part.strip().partition(";")
            media = aliases.get(media.strip().lower(), media.strip().lower())
            parts.append(media + (";" + rest if rest else ""))
        accept = ",".join(parts)
    media = negotiate(accept, offers, offers[0])
    if media is None:
        raise refusal("unsupported-format", f"none of the media types in Accept fit a {form} query",
                      f"ask for one of: {', '.join(offers)}, or add format= to the URL")
    return media


def service_description(request: Request, ctx: Context) -> Response:
    """The Service Description, negotiated (Turtle by default)."""
    offers = list(SERIALISATIONS)
    media = negotiate(request.headers.get("accept"), offers, offers[0])
    if media is None:
        raise refusal("unsupported-format", "none of the media types in Accept can describe the service",
                      f"ask for one of: {', '.join(offers)}")
    endpoint = ctx.query_runner
    if isinstance(endpoint, PublicSparql):
        triples = endpoint.description()
    else:
        counts = rdf_docs.public_data(ctx).counts()
        triples = describe_service(ctx.settings, *counts)
    return Response(serialise(triples, media), media_type=media, headers={"Vary": "Accept"})


def answer(request: Request, ctx: Context, params: list[tuple[str, str]]) -> Response:
    """Check and run the one query in ``params`` with its dataset and format."""
    queries = values(params, "query")
    if len(queries) != 1:
        raise refusal("syntax", f"the request has {len(queries)} queries; send exactly one",
                      "give the query once, as query= or as the body of an application/sparql-query POST")
    checked = check_query(queries[0], ctx.settings)
    formats = values(params, "format")
    media = response_type(checked.form, request.headers.get("accept"), formats[0] if formats else None)
    if ctx.query_runner is None:
        raise refusal("busy", "this server runs no SPARQL query workers", "start it with 'leernet serve'")
    outcome = ctx.query_runner.run(checked, media, values(params, "default-graph-uri"),
                                   values(params, "named-graph-uri"))
    headers = {"Vary": "Accept"}
    if outcome.truncated:
        headers[TRUNCATED_HEADER] = f"true; rows={outcome.rows}"
    return Response(outcome.content, media_type=outcome.media_type, headers=headers)


async def _updates(request: Request, text: str | None, params: list[tuple[str, str]]) -> Response:
    from api import write  # late import: the write endpoints build on this module

    return await write.update_response(request, text, params)


def _query_limit(ctx: Context) -> int:
    return 3 * ctx.settings.max_query_bytes + 4096  # percent-encoding triples a byte at most


@router.get("/sparql")
def sparql_get(request: Request):
    """A query by GET, or the Service Description when there is none."""
    ctx = get_context(request)
    params = request.query_params.multi_items()
    try:
        if values(params, "update"):
            raise refusal("update-forbidden", "a SPARQL update cannot be sent by GET",
                          f"curators POST updates with their token to {ctx.base}sparql/update")
        if not values(params, "query"):
            return service_description(request, ctx)
        return answer(request, ctx, params)
    except QueryRefused as error:
        return refusal_problem(request, error)


@router.post("/sparql")
async def sparql_post(request: Request):
    """A query by POST (form or direct); updates go to the curators' endpoint."""
    ctx = get_context(request)
    params = request.query_params.multi_items()
    try:
        media, charset = content_type(request)
        if media == UPDATE_TYPE:
            return await _updates(request, None, params)
        if media == FORM:
            fields = form_fields(await read_body(request, _query_limit(ctx)), charset)
            if values(fields, "update"):
                return await _updates(request, None, params + fields)
            params = params + fields
        elif media == QUERY_TYPE:
            text = utf8(await read_body(request, _query_limit(ctx)), charset, "query")
            params = params + [("query", text)]
        else:
            error = refusal("syntax", f"a query cannot be sent as {media or 'a body without Content-Type'}",
                            f"POST it as {FORM} (query=...) or as {QUERY_TYPE}")
            error.http_status = 415
            raise error
        if not values(params, "query"):
            raise refusal("syntax", "the request has no query", "send query=... in the form")
        return await run_in_threadpool(answer, request, ctx, params)
    except (QueryRefused, ContentTooLarge) as error:
        return refusal_problem(request, error)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"])
def sparql_method(request: Request):
    """Queries are sent by GET or POST only."""
    response = problem(request, 405, "Method not allowed", f"{request.method} is not supported here; use GET or POST",
                       hints=["send a query by GET (?query=...) or POST; see the service description at this URL"])
    response.headers["Allow"] = "GET, POST, OPTIONS"
    return response


@router.options("/sparql")
def sparql_options():
    """CORS preflight (the headers themselves are added by :class:`Cors`)."""
    return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})


class Cors:
    """ASGI middleware: CORS headers on every response of ``path`` (the public endpoint), and the
    answer to a preflight request."""

    def __init__(self, app, path: str):
        self.app = app
        self.path = path

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].rstrip("/") != self.path:
            return await self.app(scope, receive, send)
        preflight = scope["method"] == "OPTIONS"
        extra = dict(CORS_HEADERS)
        if preflight:
            extra.update({"access-control-allow-methods": "GET, POST, OPTIONS",
                          "access-control-allow-headers": "Accept, Content-Type, Authorization",
                          "access-control-max-age": "86400"})

        async def with_cors(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in names)]
            await send(message)

        await self.app(scope, receive, with_cors)


def endpoint_path(base_iri: str) -> str:
    """The request path of the endpoint for a base IRI: ``/sparql`` or ``/kg/sparql``."""
    return urlsplit(base_iri).path.rstrip("/") + "/sparql"
