"""Reference networks shared by the measure tests, read from tests/fixtures/measures (see its README)."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx

FIXTURES = Path(__file__).parent / "fixtures" / "measures"
EMON = ["Cheyenne", "HurrFrederic", "LakePomona", "MtSi", "MtStHelens", "Texas", "Wichita"]


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file as dictionaries."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def emon(name: str, directed: bool = True) -> nx.Graph:
    """One of Drabek et al.'s emon networks, as exported from R's network package."""
    G = nx.DiGraph() if directed else nx.Graph()
    for row in read_csv(FIXTURES / "emon" / f"{name}_nodes.csv"):
        G.add_node(int(row["id"]), sponsorship=row["sponsorship"])
    for row in read_csv(FIXTURES / "emon" / f"{name}_edges.csv"):
        G.add_edge(int(row["from"]), int(row["to"]))
    return G
