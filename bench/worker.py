"""One side of the benchmark at one scale, in its own process: ``python bench/worker.py SPEC.json``.

Sides: ``leernet`` (on-disk pyoxigraph store, graph.ingest / graph.validation, the REST API served by
``leernet serve``, graph.analysis) and ``naive`` (an rdflib in-memory Graph, pyshacl, rdflib-endpoint
over the same graph, networkx on a projection built from the rdflib graph). Each phase prints one JSON
line (seconds, status, peak and current RSS of this process); a phase that runs past the limit is
stopped (SIGALRM) and reported as ``timeout``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = ("collaborators", "members", "theme-networks", "portfolio")
WHOLE_GRAPH = ("org-pairs", "sector-mixing")  # whole-graph questions: their own phase, not in the throughput mix
MEASURES = ("ei", "brokerage", "blau", "assortativity", "constraint", "betweenness", "communities", "spanners")


class PhaseTimeout(BaseException):
    """The phase ran past its time limit (a BaseException, so that no ``except Exception`` swallows it)."""


def _alarm(signum, frame):
    raise PhaseTimeout()


def emit(obj: dict) -> None:
    print(json.dumps(obj), flush=True)


def status_kib(field: str, pid: str = "self") -> int:
    """A field of /proc/PID/status in KiB (VmRSS, VmHWM), 0 if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_peak() -> None:
    """Reset this process's peak RSS (VmHWM), so that each phase reports its own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


@contextmanager
def phase(name: str, limit: float):
    """Time a phase, stop it after ``limit`` seconds, and print its record (with ``record`` filled in)."""
    record: dict = {"phase": name}
    reset_peak()
    emit({"event": "start", "phase": name})
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    started = time.perf_counter()
    try:
        yield record
        record.setdefault("status", "ok")
    except PhaseTimeout:
        record["status"] = "timeout"
    except MemoryError:
        record["status"] = "memory"
    except Exception as error:  # noqa: BLE001 - a failed phase is reported, the run goes on
        record["status"] = "error"
        record["error"] = f"{type(error).__name__}: {error}"[:500]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    record["seconds"] = round(time.perf_counter() - started, 4)
    record["peak_rss_mib"] = round(status_kib("VmHWM") / 1024, 1)
    record["rss_mib"] = round(status_kib("VmRSS") / 1024, 1)
    emit(record)


def latencies(run, items: list, repeats: int, budget: float) -> dict:
    """Median and p95 (ms) of ``run(item)`` over items x repeats (one untimed warm-up per item),
    stopping after ``budget`` seconds."""
    times, deadline = [], time.perf_counter() + budget
    for item in items:
        run(item)
        for _ in range(repeats):
            started = time.perf_counter()
            run(item)
            times.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline:
            break
    return summary(times)


def summary(times: list[float]) -> dict:
    """n, median and p95 of a list of milliseconds."""
    if not times:
        return {"n": 0}
    ordered = sorted(times)
    return {"n": len(ordered), "median_ms": round(statistics.median(ordered), 4),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 4)}


NAIVE_COLLABORATORS = """{prefixes}SELECT DISTINCT ?ctx ?c2 ?other ?m2 ?role ?period WHERE {{
  ?m1 org:member/org:unitOf? <{organisation}> ; org:organization ?c1 .
  ?c1 schema:parentOrganization* ?ctx .
  ?c2 schema:parentOrganization* ?ctx .
  ?m2 org:organization ?c2 ; org:member ?other .
  FILTER(?other != <{organisation}>)
  FILTER NOT EXISTS {{ ?other org:unitOf <{organisation}> }}
  FILTER NOT EXISTS {{ ?other a schema:Person }}
  OPTIONAL {{ ?m2 org:role ?role }} OPTIONAL {{ ?m2 org:memberDuring ?period }}
}}"""


def question_runner(base: str, select, naive: bool = False, theme_index=None):
    """``run((question, slug))`` for the four policymaker questions, with the REAL queries of api/queries.py
    (a theme's networks from ``theme_index`` when given, as the API answers them); ``select(query)``
    returns rows as dicts of strings."""
    from api import queries as q
    from graph.namespaces import sparql_prefixes

    def run(item):
        question, slug = item
        if question == "collaborators":
            iri = f"{base}id/organisatie/{slug}"
            if naive:  # one query, as one would write it by hand (leernet's steps suit its stores)
                rows = select(NAIVE_COLLABORATORS.format(prefixes=sparql_prefixes(base), organisation=iri))
                return rows
            units = [r["u"] for r in select(q.units_query(base, iri))]
            contexts = [r["c1"] for r in select(q.contexts_query(base, [iri, *units]))]
            rows = select(q.collaborators_query(base, iri, contexts)) if contexts else []
            details = select(q.membership_details_query(base, {r["m2"] for r in rows})) if rows else []
            return q.with_membership_details(rows, details)
        if question == "members":
            iri = f"{base}id/netwerk/{slug}"
            networks = [r["n"] for r in select(q.descendants_query(base, iri))] or [iri]
            return select(q.memberships_query(base, of_organizations=networks))
        if question == "theme-networks":
            if theme_index is not None:
                return theme_index.networks(f"{base}def/thema/{slug}")
            return select(q.list_query(base, q.KINDS["networks"], {"theme": slug}, None))
        if question == "portfolio":
            return select(q.funded_query(base, f"{base}id/programma/{slug}"))
        return select(whole_graph_query(base, question))

    return run


def whole_graph_query(base: str, question: str) -> str:
    """What one would write by hand for the whole-graph questions: a self-join over every membership."""
    pairs = (f"PREFIX org: <http://www.w3.org/ns/org#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
             "SELECT DISTINCT ?a ?b ?n WHERE { ?m1 org:organization ?n ; org:member ?a . "
             "?m2 org:organization ?n ; org:member ?b . ?a a org:FormalOrganization . ?b a org:FormalOrganization . "
             "FILTER(STR(?a) < STR(?b)) }")
    if question == "org-pairs":
        return pairs.replace("SELECT DISTINCT ?a ?b ?n WHERE", "SELECT ?a ?b (COUNT(DISTINCT ?n) AS ?shared) WHERE") + (
            " GROUP BY ?a ?b ORDER BY DESC(?shared) LIMIT 20")
    top = (f"?{{v}} org:classification/skos:broader* ?s{{v}} . ?s{{v}} skos:inScheme <{base}def/sector> "
           "FILTER NOT EXISTS {{ ?s{v} skos:broader ?above{v} }} ")
    return (pairs.split("SELECT")[0] + "SELECT ?sa ?sb (COUNT(*) AS ?pairs) WHERE { { "
            + "SELECT DISTINCT ?a ?b WHERE" + pairs.split("WHERE", 1)[1] + " } "
            + top.format(v="a").replace("{{", "{").replace("}}", "}")
            + top.format(v="b").replace("{{", "{").replace("}}", "}") + "} GROUP BY ?sa ?sb")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_client(spec: dict, mode: str, url: str, timeout: float) -> dict:
    """Run bench/client.py against ``url`` in its own process; its JSON result."""
    job = {**spec, "mode": mode, "url": url}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "client.py"), json.dumps(job)], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise RuntimeError(f"client failed: {done.stderr[-500:]}")
    return json.loads(done.stdout)


def http_phases(spec: dict, url: str, limit: float, server_pid: int | None = None) -> None:
    """Latency of each question over HTTP, then throughput under concurrent load."""
    per_entity = {**spec, "samples": {k: v for k, v in spec["samples"].items() if k not in WHOLE_GRAPH}}
    with phase("http-latency", limit) as record:
        record.update(run_client(per_entity, "latency", url, limit))
    with phase("http-throughput", limit) as record:
        record.update(run_client(per_entity, "throughput", url, limit))
        if server_pid:
            record["server_peak_rss_mib"] = round(status_kib("VmHWM", str(server_pid)) / 1024, 1)
            record["server_rss_mib"] = round(status_kib("VmRSS", str(server_pid)) / 1024, 1)
    # Last: a self-join the naive server gives up on keeps running inside it after the client stops.
    whole = {**spec, "samples": {k: v for k, v in spec["samples"].items() if k in WHOLE_GRAPH}}
    with phase("http-whole-graph", limit) as record:
        record.update(run_client(whole, "latency", url, limit))


def wait_for(url: str, seconds: float) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {seconds:g} s")


def wait_warm(url: str, seconds: float) -> None:
    """Poll leernet's /health until its theme index and public data are ready."""
    import httpx

    deadline = time.monotonic() + seconds
    while set(httpx.get(url, timeout=30).json().values()) != {"up", "ready"}:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} was not warm after {seconds:g} s")
        time.sleep(0.5)


