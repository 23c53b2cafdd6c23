"""What each ``leernet`` subcommand does; :mod:`graph.cli` parses the arguments and maps errors."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import re
import shlex
import sys
from pathlib import Path

import pyoxigraph as ox

from graph.errors import InputError, NotFound, QueryRefused, ValidationFailed
from graph.namespaces import prefixes, sparql_prefixes
from graph.settings import Settings, load_settings
from graph.stats import compact, format_stats, store_stats
from graph.store import open_store

UPDATE = re.compile(r"^(?:\s|#[^\n]*\n|(?:PREFIX|BASE)\b[^>]*>)*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
                    re.IGNORECASE)
EXPORT_EXTENSIONS = {".ttl": "turtle", ".nt": "ntriples", ".nq": "nquads", ".trig": "trig", ".jsonld": "jsonld",
                     ".json": "jsonld"}


class Ui:
    """Where messages go: results to stdout, information and progress to stderr (unless quiet)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.progress = not quiet and sys.stderr.isatty()

    def info(self, message: str) -> None:
        """Print an informational line on stderr, unless quiet."""
        if not self.quiet:
            print(message, file=sys.stderr)


def settings_from(args) -> Settings:
    """Settings from the environment, overridden by the global options."""
    overrides: dict = {}
    if args.memory:
        overrides["store_path"] = None
    elif args.store:
        overrides["store_path"] = Path(args.store).expanduser()
    if getattr(args, "store_url", None):
        if not re.match(r"^https?://", args.store_url):
            raise InputError(f"--store-url {args.store_url!r} is not an http(s) URL", ["e.g. http://localhost:8890/sparql"])
        overrides["store_url"] = args.store_url
    elif args.memory or args.store:
        overrides["store_url"] = None  # an explicit local store wins over LEERNET_STORE_URL
    if args.base_iri:
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", args.base_iri):
            raise InputError(f"--base-iri {args.base_iri!r} is not an absolute IRI", ["e.g. https://data.example.org/"])
        overrides["base_iri"] = args.base_iri
    if args.lang:
        overrides["lang"] = args.lang
    try:
        return load_settings(**overrides)
    except ValueError as error:
        raise InputError(f"a LEERNET_* environment variable has a bad value: {error}",
                         ["LEERNET_LOCK_TIMEOUT and LEERNET_MIN_COUNT take numbers"]) from error


def run(args) -> None:
    """Run the subcommand the arguments name."""
    settings = settings_from(args)
    ui = Ui(args.quiet)
    argv = getattr(args, "argv", None) or sys.argv[1:]
    args.command_line = shlex.join(["leernet", *argv])
    if args.command == "restore":
        return restore(args, settings, ui)
    if args.command == "generate":
        return generate(args, settings, ui)
    with open_store(settings, initialise=False) as store:
        if args.command != "init" and len(store) == 0:
            from graph.ingest import load_curated

            ui.info("new store: loading ontology/, shapes/ and data/ ...")
            load_curated(store, command=args.command_line, lang=settings.lang)
        handler = HANDLERS.get(args.command) or args.handler  # plugins set args.handler
        handler(args, store, ui)


