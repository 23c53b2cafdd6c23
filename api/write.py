"""The curators' write endpoints, behind a bearer token (``settings.write_token``, LEERNET_WRITE_TOKEN).

- ``POST {base}api/v1/uploads``: RDF in the body (its Content-Type names the format), or a multipart
  form with ``file`` (RDF, or a CSV/XLSX spreadsheet with ``mapping``: a shipped mapping's name or a
  TOML file) and optional ``graph``, ``sheet``, ``format``. Validated and atomic exactly as
  ``leernet load`` / ``leernet import`` (:mod:`graph.ingest`, :mod:`graph.importers`): 201 with the
  graphs, triple count and warnings, or 422 with the SHACL report and nothing written. Without
  ``graph`` the upload goes to ``{base}graph/upload/{file name}`` (a re-upload replaces it); quads of
  TriG, N-Quads or JSON-LD keep their own graphs.
- ``POST {base}sparql/update`` (and ``POST {base}sparql`` with ``update=``): SPARQL 1.1 Update, checked
  by :func:`graph.sparql_guard.check_update` and validated as one transaction (:mod:`api.sparql_update`).

``Authorization: Bearer <token>`` is compared with :func:`hmac.compare_digest`. No token configured:
403, writes are disabled; a missing or wrong token: 401 with ``WWW-Authenticate``. Writes to one store
are serialised; after each the public SPARQL data and the cached privacy rules are refreshed.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import re
import tempfile
import threading
import weakref
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.context import Context, get_context
from api.models import Model
from api.problems import problem
from api.sparql import (FORM, UPDATE_TYPE, ContentTooLarge, PublicSparql, content_type, form_fields, invalidate,
                        read_body, refusal_problem, utf8, values)
from api.sparql_update import apply_update
from graph.errors import InputError, LeernetError, QueryRefused, ValidationFailed
from graph.importers import Index, notes_as_results
from graph.importers import read_source as read_table
from graph.ingest import IngestResult, ingest_batch, ingest_graph, meta_graph
from graph.importers.naming import slugify
from graph.rdfio import EXTENSIONS, QUAD_FORMATS, Locator, Source, check_safe, format_name, parse_source
from graph.sparql_guard import check_update, refusal
from graph.store import STAGING_PREFIX

api_router = APIRouter()  # under {base}api/v1, in the OpenAPI document
router = APIRouter(include_in_schema=False)  # under the base path

MAX_UPLOAD_BYTES = 64 * 2**20
RDF_MEDIA = {"text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "ntriples",
             "application/n-quads": "nquads", "application/trig": "trig", "application/ld+json": "jsonld",
             "application/rdf+xml": "rdfxml"}
SHEETS = {".csv": "csv", ".xlsx": "xlsx"}
_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


class Unauthorised(LeernetError):
    """No valid curator's token."""

    http_status = 401
    title = "Unauthorized"


class WritesDisabled(LeernetError):
    """The server has no write token, so nobody may write."""

    http_status = 403
    title = "Forbidden"


class UnsupportedMediaType(InputError):
    """A body in a format the endpoint does not take."""

    http_status = 415
    title = "Unsupported media type"


def authorise(request: Request) -> None:
    """Let the request through only with the configured curator's token (see module doc)."""
    token = get_context(request).settings.write_token
    if not token:
        raise WritesDisabled("writing is disabled on this server",
                             ["the administrator enables it by setting LEERNET_WRITE_TOKEN"])
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthorised("writing needs a curator's token", ["send the header 'Authorization: Bearer <token>'"])
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Unauthorised("the token is not valid", ["check the curator's token (LEERNET_WRITE_TOKEN)"])


def report_language(request: Request) -> str:
    """The language of SHACL messages: ``Accept-Language`` if it prefers nl or en, else the server's."""
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in ("nl", "en"):
            return tag
    return get_context(request).settings.lang


def write_lock(store) -> threading.Lock:
    """The lock that serialises writes to ``store``."""
    with _locks_guard:
        return _locks.setdefault(store, threading.Lock())


def after_write(ctx: Context) -> None:
    """Make readers see a write: new public SPARQL snapshot, fresh privacy rules and caches."""
    endpoint = ctx.query_runner
    if isinstance(endpoint, PublicSparql):
        endpoint.refresh(changed=True)
        return
    invalidate(ctx)
    if endpoint is not None:
        endpoint.refresh()


