"""The ``leernet`` command line: argument parsing, and the ONE place where errors become exit codes.

Exit codes: 0 ok, 1 SHACL violations, 2 bad input or usage, 3 not found, 4 store busy,
5 remote store unavailable, 70 internal error (a bug: the full traceback is shown only with LEERNET_DEBUG=1).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback

from graph import __version__
from graph.errors import InputError, LeernetError

EXIT_OK, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 70, 130

MAIN_EPILOG = """\
exit codes: 0 ok, 1 SHACL violations, 2 bad input or usage, 3 not found, 4 store busy,
            5 remote store unavailable, 70 internal error (set LEERNET_DEBUG=1 for the traceback)

environment: LEERNET_STORE (store directory, or :memory:), LEERNET_BASE_IRI, LEERNET_LANG,
             LEERNET_LOCK_TIMEOUT (seconds a second writer waits), LEERNET_DEBUG,
             LEERNET_STORE_URL (a SPARQL server as the store; see docs/remote-store.md)

examples:
  leernet init                              create the store and load ontology, shapes and data
  leernet load netwerken.ttl                validate and load a file into its own graph
  leernet --store /tmp/st stats             work on another store
  leernet query 'SELECT ?n WHERE { ?x a ln:LearningNetwork ; skos:prefLabel ?n }'
"""

COMMANDS = {
    "init": ("create the store (if needed) and (re)load ontology/, shapes/ and data/",
             """\
Creates the store directory if needed and loads every file of ontology/, shapes/ and data/
into its own named graph, validated together against the shapes, in one transaction.
Running it again reloads them (idempotent).

examples:
  leernet init
  leernet --store ./mystore init
"""),
    "load": ("validate RDF files and load them, each into its own named graph",
             """\
Formats: Turtle (.ttl), N-Triples (.nt), N-Quads (.nq), TriG (.trig), JSON-LD (.jsonld, .json;
embedded contexts only, nothing is fetched) and RDF/XML (.rdf, .owl, .xml; no DOCTYPE/ENTITY).
A trailing .gz is unpacked. Use - for standard input (needs --format).

All files form one batch: it is validated with SHACL together with what it touches in the
store; any violation and nothing changes (exit 1, with file, line, node, path, value and the fix).
Each file goes into graph/load/<name>-<hash of its path>, so loading it again replaces it.
Named graphs in TriG/N-Quads/JSON-LD files are kept unless --graph is given.

examples:
  leernet load netwerk.ttl
  leernet load a.ttl b.jsonld --graph https://data.leernet.nl/graph/mijn-batch
  curl -s https://example.org/x.nt | leernet load - --format ntriples
"""),
    "import": ("import a CSV/XLSX sheet, a ROR dump or the DUO list (validated like load)",
               """\
Kinds: csv and xlsx (spreadsheets of partners or participants; --mapping is a built-in mapping,
participants or partners, or your own .toml file naming the columns; --sheet the worksheet),
ror (a ROR JSON dump) and duo (the DUO list of institutions). The result is validated and
loaded like 'leernet load', into one named graph per imported file; errors name the row and column.

examples:
  leernet import ror ror-nl.json
  leernet import csv partners.csv --mapping partners
  leernet import xlsx deelnemers.xlsx --sheet Deelnemers --mapping kolommen.toml
  leernet import duo duo-instellingen-hbo-wo.csv
"""),
    "validate": ("validate files (without loading them) or the whole store against the shapes",
                 """\
With FILE(s): checks them as 'leernet load' would, together with what they touch in the store,
but changes nothing. Without: validates every graph in the store except the shapes.
Exit 1 and a report (file/graph, line, node, path, value, message) when there are violations.

examples:
  leernet validate nieuw.ttl
  leernet validate
  leernet --lang en validate --format json
"""),
    "query": ("run a SPARQL query (text or @file) over all graphs",
              """\
