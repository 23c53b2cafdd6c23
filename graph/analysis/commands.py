"""The researcher's subcommands: ``leernet analyse``, ``leernet export-network`` and ``leernet report``
(their arguments are declared in :mod:`graph.cli`)."""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from pathlib import Path

from graph.analysis.notebook import KnowledgeGraph
from graph.analysis.progress import Progress
from graph.errors import InputError

HIDDEN_IN_TABLE = ("iri", "source", "target", "network_labels")


def selection_options(args) -> dict:
    """The selection options the shared filter arguments give."""
    return {"period": args.period, "theme": args.theme, "region": args.region, "programme": args.programme,
            "network_type": args.network_type, "include_undated": args.include_undated,
            "indirect": not args.direct_only, "units": "keep" if args.keep_lectoraten else "merge"}


def progress_of(args, ui) -> Progress:
    """Progress on stderr when it is a terminal (``ui.progress``) or ``--progress`` is given, never with --quiet."""
    return Progress(not getattr(args, "quiet", False) and (ui.progress or bool(getattr(args, "progress", False))))


def analyse(args, store, ui) -> None:
    """``leernet analyse MEASURE``: compute a measure, print it, and with --save write it as linked data."""
    if args.measure == "change" and bool(args.before) != bool(args.after):
        raise InputError("'analyse change' needs both --from and --to, or neither (then: year by year)",
                         ["e.g. leernet analyse change --from 2019 --to 2021"])
    kg = KnowledgeGraph(store, progress=progress_of(args, ui))
    run = kg.run(args.measure, attribute=args.attribute, projection=args.projection, seed=args.seed, top=args.top,
                 before=args.before, after=args.after, **selection_options(args))
    saved = kg.save(run) if args.save else None
    if args.format == "json":
        body = {"measure": run.measure.name, "concept": f"{store.settings.base_iri}def/netwerkmaat/{run.measure.concept}",
                "parameters": run.parameters, "snapshot": run.snapshot["digest"], "savedIn": saved,
                "approximation": run.approximation,
                "rows": [{k: _json_value(v) for k, v in row.items()} for row in run.rows]}
        print(json.dumps(body, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(rows_csv(run.rows))
    else:
        print(rows_table(run.rows))
    if not run.rows:
        ui.info("no results: the selection holds no ties (try another --period, or --include-undated)")
    if run.approximation:
        ui.info(f"note: estimated, not exact: {run.approximation}")
    if saved:
        ui.info(f"saved as linked data in <{saved}>")


def _json_value(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _columns(rows: list[dict], hide: tuple[str, ...] = ()) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns and k not in hide]
    if len({row.get("level") for row in rows}) <= 1 and "level" in columns:
        columns.remove("level")
    return columns


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}" if math.isfinite(value) else ""
    return str(value)


def rows_table(rows: list[dict]) -> str:
    """Rows as an aligned text table (labels instead of IRIs)."""
    if not rows:
        return "(0 rows)"
    columns = _columns(rows, HIDDEN_IN_TABLE)
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [min(max([len(c), *(len(r[i]) for r in cells)]), 60) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v[:w].ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def rows_csv(rows: list[dict]) -> str:
    """Rows as CSV with a header (IRIs included, so the table joins back to the graph)."""
    buffer = io.StringIO()
    columns = _columns(rows)
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def _csv_cell(value):
    if isinstance(value, float):
        return f"{value:.12g}" if math.isfinite(value) else ""
    return "" if value is None else value


def export_network(args, store, ui) -> None:
    """``leernet export-network``: write the network as GraphML, GEXF or CSV edge and node lists."""
    from graph.analysis.export import write_network

    fmt = args.format or {".graphml": "graphml", ".gexf": "gexf", ".csv": "csv"}.get(Path(args.output).suffix.lower())
    if fmt is None:
        raise InputError(f"cannot tell the format of {args.output!r}", ["give --format graphml, gexf or csv"])
    kg = KnowledgeGraph(store)
    graph = kg.network(projection=args.projection, **selection_options(args))
    written = write_network(graph, fmt, args.output)
    ui.info(f"wrote {graph.number_of_nodes()} nodes and {graph.number_of_edges()} edges to "
            + ", ".join(str(p) for p in written))


def report(args, store, ui) -> None:
    """``leernet report``: write the HTML report for policymakers."""
    from graph.analysis.report import write_report

    path = write_report(KnowledgeGraph(store, progress=progress_of(args, ui)), Path(args.output), attribute=args.attribute,
                        **selection_options(args))
    ui.info(f"wrote {path}")
