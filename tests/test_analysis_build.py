"""From the curated knowledge graph to networkx and back: networks, evidence, periods, filters,
privacy, measures, results as linked data, exports, the analysis vocabulary and the worked example
of docs/researchers.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import igraph
import networkx as nx
import pandas
import pyoxigraph as ox
import pytest
from rdflib import Graph

from conftest import BASE, ROOT
from graph.analysis import MEASURES, KnowledgeGraphNetworks, Selection, open_graph, parse_period, run_measure, save_run
from graph.analysis.export import write_network
from graph.analysis.results import run_triples
from graph.errors import InputError, ValidationFailed
from graph.store import EmbeddedStore
from test_ontology import LN, concept_problems, own_term_problems, predicate_problems

HL = BASE + "id/organisatie/hogeschool-leiden"
DHH = BASE + "id/organisatie/de-haagse-hogeschool"
HU = BASE + "id/organisatie/hogeschool-utrecht"
CARDEA = BASE + "id/organisatie/cardea"
CURIUM = BASE + "id/organisatie/curium"
HORIZON = BASE + "id/organisatie/horizon"
FACTSHEET = BASE + "id/bron/factsheet-samen-werken-samen-leren"
CANARY = ROOT / "tests" / "fixtures" / "api" / "privacy-canary.ttl"


@pytest.fixture
def kg(memory_store) -> KnowledgeGraphNetworks:
    return KnowledgeGraphNetworks(memory_store)


def test_two_mode_graph_ties_actors_to_contexts(kg):
    graph = kg.network(projection="two-mode")
    assert nx.is_bipartite(graph)
    modes = nx.get_node_attributes(graph, "bipartite")
    assert modes[HL] == 0 and modes[BASE + "id/netwerk/swsl-curium"] == 1
    edge = graph.edges[HL, BASE + "id/netwerk/swsl-curium"]
    assert edge["relation"] == "member" and edge["role"] == "onderwijspartner"
    assert edge["period"] == "2019-09-01/2020-08-31"
    assert edge["evidence"][0]["sources"] == [FACTSHEET]
    assert edge["evidence"][0]["graphs"] == [BASE + "graph/seed-001-samen-werken-samen-leren"]
    groups = [n for n, d in graph.nodes(data=True) if d["type"] == "rolegroup"]
    assert groups and all(graph.nodes[g]["label"] for g in groups)


def test_organisation_projection_keeps_the_evidence_of_each_tie(kg):
    graph = kg.network()
    tie = graph.edges[HL, CARDEA]
    assert tie["weight"] == 3
    assert tie["contexts"] == [BASE + f"id/netwerk/swsl-cardea-jgt-kwadraad-{i}" for i in (1, 2, 3)]
    assert tie["sources"] == [FACTSHEET] and tie["periods"] == ["2019-09-01/2020-08-31"]
    assert {e["context"] for e in tie["evidence"]} == set(tie["contexts"])
    attrs = graph.nodes[HL]
    assert (attrs["iri"], attrs["label"], attrs["label_en"]) == (HL, "Hogeschool Leiden", "University of Applied Sciences Leiden")
    assert (attrs["sector"], attrs["subsector"], attrs["region"], attrs["role"], attrs["type"]) == \
        ("onderwijs", "hbo", "leiden", "onderwijspartner", "organisation")
    assert all(d["type"] in ("organisation", "lectoraat", "collaboration") for _, d in graph.nodes(data=True))


def test_ties_through_an_umbrella_count_only_as_the_closest_shared_context(kg):
    tie = kg.network().edges[CURIUM, HORIZON]
    assert BASE + "id/netwerk/leerhuis-jeugd" in tie["contexts"]
    assert BASE + "id/programma/samen-werken-samen-leren" not in tie["contexts"]  # it encloses the Leerhuis
    assert BASE + "id/netwerk/leerhuis-jeugd" not in kg.network().edges[HL, CARDEA]["contexts"]
    direct = kg.network(Selection(indirect=False))
    assert not direct.has_edge(CURIUM, HORIZON) and direct.has_edge(HL, CARDEA)


def test_lectoraten_count_for_their_hogeschool_unless_kept_apart(kg):
    merged = kg.network()
    tie = merged.edges[HU, DHH]
    assert tie["contexts"] == [BASE + "id/organisatie/inclu-zie"]
    assert {e["via"] for e in tie["evidence"]} == {BASE + "id/lectoraat/jeugd-hu", BASE + "id/lectoraat/jeugdhulp-in-transformatie-dhh"}
    kept = kg.network(Selection(units="keep"))
    assert not kept.has_edge(HU, DHH)
    assert kept.nodes[BASE + "id/lectoraat/jeugd-hu"]["type"] == "lectoraat"
    assert kept.nodes[BASE + "id/lectoraat/jeugd-hu"]["sector"] == "onderwijs"  # its hogeschool's


def test_a_period_gives_the_network_as_it_was(kg):
    in_2020 = kg.network(kg.selection(period="2020"))
    assert HL in in_2020 and HU not in in_2020  # INCLU-ZIE and the Utrecht alliance have no known period
    assert kg.network(kg.selection(period="2023")).number_of_nodes() == 0
    undated = kg.network(kg.selection(period="2023", include_undated=True))
    assert undated.has_edge(HU, DHH) and CARDEA not in undated


def test_filters_keep_the_matching_contexts(kg):
    themed = kg.network(kg.selection(theme="kindermishandeling"))
    assert themed.has_edge(HL, CARDEA) and HU not in themed
    region = kg.network(kg.selection(region="provincie-utrecht"))
    assert HU in region and HL not in region
    programme = kg.network(kg.selection(programme="samen-werken-samen-leren"))
    assert programme.has_edge(DHH, CURIUM) and HU not in programme
    leerhuis = kg.network(kg.selection(network_type="leerhuis"))
    assert leerhuis.edges[CURIUM, HORIZON]["contexts"] == [BASE + "id/netwerk/leerhuis-jeugd"]


@pytest.mark.parametrize(("text", "expected"), [
    ("2020", ("2020-01-01", "2020-12-31")), ("2020-02", ("2020-02-01", "2020-02-29")),
    ("2019-09-01/2020-08-31", ("2019-09-01", "2020-08-31")), ("2019/..", ("2019-01-01", "9999-12-31")),
    ("../2021", ("0001-01-01", "2021-12-31")),
])
def test_periods_parse(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize(("text", "message"), [("2020-13", "not a date"), ("2021/2020", "ends before"),
                                               ("vorig jaar", "not a period"), ("2021-02-30", "not a date")])
def test_bad_periods_are_refused_with_the_value(text, message):
    with pytest.raises(InputError) as caught:
        parse_period(text)
    assert message in caught.value.message and repr(text) in caught.value.message


def test_unknown_filter_values_are_refused_with_suggestions(kg):
    with pytest.raises(InputError) as caught:
        kg.selection(theme="kindermishandelin")
    assert "theme 'kindermishandelin' does not exist" in caught.value.message
    assert "kindermishandeling" in caught.value.details[0]


def test_only_public_people_and_large_enough_groups_appear(memory_store):
    triples = ox.parse(path=str(CANARY), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    memory_store.replace_graphs({BASE + "graph/test-privacy-canary": list(triples)})
    kg = KnowledgeGraphNetworks(memory_store)
    for projection in ("two-mode", "actors", "networks", "organisations"):
        graph = kg.network(projection=projection)
        text = json.dumps([[n, d] for n, d in graph.nodes(data=True)] + [[a, b, d] for a, b, d in graph.edges(data=True)],
                          default=str)
        for secret in ("p-0badc0ffee", "p-00ddba11ed", "p-5ec4e7cafe", "canary-verborgen", "canary-jongeren",
                       "canary-stagiairs", "Geheime", "Verborgen"):
            assert secret not in text, (projection, secret)
    two_mode = kg.network(projection="two-mode")
    assert BASE + "id/organisatie/canary-open" in two_mode  # the public part is there
    people = [d for _, d in two_mode.nodes(data=True) if d["type"] == "person"]
    assert people and all(p["role"] in ("onderzoeker", "coach", "adviseur") for p in people)
    sizes = {d["size_display"] for _, d in two_mode.nodes(data=True) if d["type"] == "rolegroup"}
    assert "15–25" in sizes and not any(s.startswith("<") for s in sizes)


def test_the_snapshot_fingerprints_the_data_read(memory_store):
    from graph.analysis import snapshot

    first = snapshot(memory_store)
    assert first["digest"].startswith("sha256:") and first["triples"] == sum(first["graphs"].values())
    assert BASE + "graph/meta" not in first["graphs"]
    memory_store.replace_graphs({BASE + "graph/analysis/x": [(BASE + "id/a", BASE + "p", BASE + "id/b")]})
    assert snapshot(memory_store) == first  # earlier results are not input
    memory_store.replace_graphs({BASE + "graph/extra": [(BASE + "id/a", BASE + "p", BASE + "id/b")]})
    assert snapshot(memory_store)["digest"] != first["digest"]


@pytest.mark.parametrize("name", sorted(MEASURES))
def test_every_measure_runs_on_the_curated_graph(kg, name):
    run = run_measure(kg, name)
    assert run.rows, name
    assert all("label" in row and "level" in row for row in run.rows)
    assert run.parameters["measure"] == name and run.snapshot["digest"].startswith("sha256:")


def test_the_hogescholen_in_several_networks_are_boundary_spanners(kg):
    rows = {r["iri"]: r for r in run_measure(kg, "spanners").rows}
    for hogeschool in (HL, DHH, HU):
        assert rows[hogeschool]["brokerage_between_groups"] > 0, hogeschool
    bridging = sorted((r for r in rows.values() if r["brokerage_between_groups"] > 0),
                      key=lambda r: -r["brokerage_between_groups"])
    assert {r["iri"] for r in bridging[:3]} == {HL, DHH, HU}
    assert rows[HL]["networks"] == 9


def test_a_saved_run_is_linked_data_next_to_the_data(memory_store, kg):
    run = run_measure(kg, "ei", kg.selection(period="2020", theme="kindermishandeling"))
    graph = save_run(memory_store, run)
    assert re.fullmatch(BASE + r"graph/analysis/ei-[0-9a-f]{12}", graph)
    ask = memory_store.ask(f"""PREFIX ln: <{BASE}def/leernet#> PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX time: <http://www.w3.org/2006/time#>
        ASK {{ GRAPH <{graph}> {{
          ?run a ln:AnalysisRun, prov:Activity ; ln:measure <{BASE}def/netwerkmaat/ei-index> ; ln:attribute "sector" ;
               ln:filter <{BASE}def/thema/kindermishandeling> ; prov:used <{BASE}graph/seed-001-samen-werken-samen-leren> ;
               ln:snapshotDigest "{run.snapshot['digest']}" ; ln:softwareVersion ?v ; ln:parameters ?p ;
               dcterms:temporal <{BASE}id/periode/2020-01-01--2020-12-31> .
          ?r prov:wasGeneratedBy ?run ; ln:resultFor <{HL}> ; ln:quantity "index" ; ln:value ?value .
          ?g prov:wasGeneratedBy ?run ; ln:group <{BASE}def/sector/jeugdhulp> ; ln:quantity "index" . }}
        <{BASE}id/periode/2020-01-01--2020-12-31> time:hasEnd/time:inXSDDate ?end }}""")
    assert ask
    size = len(memory_store)
    assert save_run(memory_store, run) == graph and len(memory_store) == size  # same parameters: replaced
    assert graph in memory_store.named_graphs()
    assert memory_store.ask(f"ASK {{ GRAPH <{BASE}graph/meta> {{ <{graph}> ?p ?o }} }}")


def test_results_that_break_the_shapes_are_not_written(memory_store, kg):
    run = run_measure(kg, "ei")
    broken = run_triples(run, BASE) + [ox.Triple(ox.NamedNode(BASE + "id/periode/x"),
                                                 ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                                 ox.NamedNode("http://www.w3.org/2006/time#Interval"))]
    from graph.ingest import ingest_graph

    with pytest.raises(ValidationFailed):
        ingest_graph(memory_store, broken, graph_iri=run.graph_iri(BASE), source="test", command="test")
    assert run.graph_iri(BASE) not in memory_store.named_graphs()


def test_graphml_opens_in_networkx_and_igraph_with_all_attributes(kg, tmp_path):
    graph = kg.network()
    [path] = write_network(graph, "graphml", tmp_path / "net.graphml")
    back = nx.read_graphml(path)
    assert back.nodes[HL]["label"] == "Hogeschool Leiden" and back.nodes[HL]["sector"] == "onderwijs"
    assert back.edges[HL, CARDEA]["weight"] == 3
    assert json.loads(back.edges[HL, CARDEA]["evidence"])[0]["sources"] == [FACTSHEET]
    ig = igraph.Graph.Read_GraphML(str(path))
    assert ig.vcount() == graph.number_of_nodes() and ig.ecount() == graph.number_of_edges()
    vertex = ig.vs.find(id=HL)
    for name in ("label", "iri", "sector", "role", "region", "type", "label_en", "subsector"):
        assert vertex[name] == graph.nodes[HL][name], name
    edge = ig.es[ig.get_eid(vertex.index, ig.vs.find(id=CARDEA).index)]
    assert edge["weight"] == 3 and "Kwadraad (1 van 3)" in edge["contexts"] and FACTSHEET in edge["sources"]


def test_gexf_and_csv_open_in_networkx_igraph_and_pandas(kg, tmp_path):
    graph = kg.network(projection="two-mode")
    [gexf] = write_network(graph, "gexf", tmp_path / "net.gexf")
    assert nx.read_gexf(gexf).number_of_nodes() == graph.number_of_nodes()
    nodes, edges = write_network(graph, "csv", tmp_path / "net.csv")
    assert (nodes.name, edges.name) == ("net-nodes.csv", "net-edges.csv")
    node_table, edge_table = pandas.read_csv(nodes), pandas.read_csv(edges)
    assert list(node_table.columns[:2]) == ["Id", "Label"] and list(edge_table.columns[:4]) == ["Source", "Target", "Weight", "Type"]
    ig = igraph.Graph.DataFrame(edge_table, directed=False, vertices=node_table, use_vids=False)
    assert ig.vcount() == graph.number_of_nodes() and ig.ecount() == graph.number_of_edges()
    assert ig.vs.find(name=HL)["sector"] == "onderwijs"
    written = write_network(graph, "csv", tmp_path / "dir")
    assert [p.name for p in written] == ["nodes.csv", "edges.csv"]
    with pytest.raises(InputError):
        write_network(graph, "pajek", tmp_path / "x.net")


def test_the_analysis_vocabulary_is_documented():
    ontology = Graph().parse(ROOT / "ontology" / "leernet.ttl", format="turtle", publicID=BASE)
    analysis = Graph().parse(ROOT / "ontology" / "analysis.ttl", format="turtle", publicID=BASE)
    assert own_term_problems(analysis) == []
    assert predicate_problems(analysis, ontology + analysis) == []
    assert concept_problems(analysis) == []
    for term in ("AnalysisRun", "AnalysisResult", "measure", "resultFor", "quantity", "value", "snapshotDigest"):
        assert (LN[term], None, None) in analysis, term
    concepts = {str(s).rsplit("/", 1)[-1] for s in analysis.subjects() if "/def/netwerkmaat/" in str(s)}
    assert {m.concept for m in MEASURES.values()} <= concepts


@pytest.fixture
def closed_store(settings, curated_quads) -> Path:
    """An on-disk store with the curated data, closed again so that open_graph() can take it."""
    with EmbeddedStore(settings) as store:
        store.oxigraph.extend(curated_quads)
    return settings.store_path


def test_the_worked_example_in_the_researchers_guide_runs(closed_store, tmp_path, monkeypatch, capsys):
    text = (ROOT / "docs" / "researchers.md").read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```python\n(.*?)```", text, re.S))
    assert "open_graph" in code and "kg.measure(" in code
    monkeypatch.setenv("LEERNET_STORE", str(closed_store))
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "docs/researchers.md", "exec"), {})
    out = capsys.readouterr().out
    assert "10 organisations, 45 ties" in out and "Hogeschool Leiden" in out and "saved in" in out
    assert (tmp_path / "leernet.graphml").exists()
    with open_graph(closed_store) as kg:
        assert any(g.startswith(BASE + "graph/analysis/brokerage-") for g in kg.store.named_graphs())


@pytest.mark.parametrize("projection", ["organisations", "actors", "two-mode"])
@pytest.mark.parametrize("radius", [1, 2])
def test_an_ego_network_is_the_ego_graph_of_the_whole_network(kg, projection, radius):
    """ego_network builds only the neighbourhood, from the ties of the actors in it; it must equal
    networkx's ego_graph of the whole network, evidence included, around every actor."""
    networks = kg
    for sel in (Selection(), networks.selection(period="2019/2021")):
        whole = networks.network(sel, projection)
        centres = [n for n in whole if n.startswith((BASE + "id/organisatie/", BASE + "id/lectoraat/"))]
        assert len(centres) >= 5
        for centre in centres:
            expected = nx.ego_graph(whole, centre, radius=radius)
            found = networks.ego_network(centre, radius, sel, projection)
            assert dict(found.nodes(data=True)) == dict(expected.nodes(data=True)), centre
            assert {frozenset(e[:2]): e[2] for e in found.edges(data=True)} == \
                {frozenset(e[:2]): e[2] for e in expected.edges(data=True)}, centre
    assert networks.ego_network(BASE + "id/organisatie/bestaat-niet", 1).number_of_nodes() == 0


def test_the_e_i_index_per_year_from_the_arrays_equals_that_of_the_graph(kg):
    """The dashboard's ties across and within sectors per year come from the array projection; they
    must equal the E-I index of the networkx graph of that year (as the dashboard computed it before)."""
    from graph.analysis import measures as m
    from graph.analysis.measures.ei import ei_of
    from graph.analysis.results import UNKNOWN, _year, ties_of_projection, years_in

    years = years_in(kg, Selection())
    assert len(years) >= 5
    for year in years:
        graph = kg.network(_year(Selection(), year), "organisations")
        net = kg.projection(_year(Selection(), year), "organisations")
        if not graph.number_of_edges():
            assert not net.number_of_edges()
            continue
        expected = m.ei_index(graph, "sector", weight=None, default=UNKNOWN).network
        found = ei_of(ties_of_projection(net), net.values("sector", UNKNOWN), "sector").network
        assert (found.external, found.internal, found.index) == (expected.external, expected.internal, expected.index)
        assert net.number_of_nodes() == graph.number_of_nodes()
