"""Turning the benchmark's raw phase records into the comparison table (text and Markdown), the
target checks, the change against the previous run, and a plot."""

from __future__ import annotations

from dataclasses import dataclass

QUESTIONS = ("collaborators", "members", "theme-networks", "portfolio")
WHOLE_GRAPH = ("org-pairs", "sector-mixing")  # leernet: from kept summaries; naive: a self-join
MEASURES = ("ei", "brokerage", "blau", "assortativity", "constraint", "betweenness", "communities", "spanners")


@dataclass
class Value:
    """A measured number, or a lower bound (``bound=">"``) when the phase hit its limit; None: not measured."""

    value: float | None
    bound: str = ""

    def text(self, unit: str = "") -> str:
        if self.value is None:
            return "—"
        number = f"{self.value:,.0f}" if self.value >= 100 else f"{self.value:.3g}"
        return f"{self.bound}{number}{unit}"


NONE = Value(None)


def phase_seconds(side: dict, name: str, limit: float) -> Value:
    """The seconds of a phase: exact when it finished, ``> seconds run`` when it timed out or ran out of memory."""
    record = side.get(name)
    if not record:
        return NONE
    if record.get("status") == "ok":
        return Value(record["seconds"])
    if record.get("status") in ("timeout", "memory", "killed"):
        return Value(record.get("seconds", limit), ">")
    return NONE


def add(*values: Value) -> Value:
    if any(v.value is None for v in values):
        return NONE
    return Value(sum(v.value for v in values), ">" if any(v.bound for v in values) else "")


def ratio(slow: Value, fast: Value) -> Value:
    """How many times ``fast`` beats ``slow`` (both times), with the direction of any bound."""
    if slow.value is None or fast.value is None or fast.value == 0:
        return NONE
    if slow.bound and fast.bound:
        return NONE
    bound = ">" if slow.bound else "<" if fast.bound else ""
    return Value(slow.value / fast.value, bound)


def question(side: dict, phase: str, name: str, key: str = "p95_ms") -> Value:
    record = side.get(phase) or {}
    stats = record.get(name) or {}
    if stats.get("timeout_ms") is not None:  # a request was given up: at least that slow
        return Value(max(stats["timeout_ms"], stats.get(key) or 0), ">")
    if stats.get(key) is not None:
        return Value(stats[key])
    if record.get("status") in ("timeout", "memory", "killed"):
        return Value(record.get("seconds", 0) * 1000, ">")
    return NONE


def analyses(side: dict, limit: float) -> Value:
    record = side.get("analysis") or {}
    if record.get("status") != "ok":
        return phase_seconds(side, "analysis", limit)
    return Value(record["seconds"], "")


def one_analysis(side: dict, limit: float) -> Value:
    """The slowest single analysis as one ``leernet analyse MEASURE`` runs it: reading the store,
    building the network and computing the measure (the phase computes all measures on one read)."""
    record = side.get("analysis") or {}
    times = [record.get(f"{m}_s") for m in MEASURES if record.get(f"{m}_s") is not None]
    if record.get("status") != "ok" or not times:
        return phase_seconds(side, "analysis", limit)
    return Value(record.get("read_s", 0) + record.get("projection_s", 0) + max(times))


def memory(side: dict) -> Value:
    peaks = [r.get("peak_rss_mib") for r in side.values() if isinstance(r, dict) and r.get("peak_rss_mib")]
    return Value(max(peaks) / 1024) if peaks else NONE