The default graph is the union of all named graphs. The prefixes ln:, org:, schema:, skos:,
prov:, time:, dcterms:, ... are predeclared and relative IRIs resolve against the base IRI.
SELECT/ASK results: --format table (default), csv, tsv or json. CONSTRUCT/DESCRIBE results:
--format turtle (default), jsonld or ntriples.

examples:
  leernet query 'SELECT ?n ?label WHERE { ?n a ln:LearningNetwork ; skos:prefLabel ?label }'
  leernet query @vraag.rq --format csv > uitkomst.csv
  leernet query 'DESCRIBE <id/organisatie/hogeschool-leiden>'
"""),
    "export": ("write the whole store or one graph as RDF",
               """\
Formats: turtle, ntriples, nquads, trig, jsonld; default trig for the whole store (keeps the
graphs), turtle for one graph, or what --output's extension says. Turtle and N-Triples of the
whole store merge all graphs. --output FILE ending in .gz is gzipped; without it, stdout.

examples:
  leernet export --output leernet.trig
  leernet export --graph graph/organisations --format turtle
  leernet export --format nquads --output dump.nq.gz
"""),
    "stats": ("show triples per graph and entities per class",
              """\
examples:
  leernet stats
  leernet stats --format json
"""),
    "summarise": ("compute and keep the whole-graph answers: pairs sharing most networks, sector mixing",
                  """\
Counts, over every public network, which pairs of organisations (and lectoraten) share the most
networks and how many collaborating pairs there are between each two sectors, and keeps the
result in the graph graph/summary with the state of the store it describes. The API's
/api/v1/organisation-pairs and /api/v1/sector-mixing answer from it at once; after the data
changed they serve it marked current=false while computing it again. Run this after a large
load so that the first visitor does not wait. Prints the top pairs and the sector mixing.

examples:
  leernet summarise
  leernet summarise --top 20 --format json
"""),
    "backup": ("make a consistent copy of the on-disk store in a new directory",
               """\
examples:
  leernet backup /var/backups/leernet-2025-01-31
"""),
    "restore": ("replace the store by a backup (checked first, then swapped in)",
                """\
The backup is copied beside the store and opened to check it; only then is the store swapped
for it, while holding the store lock. A broken backup leaves the store untouched.

examples:
  leernet restore /var/backups/leernet-2025-01-31
"""),
    "drop": ("remove a named graph and its metadata",
             """\
GRAPH is a full IRI or one relative to the base IRI (graph/...). See the graphs with 'leernet stats'.

examples:
  leernet drop graph/load/netwerk-1a2b3c4d
"""),
    "analyse": ("compute a boundary-crossing network measure on the knowledge graph",
                """\
Builds the network of organisations that share networks, collaborations, programmes, events or
products (or another --projection), for a --period and filters, and computes one MEASURE:
  ei             E-I index: ties across groups (e.g. sectors) minus ties within, per organisation,
                 group and for the whole network (+1 only across, -1 only within)
  brokerage      Gould-Fernandez brokerage roles (coordinator, itinerant, gatekeeper,
                 representative, liaison) per organisation, with z-scores
  blau           Blau index per network: how mixed its participants are (0 one group, ~1 mixed)
  composition    participants per network by group (counts and shares)
  assortativity  do organisations collaborate with their own kind (>0) or with others (<0)?
  constraint     Burt's constraint and effective size: who bridges structural holes (low constraint)
  betweenness    who lies on the shortest paths between the others
  communities    Louvain communities (reproducible with --seed) and who bridges them
  spanners       boundary spanners: organisations whose ties reach other groups, and what they bridge
  change         year by year (size, E-I, Blau, ties gained and lost), or --from P --to P
Groups are formed by --attribute (sector, subsector, region, role, type or network_type).
Lectoraten count for their hogeschool (--keep-lectoraten to keep them apart); ties through an
umbrella network or programme count unless --direct-only. People appear only in a public role, others only as role
groups; groups smaller than LEERNET_MIN_COUNT are left out. --save writes the result as linked
data into graph/analysis/<measure>-<hash of the parameters> (see 'leernet query').