def resolve_iri(value: str, base_iri: str) -> str:
    """A full IRI as is; anything else relative to the base IRI (``graph/x`` -> ``{base}graph/x``)."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
        return value
    return base_iri + value.lstrip("/")


def _show_result(result, store, ui: Ui, verb: str, *, list_warnings: bool = True) -> None:
    lang = store.settings.lang
    if len(result.graphs) > 3:
        names = f"{len(result.graphs)} graphs"
    else:
        names = ", ".join(compact(g, store.settings.base_iri) for g in result.graphs) or "no graph"
    replaced = " (replaced)" if result.replaced else ""
    ui.info(f"{verb} {result.triples} triples into {names}{replaced}")
    if result.warnings and not list_warnings:
        ui.info(f"{len(result.warnings)} warning(s) about recommended properties; 'leernet validate' lists them")
    elif result.warnings:
        from graph.validation import ValidationReport, report_namespaces

        ui.info(ValidationReport(result.warnings, report_namespaces(store.settings)).format(lang, limit=10))


def init(args, store, ui: Ui) -> None:
    """``leernet init``: (re)load ontology/, shapes/ and data/."""
    from graph.ingest import load_curated

    result = load_curated(store, command=args.command_line, lang=store.settings.lang)
    _show_result(result, store, ui, "loaded", list_warnings=False)
    ui.info(f"store ready: {len(store)} quads in {len(store.named_graphs())} graphs")


def load(args, store, ui: Ui) -> None:
    """``leernet load``: validate files and load them as one batch."""
    from graph.ingest import load_files

    graph = resolve_iri(args.graph, store.settings.base_iri) if args.graph else None
    result = load_files(store, args.files, fmt=args.format, graph_iri=graph, command=args.command_line,
                        lang=store.settings.lang, progress=ui.progress)
    _show_result(result, store, ui, "loaded")


def import_(args, store, ui: Ui) -> None:
    """``leernet import``: run an importer (CSV, XLSX, ROR, DUO)."""
    from graph.importers import run_import

    result = run_import(args.kind, args.file, store, mapping=args.mapping, sheet=args.sheet,
                        lang=store.settings.lang, command=args.command_line)
    _show_result(result, store, ui, "imported")


def validate(args, store, ui: Ui) -> None:
    """``leernet validate``: report on files or the whole store; violations raise (exit 1)."""
    from graph.ingest import check_files
    from graph.validation import validate_store

    lang = store.settings.lang
    if args.files:
        report = check_files(store, args.files, fmt=args.input_format, lang=lang, progress=ui.progress)
    else:
        report = validate_store(store, store.settings, lang=lang)
    if args.report == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.format(lang))
    if not report.conforms:
        what = ", ".join(args.files) if args.files else "the store"
        raise ValidationFailed(f"{what}: {report.summary(lang)}", report=report)


def query(args, store, ui: Ui) -> None:
    """``leernet query``: run a SPARQL query and print its results in the chosen format."""
    text = args.sparql
    if text.startswith("@"):
        name = text[1:]
        if name == "-":
            text = sys.stdin.read()
        elif not Path(name).is_file():
            raise NotFound(f"{name}: no such query file")
        else:
            text = Path(name).read_text(encoding="utf-8")
    base = store.settings.base_iri
    header = f"BASE <{base}>\n{sparql_prefixes(base)}"
    if UPDATE.match(text):
        raise QueryRefused("'leernet query' runs queries, not updates",
                           ["change the store with 'leernet load', 'leernet import' or 'leernet drop'"])
    try:
        result = store.query(header + text)
    except SyntaxError as error:
        raise _query_error(error, header.count("\n")) from error
    out = sys.stdout.buffer
    if isinstance(result, ox.QueryTriples):
        kind = args.format or "turtle"
        if kind not in ("turtle", "jsonld", "ntriples"):
            raise InputError(f"--format {kind} does not fit a CONSTRUCT/DESCRIBE result", ["use turtle, jsonld or ntriples"])
        from graph.rdfio import FORMATS

        data = ox.serialize(list(result), format=FORMATS[kind], prefixes=prefixes(base) if kind == "turtle" else None)
        sys.stdout.flush()
        out.write(data)
        return
    kind = args.format or "table"
    if kind not in ("table", "csv", "tsv", "json"):
        raise InputError(f"--format {kind} does not fit a SELECT/ASK result", ["use table, csv, tsv or json"])
    if isinstance(result, ox.QueryBoolean):
        if kind == "json":
            print(json.dumps({"head": {}, "boolean": bool(result)}))
        else:
            print("true" if result else "false")
        return
    if kind == "table":
        print(_table(result, base))
        return
    buffer = io.BytesIO()
    formats = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV, "json": ox.QueryResultsFormat.JSON}
    result.serialize(buffer, formats[kind])
    sys.stdout.flush()
    out.write(buffer.getvalue())


def _query_error(error: SyntaxError, header_lines: int) -> InputError:
    message = str(error.msg if hasattr(error, "msg") else error)
    found = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if found:
        line = int(found.group(1)) - header_lines
        return InputError(f"the query does not parse, line {line}, column {found.group(2)}: {found.group(3)}",
                          ["the prefixes ln:, org:, schema:, skos:, ... are predeclared; updates are not allowed here"])
    return InputError(f"the query does not parse: {message}")


def _table(solutions, base: str) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[_cell(row[n], base) for n in names] for row in solutions]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def _cell(term, base: str) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value, base)
    if isinstance(term, ox.Literal):
        text = term.value.replace("\n", " ")
        return f"{text}@{term.language}" if term.language else text
    return str(term)


def export(args, store, ui: Ui) -> None:
    """``leernet export``: write the store or one graph as RDF (gzipped for .gz)."""
    from graph.rdfio import serialize

    base = store.settings.base_iri
    graph = resolve_iri(args.graph, base) if args.graph else None
    if graph is not None and graph not in store.named_graphs():
        raise NotFound(f"no graph <{graph}> in the store", ["list the graphs with 'leernet stats'"])
    kind = args.format
    if kind is None and args.output:
        kind = EXPORT_EXTENSIONS.get(Path(args.output.removesuffix(".gz")).suffix.lower())
    kind = kind or ("turtle" if graph else "trig")
    quads = store.quads(graph=graph) if graph else store.quads()
    if kind in ("turtle", "ntriples") or (graph and kind == "jsonld"):
        if not graph:
            ui.info(f"note: {kind} has no graphs; the triples of all graphs are merged (use trig or nquads to keep them)")
        quads = _distinct_triples(quads)
    if ui.progress:
        from tqdm import tqdm

        quads = tqdm(quads, total=None if graph else len(store), unit=" quads", desc="exporting", leave=False,
                     file=sys.stderr)
    if not args.output:
        sys.stdout.flush()
        serialize(quads, kind, sys.stdout.buffer, prefixes=prefixes(base))
        return
    target = Path(args.output)
    partial = target.with_name(f".{target.name}.partial")
    with contextlib.ExitStack() as stack:
        raw = stack.enter_context(open(partial, "wb"))
        sink = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="wb", filename=target.name.removesuffix(".gz"))) \
            if target.name.endswith(".gz") else raw
        serialize(quads, kind, sink, prefixes=prefixes(base))
    os.replace(partial, target)
    ui.info(f"wrote {target}")


def _distinct_triples(quads):
    seen = set()
    for quad in quads:
        triple = ox.Triple(quad.subject, quad.predicate, quad.object)
        if triple not in seen:
            seen.add(triple)
            yield ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())


def stats(args, store, ui: Ui) -> None:
    """``leernet stats``: triples per graph, entities per class."""
    result = store_stats(store)
    if args.format == "json":
        print(json.dumps(result, indent=2))
    else:
        print(format_stats(result, store.settings.base_iri))


def summarise(args, store, ui: Ui) -> None:
    """``leernet summarise``: compute the kept whole-graph answers and print the top of them."""
    from graph import summaries

    summary = summaries.compute(store)
    summaries.keep(store, summary)
    if args.format == "json":
        print(json.dumps({**json.loads(summary.to_json()), "pairs": summary.pairs[:args.top]}, indent=2,
                         ensure_ascii=False))
        return
    base = store.settings.base_iri
    ui.info(f"{summary.organisations} organisations in {summary.networks} networks; "
            f"{summary.collaborating_pairs} pairs share at least one network (kept in graph/summary)")
    print("shared  organisation pair")
    for pair in summary.pairs[:args.top]:
        print(f"{pair['shared']:>6}  {pair['a'].removeprefix(base)} + {pair['b'].removeprefix(base)}")
    print("\n pairs  sectors")
    for mix in summary.mixing:
        print(f"{mix['pairs']:>6}  {mix['a'].removeprefix(base)} + {mix['b'].removeprefix(base)}")


def backup(args, store, ui: Ui) -> None:
    """``leernet backup``: a consistent copy of the store."""
    from graph.backup import backup as make_backup

    count = make_backup(store, Path(args.directory))
    ui.info(f"backed up {count} quads to {args.directory}")


def restore(args, settings: Settings, ui: Ui) -> None:
    """``leernet restore``: swap a checked backup in (without opening the store)."""
    from graph.backup import restore as restore_backup

    if settings.store_path is None:
        raise InputError("restore needs an on-disk store, not --memory", ["give --store PATH or set LEERNET_STORE"])
    count = restore_backup(settings, Path(args.directory))
    ui.info(f"restored {count} quads from {args.directory} into {settings.store_path}")


def generate(args, settings: Settings, ui: Ui) -> None:
    """``leernet generate``: write a synthetic ecosystem (without opening the store)."""
    from graph.generate import generate as write_ecosystem

    result = write_ecosystem(args.output, args.scale, args.seed, invalid_share=args.invalid_share,
                             base_iri=settings.base_iri, ontology_dir=settings.ontology_dir)
    ui.info(f"wrote {result.triples} triples ({result.networks} networks, {result.organisations} organisations) "
            f"to {result.path} in {result.seconds:.1f} s ({result.triples_per_second:,.0f} triples/s)")
    if result.invalid:
        listing = Path(f"{args.output}.invalid.json")
        listing.write_text(json.dumps([r.__dict__ for r in result.invalid], indent=1) + "\n", encoding="utf-8")
        ui.info(f"{len(result.invalid)} invalid records on purpose, listed in {listing}")


def drop(args, store, ui: Ui) -> None:
    """``leernet drop``: remove a graph and its metadata."""
    from graph.ingest import drop_graph

    graph = resolve_iri(args.graph, store.settings.base_iri)
    drop_graph(store, graph)
    ui.info(f"dropped <{graph}>")


HANDLERS = {"summarise": summarise, "init": init, "load": load, "import": import_, "validate": validate, "query": query,
            "export": export, "stats": stats, "backup": backup, "drop": drop}


def _analysis(name: str):
    """A handler that imports graph.analysis (networkx, matplotlib) only when its command runs."""
    def handler(args, store, ui: Ui) -> None:
        from graph.analysis import commands as analysis_commands

        getattr(analysis_commands, name)(args, store, ui)

    return handler


HANDLERS.update({"analyse": _analysis("analyse"), "export-network": _analysis("export_network"),
                 "report": _analysis("report")})