def rows_for(scale: dict, limit: float) -> list[tuple[str, Value, Value, Value, str]]:
    """(metric, leernet, naive, ratio, unit) rows for one scale."""
    lee, nai = scale.get("leernet", {}), scale.get("naive", {})
    rows = []
    load_l = phase_seconds(lee, "load", limit)
    load_n = add(phase_seconds(nai, "parse", limit), phase_seconds(nai, "validate", limit))
    triples = scale["triples"]
    rows.append(("load with validation (s)", load_l, load_n, ratio(load_n, load_l), " s"))
    rate = lambda v: Value(triples / v.value, "<" if v.bound else "") if v.value else NONE  # noqa: E731
    rows.append(("load throughput (triples/s)", rate(load_l), rate(load_n), ratio(load_n, load_l), ""))
    val_l, val_n = phase_seconds(lee, "validate", limit), phase_seconds(nai, "validate", limit)
    rows.append(("full validation (s)", val_l, val_n, ratio(val_n, val_l), " s"))
    bat_l, bat_n = phase_seconds(lee, "batch", limit), phase_seconds(nai, "batch", limit)
    rows.append(("batch of 1,000 triples validated into the graph (s)", bat_l, bat_n, ratio(bat_n, bat_l), " s"))
    for where, phase in (("in-process", "query"), ("HTTP", "http-latency")):
        for name in QUESTIONS + WHOLE_GRAPH:
            if name in QUESTIONS:
                lp, np_ = phase, phase
            elif phase == "http-latency":  # whole-graph questions have phases of their own
                lp, np_ = "http-whole-graph", "http-whole-graph"
            else:
                lp, np_ = "whole-graph", f"whole-graph-{name}"
            l, n = question(lee, lp, name), question(nai, np_, name)
            med_l, med_n = question(lee, lp, name, "median_ms"), question(nai, np_, name, "median_ms")
            rows.append((f"{name} {where}: median (ms)", med_l, med_n, ratio(med_n, med_l), " ms"))
            rows.append((f"{name} {where}: p95 (ms)", l, n, ratio(n, l), " ms"))
    thr_l = Value((lee.get("http-throughput") or {}).get("requests_per_s"))
    thr_n = Value((nai.get("http-throughput") or {}).get("requests_per_s"))
    concurrency = (lee.get("http-throughput") or nai.get("http-throughput") or {}).get("concurrency", "?")
    rows.append((f"HTTP throughput, {concurrency} clients (req/s)", thr_l, thr_n, ratio(thr_l, thr_n), ""))
    an_l, an_n = analyses(lee, limit), analyses(nai, limit)
    rows.append(("analyses: read, projection and 8 measures (s)", an_l, an_n, ratio(an_n, an_l), " s"))
    one_l, one_n = one_analysis(lee, limit), one_analysis(nai, limit)
    rows.append(("one analysis, the slowest: read, projection, measure (s)", one_l, one_n, ratio(one_n, one_l), " s"))
    for name, phase_name in (("kept: whole-graph summaries computed (s)", "summary"),
                             ("kept: theme index built (s)", "theme-index"),
                             ("server warm after start: public data and indexes (s)", "server-warm")):
        rows.append((name, phase_seconds(lee, phase_name, limit), NONE, NONE, " s"))
    server = (lee.get("http-throughput") or {}).get("server_peak_rss_mib")
    rows.append(("peak RSS of the side's process (GiB)", memory(lee), memory(nai), NONE, " GiB"))
    naive_served = (nai.get("http-throughput") or {}).get("rss_mib")
    rows.append(("RSS while serving HTTP (GiB)", Value(server / 1024) if server else NONE,
                 Value(naive_served / 1024) if naive_served else NONE, NONE, " GiB"))
    return rows


TARGETS = (
    # (label, scale, check(rows dict) -> (ok | None, shown))
    ("load with validation at 1M ≥ 10× faster than rdflib+pyshacl", 1_000_000, "load with validation (s)", "ratio", 10),
    ("batch of 1,000 into 10M validated < 1 s", 10_000_000, "batch of 1,000 triples validated into the graph (s)", "leernet", 1),
    ("full validation of 1M ≥ 10× faster than pyshacl", 1_000_000, "full validation (s)", "ratio", 10),
    ("per-entity and whole-graph questions at 10M: p95 < 100 ms in-process", 10_000_000, "in-process: p95 (ms)", "leernet-all", 100),
    ("per-entity and whole-graph questions at 10M: p95 < 150 ms over HTTP", 10_000_000, "HTTP: p95 (ms)", "leernet-all", 150),
    ("every analysis < 60 s (or estimated, stated)", None, "one analysis, the slowest: read, projection, measure (s)",
     "leernet", 60),
    ("10M served within 4 GiB RSS", 10_000_000, "RSS while serving HTTP (GiB)", "leernet", 4),
)


def check_targets(results: dict) -> list[tuple[str, str, str]]:
    """(target, scale, verdict with the measured value) for every target the run's scales allow."""
    out = []
    limit = results["limit"]
    for label, at, metric, how, threshold in TARGETS:
        scales = [int(s) for s in results["scales"]] if at is None else [at]
        for scale in scales:
            data = results["scales"].get(str(scale))
            if data is None:
                out.append((label, f"{scale:,}", "not measured in this run"))
                continue
            rows = {r[0]: r for r in rows_for(data, limit)}
            if how == "ratio":
                v = rows[metric][3]
                ok = v.value is not None and v.value >= threshold and v.bound != "<"
                shown = f"{v.text()}×"
            elif how == "leernet":
                v = rows[metric][1]
                ok = v.value is not None and not v.bound and v.value < threshold
                shown = v.text()
            else:
                values = [r[1] for name, r in rows.items() if name.endswith(metric)]
                worst = max((v for v in values if v.value is not None), key=lambda v: v.value, default=NONE)
                ok = worst.value is not None and not worst.bound and worst.value < threshold
                shown = f"worst {worst.text()} ms"
            verdict = ("met" if ok else "NOT met") + f" ({shown})"
            estimated = [m for m in MEASURES if (data.get("leernet", {}).get("analysis") or {}).get(f"{m}_approximation")]
            if metric.startswith("one analysis") and estimated:
                verdict += f"; estimated, as the results state: {', '.join(estimated)}"
            out.append((label, f"{scale:,}", verdict))
    return out


