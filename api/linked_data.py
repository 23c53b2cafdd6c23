"""Linked-data publishing along the Dutch URI strategy.

- ``/id/{type}/{slug}`` (a thing) answers ``303 See Other`` to ``/doc/{type}/{slug}`` (the document about it),
  with a path-absolute ``Location`` that the client resolves against the IRI it dereferenced.
- ``/doc/{type}/{slug}`` content-negotiates HTML, Turtle, JSON-LD, N-Triples or RDF/XML on ``Accept``;
  ``/doc/{type}/{slug}.{html,ttl,jsonld,nt,rdf}`` asks for one format without negotiation.
- ``/def/leernet`` (the ontology), ``/def/{scheme}`` and ``/def/{scheme}/{notation}`` are served directly,
  with the same negotiation and extensions; ``/def`` lists them.
- ``/.well-known/void`` describes the dataset (VoID + DCAT); ``/dumps/leernet.{ttl,nt,jsonld,nq}`` are the dumps;
  ``/context.jsonld`` is the JSON-LD context the documents refer to.

Links are built from ``settings.base_iri``; a request path maps to an IRI by the route's segments
after the base's path, never by the request's host.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api import rdf_docs
from api.context import Context, get_context
from api.html import render_description, render_page
from api.jsonld import document_context
from api.problems import NotAcceptable
from graph.errors import NotFound

router = APIRouter(include_in_schema=False)

TYPES = ("organisatie", "lectoraat", "netwerk", "programma", "project", "persoon", "bijeenkomst", "product",
         "lidmaatschap", "deelname", "periode", "datum", "regio", "bron")
OFFERS = ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
ALIASES = {"application/json": "application/ld+json", "application/x-turtle": "text/turtle",
           "text/n3": "text/turtle", "text/plain": "application/n-triples", "application/xhtml+xml": "text/html",
           "application/xml": "application/rdf+xml"}
NAME = re.compile(r"^(?P<slug>[A-Za-z0-9][A-Za-z0-9._-]*?)(\.(?P<ext>html|ttl|jsonld|nt|rdf))?$")


def negotiate(accept: str | None, offers: list[str], default: str) -> str | None:
    """The offer the ``Accept`` header prefers (q-values, then specificity, then order of ``offers``);
    ``default`` when there is no header; ``None`` when nothing offered is acceptable."""
    if not accept or not accept.strip():
        return default
    ranges = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality, position))
    best, best_key = None, None
    for index, offer in enumerate(offers):
        for media, quality, position in ranges:
            if media not in offers and ALIASES.get(media) in offers:
                media = ALIASES[media]
            kind, _, sub = media.partition("/")
            if media == offer:
                specificity = 2
            elif sub == "*" and offer.startswith(kind + "/"):
                specificity = 1
            elif media == "*/*":
                specificity = 0
            else:
                continue
            key = (quality, specificity, -index)
            if quality > 0 and (best_key is None or key > best_key):
                best, best_key = offer, key
    return best


def split_name(name: str) -> tuple[str, str | None]:
    """``("slug", "ttl")`` for ``slug.ttl``; NotFound for a name that is no slug."""
    match = NAME.match(name)
    if not match:
        raise NotFound(f"{name!r} is not the name of a document here")
    return match["slug"], match["ext"]


def rdf_response(ctx: Context, request: Request, triples, document: str, ext: str | None, iri: str, html):
    """The document in the format the extension names, or the one ``Accept`` prefers."""
    if ext is None:
        media = negotiate(request.headers.get("accept"), OFFERS, "text/html")
        if media is None:
            raise NotAcceptable("none of the formats in the Accept header can be served",
                                [f"this document is available as {', '.join(OFFERS)}"])
        ext = "html" if media == "text/html" else rdf_docs.MEDIA_EXTENSION[media]
        headers = {"Vary": "Accept", "Content-Location": f"{document}.{ext}"}
    else:
        headers = {}
    if ext == "html":
        return HTMLResponse(html(), headers=headers)
    media = rdf_docs.FORMATS[ext][0]
    return Response(rdf_docs.serialize(ctx, triples, ext), media_type=media, headers=headers)


@router.get("/id/{type}/{slug}")
def thing(type: str, slug: str, ctx: Context = Depends(get_context)):
    """303 See Other from a thing's IRI to the document about it."""
    iri = f"{ctx.base}id/{type}/{slug}"
    if type not in TYPES or not rdf_docs.exists(ctx, iri):
        raise NotFound(f"leernet knows nothing about {iri}")
    # A path-absolute reference: the client resolves it against the IRI it asked for, so the thing's
    # IRI dereferences on the public host and on a local server alike, and no request host is echoed.
    return RedirectResponse(f"{urlsplit(ctx.base).path}doc/{type}/{slug}", status_code=303)


