"""The web explorer for policymakers and coordinators, served at ``/`` under the base path.

Pages (Dutch first, ``?lang=en`` or the switch for English, remembered in a cookie):

- ``/``: what the graph holds, a search box and the common questions as links;
- ``/zoeken``: search with facets and paging;
- ``/doc/{type}/{slug}`` and ``/def/...`` in HTML: the page about one thing (RDF formats are left to
  :mod:`api.linked_data`, which this router defers to);
- ``/samenwerking/organisatie/{slug}``, ``/samenwerking/thema/{slug}``: the network map and its table;
- ``/grensoverschrijding``: the boundary-crossing dashboard;
- ``/sparql-editor``: queries with examples, run against ``/sparql``;
- ``/static/{file}``: the stylesheet and the two small scripts.

Every table is also a CSV download at ``?csv={table}``. Links are path-absolute (see :mod:`api.explorer_page`).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api import linked_data, rdf_docs
from api.context import Context, get_context
from api.entities import Reader
from api.explorer_dashboard import dashboard_page
from api.explorer_entity import entity_page
from api.explorer_home import home_page
from api.explorer_map import collaboration_page
from api.explorer_page import Page, wants_html
from api.explorer_search import search_page
from api.explorer_sparql import sparql_page
from graph.errors import NotFound

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).parent / "static"
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def page_of(request: Request, ctx: Context = Depends(get_context)) -> Page:
    return Page(request, ctx)


def not_found(page: Page, error: NotFound):
    """A friendly HTML 404 for browsers; the problem+json answer for everyone else."""
    if not wants_html(page.request):
        raise error
    return page.render("explorer/error.html", title=page.ui["not_found_title"], message=page.ui["not_found"],
                       detail=str(error), status=404)


@router.get("/")
def home(page: Page = Depends(page_of)):
    """The landing page."""
    return home_page(page)


@router.get("/zoeken")
def search(page: Page = Depends(page_of)):
    """Search with facets and paging."""
    return search_page(page)


@router.get("/samenwerking/{what}/{slug}")
def collaboration(what: str, slug: str, page: Page = Depends(page_of)):
    """The network map of an organisation or a theme, with the same content as a table."""
    try:
        if what not in ("organisatie", "thema"):
            raise NotFound(f"there is no collaboration view of a {what!r}", ["use organisatie or thema"])
        return collaboration_page(page, what, slug)
    except NotFound as error:
        return not_found(page, error)


@router.get("/grensoverschrijding")
def dashboard(page: Page = Depends(page_of)):
    """The boundary-crossing dashboard."""
    return dashboard_page(page)


@router.get("/sparql-editor")
def sparql_editor(page: Page = Depends(page_of)):
    """The SPARQL page: an editor, example queries and results as a table."""
    return sparql_page(page)


@router.get("/doc/{type}/{name}")
def document(type: str, name: str, request: Request, page: Page = Depends(page_of)):
    """The page about a thing for browsers; RDF formats go to :func:`api.linked_data.document`."""
    ctx = page.ctx
    slug, ext = linked_data.split_name(name)
    if not shows_html(request, ext):
        return linked_data.document(type, name, request, ctx)
    iri, doc = f"{ctx.base}id/{type}/{slug}", f"{ctx.base}doc/{type}/{slug}"
    if type not in linked_data.TYPES or not rdf_docs.exists(ctx, iri):
        return not_found(page, NotFound(f"leernet has no document about {iri}"))
    headers = {"Vary": "Accept, Cookie", "Content-Location": f"{doc}.html"} if ext is None else None
    return entity_page(page, iri, doc, rdf_docs.describe(ctx, iri, doc), headers=headers)


@router.get("/def")
def definitions(request: Request, page: Page = Depends(page_of)):
    """The ontology and the concept schemes."""
    ctx = page.ctx
    if not shows_html(request, None):
        return linked_data.definitions_index(ctx)
    items = [{"iri": iri, "href": page.local(iri), "name": name} for iri, name in definitions_index(page)]
    return page.render("explorer/definitions.html", title=page.ui["nav_vocab"], items=items, section="vocab")


@router.get("/def/{path:path}")
def definition(path: str, request: Request, page: Page = Depends(page_of)):
    """The ontology, a concept scheme or a concept for browsers; RDF goes to :mod:`api.linked_data`."""
    ctx = page.ctx
    *parents, name = path.split("/")
    slug, ext = linked_data.split_name(name)
    if not shows_html(request, ext):
        return linked_data.definition(path, request, ctx)
    iri = f"{ctx.base}def/{'/'.join([*parents, slug])}"
    if len(parents) > 1 or not all(re.match(r"^[a-z0-9-]+$", x) for x in parents) or not rdf_docs.exists(ctx, iri):
        return not_found(page, NotFound(f"leernet has no definition {iri}"))
    headers = {"Vary": "Accept, Cookie", "Content-Location": f"{iri}.html"} if ext is None else None
    return entity_page(page, iri, iri, rdf_docs.describe_definitions(ctx, iri), section="vocab", headers=headers)


@router.get("/.well-known/void")
def void(request: Request, page: Page = Depends(page_of)):
    """The dataset description for browsers; RDF (the default here) goes to :func:`api.linked_data.void`."""
    offers = linked_data.OFFERS[1:] + linked_data.OFFERS[:1]
    if linked_data.negotiate(request.headers.get("accept"), offers, "text/turtle") != "text/html":
        return linked_data.void(request, page.ctx)
    iri = f"{page.base}.well-known/void#leernet"
    return entity_page(page, iri, f"{page.base}.well-known/void", rdf_docs.void_triples(page.ctx),
                       headers={"Vary": "Accept"}, downloads=False)


@router.get("/static/{name}")
def static(name: str, request: Request):
    """The explorer's own stylesheet and scripts (nothing from elsewhere)."""
    path = STATIC / name
    if not re.match(r"^[a-z0-9-]+\.(css|js)$", name) or not path.is_file():
        raise NotFound(f"there is no static file {name!r}")
    body = path.read_bytes()
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=3600"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=STATIC_TYPES[path.suffix], headers=headers)


def shows_html(request: Request, ext: str | None) -> bool:
    """Whether the explorer answers: an .html extension, a CSV table, or HTML preferred on Accept."""
    if ext is not None:
        return ext == "html"
    if request.query_params.get("csv"):
        return True
    return linked_data.negotiate(request.headers.get("accept"), linked_data.OFFERS, "text/html") == "text/html"


def definitions_index(page: Page) -> list[tuple[str, str]]:
    """(IRI, name) of the ontology and of each concept scheme."""
    ctx = page.ctx
    schemes = sorted({t.subject.value for t in rdf_docs.triples_of(
        ctx, None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("http://www.w3.org/2004/02/skos/core#ConceptScheme"))})
    reader = Reader(ctx)
    iris = [ctx.base + "def/leernet"] + [s for s in schemes if s.startswith(ctx.base + "def/")]
    reader.load_labels(iris)
    return [(iri, page.name(reader.ref(iri)) or iri) for iri in iris]
