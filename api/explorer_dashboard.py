"""The boundary-crossing dashboard, built on :mod:`graph.analysis` as the analysis endpoints are:
the composition of each network, ties across and within sectors per year, and the boundary
spanners; each chart with one plain sentence and its table (also as CSV)."""

from __future__ import annotations

from api import queries as q
from api.analysis import networks_of, selection_of
from api.entities import Reader
from api.explorer_charts import horizontal_bars, legend, vertical_bars
from api.explorer_map import SECTOR_COLOURS, UNKNOWN_COLOUR
from api.explorer_page import Page
from api.explorer_tables import Link, Table
from api.rest import parse_period
from graph.analysis.measures.ei import ei_of
from graph.analysis.results import UNKNOWN, _year, run_measure, ties_of_projection, years_in
from graph.errors import InputError

EXTRA_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7F3C8D", "#A6761D", "#3969AC",
                 "#E73F74", "#80BA5A", "#11A579"]
ACROSS, WITHIN = "#154273", "#9CC3E6"


def colour_of(group: str, groups: list[str]) -> str:
    if group == UNKNOWN:
        return UNKNOWN_COLOUR
    if group in SECTOR_COLOURS:
        return SECTOR_COLOURS[group]
    return EXTRA_COLOURS[sorted(groups).index(group) % len(EXTRA_COLOURS)] if group in groups else UNKNOWN_COLOUR


def dashboard_page(page: Page):
    ui, params = page.ui, page.request.query_params
    attribute = "subsector" if params.get("groepen") == "subsector" else "sector"
    theme = params.get("thema") if q.SLUG.match(params.get("thema") or "") else None
    period, notices = (params.get("periode") or "").strip() or None, []
    if period:
        try:
            parse_period(period)
        except InputError:
            notices.append(ui("bad_period", value=period))
            period = None
    networks = networks_of(page.ctx)
    selection = selection_of(networks, period, theme, None, None, None)
    reader = Reader(page.ctx)
    group_names = sector_names(page, reader)
    composition = composition_section(page, networks, selection, attribute, group_names)
    over_time = time_section(page, networks, selection, attribute)
    spanners = spanner_section(page, networks, selection, attribute, group_names)
    themes = theme_options(page, reader)
    return page.render("explorer/dashboard.html", title=ui["dash_title"], section="dashboard", attribute=attribute,
                       theme=theme, themes=themes, period=period or "", notices=notices,
                       charts=[composition, over_time, spanners],
                       tables=[c["table"] for c in (composition, over_time, spanners)], csv_name="grensoverschrijding")


def sector_names(page: Page, reader: Reader) -> dict[str, str]:
    """Sector slug -> its name in the page's language ("onbekend" for organisations without one)."""
    iris = [r["s"].value for r in page.ctx.store.select(
        f"SELECT ?s WHERE {{ ?s <http://www.w3.org/2004/02/skos/core#inScheme> <{page.base}def/sector> }}")]
    reader.load_labels(iris)
    names = {iri.rsplit("/", 1)[-1]: page.name(reader.ref(iri)) for iri in iris}
    names[UNKNOWN] = page.ui["unknown"]
    return names


def theme_options(page: Page, reader: Reader) -> list[dict]:
    iris = [r["s"].value for r in page.ctx.store.select(
        f"SELECT DISTINCT ?s WHERE {{ ?n <http://purl.org/dc/terms/subject> ?s . "
        f"?s <http://www.w3.org/2004/02/skos/core#inScheme> <{page.base}def/thema> }}")]
    reader.load_labels(iris)
    options = [{"value": i.rsplit("/", 1)[-1], "label": page.name(reader.ref(i))} for i in iris]
    return sorted(options, key=lambda o: o["label"].casefold())


