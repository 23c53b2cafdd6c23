"""Benchmark leernet against the naive stack (rdflib + pyshacl + rdflib-endpoint) on synthetic data.

    python bench/run.py --quick          # 10k and 100k triples, a few minutes
    python bench/run.py                  # 100k, 1M and 10M triples (hours; phases stop at --limit)

For each scale it generates the data (``graph.generate``) and a batch of 1,000 triples, then runs each
side in its own process (bench/worker.py), one after the other, watching time and memory. It prints
the comparison, writes bench/results/latest.{json,md,png} and compares with the previous latest.json.
See bench/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import report  # noqa: E402

from graph.generate import generate, generate_batch  # noqa: E402
from graph.settings import DEFAULT_BASE_IRI  # noqa: E402

RESULTS = ROOT / "bench" / "results"
README = ROOT / "bench" / "README.md"
MARKERS = ("<!-- quick-run:start -->", "<!-- quick-run:end -->")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="10k and 100k triples only")
    p.add_argument("--scales", type=lambda s: [int(float(x)) for x in s.split(",")], help="e.g. 10000,100000")
    p.add_argument("--limit", type=float, help="seconds after which a phase is stopped (default 300, quick 30)")
    p.add_argument("--validation-limit", type=float,
                   help="seconds for loading with validation, full validation and the analyses (default: --limit); "
                        "pyshacl needs about 1,300 s for 1M triples, so the 10x targets at 1M need 1500")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--samples", type=int, help="entities per question (default 5, quick 3)")
    p.add_argument("--repeats", type=int, help="timed runs per entity (default 3, quick 2)")
    p.add_argument("--concurrency", type=int, default=8, help="client threads for the throughput test")
    p.add_argument("--duration", type=float, help="seconds of the throughput test (default 20, quick 5)")
    p.add_argument("--max-requests", type=int, default=20_000, help="cap on requests in the throughput test")
    p.add_argument("--max-rss-gib", type=float, default=18.0, help="stop a side whose process grows past this")
    p.add_argument("--sides", default="leernet,naive", help="which sides to run (default both)")
    p.add_argument("--data-dir", type=Path, help="where generated data goes (default: a temporary directory)")
    p.add_argument("--results", type=Path, default=RESULTS, help="where latest.json/.md/.png go")
    p.add_argument("--readme", action="store_true", help="also put the tables into bench/README.md (quick run section)")
    args = p.parse_args(argv)
    args.scales = args.scales or ([10_000, 100_000] if args.quick else [100_000, 1_000_000, 10_000_000])
    args.limit = args.limit or (30.0 if args.quick else 300.0)
    args.duration = args.duration or (5.0 if args.quick else 20.0)
    args.samples = args.samples or (3 if args.quick else 5)
    args.repeats = args.repeats or (2 if args.quick else 3)
    return args


def samples(path: Path, count: int, seed: int, base: str) -> dict[str, list[str]]:
    """Slugs of organisations that are members somewhere, networks, themes used and programmes."""
    found: dict[str, set] = {"collaborators": set(), "members": set(), "theme-networks": set(), "portfolio": set()}
    patterns = (
        ("collaborators", re.compile(rf"org#member> <{re.escape(base)}id/organisatie/(syn-[a-z0-9-]+)>")),
        ("members", re.compile(rf"^<{re.escape(base)}id/netwerk/(syn-[a-z0-9-]+)> <[^>]+#type> <[^>]+LearningNetwork>")),
        ("theme-networks", re.compile(rf"dc/terms/subject> <{re.escape(base)}def/thema/([a-z0-9-]+)>")),
        ("portfolio", re.compile(rf"^<{re.escape(base)}id/programma/(syn-[a-z0-9-]+)> <[^>]+#type> <[^>]+#Programme>")),
    )
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            for name, pattern in patterns:
                hit = pattern.search(line)
                if hit:
                    found[name].add(hit.group(1))
    rng = random.Random(seed)
    chosen = {name: rng.sample(sorted(values), min(count, len(values))) for name, values in found.items()}
    return {**chosen, "org-pairs": [""], "sector-mixing": [""]}  # whole-graph questions take no entity


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_side(spec: dict, args, log) -> dict:
    """Run one side in a worker process; its phase records (a stopped phase is marked timeout/memory)."""
    spec_file = Path(tempfile.mkstemp(suffix=".json")[1])
    spec_file.write_text(json.dumps(spec))
    worker = subprocess.Popen([sys.executable, str(ROOT / "bench" / "worker.py"), str(spec_file)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                              env={**{k: v for k, v in os.environ.items() if not k.startswith("LEERNET_")},
                                   "PYTHONPATH": str(ROOT)})
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in worker.stdout] + [lines.put(None)], daemon=True).start()
    errors: list[str] = []
    threading.Thread(target=lambda: [errors.append(line) for line in worker.stderr], daemon=True).start()
    records: dict = {}
    current, started = None, time.monotonic()
    peak = 0.0
    while True:
        try:
            line = lines.get(timeout=1.0)
        except queue.Empty:
            line = ""
        if line is None:
            break
        if line:
            message = json.loads(line)
            if message.get("event") == "start":
                current, started = message["phase"], time.monotonic()
                log(f"  {spec['side']:<8} {current} ...")
            elif message.get("event") == "disk":
                records["disk"] = message
            elif "phase" in message:
                message["worker_peak_rss_mib"] = round(peak, 1)
                records[message["phase"]] = message
                log(f"  {spec['side']:<8} {message['phase']}: {message['status']} in {message['seconds']:.2f} s"
                    f" (peak {message['peak_rss_mib']:.0f} MiB)")
                current = None
        peak = max(peak, rss_mib(worker.pid))
        stuck = current is not None and time.monotonic() - started > max(spec["limit"], spec["validation_limit"] or 0) + 120
        if current is not None and (stuck or peak > args.max_rss_gib * 1024):
            reason = "timeout" if stuck else "memory"
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            records[current] = {"phase": current, "status": reason, "seconds": round(time.monotonic() - started, 2),
                                "peak_rss_mib": round(peak, 1)}
            log(f"  {spec['side']:<8} {current}: stopped ({reason})")
            break
    worker.wait()
    spec_file.unlink(missing_ok=True)
    if worker.returncode not in (0, -9) and errors:
        records["worker_error"] = "".join(errors)[-2000:]
    return records


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory = next((int(line.split()[1]) / 2**20 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()}"


def main(argv=None) -> int:
    args = parse_args(argv)
    args.results.mkdir(parents=True, exist_ok=True)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="leernet-bench-data-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    base = DEFAULT_BASE_IRI
    started = datetime.now(timezone.utc)
    results = {"started": started.isoformat(timespec="seconds"), "machine": machine(), "limit": args.limit,
               "validation_limit": args.validation_limit or args.limit,
               "command": " ".join(["python bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
               "settings": {k: v for k, v in vars(args).items() if k in ("seed", "samples", "repeats", "concurrency",
                                                                         "duration", "max_requests")},
               "scales": {}}

    def log(message: str) -> None:
        print(message, flush=True)

    for scale in args.scales:
        log(f"{scale:,} triples: generating ...")
        data, batch = data_dir / f"synthetic-{scale}-s{args.seed}.nt", data_dir / f"batch-{scale}-s{args.seed}.nt"
        made = generate(data, scale, args.seed)
        generate_batch(batch, scale, args.seed, size=1000)
        entry = {"triples": made.triples, "generate": {
            "seconds": round(made.seconds, 3), "triples_per_s": round(made.triples_per_second),
            "networks": made.networks, "organisations": made.organisations, "bytes": data.stat().st_size}}
        log(f"  generated {made.triples:,} triples in {made.seconds:.1f} s ({made.triples_per_second:,.0f} triples/s)")
        spec = {"data": str(data), "batch": str(batch), "limit": args.limit, "repeats": args.repeats,
                "validation_limit": args.validation_limit,
                "samples": samples(data, args.samples, args.seed, base), "base_iri": base,
                "concurrency": args.concurrency, "duration": args.duration, "max_requests": args.max_requests,
                "workdir": str(data_dir)}
        for side in args.sides.split(","):
            entry[side] = run_side({**spec, "side": side}, args, log)
        results["scales"][str(scale)] = entry
        data.unlink(missing_ok=True)
        batch.unlink(missing_ok=True)
    if args.data_dir is None:
        shutil.rmtree(data_dir, ignore_errors=True)
    results["seconds"] = round((datetime.now(timezone.utc) - started).total_seconds(), 1)
    latest = args.results / "latest.json"
    previous = json.loads(latest.read_text()) if latest.exists() else None
    table = report.markdown(results, previous)
    print("\n" + table)
    if previous:
        print(f"(Δ columns: change against the previous run of {previous.get('started')})")
    latest.write_text(json.dumps(results, indent=1) + "\n")
    (args.results / "latest.md").write_text(f"# Benchmark run of {results['started']}\n\n{results['machine']}\n\n"
                                            f"`{results['command']}`\n\n{report.markdown(results, None)}")
    report.plot(results, args.results / "latest.png")
    if args.readme:
        update_readme(results)
    log(f"wrote {latest}, latest.md and latest.png in {results['seconds']:.0f} s")
    return 0


def update_readme(results: dict) -> None:
    """Replace the section between the quick-run markers of bench/README.md by this run's tables."""
    text = README.read_text(encoding="utf-8")
    start, end = text.index(MARKERS[0]) + len(MARKERS[0]), text.index(MARKERS[1])
    section = (f"\n### Latest quick run ({results['started'][:10]}, {results['machine']})\n\n"
               f"`{results['command']}`, {results['seconds']:.0f} s in all.\n\n{report.markdown(results, None)}\n")
    README.write_text(text[:start] + section + text[end:], encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