examples:
  leernet analyse ei
  leernet analyse spanners --attribute subsector --format csv > spanners.csv
  leernet analyse brokerage --period 2019-09-01/2020-08-31 --theme kindermishandeling
  leernet analyse blau --projection actors --attribute role --format json
  leernet analyse change --from 2019 --to 2021
  leernet analyse betweenness --region zuid-holland --save
"""),
    "export-network": ("write the network as GraphML, GEXF or CSV edge/node lists (Gephi, igraph, R)",
                       """\
Nodes are the IRIs of organisations (or, with --projection two-mode, also the networks and
programmes they take part in) with the attributes label, iri, type, sector, subsector, role and
region; edges have a weight (the number of shared networks, programmes, events or products) and
their evidence (which ones, which periods, which source documents) as text.
--format csv writes two files: nodes (Id, Label, ...) and edges (Source, Target, Weight, ...);
with --output x.csv they are x-nodes.csv and x-edges.csv, with --output DIR nodes.csv and edges.csv.

examples:
  leernet export-network --format graphml --output leernet.graphml
  leernet export-network --format gexf --projection two-mode --output tweeledig.gexf
  leernet export-network --format csv --period 2020 --output netwerk.csv
  R: igraph::graph_from_data_frame(read.csv("netwerk-edges.csv"), vertices=read.csv("netwerk-nodes.csv"))
"""),
    "report": ("write an HTML report for policymakers: composition, E-I over time, brokers, network map",
               """\
One self-contained HTML file with four figures (each explained in one plain Dutch sentence,
with English alongside) and a short table: which sectors take part in each network, how much
collaboration crosses sector boundaries year by year, which organisations connect sectors, and
a map of the network coloured by sector. It ends with how it was made (period, filters,
leernet version and a fingerprint of the data read).

examples:
  leernet report --output rapport.html
  leernet report --output rapport-2020.html --period 2020 --theme kindermishandeling
"""),
    "generate": ("write a synthetic ecosystem of about N triples (for tests and benchmarks)",
                 """\
Writes invented organisations, lectoraten, regions, programmes, networks with memberships over ten
years (with churn), participant counts, public persons, events, products and research projects,
in the structure and proportions of the real graph. Every entity has
dcterms:source <id/bron/synthetisch> and a slug starting with syn-, so it never mixes up with real
data. Turtle (.ttl) or N-Triples (.nt), gzipped for .gz; streamed, so 10M triples need little
memory; the same arguments give the same bytes. IRIs use the base IRI (--base-iri).
--invalid-share F makes that share of records invalid in known ways (end before start, bad ROR id,
missing name, concept of the wrong scheme, ...) and lists them in FILE.invalid.json.
The store is not opened.

examples:
  leernet generate --scale 100000 --seed 1 --output synthetisch.ttl
  leernet generate --scale 10000000 --output synthetisch-10m.nt.gz
  leernet generate --scale 10000 --invalid-share 0.01 --output fouten.ttl