def markdown(results: dict, previous: dict | None = None) -> str:
    """The whole result as Markdown: one table per scale, then the targets."""
    limit = results["limit"]
    parts = [f"Per-phase time limit {limit:g} s; `>` marks a lower bound (the phase was stopped), `—` not "
             f"measured. Ratio = how many times leernet is faster (for throughput: leernet / naive)."]
    for scale, data in results["scales"].items():
        gen = data.get("generate", {})
        parts.append(f"\n#### {int(scale):,} triples (generated: {data['triples']:,} triples in "
                     f"{gen.get('seconds', 0):.1f} s, {gen.get('triples_per_s', 0):,.0f} triples/s; "
                     f"{gen.get('networks', 0):,} networks, {gen.get('organisations', 0):,} organisations)\n")
        old = (previous or {}).get("scales", {}).get(scale)
        old_rows = {r[0]: r for r in rows_for(old, previous.get("limit", limit))} if old else {}
        header = "| metric | leernet | rdflib + pyshacl | ratio |" + (" Δ leernet | Δ naive |" if old_rows else "")
        parts += [header, "|---|---:|---:|---:|" + ("---:|---:|" if old_rows else "")]
        for name, lee, nai, rat, unit in rows_for(data, limit):
            line = f"| {name} | {lee.text()} | {nai.text()} | {rat.text() + '×' if rat.value else '—'} |"
            if old_rows:
                before = old_rows.get(name, (name, NONE, NONE, NONE, ""))
                line += f" {change(before[1], lee)} | {change(before[2], nai)} |"
            parts.append(line)
        notes = [f"{side}: {phase} {rec['status']}" + (f" ({rec.get('error')})" if rec.get("error") else "")
                 for side in ("leernet", "naive") for phase, rec in data.get(side, {}).items()
                 if isinstance(rec, dict) and rec.get("status") not in (None, "ok")]
        for side in ("leernet", "naive"):
            load = data.get(side, {}).get("http-throughput") or {}
            if load.get("errors"):
                notes.append(f"{side}: {load['errors']} of {load['errors'] + load['requests']} requests under load "
                             f"failed or took longer than {results['settings'].get('duration', 0) + 10:g} s")
            analysis = data.get(side, {}).get("analysis") or {}
            notes += [f"{side}: {m} not computed ({analysis[f'{m}_error']})" for m in MEASURES
                      if analysis.get(f"{m}_error")]
        lee_an = data.get("leernet", {}).get("analysis", {})
        nai_an = data.get("naive", {}).get("analysis", {})
        if lee_an.get("nodes") is not None or nai_an.get("nodes") is not None:
            notes.append(f"projection: leernet {lee_an.get('nodes')} nodes / {lee_an.get('edges')} ties "
                         f"(direct and through programmes and umbrellas), naive {nai_an.get('nodes')} / "
                         f"{nai_an.get('edges')} (direct memberships only)")
        if notes:
            parts.append("\n" + "; ".join(notes) + ".")
    parts.append("\n#### Targets of the issue\n\n| target | at | result |\n|---|---:|---|")
    parts += [f"| {label} | {at} | {verdict} |" for label, at, verdict in check_targets(results)]
    return "\n".join(parts) + "\n"


def change(old: Value, new: Value) -> str:
    """The relative change from the previous run ("+12%"), or "—"."""
    if old.value in (None, 0) or new.value is None or old.bound or new.bound:
        return "—"
    return f"{(new.value - old.value) / old.value * 100:+.0f}%"


def plot(results: dict, path) -> None:
    """Bars (log scale) of the main times per scale, leernet beside the naive stack; hatched = lower bound."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    limit = results["limit"]
    metrics = ("load with validation (s)", "full validation (s)", "batch of 1,000 triples validated into the graph (s)",
               "collaborators in-process: p95 (ms)", "members HTTP: p95 (ms)", "analyses: read, projection and 8 measures (s)")
    short = ("load+validate s", "validate s", "batch 1k s", "collab. p95 ms", "members HTTP p95 ms", "analyses s")
    scales = list(results["scales"])
    fig, axes = plt.subplots(1, len(scales), figsize=(6 * len(scales), 4.5), squeeze=False)
    for ax, scale in zip(axes[0], scales):
        rows = {r[0]: r for r in rows_for(results["scales"][scale], limit)}
        for offset, (index, side, colour) in enumerate(((1, "leernet", "#1f77b4"), (2, "rdflib + pyshacl", "#d62728"))):
            values = [rows[m][index] for m in metrics]
            xs = [i + (offset - 0.5) * 0.4 for i in range(len(metrics))]
            bars = ax.bar(xs, [v.value or 0 for v in values], width=0.4, color=colour, label=side)
            for bar, v in zip(bars, values):
                if v.bound:
                    bar.set_hatch("//")
                    bar.set_alpha(0.6)
        ax.set_yscale("log")
        ax.set_xticks(range(len(metrics)))
        ax.set_xticklabels(short, rotation=30, ha="right", fontsize=8)
        ax.set_title(f"{int(scale):,} triples")
        ax.legend(fontsize=8)
    fig.suptitle("leernet vs rdflib + pyshacl (log scale; hatched: stopped at the limit, a lower bound)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def text_table(results: dict, previous: dict | None) -> str:
    """The table for the terminal (the Markdown is readable as it is)."""
    return markdown(results, previous)
