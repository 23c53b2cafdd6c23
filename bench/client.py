"""The benchmark's HTTP client, run in its own process: ``python bench/client.py JOB_JSON``.

``kind`` is ``rest`` (leernet's REST API: one GET per question) or ``sparql`` (an rdflib-endpoint:
the same SPARQL as the naive in-process runs, POSTed: api/queries.py's, except for collaborators, asked
in one hand-written query; the members question takes two requests, as in the API). ``mode`` is ``latency`` (sequential: median and p95 per question) or
``throughput`` (``concurrency`` threads for ``duration`` seconds, at most ``max_requests`` requests).
Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from urllib.parse import urlsplit

import httpx

from api import queries as q

REST_PATHS = {"collaborators": "/api/v1/organisations/{}/collaborators", "members": "/api/v1/networks/{}/members",
              "theme-networks": "/api/v1/themes/{}/networks", "portfolio": "/api/v1/programmes/{}/funded",
              "org-pairs": "/api/v1/organisation-pairs", "sector-mixing": "/api/v1/sector-mixing"}
WHOLE_GRAPH = ("org-pairs", "sector-mixing")
SPARQL_JSON = "application/sparql-results+json"


def asker(job: dict):
    """``ask(client, question, slug)``: one question, raising on a failed response."""
    base = job["base_iri"]

    def sparql(client: httpx.Client, query: str) -> list[dict]:
        response = client.post(job["url"], data={"query": query}, headers={"Accept": SPARQL_JSON})
        response.raise_for_status()
        return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]

    def ask(client: httpx.Client, question: str, slug: str) -> None:
        if job["kind"] == "rest":
            client.get(job["url"] + REST_PATHS[question].format(slug)).raise_for_status()
        elif question == "collaborators":
            from worker import NAIVE_COLLABORATORS
            from graph.namespaces import sparql_prefixes

            sparql(client, NAIVE_COLLABORATORS.format(prefixes=sparql_prefixes(base),
                                                      organisation=f"{base}id/organisatie/{slug}"))
        elif question == "members":
            iri = f"{base}id/netwerk/{slug}"
            networks = [r["n"] for r in sparql(client, q.descendants_query(base, iri))] or [iri]
            sparql(client, q.memberships_query(base, of_organizations=networks))
        elif question == "theme-networks":
            sparql(client, q.list_query(base, q.KINDS["networks"], {"theme": slug}, None))
        elif question == "portfolio":
            sparql(client, q.funded_query(base, f"{base}id/programma/{slug}"))
        else:
            from worker import whole_graph_query

            sparql(client, whole_graph_query(base, question))

    return ask


def summary(times: list[float]) -> dict:
    if not times:
        return {"n": 0}
    ordered = sorted(times)
    return {"n": len(ordered), "median_ms": round(ordered[len(ordered) // 2], 2),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2)}


def latency(job: dict) -> dict:
    """Sequential requests: per question one untimed warm-up per entity, then ``repeats`` timed ones,
    for at most ``limit / 6`` seconds per question; a request slower than that is given up and the
    question reported as at least that slow (``timeout_ms``)."""
    ask, result = asker(job), {}
    budget = job["limit"] / 6
    with httpx.Client(timeout=budget) as client:
        for question, slugs in job["samples"].items():
            times, deadline = [], time.perf_counter() + budget
            try:
                for slug in slugs:
                    ask(client, question, slug)  # warm-up
                    for _ in range(job["repeats"]):
                        started = time.perf_counter()
                        ask(client, question, slug)
                        times.append((time.perf_counter() - started) * 1000)
                    if time.perf_counter() > deadline:
                        break
                result[question] = summary(times)
            except httpx.TimeoutException:
                result[question] = {**summary(times), "timeout_ms": round(budget * 1000)}
    return result


def throughput(job: dict) -> dict:
    ask = asker(job)
    work = [(question, slug) for question, slugs in job["samples"].items() for slug in slugs
            if question not in WHOLE_GRAPH]
    deadline = time.perf_counter() + job["duration"]
    budget = [job["max_requests"]]
    lock = threading.Lock()
    times: list[float] = []
    errors = [0]

    def worker(seed: int) -> None:
        order = random.Random(seed)
        with httpx.Client(timeout=job["duration"] + 10) as client:  # slower answers count as errors
            while time.perf_counter() < deadline:
                with lock:
                    if budget[0] <= 0:
                        return
                    budget[0] -= 1
                question, slug = order.choice(work)
                started = time.perf_counter()
                try:
                    ask(client, question, slug)
                    elapsed = (time.perf_counter() - started) * 1000
                    with lock:
                        times.append(elapsed)
                except httpx.HTTPError:
                    with lock:
                        errors[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(job["concurrency"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"requests": len(times), "errors": errors[0], "seconds": round(elapsed, 2),
            "requests_per_s": round(len(times) / elapsed, 2) if elapsed else None,
            "concurrency": job["concurrency"], **{f"under_load_{k}": v for k, v in summary(times).items()}}


def main() -> None:
    job = json.loads(sys.argv[1])
    if urlsplit(job["url"]).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("the benchmark client only talks to 127.0.0.1")
    print(json.dumps(latency(job) if job["mode"] == "latency" else throughput(job)))


if __name__ == "__main__":
    main()