@router.get("/doc/{type}/{name}")
def document(type: str, name: str, request: Request, ctx: Context = Depends(get_context)):
    """The document about a thing, in HTML or RDF."""
    slug, ext = split_name(name)
    iri, doc = f"{ctx.base}id/{type}/{slug}", f"{ctx.base}doc/{type}/{slug}"
    if type not in TYPES or not rdf_docs.exists(ctx, iri):
        raise NotFound(f"leernet has no document about {iri}")
    triples = rdf_docs.describe(ctx, iri, doc)
    return rdf_response(ctx, request, triples, doc, ext, iri,
                        lambda: render_description(ctx, iri, triples, doc))


@router.get("/def")
def definitions_index(ctx: Context = Depends(get_context)):
    """The ontology and the concept schemes."""
    schemes = sorted({t.subject.value for t in rdf_docs.triples_of(
        ctx, None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("http://www.w3.org/2004/02/skos/core#ConceptScheme"))})
    items = [ctx.base + "def/leernet"] + [s for s in schemes if s.startswith(ctx.base + "def/")]
    return HTMLResponse(render_page(ctx, "index.html", title="Begrippen en ontologie",
                                    title_en="Vocabulary and ontology", links=items))


@router.get("/def/{path:path}")
def definition(path: str, request: Request, ctx: Context = Depends(get_context)):
    """The ontology, a concept scheme or a concept, in HTML or RDF."""
    *parents, name = path.split("/")
    slug, ext = split_name(name)
    if len(parents) > 1 or not all(re.match(r"^[a-z0-9-]+$", p) for p in parents):
        raise NotFound(f"there is no definition at def/{path}")
    iri = f"{ctx.base}def/{'/'.join([*parents, slug])}"
    if not rdf_docs.exists(ctx, iri):
        raise NotFound(f"leernet has no definition {iri}")
    triples = rdf_docs.describe_definitions(ctx, iri)
    return rdf_response(ctx, request, triples, iri, ext, iri, lambda: render_description(ctx, iri, triples, iri))


@router.get("/.well-known/void")
def void(request: Request, ctx: Context = Depends(get_context)):
    """The VoID/DCAT description of the dataset."""
    triples = rdf_docs.void_triples(ctx)
    iri = f"{ctx.base}.well-known/void#leernet"
    media = negotiate(request.headers.get("accept"), OFFERS[1:] + OFFERS[:1], "text/turtle")
    if media is None:
        raise NotAcceptable("none of the formats in the Accept header can be served")
    if media == "text/html":
        return HTMLResponse(render_description(ctx, iri, triples, f"{ctx.base}.well-known/void"),
                            headers={"Vary": "Accept"})
    ext = rdf_docs.MEDIA_EXTENSION[media]
    return Response(rdf_docs.serialize(ctx, triples, ext), media_type=media, headers={"Vary": "Accept"})


@router.get("/dumps/{name}")
def dumps(name: str, ctx: Context = Depends(get_context)):
    """The full public dump: leernet.ttl, leernet.nt, leernet.jsonld or leernet.nq."""
    stem, _, ext = name.partition(".")
    if stem != "leernet" or ext not in rdf_docs.DUMP_FORMATS:
        raise NotFound(f"there is no dump {name!r}", [f"try leernet.{e}" for e in rdf_docs.DUMP_FORMATS])
    return Response(rdf_docs.dump(ctx, ext), media_type=rdf_docs.DUMP_FORMATS[ext],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/context.jsonld")
def context_document(ctx: Context = Depends(get_context)):
    """The JSON-LD context of the documents and the dump."""
    return JSONResponse(document_context(ctx.base), media_type="application/ld+json")


@router.get("/")
def home(ctx: Context = Depends(get_context)):
    """The landing page: what leernet is and where to go."""
    return HTMLResponse(render_page(ctx, "home.html", title="leernet",
                                    title_en="Knowledge graph of learning networks"))
