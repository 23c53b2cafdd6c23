"""Networks to files other tools open: GraphML and GEXF (Gephi, igraph, networkx, R), and CSV edge
and node lists (Gephi's "Id/Label" and "Source/Target/Weight" columns; the first columns are what
``igraph::graph_from_data_frame`` and ``igraph.Graph.DataFrame`` expect).

Every attribute becomes a string or a number: lists are joined with "; ", the evidence of an edge
(which contexts, periods and source documents it rests on) is kept as a JSON string.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import networkx as nx

from graph.errors import InputError

FORMATS = ("graphml", "gexf", "csv")
FIRST_NODE_COLUMNS = ("iri", "label", "label_en", "type", "sector", "subsector", "role", "region")


def flat_value(value):
    """A value GraphML, GEXF and CSV can hold: numbers and strings as they are, lists joined, the rest JSON."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float, str)):
        return value
    if isinstance(value, (list, tuple, set)) and all(isinstance(v, (str, int, float)) for v in value):
        return "; ".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def flat_graph(graph: nx.Graph) -> nx.Graph:
    """A copy of the graph whose node, edge and graph attributes are all strings or numbers."""
    flat = nx.Graph()
    flat.graph.update({k: flat_value(v) for k, v in graph.graph.items() if v is not None})
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{k: flat_value(v) for k, v in data.items() if v is not None})
    for a, b, data in graph.edges(data=True):
        values = {k: flat_value(v) for k, v in data.items() if v is not None}
        if "contexts" in data:
            values["context_iris"] = values.pop("contexts")
        if "context_labels" in data:
            values["contexts"] = values.pop("context_labels")
        flat.add_edge(a, b, **values)
    return flat


def write_network(graph: nx.Graph, fmt: str, output: str | Path) -> list[Path]:
    """Write the network as ``fmt`` (graphml, gexf or csv) to ``output``; returns the files written.

    For csv, ``output`` is a directory (gets nodes.csv and edges.csv) or a file name ``x.csv``
    (gets x-nodes.csv and x-edges.csv).
    """
    if fmt not in FORMATS:
        raise InputError(f"export format {fmt!r} is not supported", [f"use one of: {', '.join(FORMATS)}"])
    output = Path(output)
    flat = flat_graph(graph)
    if fmt == "csv":
        if output.suffix.lower() == ".csv":
            nodes, edges = (output.with_name(f"{output.stem}-{part}.csv") for part in ("nodes", "edges"))
        else:
            output.mkdir(parents=True, exist_ok=True)
            nodes, edges = output / "nodes.csv", output / "edges.csv"
        _atomic(nodes, lambda f: _write_nodes(flat, f))
        _atomic(edges, lambda f: _write_edges(flat, f))
        return [nodes, edges]
    writer = nx.write_graphml if fmt == "graphml" else nx.write_gexf
    _atomic(output, lambda f: writer(flat, f), binary=True)
    return [output]


def _atomic(path: Path, write, binary: bool = False) -> None:
    if not path.parent.is_dir():
        raise InputError(f"cannot write {path}: the directory {path.parent} does not exist",
                         ["create it first, or give another --output"])
    partial = path.with_name(f".{path.name}.partial")
    with open(partial, "wb") if binary else open(partial, "w", newline="", encoding="utf-8") as handle:
        write(handle)
    os.replace(partial, path)


def _columns(rows: list[dict], first: tuple[str, ...]) -> list[str]:
    keys = {k for row in rows for k in row}
    return [c for c in first if c in keys] + sorted(keys - set(first))


def _write_nodes(flat: nx.Graph, handle) -> None:
    rows = [dict(data) for _, data in flat.nodes(data=True)]
    columns = _columns(rows, FIRST_NODE_COLUMNS)
    writer = csv.writer(handle)
    writer.writerow(["Id", "Label", *[c for c in columns if c != "label"]])
    for node, data in flat.nodes(data=True):
        writer.writerow([node, data.get("label", node), *[data.get(c, "") for c in columns if c != "label"]])


def _write_edges(flat: nx.Graph, handle) -> None:
    rows = [dict(data) for _, _, data in flat.edges(data=True)]
    columns = [c for c in _columns(rows, ("contexts", "periods", "sources")) if c != "weight"]
    writer = csv.writer(handle)
    writer.writerow(["Source", "Target", "Weight", "Type", *columns])
    for a, b, data in flat.edges(data=True):
        writer.writerow([a, b, data.get("weight", 1), "Undirected", *[data.get(c, "") for c in columns]])
