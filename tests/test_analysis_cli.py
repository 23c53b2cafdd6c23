"""The researcher's commands, run as the real ``leernet`` on an initialised on-disk store:
``analyse``, ``export-network`` and ``report``."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from html.parser import HTMLParser

import igraph
import networkx as nx
import pytest

from conftest import BASE

HOGESCHOLEN = ("Hogeschool Leiden", "De Haagse Hogeschool", "Hogeschool Utrecht")
HL = BASE + "id/organisatie/hogeschool-leiden"


@pytest.mark.parametrize("command", ["analyse", "export-network", "report"])
def test_help_explains_with_examples(run_cli, command):
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout and f"leernet {command}" in result.stdout


def test_spanners_name_the_hogescholen_in_several_networks(run_cli, cli_store):
    result = run_cli("analyse", "spanners", "--format", "json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["measure"] == "spanners" and body["concept"] == BASE + "def/netwerkmaat/grensoverschrijders"
    assert body["parameters"]["attribute"] == "sector" and body["snapshot"].startswith("sha256:")
    bridging = [r for r in body["rows"] if r["brokerage_between_groups"] > 0]
    assert {r["label"] for r in bridging} >= set(HOGESCHOLEN)
    leiden = next(r for r in body["rows"] if r["iri"] == HL)
    assert leiden["networks"] == 9 and "jeugdhulp" in leiden["groups"]


def test_table_and_csv_output(run_cli, cli_store):
    table = run_cli("analyse", "ei", "--period", "2019-09-01/2020-08-31")
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split()[:2] == ["level", "label"]
    assert "Hogeschool Leiden" in table.stdout and re.search(r"\(\d+ rows\)", table.stdout)
    result = run_cli("analyse", "betweenness", "--format", "csv", "--top", "3")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 3 and rows[0]["label"] == "Hogeschool Utrecht" and rows[0]["iri"].startswith(BASE)
    assert float(rows[0]["betweenness"]) > float(rows[2]["betweenness"])


def test_save_writes_the_result_as_linked_data(run_cli, cli_store):
    result = run_cli("analyse", "brokerage", "--theme", "kindermishandeling", "--direct-only", "--save")
    assert result.returncode == 0, result.stderr
    graph = re.search(r"saved as linked data in <([^>]+)>", result.stderr).group(1)
    assert re.fullmatch(BASE + r"graph/analysis/brokerage-[0-9a-f]{12}", graph)
    query = run_cli("query", "--format", "json",
                    f"SELECT ?v WHERE {{ GRAPH <{graph}> {{ ?run ln:measure <def/netwerkmaat/makelaarsrollen> ; "
                    f"ln:filter <def/thema/kindermishandeling> . ?r prov:wasGeneratedBy ?run ; ln:resultFor <{HL}> ; "
                    f"ln:quantity \"total\" ; ln:value ?v }} }}")
    values = [b["v"]["value"] for b in json.loads(query.stdout)["results"]["bindings"]]
    assert values and float(values[0]) > 0
    again = run_cli("analyse", "brokerage", "--theme", "kindermishandeling", "--direct-only", "--save")
    assert f"<{graph}>" in again.stderr  # same parameters, same graph


def test_bad_input_says_what_to_do(run_cli, cli_store):
    theme = run_cli("analyse", "ei", "--theme", "kindermishandelin")
    assert theme.returncode == 2 and "did you mean: kindermishandeling" in theme.stderr
    period = run_cli("analyse", "ei", "--period", "2020-13")
    assert period.returncode == 2 and "'2020-13'" in period.stderr
    change = run_cli("analyse", "change", "--from", "2019")
    assert change.returncode == 2 and "--from and --to" in change.stderr
    measure = run_cli("analyse", "centrality")
    assert measure.returncode == 2 and "invalid choice" in measure.stderr


def test_change_between_two_periods(run_cli, cli_store):
    result = run_cli("analyse", "change", "--from", "2019", "--to", "2023", "--format", "json")
    rows = json.loads(result.stdout)["rows"]
    assert rows[0]["lost"] > 0 and rows[0]["gained"] == 0
    assert any(r["level"] == "node" and r["change"] == "left" and r["iri"] == HL for r in rows)


def test_export_graphml_opens_in_networkx_and_igraph(run_cli, cli_store, tmp_path):
    path = tmp_path / "leernet.graphml"
    result = run_cli("export-network", "--format", "graphml", "--output", path)
    assert result.returncode == 0, result.stderr
    graph = nx.read_graphml(path)
    attributes = graph.nodes[HL]
    for name, value in (("label", "Hogeschool Leiden"), ("iri", HL), ("sector", "onderwijs"), ("role", "onderwijspartner"),
                        ("region", "leiden")):
        assert attributes[name] == value, name
    ig = igraph.Graph.Read_GraphML(str(path))
    assert ig.vcount() == graph.number_of_nodes() and ig.ecount() == graph.number_of_edges()
    assert {"label", "iri", "sector", "role", "region"} <= set(ig.vs.attributes())
    assert {"weight", "evidence", "contexts", "sources"} <= set(ig.es.attributes())
    assert isinstance(ig.es[0]["evidence"], str) and json.loads(ig.es[0]["evidence"])


def test_export_two_mode_csv_for_gephi_and_r(run_cli, cli_store, tmp_path):
    result = run_cli("export-network", "--format", "csv", "--projection", "two-mode", "--output", tmp_path / "tm")
    assert result.returncode == 0, result.stderr
    nodes = list(csv.DictReader(open(tmp_path / "tm" / "nodes.csv", encoding="utf-8")))
    edges = list(csv.DictReader(open(tmp_path / "tm" / "edges.csv", encoding="utf-8")))
    assert {"Id", "Label", "iri", "type", "bipartite"} <= set(nodes[0]) and {"Source", "Target", "Weight", "Type"} <= set(edges[0])
    ids = {n["Id"] for n in nodes}
    assert all(e["Source"] in ids and e["Target"] in ids for e in edges)
    missing = run_cli("export-network", "--output", tmp_path / "net.txt")
    assert missing.returncode == 2 and "--format" in missing.stderr


class Page(HTMLParser):
    """The images (with alt texts) and the text of a page."""

    def __init__(self):
        super().__init__()
        self.images, self.text = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_report_is_readable_and_names_the_boundary_spanners(run_cli, cli_store, tmp_path):
    path = tmp_path / "rapport.html"
    result = run_cli("report", "--output", path)
    assert result.returncode == 0, result.stderr
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    text = " ".join(page.text)
    assert len(page.images) == 4
    for image in page.images:
        data = base64.b64decode(image["src"].removeprefix("data:image/png;base64,"))
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
        assert len(image["alt"]) > 40
    for sentence in ("Elke balk is een netwerk", "De lijn laat per jaar zien", "Deze organisaties verbinden",
                     "Elke stip is een organisatie", "Each bar is a network", "Each dot is an organisation"):
        assert sentence in text, sentence
    brief = text[text.index("In het kort"):text.index("Wie doet mee")]
    assert all(name in brief for name in HOGESCHOLEN)
    table = text[text.index("Wie verbindt wat"):]
    assert all(name in table for name in HOGESCHOLEN)
    assert any(all(name in image["alt"] for name in HOGESCHOLEN) for image in page.images)
    assert "sha256:" in text and "leernet 0.1.0" in text


def test_report_for_a_period_without_ties_still_explains(run_cli, cli_store, tmp_path):
    path = tmp_path / "leeg.html"
    result = run_cli("report", "--output", path, "--period", "2030")
    assert result.returncode == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    assert "Geen netwerken met deelnemende organisaties" in text and "2030-01-01/2030-12-31" in text