def write_problem(request: Request, error: LeernetError) -> JSONResponse:
    """A failed write as problem+json: 422 with the SHACL report, 401 with WWW-Authenticate, …"""
    if isinstance(error, (QueryRefused, ContentTooLarge)):
        return refusal_problem(request, error)
    extra: dict = {"hints": error.details} if error.details else {}
    if isinstance(error, ValidationFailed) and error.report is not None:
        extra["report"] = report_body(error.report.results, conforms=error.report.conforms)
    response = problem(request, error.http_status, error.title, error.message, **extra)
    if isinstance(error, Unauthorised):
        invalid = ', error="invalid_token"' if request.headers.get("authorization") else ""
        response.headers["WWW-Authenticate"] = f'Bearer realm="leernet"{invalid}'
    return response


def report_body(results, conforms: bool | None = None) -> dict:
    """SHACL results as JSON: each with focusNode, path, value, message, severity, constraint, shape, location."""
    items = [{"severity": r.severity, "focusNode": r.focus_node, "path": r.path, "value": r.value,
              "message": r.message, "constraint": r.constraint, "shape": r.shape, "location": r.location}
             for r in results]
    violations = sum(r.severity == "Violation" for r in results)
    return {"conforms": (violations == 0) if conforms is None else conforms, "violations": violations,
            "warnings": sum(r.severity == "Warning" for r in results), "results": items}


def resolve_graph(ctx: Context, value: str | None) -> str | None:
    """A graph IRI from a parameter: absolute, or relative to the base IRI (``graph/x``)."""
    if value is None or not value.strip():
        return None
    iri = value.strip() if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", value.strip()) else ctx.base + value.strip()
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise InputError(f"graph {value!r} is not an IRI", ["give an absolute IRI or a path below the base IRI"]) from None
    if iri == meta_graph(ctx.base) or iri.startswith(STAGING_PREFIX):
        raise InputError(f"graph <{iri}> is kept by leernet itself and cannot be written", ["choose another graph"])
    return iri


def upload_graph(ctx: Context, name: str) -> str:
    """The default graph of an upload: ``{base}graph/upload/{slug of the file name}``."""
    stem = Path(name).name.removesuffix(".gz")
    stem = stem[: -len(Path(stem).suffix)] if Path(stem).suffix else stem
    return f"{ctx.base}graph/upload/{slugify(stem, 60) or 'upload'}"


def load_rdf(store, parts: list[tuple[str, bytes, str]], graph_iri: str, *, keep_graphs: bool, merge: bool = False,
             command: str, lang: str) -> IngestResult:
    """Parse RDF parts ``(name, bytes, format)`` and ingest them as one validated, atomic batch into
    ``graph_iri``, exactly as ``leernet load`` does. Quads keep their own graph when ``keep_graphs`` and
    the format has graphs; ``merge`` adds to what the graph holds instead of replacing it."""
    base = store.settings.base_iri
    sources = [Source(name, data, fmt) for name, data, fmt in parts]
    graphs: dict[str, list] = {graph_iri: list(store.quads(graph=graph_iri)) if merge else []}
    for source in sources:
        check_safe(source)
        for quad in parse_source(source, base):
            target = graph_iri
            if keep_graphs and source.fmt in QUAD_FORMATS and isinstance(quad.graph_name, ox.NamedNode):
                target = quad.graph_name.value
            graphs.setdefault(target, []).append(quad)
    if len(graphs) > 1 and not graphs[graph_iri]:
        del graphs[graph_iri]
    label = ", ".join(s.name for s in sources)
    return ingest_batch(store, graphs, sources={g: label for g in graphs}, command=command, lang=lang,
                        locate=Locator(sources, base), label=label)


def import_sheet(store, kind: str, data: bytes, name: str, mapping: tuple[str, bytes] | str | None,
                 sheet: str | None, graph_iri: str, *, command: str, lang: str) -> IngestResult:
    """Import a CSV/XLSX file through a column mapping into ``graph_iri``, as ``leernet import`` does."""
    with tempfile.TemporaryDirectory(prefix="leernet-upload-") as folder:
        path = Path(folder) / (Path(name).name or f"upload.{kind}")
        path.write_bytes(data)
        if isinstance(mapping, tuple):
            mapping_path = Path(folder) / "mapping" / (Path(mapping[0]).name or "mapping.toml")
            mapping_path.parent.mkdir()
            mapping_path.write_bytes(mapping[1])
            mapping = str(mapping_path)
        try:
            source = read_table(kind, path, store.settings.base_iri, mapping=mapping, sheet=sheet)
            source.graph_iri = graph_iri
            conversion = source.convert(Index.from_store(store, exclude_graph=graph_iri))
            result = ingest_graph(store, conversion.graph, graph_iri=graph_iri, source=name, command=command,
                                  lang=lang, locate=conversion.locate)
        except LeernetError as error:
            error.message = error.message.replace(folder + "/mapping/", "").replace(folder + "/", "")
            error.details = [line.replace(folder + "/mapping/", "").replace(folder + "/", "") for line in error.details]
            raise
        if conversion.warnings:
            result.warnings = [*notes_as_results(conversion.warnings, kind), *result.warnings]
        return result


