"""What a thing is, in a few plain sentences with links, built from its REST detail model.

Each builder returns ``(sentences, actions)``: sentences as lists of text and links (see
:meth:`api.explorer_page.Page.rich`), actions as links to the views that answer the next question.
"""

from __future__ import annotations

from api.explorer_page import Page
from api.explorer_tables import Link


def _links(page: Page, refs) -> list[Link]:
    return [page.link(r) for r in refs if r is not None]


def _lower(links: list[Link]) -> list[Link]:
    """Concept names inside a sentence start in lower case ("een leerhuis"), acronyms stay as they are."""
    return [Link(l.text[0].lower() + l.text[1:], l.href, l.iri, l.lang)
            if len(l.text) > 1 and l.text[1].islower() else l for l in links]


def organisation(page: Page, d) -> tuple[list, list]:
    ui, name = page.ui, page.name(d)
    template, values = ui["s_org"], {"name": name}
    if d.sectors:
        template += ui["s_org_sector"]
        values["sectors"] = _links(page, d.sectors)
    if d.organisation_types:
        template += ui["s_org_types"]
        values["types"] = _links(page, d.organisation_types)
    if d.locations:
        template += ui["s_located"]
        values["places"] = _links(page, d.locations)
    sentences = [page.rich(template + ".", **values)]
    contexts = {m.organization.iri for m in d.memberships}
    if contexts:
        from api.explorer_entity import collaborators  # the same REST answer as the partners table
        partners = collaborators(page, d.id).total_items
        sentences.append(page.rich(ui.plural("s_takes_part", len(contexts), name=name, m=partners)))
    for field, key, label in (("parent_organisations", "s_parent", "parents"), ("units", "s_units", "units"),
                              ("funds", "s_funds", "items")):
        refs = getattr(d, field)
        if refs:
            sentences.append(page.rich(ui[key], **{label: _links(page, refs)}))
    actions = [Link(ui("see_map", name=name), page.url(f"samenwerking/organisatie/{d.id}"))] if contexts else []
    return sentences, actions


def network(page: Page, d) -> tuple[list, list]:
    ui, name = page.ui, page.name(d)
    types = _lower(_links(page, d.network_types)) or [page.ui["kind_networks"].lower()]
    template, values = ui["s_network"], {"name": name, "types": types}
    start = d.period.start if d.period else d.founding_date
    end = d.period.end if d.period else d.dissolution_date
    if start and end:
        template += ui["s_network_period"]
        values.update(start=page.date(start), end=page.date(end))
    elif start:
        template += ui["s_network_since"]
        values["start"] = page.date(start)
    sentences = [page.rich(template + ".", **values)]
    for field, key, label in (("themes", "s_network_themes", "themes"), ("regions", "s_network_regions", "regions"),
                              ("programmes", "s_network_programme", "programmes"),
                              ("funders", "s_network_funders", "funders")):
        refs = getattr(d, field)
        if refs:
            sentences.append(page.rich(ui[key], **{label: _lower(_links(page, refs)) if field == "themes" else _links(page, refs)}))
    if d.parent_network:
        sentences.append(page.rich(ui["s_network_parent"], parent=page.link(d.parent_network)))
    members = {m.member.iri for m in d.members}
    if members:
        sentences.append(page.rich(ui.plural("s_network_members", len(members))))
    if d.min_participants or d.max_participants:
        sentences.append(page.rich(ui["s_network_size"], low=d.min_participants or "?", high=d.max_participants or "?"))
    actions = [Link(ui("see_theme_map", name=page.name(t).lower()), page.url(f"samenwerking/thema/{t.id}")) for t in d.themes[:2]]
    return sentences, actions


def programme(page: Page, d) -> tuple[list, list]:
    ui, name = page.ui, page.name(d)
    template, values = ui["s_programme"], {"name": name}
    if d.funders:
        template += ui["s_programme_funders"]
        values["funders"] = _links(page, d.funders)
    if d.period and d.period.start:
        template += " (" + page.period(d.period) + ")"
    sentences = [page.rich(template + ".", **values)]
    funded = {r.iri for r in d.funded} | {r.iri for r in d.networks}
    if funded:
        sentences.append(page.rich(ui.plural("s_programme_funds", len(funded))))
    if d.themes:
        sentences.append(page.rich(ui["s_themes"], themes=_links(page, d.themes)))
    return sentences, []