"""),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: one line plus the usage, exit 2
        self.print_usage(sys.stderr)
        self.exit(2, f"leernet: error: {message}\n  see 'leernet --help' or 'leernet COMMAND --help'\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    raw = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog="leernet", formatter_class=raw, epilog=MAIN_EPILOG,
                     description="leernet: the linked-data knowledge graph of Dutch learning networks.")
    parser.add_argument("--store", metavar="PATH", help="store directory (default: LEERNET_STORE or "
                        "~/.local/share/leernet/store)")
    parser.add_argument("--memory", action="store_true", help="use a fresh in-memory store (for trying things out)")
    parser.add_argument("--store-url", metavar="URL", help="use the SPARQL 1.1 server at URL (its query endpoint) as the "
                        "store (default: LEERNET_STORE_URL; see docs/remote-store.md)")
    parser.add_argument("--base-iri", metavar="IRI", help="base IRI (default: LEERNET_BASE_IRI or https://data.leernet.nl/)")
    parser.add_argument("--lang", choices=["nl", "en"], help="language of validation reports (default nl)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars or informational messages")
    parser.add_argument("--version", action="version", version=f"leernet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def command(name):
        summary, epilog = COMMANDS[name]
        return sub.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".",
                              epilog=epilog, formatter_class=raw)

    command("init")
    p = command("load")
    p.add_argument("files", nargs="+", metavar="FILE", help="RDF file(s), or - for standard input")
    p.add_argument("--graph", metavar="IRI", help="load everything into this named graph")
    p.add_argument("--format", metavar="F", help="turtle, ntriples, nquads, trig, jsonld or rdfxml "
                   "(default: from the extension)")
    p = command("import")
    p.add_argument("kind", choices=["csv", "xlsx", "ror", "duo"], help="what kind of source")
    p.add_argument("file", metavar="FILE", help="the file to import")
    p.add_argument("--mapping", metavar="M", help="column mapping for csv/xlsx: participants, partners or a .toml file")
    p.add_argument("--sheet", metavar="S", help="worksheet name for xlsx")
    p = command("validate")
    p.add_argument("files", nargs="*", metavar="FILE", help="file(s) to check; none: the whole store")
    p.add_argument("--format", dest="input_format", metavar="F", help="RDF format of the files (default: from the extension)")
    p.add_argument("--report", choices=["text", "json"], default="text", help="report format (default text)")
    p = command("query")
    p.add_argument("sparql", metavar="QUERY", help="the SPARQL query, or @FILE to read it from a file (@- for stdin)")
    p.add_argument("--format", choices=["table", "csv", "tsv", "json", "turtle", "jsonld", "ntriples"],
                   help="result format (default: table, or turtle for CONSTRUCT/DESCRIBE)")
    p = command("export")
    p.add_argument("--graph", metavar="IRI", help="export only this named graph")
    p.add_argument("--format", choices=["turtle", "ntriples", "nquads", "trig", "jsonld"], help="output format")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (gzipped if it ends in .gz) instead of stdout")
    p = command("stats")
    p.add_argument("--format", choices=["text", "json"], default="text", help="output format (default text)")
    p = command("summarise")
    p.add_argument("--top", type=int, default=10, metavar="N", help="pairs to print (default 10)")
    p.add_argument("--format", choices=["text", "json"], default="text", help="output format (default text)")
    p = command("backup")
    p.add_argument("directory", metavar="DIR", help="a new or empty directory")
    p = command("restore")
    p.add_argument("directory", metavar="DIR", help="a directory made by 'leernet backup'")
    p = command("drop")
    p.add_argument("graph", metavar="GRAPH", help="the graph IRI (full or relative to the base IRI)")
    p = command("analyse")
    p.add_argument("measure", choices=["ei", "brokerage", "blau", "composition", "assortativity", "constraint",
                                       "betweenness", "communities", "spanners", "change"], metavar="MEASURE",
                   help="ei, brokerage, blau, composition, assortativity, constraint, betweenness, communities, "
                   "spanners or change")
    p.add_argument("--attribute", choices=["sector", "subsector", "region", "role", "type", "network_type"],
                   default="sector", help="the groups to compare (default sector; network_type with --projection networks)")
    _add_network_arguments(p)
    p.add_argument("--from", dest="before", metavar="PERIOD", help="change: the first period (e.g. 2019)")
    p.add_argument("--to", dest="after", metavar="PERIOD", help="change: the second period (e.g. 2021)")
    p.add_argument("--seed", type=int, default=0, help="communities: random seed (default 0)")
    p.add_argument("--top", type=int, metavar="N", help="show only the first N organisations")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format (default table)")
    p.add_argument("--save", action="store_true", help="also write the result as linked data into the store")
    p = command("export-network")
    p.add_argument("--format", choices=["graphml", "gexf", "csv"], help="file format (default: from --output)")
    p.add_argument("--output", "-o", required=True, metavar="PATH", help="the file (csv: x.csv or a directory)")
    _add_network_arguments(p)
    p = command("report")
    p.add_argument("--output", "-o", default="report.html", metavar="FILE", help="the HTML file (default report.html)")
    p.add_argument("--attribute", choices=["sector", "subsector", "region"], default="sector",
                   help="the groups the figures compare (default sector)")
    _add_network_arguments(p, projection=False)
    p = command("generate")
    p.add_argument("--scale", type=int, required=True, metavar="N", help="about how many triples to write")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--output", "-o", required=True, metavar="FILE", help="a .ttl or .nt file, optionally .gz")
    p.add_argument("--invalid-share", type=float, default=0.0, metavar="F",
                   help="share of records made invalid on purpose (default 0)")
    add_plugin_commands(sub)
    return parser


def _add_network_arguments(p, projection: bool = True) -> None:
    """The options that choose the network: projection, period and filters."""
    if projection:
        p.add_argument("--projection", choices=["organisations", "actors", "networks", "two-mode"],
                       default="organisations", help="organisations (default), actors (also public people and role "
                       "groups), networks (tied by shared participants) or two-mode (participants and networks)")
    p.add_argument("--period", metavar="P", help="a year (2020), month, date or range (2019-09-01/2020-08-31, 2019/..)")
    p.add_argument("--theme", metavar="SLUG", help="only networks on this theme (def/thema/SLUG) or a narrower one")
    p.add_argument("--region", metavar="SLUG", help="only networks serving or located in this region (id/regio/SLUG)")
    p.add_argument("--programme", metavar="SLUG", help="only this programme and what it funds or frames (id/programma/SLUG)")
    p.add_argument("--network-type", metavar="SLUG", help="only networks of this type (def/netwerktype/SLUG)")
    p.add_argument("--include-undated", action="store_true", help="with --period: keep ties whose period is unknown")
    p.add_argument("--direct-only", action="store_true", help="leave out ties through umbrella networks and programmes")
    p.add_argument("--keep-lectoraten", action="store_true", help="keep lectoraten apart from their hogeschool")


def add_plugin_commands(subparsers) -> None:
    """Add the subcommands other parts of the distribution declare under the entry-point group
    ``leernet.commands`` (e.g. ``serve`` from api/), so that graph/ never imports them directly.
    Each entry point is a ``register(subparsers)`` that sets a ``handler(args, store, ui)`` default."""
    from importlib.metadata import entry_points

    for entry in sorted(entry_points(group="leernet.commands"), key=lambda e: e.name):
        entry.load()(subparsers)


def exit_code(error: BaseException) -> int:
    """The exit code for an exception: the single mapping from errors to codes."""
    if isinstance(error, LeernetError):
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(error, OSError):
        return InputError.exit_code
    return EXIT_INTERNAL


def report_error(error: BaseException) -> None:
    """One clear line on stderr plus details; a traceback only for internal errors with LEERNET_DEBUG=1."""
    if isinstance(error, LeernetError):
        print(f"leernet: error: {error.message}", file=sys.stderr)
        for line in error.details:
            print(f"  {line}", file=sys.stderr)
    elif isinstance(error, KeyboardInterrupt):
        print("leernet: interrupted", file=sys.stderr)
    elif isinstance(error, OSError):
        name = f" {error.filename}" if error.filename else ""
        print(f"leernet: error:{name}: {error.strerror or error}", file=sys.stderr)
    else:
        print(f"leernet: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        print("  this is a bug in leernet; please report it with the command you ran"
              + ("" if os.environ.get("LEERNET_DEBUG") else " (LEERNET_DEBUG=1 shows the full traceback)"),
              file=sys.stderr)
        if os.environ.get("LEERNET_DEBUG"):
            traceback.print_exception(error, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the ``leernet`` command; returns the exit code."""
    for name in ("rdflib", "pyshacl"):
        logging.getLogger(name).setLevel(logging.ERROR)
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(argv) if argv is not None else sys.argv[1:]
    try:
        from graph.commands import run

        run(args)
        return EXIT_OK
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)  # the reader went away (e.g. '| head'): not an error
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 - the one place errors become exit codes
        report_error(error)
        return exit_code(error)


if __name__ == "__main__":
    sys.exit(main())