def multipart(body: bytes, header: str) -> dict[str, list[tuple[str | None, str, bytes]]]:
    """The parts of a ``multipart/form-data`` body: field name -> [(file name, media type, bytes)]."""
    message = BytesParser(policy=policy.HTTP).parsebytes(b"Content-Type: " + header.encode("latin-1") + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise InputError("the multipart form cannot be read", ["send multipart/form-data with a boundary"])
    fields: dict[str, list] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields.setdefault(str(name), []).append((part.get_filename(), part.get_content_type(),
                                                     part.get_payload(decode=True) or b""))
    return fields


def field_text(fields: dict, name: str) -> str | None:
    found = fields.get(name)
    return found[0][2].decode("utf-8", errors="replace").strip() if found else None


def rdf_format(media: str, name: str | None, explicit: str | None) -> str:
    """The RDF format of a body: ``format`` if given, else its media type, else its file name."""
    if explicit:
        return format_name(explicit)
    if media in RDF_MEDIA:
        return RDF_MEDIA[media]
    lowered = (name or "").lower().removesuffix(".gz")
    for ext, fmt in EXTENSIONS.items():
        if lowered.endswith(ext):
            return fmt
    raise UnsupportedMediaType(f"cannot tell the RDF format of {name or 'the body'} ({media or 'no Content-Type'})",
                               [f"send one of: {', '.join(RDF_MEDIA)}, or give format="])


def _upload(ctx: Context, body: bytes, media: str, header: str, graph: str | None, sheet: str | None,
            fmt: str | None, lang: str) -> IngestResult:
    store, command = ctx.store, "POST /api/v1/uploads"
    if media == "multipart/form-data":
        fields = multipart(body, header)
        if "file" not in fields:
            raise InputError("the form has no 'file' field", ["send the file as the form field 'file'"])
        name, part_media, data = fields["file"][0]
        name = Path(name or "upload").name
        graph = graph or field_text(fields, "graph")
        sheet = sheet or field_text(fields, "sheet")
        fmt = fmt or field_text(fields, "format")
        target = resolve_graph(ctx, graph) or upload_graph(ctx, name)
        kind = SHEETS.get(Path(name).suffix.lower())
        if kind:
            found = fields.get("mapping")
            mapping = None if not found else (found[0][0], found[0][2]) if found[0][0] else field_text(fields, "mapping")
            with write_lock(store):
                return import_sheet(store, kind, data, name, mapping, sheet, target, command=command, lang=lang)
        fmt = rdf_format(part_media, name, fmt)
        if name.lower().endswith(".gz"):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as error:
                raise InputError(f"{name}: not a valid gzip file ({error})") from error
    else:
        name = "upload"
        fmt = rdf_format(media, None, fmt)
        target = resolve_graph(ctx, graph) or upload_graph(ctx, f"upload-{hashlib.sha1(body).hexdigest()[:8]}")
        data = body
    with write_lock(store):
        return load_rdf(store, [(name, data, fmt)], target, keep_graphs=graph is None, command=command, lang=lang)


class ReportItem(Model):
    """One SHACL result (or importer note) about the upload."""

    severity: str
    focus_node: str
    path: str | None = None
    value: str | None = None
    message: str
    constraint: str
    shape: str
    location: str | None = None


class UploadResult(Model):
    """What an upload wrote."""

    graphs: list[str]
    triples: int
    replaced: bool
    warnings: list[ReportItem]


UPLOAD_BODY = {"required": True, "content": {
    **{media: {"schema": {"type": "string"}} for media in RDF_MEDIA},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "RDF, or a .csv/.xlsx spreadsheet"},
        "mapping": {"type": "string", "description": "For a spreadsheet: a shipped mapping's name or a TOML file"},
        "graph": {"type": "string"}, "sheet": {"type": "string"}, "format": {"type": "string"}}}}}}
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
UPLOAD_ERRORS = {401: "Unauthorized: no or a wrong curator's token.", 403: "Forbidden: writing is disabled.",
                 413: "Content too large.", 415: "Unsupported media type.",
                 422: "Validation failed: the SHACL report is in `report`; nothing was written."}