def lectoraat(page: Page, d) -> tuple[list, list]:
    ui, name = page.ui, page.name(d)
    template, values = ui["s_lectoraat"], {"name": name}
    if d.hogeschool:
        template += ui["s_lectoraat_of"]
        values["school"] = page.link(d.hogeschool)
    sentences = [page.rich(template + ".", **values)]
    if d.heads:
        sentences.append(page.rich(ui["s_heads"], heads=_links(page, d.heads)))
    if d.themes:
        sentences.append(page.rich(ui["s_themes"], themes=_links(page, d.themes)))
    actions = [Link(ui("see_map", name=page.name(d.hogeschool)), page.url(f"samenwerking/organisatie/{d.hogeschool.id}"))] \
        if d.hogeschool else []
    return sentences, actions


def person(page: Page, d) -> tuple[list, list]:
    ui, name = page.ui, page.name(d)
    sentences = [page.rich(ui["s_person"], name=name, roles=_links(page, d.public_roles) or ["?"])]
    if d.job_title:
        sentences.append(page.rich(ui["s_person_job"], job=d.job_title))
    if d.affiliations:
        sentences.append(page.rich(ui["s_person_affiliation"], orgs=_links(page, d.affiliations)))
    if d.heads_of:
        sentences.append(page.rich(ui["s_person_heads"], things=_links(page, d.heads_of)))
    return sentences, []


def theme(page: Page, d) -> tuple[list, list]:
    ui, name = page.ui, page.name(d)
    template, values = ui["s_theme"], {"name": name}
    if d.broader:
        template += ui["s_theme_broader"]
        values["broader"] = _links(page, d.broader)
    sentences = [page.rich(template + ".", **values)]
    if d.narrower:
        sentences.append(page.rich(ui["s_theme_narrower"], narrower=_links(page, d.narrower)))
    actions = [Link(ui("see_theme_map", name=name), page.url(f"samenwerking/thema/{d.id}")),
               Link(ui("q_theme_networks", name=name), page.url("zoeken", soort="netwerken", thema=d.id))]
    return sentences, actions


def event(page: Page, d) -> tuple[list, list]:
    ui = page.ui
    template, values = ui["s_event"], {"name": page.name(d)}
    if d.start_date:
        template += ui["s_event_date"]
        values["date"] = page.date(d.start_date)
    if d.organizers:
        template += ui["s_event_by"]
        values["orgs"] = _links(page, d.organizers)
    sentences = [page.rich(template + ".", **values)]
    if d.themes:
        sentences.append(page.rich(ui["s_themes"], themes=_links(page, d.themes)))
    if d.attendee_count_display:
        sentences.append(page.rich(ui["s_event_count"], n=d.attendee_count_display))
    return sentences, []


def product(page: Page, d) -> tuple[list, list]:
    ui = page.ui
    template, values = ui["s_product"], {"name": page.name(d)}
    makers = _links(page, d.creators + d.authors)
    if makers:
        template += ui["s_product_by"]
        values["makers"] = list(dict.fromkeys(makers))
    if d.date_published:
        template += f" ({d.date_published})"
    sentences = [page.rich(template + ".", **values)]
    if d.about:
        sentences.append(page.rich(ui["s_product_about"], about=_links(page, d.about)))
    return sentences, []


def region(page: Page, d) -> tuple[list, list]:
    ui = page.ui
    template, values = ui["s_region"], {"name": page.name(d)}
    if d.contained_in:
        template += ui["s_region_in"]
        values["places"] = _links(page, d.contained_in)
    sentences = [page.rich(template + ".", **values)]
    if d.organisations:
        sentences.append(page.rich(ui["s_region_orgs"], orgs=_links(page, d.organisations)))
    return sentences, []


def generic_sentences(page: Page, name: str, kind: str) -> tuple[list, list]:
    """One sentence for things without a REST kind (projects, sources, memberships, concepts)."""
    return [page.rich(page.ui["s_generic"], name=name, kind=kind.lower())], []


SENTENCES = {"organisations": organisation, "networks": network, "programmes": programme, "lectoraten": lectoraat,
             "people": person, "themes": theme, "events": event, "products": product, "regions": region}