# -- leernet ---------------------------------------------------------------------------------------


def leernet_side(spec: dict) -> None:
    import pyoxigraph as ox

    from graph.ingest import load_curated, load_files
    from graph.settings import load_settings
    from graph.store import open_store
    from graph.validation import validate_store

    limit, long_limit = spec["limit"], spec.get("validation_limit") or spec["limit"]
    workdir = Path(tempfile.mkdtemp(prefix="leernet-bench-", dir=spec.get("workdir")))
    settings = load_settings(store_path=workdir / "store", lock_timeout=60)
    store = open_store(settings, initialise=False)
    with phase("init", limit):
        load_curated(store, command="bench")
    with phase("load", long_limit) as record:
        result = load_files(store, [spec["data"]], command="bench")
        record["triples"] = result.triples
    if record["status"] != "ok":  # fill the store without validation so the other phases can run
        with phase("fill-unvalidated", long_limit) as fill:
            store.oxigraph.bulk_load(path=spec["data"], format=ox.RdfFormat.N_TRIPLES,
                                     to_graph=ox.NamedNode(f"{settings.base_iri}graph/load/bench"))
            fill["quads"] = len(store)
    with phase("validate", long_limit) as record:
        report = validate_store(store, settings)
        record["violations"] = len(report.violations)
    with phase("batch", limit) as record:
        result = load_files(store, [spec["batch"]], command="bench")
        record["triples"] = result.triples
    items = spec["samples"]

    def select(query):
        rows = store.query(query)
        names = [v.value for v in rows.variables]
        return [{n: row[n].value for n in names if row[n] is not None} for row in rows]

    from graph.theme_index import ThemeIndex

    index = None
    with phase("theme-index", limit) as record:  # what the API builds in the background when it starts
        index = ThemeIndex.build(store)
    run = question_runner(settings.base_iri, select, theme_index=index if record["status"] == "ok" else None)
    with phase("query", limit) as record:
        for question in QUESTIONS:
            record[question] = latencies(run, [(question, s) for s in items[question]], spec["repeats"], limit / 6)
    from graph import summaries

    with phase("summary", max(limit, 600)) as record:  # computed and kept once; the questions read it
        kept = summaries.current(store)
        record["pairs"] = kept.collaborating_pairs
    answers = {"org-pairs": lambda: summaries.current(store).pairs[:20],
               "sector-mixing": lambda: summaries.current(store).mixing}
    with phase("whole-graph", limit) as record:
        for question in WHOLE_GRAPH:
            record[question] = latencies(lambda item: answers[item[0]](), [(question, "")], spec["repeats"], limit / 3)
    with phase("analysis", long_limit) as record:  # what each `leernet analyse MEASURE` does, sharing one read
        from graph.analysis import KnowledgeGraphNetworks, run_measure

        started = time.perf_counter()
        networks = KnowledgeGraphNetworks(store)
        record["read_s"] = round(time.perf_counter() - started, 3)
        net = networks.projection()  # the arrays the measures compute on, built once and shared
        record["nodes"], record["edges"] = net.number_of_nodes(), net.number_of_edges()
        record["projection_s"] = round(time.perf_counter() - started - record["read_s"], 3)
        for measure in MEASURES:
            begun = time.perf_counter()
            try:
                run = run_measure(networks, measure)
                record[f"{measure}_s"] = round(time.perf_counter() - begun, 3)
                if run.approximation:
                    record[f"{measure}_approximation"] = run.approximation
            except Exception as error:  # noqa: BLE001 - e.g. constraint refused on a large network
                record[f"{measure}_s"] = None
                record[f"{measure}_error"] = str(error)[:200]
    store.close()
    port = free_port()
    command = [str(Path(sys.executable).parent / "leernet"), "--quiet", "--store", str(settings.store_path),
               "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={k: v for k, v in os.environ.items() if not k.startswith("LEERNET_")})
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1", 120)
        with phase("server-warm", long_limit) as record:  # until its kept indexes are built, as after any start
            wait_warm(f"http://127.0.0.1:{port}/api/v1/health", long_limit)
        http_phases({**spec, "kind": "rest"}, f"http://127.0.0.1:{port}", limit, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    emit({"event": "disk", "store_mib": round(sum(f.stat().st_size for f in (workdir / "store").rglob("*")
                                                   if f.is_file()) / 2**20, 1)})
    shutil.rmtree(workdir, ignore_errors=True)


# -- naive: rdflib + pyshacl + rdflib-endpoint + networkx ---------------------------------------------


def naive_side(spec: dict) -> None:
    import rdflib

    from graph.settings import load_settings

    limit, long_limit = spec["limit"], spec.get("validation_limit") or spec["limit"]
    settings = load_settings(store_path=None)
    graph = rdflib.Graph()
    with phase("parse", limit) as record:
        graph.parse(spec["data"], format="nt")
        for file in sorted(settings.ontology_dir.glob("*.ttl")):
            graph.parse(file, format="turtle", publicID=settings.base_iri)
        record["triples"] = len(graph)
    if record["status"] != "ok":
        return
    items = spec["samples"]

    def select(query):
        return [{str(k): str(v) for k, v in row.asdict().items()} for row in graph.query(query)]

    run = question_runner(settings.base_iri, select, naive=True)
    with phase("query", limit) as record:
        for question in QUESTIONS:
            record[question] = latencies(run, [(question, s) for s in items[question]], spec["repeats"], limit / 6)
    for question in WHOLE_GRAPH:  # a phase each: a self-join that runs out of time stops only itself
        with phase(f"whole-graph-{question}", limit) as record:
            record[question] = latencies(run, [(question, "")], 1, limit)
    import uvicorn
    from rdflib_endpoint import SparqlEndpoint

    port = free_port()
    app = SparqlEndpoint(graph=graph, path="/sparql", cors_enabled=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_for(f"http://127.0.0.1:{port}/sparql", 60)
        http_phases({**spec, "kind": "sparql"}, f"http://127.0.0.1:{port}/sparql", limit)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    with phase("analysis", long_limit) as record:
        naive_analysis(graph, settings.base_iri, record)
    shapes = rdflib.Graph()
    for file in sorted(settings.shapes_dir.glob("*.ttl")):
        shapes.parse(file, format="turtle", publicID=settings.base_iri)
    import pyshacl

    with phase("validate", long_limit) as record:
        conforms, results, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True,
                                                allow_warnings=True, allow_infos=True)
        record["conforms"] = bool(conforms)
    with phase("batch", limit) as record:
        graph.parse(spec["batch"], format="nt")
        conforms, _, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True,
                                          allow_warnings=True, allow_infos=True)
        record["conforms"] = bool(conforms)


def naive_analysis(graph, base: str, record: dict) -> None:
    """What one would write by hand: memberships from the rdflib graph, the one-mode projection with
    networkx, and the same measure functions as leernet."""
    from itertools import combinations

    import networkx as nx
    from rdflib import URIRef

    from graph.analysis import measures as m

    org = "http://www.w3.org/ns/org#"
    started = time.perf_counter()
    contexts: dict = {}
    for membership, _, member in graph.triples((None, URIRef(org + "member"), None)):
        network = graph.value(membership, URIRef(org + "organization"))
        if network is not None and "/id/persoon/" not in str(member):
            contexts.setdefault(network, set()).add(member)
    projection = nx.Graph()
    for members in contexts.values():
        for a, b in combinations(sorted(members), 2):
            weight = projection[a][b]["weight"] + 1 if projection.has_edge(a, b) else 1
            projection.add_edge(a, b, weight=weight)
    for node in projection:
        sector = graph.value(node, URIRef(org + "classification"))
        projection.nodes[node]["sector"] = str(sector).rsplit("/", 1)[-1] if sector is not None else "onbekend"
    record["projection_s"] = round(time.perf_counter() - started, 3)
    record["nodes"], record["edges"] = projection.number_of_nodes(), projection.number_of_edges()
    def constraint():  # refused above the same budget as leernet's, which networkx would take hours for
        from graph.analysis.results import CONSTRAINT_BUDGET

        if sum(d ** 3 for _, d in projection.degree()) > CONSTRAINT_BUDGET:
            raise ValueError("refused: over leernet's constraint budget")
        return m.constraint(projection)

    steps = {
        "ei": lambda: m.ei_index(projection, "sector"), "brokerage": lambda: m.brokerage(projection, "sector"),
        "blau": lambda: [m.blau([projection.nodes[x]["sector"] for x in ms if x in projection]) for ms in contexts.values()],
        "assortativity": lambda: m.assortativity(projection, "sector"), "constraint": constraint,
        "betweenness": lambda: m.betweenness(projection), "communities": lambda: m.communities(projection),
        "spanners": lambda: m.boundary_spanners(projection, "sector"),
    }
    for name, step in steps.items():
        begun = time.perf_counter()
        try:
            step()
            record[f"{name}_s"] = round(time.perf_counter() - begun, 3)
        except ValueError as error:
            record[f"{name}_s"], record[f"{name}_error"] = None, str(error)


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    import logging

    for name in ("rdflib", "pyshacl", "rdflib_endpoint", "uvicorn"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    (leernet_side if spec["side"] == "leernet" else naive_side)(spec)
    emit({"event": "done"})


if __name__ == "__main__":
    main()
