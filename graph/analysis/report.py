"""The HTML report for policymakers: four figures (composition per network, E-I over time, the
organisations that connect sectors, the network map), each explained in one plain Dutch sentence
with English alongside, embedded as PNG with alt texts in one self-contained file."""

from __future__ import annotations

import base64
import html
import io
import os
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402

from graph.analysis.measures.ei import ei_of  # noqa: E402
from graph.analysis.results import UNKNOWN, members_by_context, run_measure, ties_of_projection, years_in  # noqa: E402

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#7F3C8D", "#11A579",
           "#3969AC", "#E73F74", "#80BA5A"]
GREY = "#9E9E9E"
MAP_NODES = 400  # the map draws at most this many organisations (those with the most ties)


def write_report(kg, path: Path, attribute: str = "sector", **options) -> Path:
    """Build the report for a selection (period, theme, region, programme, network_type, ...) and write it."""
    page = build_report(kg, attribute=attribute, **options)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, path)
    return path


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def _short(text: str, width: int = 42, lines: int = 2) -> str:
    wrapped = textwrap.wrap(text, width)
    return "\n".join(wrapped[:lines]) + ("…" if len(wrapped) > lines else "")


class Colours:
    """One colour per group, the same in every figure."""

    def __init__(self, groups):
        known = sorted(g for g in set(groups) if g != UNKNOWN)
        self.map = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(known)}
        self.map[UNKNOWN] = GREY

    def __call__(self, group) -> str:
        return self.map.get(group, GREY)


def build_report(kg, attribute: str = "sector", **options) -> str:
    """The report as an HTML string."""
    networks = kg.networks
    selection = kg.selection(**options)
    net = networks.projection(selection, "organisations")
    graph = nx.Graph()  # the organisations with their attributes; the ties stay in the arrays of ``net``
    graph.add_nodes_from(zip(net.nodes, (dict(a) for a in net.attributes)))
    label_of = {}
    for node, data in graph.nodes(data=True):
        label_of[data.get(attribute, UNKNOWN)] = data.get(f"{attribute}_label", data.get(attribute, UNKNOWN))
    label_of.setdefault(UNKNOWN, "onbekend / unknown")
    colours = Colours(label_of)
    spanners = run_measure(networks, "spanners", selection, attribute=attribute, progress=kg.progress)
    brokers = sorted((r for r in spanners.rows if r["brokerage_between_groups"] > 0),
                     key=lambda r: (-r["brokerage_between_groups"], -r["networks"], r["label"]))[:10]
    sections = [
        _composition_figure(networks, selection, graph, attribute, colours, label_of),
        _ei_figure(networks, selection, attribute),
        _brokers_figure(brokers, graph, attribute, colours, label_of),
        _map_figure(_map_graph(net), attribute, colours, label_of, net),
    ]
    return _page(kg, selection, net, attribute, brokers, spanners, sections)


def _map_graph(net) -> nx.Graph:
    """The network the map draws: all of it, or the MAP_NODES organisations with the most ties."""
    if net.number_of_nodes() <= MAP_NODES:
        return net.to_networkx()
    degree = net.degree()
    keep = np.zeros(net.number_of_nodes(), dtype=bool)
    keep[np.argsort(-degree, kind="stable")[:MAP_NODES]] = True
    inside = keep[net.source] & keep[net.target]
    graph = nx.Graph()
    graph.add_nodes_from((net.nodes[i], dict(net.attributes[i])) for i in np.flatnonzero(keep).tolist())
    graph.add_edges_from((net.nodes[u], net.nodes[v], {"weight": w}) for u, v, w in
                         zip(net.source[inside].tolist(), net.target[inside].tolist(), net.weight[inside].tolist()))
    return graph


def _figure(title_nl: str, title_en: str, nl: str, en: str, figure=None, alt: str = "", empty: str = "") -> str:
    body = (f'<img src="data:image/png;base64,{_png(figure)}" alt="{html.escape(alt)}">' if figure is not None
            else f'<p class="empty">{html.escape(empty)}</p>')
    return (f'<section class="figure"><h2>{html.escape(title_nl)} <span class="en">/ {html.escape(title_en)}</span></h2>'
            f'<p class="explain">{html.escape(nl)}</p><p class="explain en">{html.escape(en)}</p>{body}</section>')


