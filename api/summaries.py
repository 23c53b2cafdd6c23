"""Whole-graph questions of the REST API, answered from the results :mod:`graph.summaries` keeps:
``/organisation-pairs`` (which organisations share the most networks) and ``/sector-mixing`` (how
many collaborating pairs there are between each two sectors).

A kept result that describes the store as it is now is served at once. One that is out of date is
served too (``current: false``) while a background thread computes the new one; only when nothing
is kept yet is the answer computed during the request.
"""

from __future__ import annotations

import threading

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from api.context import Context, get_context
from api.entities import Reader
from api.models import Model, PageBase, Ref
from api.rest import page_links, paging, respond
from graph import summaries

router = APIRouter()
_refreshing = threading.Lock()


class SummaryInfo(Model):
    """Which state of the data a kept answer describes."""

    computed: str = Field(description="When the answer was computed (UTC).")
    current: bool = Field(description="False while a newer answer is being computed after the data changed.")
    organisations: int = Field(description="Organisations and lectoraten taking part in at least one public network.")
    networks: int
    collaborating_pairs: int = Field(description="Pairs of organisations that share at least one network.")


class OrganisationPair(Model):
    """Two organisations and the number of networks both take part in."""

    a: Ref
    b: Ref
    shared_networks: int


class OrganisationPairPage(PageBase):
    """Pairs of organisations sharing the most networks, most first (the top 1,000 are kept)."""

    summary: SummaryInfo
    items: list[OrganisationPair]


class SectorMix(Model):
    """How many pairs of collaborating organisations there are between two sectors."""

    a: Ref
    b: Ref
    pairs: int
    share: float = Field(description="Of all collaborating pairs with a known sector on both sides.")


class SectorMixing(Model):
    """Pairs of collaborating organisations per pair of sectors, across the whole graph."""

    summary: SummaryInfo
    items: list[SectorMix]


def kept_summary(ctx: Context) -> tuple[summaries.Summary, bool]:
    """The summary to answer from and whether it is current (starting a refresh when it is not)."""
    found, current = ctx.cached(("summary",), lambda: _read(ctx))
    if found is None:
        with _refreshing:
            found = summaries.current(ctx.store)
        return found, True
    if not current:
        _refresh_in_background(ctx)
    return found, current


def summary_if_kept(ctx: Context) -> summaries.Summary | None:
    """The kept summary, current or not (a refresh starts when it is not), or None when none was
    ever kept (nothing is computed then): for pages that have another way to answer."""
    found, current = ctx.cached(("summary",), lambda: _read(ctx))
    if found is not None and not current:
        _refresh_in_background(ctx)
    return found


def _refresh_in_background(ctx: Context) -> None:
    """Compute and keep the summary on a thread, unless one is being computed already."""
    if not _refreshing.acquire(blocking=False):
        return

    def refresh():
        try:
            summaries.current(ctx.store)
        finally:
            _refreshing.release()
    threading.Thread(target=refresh, name="leernet-summary", daemon=True).start()


def _read(ctx: Context) -> tuple[summaries.Summary | None, bool]:
    found = summaries.kept(ctx.store)
    return found, found is not None and found.state == summaries.state_of(ctx.store)


def info(summary: summaries.Summary, current: bool) -> SummaryInfo:
    return SummaryInfo(computed=summary.computed, current=current, organisations=summary.organisations,
                       networks=summary.networks, collaborating_pairs=summary.collaborating_pairs)


@router.get("/organisation-pairs", response_model=OrganisationPairPage, tags=["analysis"],
            operation_id="listOrganisationPairs", summary="Which organisations share the most networks")
def organisation_pairs(request: Request, page: int = Query(1, ge=1), pageSize: int = Query(20, ge=1, le=100),
                       ctx: Context = Depends(get_context)):
    """Pairs of organisations (and lectoraten) ranked by the number of public networks both are members of."""
    summary, current = kept_summary(ctx)
    pairs = [p for p in summary.pairs if ctx.privacy.visible(p["a"]) and ctx.privacy.visible(p["b"])]
    pages, window = paging(len(pairs), page, pageSize)
    reader = Reader(ctx)
    shown = pairs[window]
    reader.load_labels({p[k] for p in shown for k in ("a", "b")})
    items = [OrganisationPair(a=reader.ref(p["a"]), b=reader.ref(p["b"]), shared_networks=p["shared"]) for p in shown]
    return respond(request, ctx, OrganisationPairPage(
        links=page_links(ctx, "/organisation-pairs", {"pageSize": pageSize}, page, pages), page=page,
        page_size=pageSize, total_items=len(pairs), total_pages=pages, summary=info(summary, current), items=items))


@router.get("/sector-mixing", response_model=SectorMixing, tags=["analysis"], operation_id="getSectorMixing",
            summary="How sectors mix across all collaborations")
def sector_mixing(request: Request, ctx: Context = Depends(get_context)):
    """For each two sectors (or one sector with itself), the pairs of organisations from them that
    share a network; ``share`` is of all pairs whose sectors are known."""
    summary, current = kept_summary(ctx)
    total = sum(m["pairs"] for m in summary.mixing) or 1
    reader = Reader(ctx)
    reader.load_labels({m[k] for m in summary.mixing for k in ("a", "b")})
    items = [SectorMix(a=reader.ref(m["a"]), b=reader.ref(m["b"]), pairs=m["pairs"], share=round(m["pairs"] / total, 4))
             for m in summary.mixing]
    return respond(request, ctx, SectorMixing(summary=info(summary, current), items=items))
