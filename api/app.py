"""The leernet web application: REST API (/api/v1), linked-data publishing, problem+json errors, the
SPARQL endpoint (/sparql), the curators' write endpoints and the Graph Store Protocol.

``create_app(settings, store, query_runner=None, routers=())`` builds it. Every route lives under the
path of ``settings.base_iri`` (e.g. ``/kg`` for ``https://example.org/kg/``), so a proxy can pass the
public paths through unchanged. /sparql answers through ``app.state.context.query_runner``: pass one,
or start the public one with :func:`api.sparql.start_endpoint` (``leernet serve`` does).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from api import analysis, explorer, graph_store, linked_data, problems, rest, sparql, summaries, write
from api.context import API_VERSION, Context
from graph.settings import Settings
from graph.store import Store

API_PREFIX = "/api/v1"
CONTACT = {"name": "leernet", "email": "beheer@leernet.nl", "url": "https://data.leernet.nl/"}
VERSION_HEADER = {"API-Version": {"description": "The full semantic version of the API.",
                                  "schema": {"type": "string", "example": API_VERSION}}}
ERROR_STATUSES = {"400": "Bad request: a parameter is not valid.", "404": "Not found.",
                  "406": "Not acceptable: none of the accepted media types can be served.",
                  "500": "Internal error.", "503": "Service unavailable: the store is busy."}


class VersionHeader:
    """ASGI middleware: the ``API-Version`` header on every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_version(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"api-version", API_VERSION.encode())]
            await send(message)

        await self.app(scope, receive, send_with_version)


def base_path(settings: Settings) -> str:
    """The path of the base IRI without its trailing slash: '' for https://data.leernet.nl/."""
    return urlsplit(settings.base_iri).path.rstrip("/")


def create_app(settings: Settings, store: Store, query_runner: Any = None,
               routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The application serving ``store`` under ``settings.base_iri``.

    ``query_runner`` is the protected SPARQL runner for a /sparql endpoint; ``routers`` are extra
    routers (such as that endpoint's) mounted under the base path too.
    """
    prefix = base_path(settings)
    app = FastAPI(title="leernet API", version=API_VERSION, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.context = Context(settings, store, query_runner)
    app.state.context.theme_index()  # start building it now, in the background
    problems.install(app)
    app.add_middleware(VersionHeader)
    app.add_middleware(sparql.Cors, path=prefix + "/sparql")
    app.include_router(rest.router, prefix=prefix + API_PREFIX)
    app.include_router(analysis.router, prefix=prefix + API_PREFIX)
    app.include_router(summaries.router, prefix=prefix + API_PREFIX)
    app.include_router(write.api_router, prefix=prefix + API_PREFIX)
    for extra in (sparql.router, write.router, graph_store.router, *routers):
        app.include_router(extra, prefix=prefix)
    app.include_router(explorer.router, prefix=prefix)  # the web explorer's pages, before linked data's
    app.include_router(linked_data.router, prefix=prefix)
    document: dict = {}

    @app.get(prefix + API_PREFIX + "/openapi.json", include_in_schema=False)
    def openapi_json():
        if not document:
            document.update(build_openapi(app, settings))
        return JSONResponse(document)

    @app.get(prefix + API_PREFIX + "/docs", include_in_schema=False)
    def swagger_ui():
        return get_swagger_ui_html(openapi_url=settings.base_iri + "api/v1/openapi.json", title="leernet API")

    return app


def build_openapi(app: FastAPI, settings: Settings) -> dict:
    """The OpenAPI document of the REST API, following the NL API Design Rules.

    Paths are relative to the server URL ``{base}api/v1``; every 2xx response documents the
    API-Version header; errors are problem+json; JSON responses are also offered as JSON-LD.
    """
    prefix = base_path(settings) + API_PREFIX
    spec = get_openapi(
        title="leernet API", version=API_VERSION, routes=app.routes,
        summary="Learning networks in youth care, social work and education as linked data",
        description=("REST API of leernet, the knowledge graph of Dutch learning networks (leernetwerken). "
                     "Lists support filters, paging (page, pageSize) and sorting (sort=name or -name). "
                     "Ask for `application/ld+json` to get JSON-LD with the context at /api/v1/context.jsonld. "
                     "Every thing also has a persistent IRI ({base}id/{type}/{slug}) that dereferences to "
                     "HTML or RDF. Non-public data never appears: people only in a public role, participant "
                     "counts below the threshold are suppressed."),
        license_info={"name": "EUPL-1.2 (code); data CC BY 4.0", "identifier": "EUPL-1.2"},
        servers=[{"url": settings.base_iri + "api/v1", "description": "This leernet instance"}],
    )
    spec["info"]["contact"] = dict(CONTACT)  # set afterwards: FastAPI's model would want email-validator
    spec["paths"] = {(path[len(prefix):] or "/"): item for path, item in spec["paths"].items()
                     if path == prefix or path.startswith(prefix + "/")}
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["Problem"] = problems.PROBLEM_SCHEMA
    components["headers"] = VERSION_HEADER
    version_ref = {"API-Version": {"$ref": "#/components/headers/API-Version"}}
    for item in spec["paths"].values():
        for method, operation in item.items():
            responses = operation["responses"]
            if "HTTPValidationError" in str(responses.get("422", "")):
                responses.pop("422")
            for status, response in responses.items():
                if status.startswith(("2", "3")):
                    response["headers"] = copy.deepcopy(version_ref)
                    content = response.get("content", {})
                    if "application/json" in content and method == "get":
                        content["application/ld+json"] = copy.deepcopy(content["application/json"])
            for status, text in ERROR_STATUSES.items():
                responses[status] = {"description": text, "headers": copy.deepcopy(version_ref),
                                     "content": {problems.PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    spec["tags"] = [{"name": tag, "description": f"{tag.capitalize()} in the knowledge graph."}
                    for tag in sorted({t for item in spec["paths"].values() for op in item.values() for t in op.get("tags", [])})]
    return spec