@api_router.post("/uploads", status_code=201, response_model=UploadResult, tags=["uploads"],
                 operation_id="createUpload", summary="Load RDF or a spreadsheet (curators)",
                 description="Validated and atomic, as `leernet load` / `leernet import`. Needs "
                             "`Authorization: Bearer <token>`.",
                 responses={status: {"description": text, "content": PROBLEM} for status, text in UPLOAD_ERRORS.items()},
                 openapi_extra={"requestBody": UPLOAD_BODY})
async def create_upload(request: Request,
                        graph: str | None = Query(None, description="Target graph: an IRI or a path below the base IRI."),
                        sheet: str | None = Query(None, description="The workbook sheet to import."),
                        format: str | None = Query(None, description="RDF format, when the media type does not say it.")):
    """Load an RDF file or import a spreadsheet as one validated batch."""
    ctx = get_context(request)
    try:
        authorise(request)
        media, _ = content_type(request)
        body = await read_body(request, MAX_UPLOAD_BYTES)
        result = await run_in_threadpool(_upload, ctx, body, media, request.headers.get("content-type", ""),
                                         graph, sheet, format, report_language(request))
    except LeernetError as error:
        return write_problem(request, error)
    after_write(ctx)
    content = {"graphs": result.graphs, "triples": result.triples, "replaced": result.replaced,
               "warnings": report_body(result.warnings)["results"]}
    location = f"{ctx.base}rdf-graph-store?graph={quote(result.graphs[0], safe='')}" if result.graphs else ctx.base
    return JSONResponse(content, status_code=201, headers={"Location": location})


def _update(ctx: Context, text: str, params: list[tuple[str, str]], lang: str):
    checked = check_update(text, ctx.settings)
    with write_lock(ctx.store):
        return apply_update(ctx.store, checked, using=values(params, "using-graph-uri"),
                            using_named=values(params, "using-named-graph-uri"), lang=lang,
                            command="SPARQL Update")


async def update_response(request: Request, text: str | None, params: list[tuple[str, str]]) -> Response:
    """Run a curator's SPARQL Update (form ``update=`` in ``params``, or the body when ``text`` is None
    and the request is ``application/sparql-update``); 200 with what changed, or a problem."""
    ctx = get_context(request)
    try:
        authorise(request)
        media, charset = content_type(request)
        if text is None and media == UPDATE_TYPE:
            if values(params, "update"):
                raise _not_one("the request has an update in the URL and in the body")
            text = utf8(await read_body(request, 3 * ctx.settings.max_query_bytes + 4096), charset, "update")
        elif text is None:
            updates = values(params, "update")
            if len(updates) != 1:
                raise _not_one(f"the request has {len(updates)} updates; send exactly one")
            text = updates[0]
        result = await run_in_threadpool(_update, ctx, text, params, report_language(request))
    except LeernetError as error:
        return write_problem(request, error)
    if result.graphs:
        after_write(ctx)
    return JSONResponse({"graphs": result.graphs, "added": result.added, "removed": result.removed,
                         "warnings": report_body(result.warnings)["results"], "notes": result.notes})


def _not_one(message: str) -> QueryRefused:
    return refusal("syntax", message, "send one update, as update= in a form or as an application/sparql-update body")


@router.post("/sparql/update")
async def sparql_update(request: Request):
    """SPARQL 1.1 Update for curators: form (``update=``) or ``application/sparql-update``."""
    params = request.query_params.multi_items()
    media, charset = content_type(request)
    try:
        authorise(request)
        if media == FORM:
            params = params + form_fields(await read_body(request, 3 * get_context(request).settings.max_query_bytes
                                                          + 4096), charset)
        elif media != UPDATE_TYPE:
            raise UnsupportedMediaType(f"an update cannot be sent as {media or 'a body without Content-Type'}",
                                       [f"POST it as {FORM} (update=...) or as {UPDATE_TYPE}"])
    except LeernetError as error:
        return write_problem(request, error)
    return await update_response(request, None, params)


@router.api_route("/sparql/update", methods=["GET", "PUT", "DELETE", "PATCH"])
def sparql_update_method(request: Request):
    """Updates are sent by POST only."""
    response = problem(request, 405, "Method not allowed", f"{request.method} cannot send an update; use POST",
                       hints=[f"POST the update as {FORM} (update=...) or as {UPDATE_TYPE}"])
    response.headers["Allow"] = "POST"
    return response