def _composition_figure(networks, selection, graph, attribute, colours, label_of) -> str:
    members = members_by_context(networks, selection, "organisations")
    rows = []
    for context, actors in members.items():
        if networks.kind.get(context) in ("network", "collaboration") and actors:
            counts: dict = {}
            for actor in actors:
                group = graph.nodes[actor].get(attribute, UNKNOWN) if actor in graph else UNKNOWN
                counts[group] = counts.get(group, 0) + 1
            rows.append((networks.label(context), counts))
    rows.sort(key=lambda r: (-sum(r[1].values()), r[0]))
    rows = rows[:20]
    title = ("Wie doet mee in elk netwerk", "Who takes part in each network")
    nl = "Elke balk is een netwerk; de kleuren laten zien uit welke sector de deelnemende organisaties komen."
    en = "Each bar is a network; the colours show which sector the participating organisations come from."
    if not rows:
        return _figure(*title, nl, en, empty="Geen netwerken met deelnemende organisaties in deze selectie. / "
                       "No networks with participating organisations in this selection.")
    groups = sorted({g for _, counts in rows for g in counts}, key=lambda g: (g == UNKNOWN, str(label_of.get(g, g))))
    figure, axes = plt.subplots(figsize=(9, 0.5 * len(rows) + 1.6))
    left = [0] * len(rows)
    for group in groups:
        values = [counts.get(group, 0) for _, counts in rows]
        axes.barh(range(len(rows)), values, left=left, color=colours(group), label=label_of.get(group, group))
        left = [a + b for a, b in zip(left, values)]
    axes.set_yticks(range(len(rows)), [_short(name, 55) for name, _ in rows], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("aantal organisaties / number of organisations")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend(title="sector", loc="lower right", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    mixed = max(rows, key=lambda r: (len(r[1]), sum(r[1].values())))
    alt = (f"Gestapeld staafdiagram van {len(rows)} netwerken naar sector van de deelnemende organisaties. "
           f"Het meest gemengd is {mixed[0]}, met organisaties uit {len(mixed[1])} sector(en).")
    return _figure(*title, nl, en, figure, alt)


def _ei_figure(networks, selection, attribute) -> str:
    points = []
    for year in years_in(networks, selection):
        net = networks.projection(_within_year(selection, year), "organisations")
        if net.number_of_edges():
            result = ei_of(ties_of_projection(net), net.values(attribute, UNKNOWN), attribute)
            points.append((year, result.network.index, result.network.expected, net.number_of_nodes()))
    title = ("Samenwerking over de grens, per jaar", "Collaboration across boundaries, per year")
    nl = ("De lijn laat per jaar zien of organisaties vooral samenwerken met organisaties uit een andere sector "
          "(boven nul) of uit hun eigen sector (onder nul), voor de samenwerking waarvan de periode bekend is.")
    en = ("The line shows per year whether organisations mostly work with organisations from another sector "
          "(above zero) or from their own sector (below zero), for the collaboration whose period is known.")
    if not points:
        return _figure(*title, nl, en, empty="Geen samenwerking met een bekende periode in deze selectie. / "
                       "No collaboration with a known period in this selection.")
    figure, axes = plt.subplots(figsize=(8, 3.8))
    years = [p[0] for p in points]
    axes.axhline(0, color="#555555", linewidth=0.8)
    axes.plot(years, [p[2] for p in points], linestyle=(0, (4, 3)), color=GREY, linewidth=4,
              label="bij toeval verwacht / expected by chance")
    axes.plot(years, [p[1] for p in points], color=PALETTE[0], marker="o", linewidth=1.8, label="gemeten (E-I-index) / measured")
    for year, value, _, size in points:
        axes.annotate(f"{size} org.", (year, value), textcoords="offset points", xytext=(0, 8), ha="center", fontsize=7)
    axes.set_ylim(-1.05, 1.05)
    axes.set_xticks(years, [str(y) for y in years])
    axes.set_xlim(min(years) - 0.6, max(years) + 0.6)
    axes.text(0.01, 0.97, "meer over de grens / more across", transform=axes.transAxes, fontsize=8, va="top", color="#333333")
    axes.text(0.01, 0.03, "meer binnen de eigen sector / more within", transform=axes.transAxes, fontsize=8, color="#333333")
    axes.legend(loc="upper right", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    first, last = points[0], points[-1]
    alt = (f"Lijndiagram van de E-I-index per jaar van {first[0]} tot {last[0]}: van {first[1]:+.2f} naar {last[1]:+.2f} "
           f"(bij toeval verwacht {last[2]:+.2f}).")
    return _figure(*title, nl, en, figure, alt)


def _within_year(selection, year):
    from graph.analysis.build import Selection

    return Selection(**{**selection.__dict__, "start": f"{year}-01-01", "end": f"{year}-12-31"})


def _brokers_figure(brokers, graph, attribute, colours, label_of) -> str:
    title = ("Organisaties die sectoren verbinden", "Organisations that connect sectors")
    nl = ("Deze organisaties verbinden het vaakst partners uit verschillende sectoren die onderling geen directe band "
          "hebben; het getal achter de balk is het aantal netwerken waarin zij meedoen.")
    en = ("These organisations most often connect partners from different sectors who have no direct tie to each "
          "other; the number after the bar is how many networks they take part in.")
    if not brokers:
        return _figure(*title, nl, en, empty="Geen organisatie verbindt hier verschillende sectoren. / "
                       "No organisation connects different sectors here.")
    figure, axes = plt.subplots(figsize=(8, 0.45 * len(brokers) + 1.4))
    values = [b["brokerage_between_groups"] for b in brokers]
    axes.barh(range(len(brokers)), values, color=[colours(graph.nodes[b["iri"]].get(attribute, UNKNOWN)) for b in brokers])
    for i, b in enumerate(brokers):
        axes.text(values[i], i, f"  {b['networks']} netw.", va="center", fontsize=8)
    axes.set_yticks(range(len(brokers)), [_short(b["label"], 40) for b in brokers], fontsize=9)
    axes.invert_yaxis()
    axes.set_xlabel("verbonden paren over de sectorgrens / pairs connected across the sector boundary")
    axes.set_xlim(0, max(values) * 1.2)
    axes.spines[["top", "right"]].set_visible(False)
    alt = ("Staafdiagram van de organisaties die het vaakst sectoren verbinden: "
           + "; ".join(f"{b['label']} ({b['brokerage_between_groups']} paren, {b['networks']} netwerken)" for b in brokers[:5]) + ".")
    return _figure(*title, nl, en, figure, alt)


def _map_figure(graph, attribute, colours, label_of, net) -> str:
    title = ("De kaart van het netwerk", "The map of the network")
    nl = ("Elke stip is een organisatie, gekleurd naar sector; een lijn betekent dat twee organisaties samen in een "
          "netwerk, programma of project zitten, en hoe dikker de lijn, hoe vaker.")
    en = ("Each dot is an organisation, coloured by sector; a line means two organisations share a network, programme "
          "or project, and the thicker the line, the more often.")
    if graph.number_of_nodes() < net.number_of_nodes():
        nl += (f" De kaart toont de {graph.number_of_nodes()} organisaties met de meeste banden, van de "
               f"{net.number_of_nodes()}.")
        en += f" The map shows the {graph.number_of_nodes()} organisations with the most ties, of {net.number_of_nodes()}."
    if graph.number_of_nodes() == 0:
        return _figure(*title, nl, en, empty="Geen organisaties in deze selectie. / No organisations in this selection.")
    figure, axes = plt.subplots(figsize=(10, 7.5))
    layout = map_layout(graph)
    weights = [graph.edges[e].get("weight", 1) for e in graph.edges]
    nx.draw_networkx_edges(graph, layout, ax=axes, width=[0.6 + 0.8 * w for w in weights], edge_color="#BBBBBB")
    groups = [graph.nodes[n].get(attribute, UNKNOWN) for n in graph]
    nx.draw_networkx_nodes(graph, layout, ax=axes, node_color=[colours(g) for g in groups],
                           node_size=[120 + 45 * graph.degree(n) for n in graph], edgecolors="white")
    shown = sorted(graph, key=lambda n: -graph.degree(n))[:40]
    below = {n: (x, y - 0.03) for n, (x, y) in layout.items()}
    nx.draw_networkx_labels(graph, below, ax=axes, labels={n: _short(graph.nodes[n].get("label", n), 18, 3) for n in shown},
                            font_size=8, verticalalignment="top",
                            bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 0.3})
    for group in sorted(set(groups), key=lambda g: (g == UNKNOWN, str(label_of.get(g, g)))):
        axes.scatter([], [], color=colours(group), label=label_of.get(group, group), s=60)
    axes.legend(title="sector", loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9, frameon=False)
    axes.set_axis_off()
    central = max(graph, key=lambda n: graph.degree(n))
    shown_of = f" (de {graph.number_of_nodes()} met de meeste banden, van {net.number_of_nodes()})" \
        if graph.number_of_nodes() < net.number_of_nodes() else ""
    alt = (f"Netwerkkaart van {graph.number_of_nodes()} organisaties{shown_of} en {graph.number_of_edges()} banden, gekleurd naar "
           f"sector; de meeste banden heeft {graph.nodes[central].get('label', central)} ({graph.degree(central)}).")
    return _figure(*title, nl, en, figure, alt)


def map_layout(graph: nx.Graph) -> dict:
    """Positions for the map: the largest connected part fills the left, smaller parts and loose
    organisations are stacked on the right, so that nothing squeezes the main picture."""
    parts = sorted(nx.connected_components(graph), key=lambda c: (-len(c), sorted(c)))
    layout: dict = {}
    main, rest = parts[0], parts[1:]
    boxes = [(0.0, 0.0, 0.74 if rest else 1.0, 1.0)]
    if rest:
        height = 1.0 / len(rest)
        boxes += [(0.8, 1.0 - (i + 1) * height, 1.0, 1.0 - i * height) for i in range(len(rest))]
    for part, (x0, y0, x1, y1) in zip([main, *rest], boxes):
        sub = graph.subgraph(part)
        if len(part) == 1:
            positions = {next(iter(part)): (0.5, 0.5)}
        else:
            positions = nx.spring_layout(sub, seed=7, weight=None, k=2.5 / len(part) ** 0.5, iterations=300)
        xs, ys = [p[0] for p in positions.values()], [p[1] for p in positions.values()]
        spread_x, spread_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
        pad_x, pad_y = (x1 - x0) * 0.12, (y1 - y0) * 0.12
        for node, (x, y) in positions.items():
            nx_ = 0.5 if len(part) == 1 else (x - min(xs)) / spread_x
            ny_ = 0.5 if len(part) == 1 else (y - min(ys)) / spread_y
            layout[node] = (x0 + pad_x + nx_ * (x1 - x0 - 2 * pad_x), y0 + pad_y + ny_ * (y1 - y0 - 2 * pad_y))
    return layout


def _approximation(text: str | None) -> str:
    """The sentence saying which numbers are estimates ("" when all are exact)."""
    if not text:
        return ""
    return ("Dit netwerk is zo groot dat sommige getallen geschat zijn in plaats van precies geteld / this network is so "
            f"large that some numbers are estimated rather than counted exactly: {html.escape(text)}.")


def _page(kg, selection, net, attribute, brokers, spanners, sections) -> str:
    base = kg.store.settings.base_iri
    findings = []
    if brokers:
        names = ", ".join(b["label"] for b in brokers[:3])
        findings.append((f"De organisaties die het vaakst grenzen tussen sectoren overbruggen: {names}.",
                         f"The organisations that most often bridge sector boundaries: {names}."))
    if net.number_of_edges():
        ei = ei_of(ties_of_projection(net), net.values(attribute, UNKNOWN), attribute).network
        direction = "meer over de grens dan binnen de eigen sector" if ei.index > 0 else (
            "meer binnen de eigen sector dan over de grens" if ei.index < 0 else "evenveel over de grens als binnen de eigen sector")
        direction_en = "more across boundaries than within" if ei.index > 0 else (
            "more within their own sector than across" if ei.index < 0 else "as much across boundaries as within")
        findings.append((f"{net.number_of_nodes()} organisaties met {net.number_of_edges()} banden; zij werken {direction} "
                         f"(E-I-index {ei.index:+.2f}).",
                         f"{net.number_of_nodes()} organisations with {net.number_of_edges()} ties; they work {direction_en} "
                         f"(E-I index {ei.index:+.2f})."))
    items = "".join(f'<li>{html.escape(nl)}<br><span class="en">{html.escape(en)}</span></li>' for nl, en in findings)
    names = {data.get(attribute): data.get(f"{attribute}_label", data.get(attribute)) for data in net.attributes}
    table = "".join(
        f"<tr><td><a href=\"{html.escape(b['iri'])}\">{html.escape(b['label'])}</a></td>"
        f"<td>{html.escape(str(names.get(b['group'], b['group'])))}</td><td>{b['networks']}</td>"
        f"<td>{html.escape(', '.join(str(names.get(g, g)) for g in b['groups'].split('; ')))}</td></tr>" for b in brokers)
    scope = selection.period_label or "alle jaren / all years"
    filters = ", ".join(f'<a href="{html.escape(v)}">{html.escape(kg.networks.label(v))}</a>'
                        for v in (selection.theme, selection.region, selection.programme, selection.network_type) if v) or "geen / none"
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Samenwerking over grenzen in leernetwerken — leernet</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; line-height: 1.5; }}
h1 {{ font-size: 1.7rem; margin-bottom: .2rem; }} h2 {{ font-size: 1.25rem; margin-top: 2.5rem; }}
.en {{ color: #555; font-style: italic; }} h2 .en {{ font-weight: normal; }}
.explain {{ margin: .2rem 0; }} img {{ max-width: 100%; height: auto; margin-top: .8rem; }}
.findings {{ background: #eef5fb; border-left: 4px solid #0072B2; padding: .6rem 1rem; }}
table {{ border-collapse: collapse; width: 100%; font-size: .95rem; }} th, td {{ text-align: left; padding: .3rem .5rem;
border-bottom: 1px solid #ddd; vertical-align: top; }} footer {{ margin-top: 3rem; font-size: .85rem; color: #555; }}
.empty {{ color: #555; }}
</style></head><body>
<h1>Samenwerking over grenzen in leernetwerken</h1>
<p class="en">Collaboration across boundaries in learning networks</p>
<p>Periode / period: <strong>{html.escape(scope)}</strong> · filters: {filters}</p>
<section class="findings"><h2 style="margin-top:.3rem">In het kort <span class="en">/ In brief</span></h2><ul>{items}</ul></section>
{''.join(sections)}
<section><h2>Wie verbindt wat <span class="en">/ Who connects what</span></h2>
<p class="explain">De tabel noemt per organisatie uit de figuur hierboven met welke sectoren zij verbonden is en in hoeveel netwerken zij meedoet.</p>
<p class="explain en">The table lists, for each organisation in the figure above, which sectors it connects with and how many networks it takes part in.</p>
<table><thead><tr><th>organisatie / organisation</th><th>sector</th><th>netwerken / networks</th><th>verbonden met / connects with</th></tr></thead>
<tbody>{table}</tbody></table></section>
<footer><p>Gemaakt met / made with {html.escape(spanners.version)} op / on {made}, uit de kennisgraaf / from the knowledge graph
<a href="{html.escape(base)}">{html.escape(base)}</a>. Momentopname / snapshot: {html.escape(spanners.snapshot['digest'][:23])}…
({spanners.snapshot['triples']} triples). Banden via een overkoepelend netwerk of programma tellen
{'mee' if selection.indirect else 'niet mee'}; lectoraten tellen {'voor hun hogeschool' if selection.units == 'merge' else 'apart'}.
Personen staan er alleen in met een openbare rol; kleine groepen (minder dan {kg.store.settings.min_public_count}) zijn weggelaten.
{_approximation(spanners.approximation)}
Uitleg van de maten / the measures explained: <a href="{html.escape(base)}def/netwerkmaat">{html.escape(base)}def/netwerkmaat</a>.</p></footer>
</body></html>
"""