def composition_section(page: Page, networks, selection, attribute: str, names: dict) -> dict:
    ui = page.ui
    rows = run_measure(networks, "composition", selection, attribute=attribute).rows
    blau = {r["iri"]: r for r in run_measure(networks, "blau", selection, attribute=attribute).rows if r.get("iri")}
    per: dict[str, dict] = {}
    for r in rows:
        if r["type"] in ("network", "collaboration") and page.privacy.visible(r["iri"]):
            entry = per.setdefault(r["iri"], {"label": r["label"], "members": r["members"], "counts": {}})
            entry["counts"][r["group"]] = entry["counts"].get(r["group"], 0) + r["count"]
    ordered = sorted(per.items(), key=lambda x: (-len(x[1]["counts"]), -x[1]["members"], x[1]["label"]))
    groups = sorted({g for _, e in ordered for g in e["counts"]})
    table = Table("samenstelling", ui["composition"], [
        ("network", ui["col_network"]), ("members", ui["col_members"]), ("groups", ui["col_groups"]),
        ("composition", ui["col_composition"]), ("blau", ui["col_blau"])], [
        {"network": Link(e["label"], page.local(iri), iri), "members": e["members"], "groups": len(e["counts"]),
         "composition": ", ".join(f"{names.get(g, g)} {int(n)}" for g, n in sorted(e["counts"].items(), key=lambda x: (-x[1], x[0]))),
         "blau": round(blau[iri]["blau"], 2) if iri in blau and blau[iri].get("blau") is not None else None}
        for iri, e in ordered])
    shown = ordered[:20]
    chart_rows = [(e["label"], [(names.get(g, g), n, colour_of(g, groups)) for g, n in sorted(e["counts"].items())])
                  for _, e in shown]
    sentence = ui("composition_sentence", name=shown[0][1]["label"], n=len(shown[0][1]["counts"])) if shown else ui["no_data"]
    return {"id": "samenstelling", "title": ui["composition"], "sentence": sentence, "table": table,
            "svg": horizontal_bars("grafiek-samenstelling", ui["composition"], sentence, chart_rows, ui["axis_orgs"])
            if shown else None,
            "legend": legend([(names.get(g, g), colour_of(g, groups)) for g in groups])}


def time_section(page: Page, networks, selection, attribute: str) -> dict:
    ui = page.ui
    points = []
    for year in years_in(networks, selection):
        net = networks.projection(_year(selection, year), "organisations")  # arrays, no evidence needed
        if net.number_of_edges():
            score = ei_of(ties_of_projection(net), net.values(attribute, UNKNOWN), attribute).network
            points.append((year, int(score.external), int(score.internal), score.index, net.number_of_nodes()))
    table = Table("over-de-grens", ui["over_time"], [
        ("year", ui["col_year"]), ("across", ui["col_across"]), ("within", ui["col_within"]), ("ei", ui["col_ei"]),
        ("orgs", ui["col_orgs"])],
        [{"year": y, "across": a, "within": w, "ei": round(i, 2) if i is not None else None, "orgs": n}
         for y, a, w, i, n in points])
    sentence = ui["over_time_sentence"]
    if points and points[-1][1] + points[-1][2]:
        year, across, within = points[-1][:3]
        sentence += " " + ui("over_time_last", year=year, share=round(100 * across / (across + within)), ties=across + within)
    columns = [(str(y), [(ui["across"], a, ACROSS), (ui["within"], w, WITHIN)]) for y, a, w, _, _ in points]
    return {"id": "over-de-grens", "title": ui["over_time"], "sentence": sentence, "table": table,
            "svg": vertical_bars("grafiek-tijd", ui["over_time"], sentence, columns, ui["axis_ties"]) if points else None,
            "legend": legend([(ui["across"], ACROSS), (ui["within"], WITHIN)])}


def spanner_section(page: Page, networks, selection, attribute: str, names: dict) -> dict:
    ui = page.ui
    rows = [r for r in run_measure(networks, "spanners", selection, attribute=attribute).rows
            if page.privacy.visible(r["iri"])]
    groups = sorted({r["group"] for r in rows})
    table = Table("grensoverschrijders", ui["spanners"], [
        ("rank", ui["col_rank"]), ("org", ui["col_name"]), ("group", ui["col_sector"]), ("reached", ui["col_reached"]),
        ("pairs", ui["col_brokerage"]), ("networks", ui["col_networks"])],
        [{"rank": r["rank"], "org": Link(r["label"], page.local(r["iri"]), r["iri"]), "group": names.get(r["group"], r["group"]),
          "reached": ", ".join(names.get(g, g) for g in str(r["groups"] or "").split("; ") if g) or None,
          "pairs": r["brokerage_between_groups"], "networks": r["networks"]} for r in rows])
    brokers = sorted((r for r in rows if r["brokerage_between_groups"] > 0),
                     key=lambda r: (-r["brokerage_between_groups"], -r["networks"], r["label"]))[:10]
    chart_rows = [(r["label"], [(names.get(r["group"], r["group"]), r["brokerage_between_groups"], colour_of(r["group"], groups))])
                  for r in brokers]
    sentence = ui["spanners_sentence"]
    if brokers:
        sentence += " " + ui("spanners_top", name=brokers[0]["label"], n=brokers[0]["brokerage_between_groups"])
    return {"id": "grensoverschrijders", "title": ui["spanners"], "sentence": sentence, "table": table,
            "svg": horizontal_bars("grafiek-grensoverschrijders", ui["spanners"], sentence, chart_rows, ui["axis_pairs"])
            if brokers else None,
            "legend": legend([(names.get(g, g), colour_of(g, groups)) for g in sorted({r["group"] for r in brokers})])}
