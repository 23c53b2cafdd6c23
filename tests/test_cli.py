"""The real ``leernet`` command in subprocesses, on real on-disk stores."""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import BASE, INGEST_FIXTURES, cli_env, leernet_command, store_quads
from graph.cli import exit_code, report_error
from graph.errors import InputError, NotFound, QueryRefused, StoreBusy, ValidationFailed

SUBCOMMANDS = ["init", "load", "import", "validate", "query", "export", "stats", "backup", "restore", "drop"]
META = BASE + "graph/meta"


def quads_without_meta(path: Path) -> list[str]:
    return [q for q in store_quads(path) if not q.endswith(f"<{META}>")]


def write_big_file(path: Path, triples: int) -> Path:
    with open(path, "w") as out:
        for i in range(triples):
            out.write(f'<https://example.org/big/s{i}> <https://example.org/big/p> "waarde {i}" .\n')
    return path


# --- help, usage, error mapping -------------------------------------------------------------------

def test_main_help_lists_every_subcommand_and_the_exit_codes(run_cli):
    result = run_cli("--help")
    assert result.returncode == 0
    for name in SUBCOMMANDS:
        assert name in result.stdout
    assert "exit codes: 0 ok, 1 SHACL violations, 2 bad input" in result.stdout


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_has_help_with_examples(run_cli, name):
    result = run_cli(name, "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout and f"leernet {name}" in result.stdout


def test_usage_errors_exit_2(run_cli):
    assert run_cli().returncode == 2
    result = run_cli("frobnicate")
    assert result.returncode == 2 and "invalid choice" in result.stderr
    assert run_cli("--lang", "fr", "stats").returncode == 2


def test_python_dash_m_graph_runs_the_cli(store_path):
    result = subprocess.run([sys.executable, "-m", "graph", "--version"], capture_output=True, text=True,
                            env=cli_env(store_path), cwd=INGEST_FIXTURES.parent.parent.parent)
    assert result.returncode == 0 and result.stdout.startswith("leernet ")


def test_errors_map_to_exit_codes_in_one_place():
    assert exit_code(ValidationFailed("x")) == 1
    assert exit_code(InputError("x")) == 2
    assert exit_code(QueryRefused("x")) == 2
    assert exit_code(NotFound("x")) == 3
    assert exit_code(StoreBusy("x")) == 4
    assert exit_code(RuntimeError("bug")) == 70
    assert exit_code(KeyboardInterrupt()) == 130


def test_internal_errors_say_so_and_hide_the_traceback_unless_debugging(capsys, monkeypatch):
    monkeypatch.delenv("LEERNET_DEBUG", raising=False)
    try:
        raise RuntimeError("something broke")
    except RuntimeError as error:
        report_error(error)
    err = capsys.readouterr().err
    assert err.startswith("leernet: internal error: RuntimeError: something broke")
    assert "please report" in err and "LEERNET_DEBUG=1" in err and "Traceback" not in err
    monkeypatch.setenv("LEERNET_DEBUG", "1")
    try:
        raise RuntimeError("something broke")
    except RuntimeError as error:
        report_error(error)
    assert "Traceback" in capsys.readouterr().err


def test_bad_environment_value_is_bad_input(run_cli):
    result = run_cli("stats", env={"LEERNET_LOCK_TIMEOUT": "soon"})
    assert result.returncode == 2 and "LEERNET_LOCK_TIMEOUT" in result.stderr
    assert "Traceback" not in result.stderr


# --- init, load, validate -------------------------------------------------------------------------

def test_init_on_an_empty_store_loads_ontology_shapes_and_data(run_cli, store_path):
    result = run_cli("init")
    assert result.returncode == 0, result.stderr
    assert "store ready" in result.stderr
    stats = run_cli("stats", "--format", "json")
    graphs = dict(json.loads(stats.stdout)["graphs"])
    assert BASE + "graph/ontology/leernet" in graphs and BASE + "graph/shapes/mandatory" in graphs
    assert BASE + "graph/organisations" in graphs and META in graphs
    again = run_cli("--quiet", "init")
    assert again.returncode == 0 and again.stderr == ""
    assert json.loads(run_cli("stats", "--format", "json").stdout)["quads"] == json.loads(stats.stdout)["quads"]


def test_first_use_initialises_the_store(run_cli, store_path):
    result = run_cli("query", "ASK { <id/organisatie/hogeschool-leiden> ?p ?o }")
    assert result.returncode == 0 and result.stdout.strip() == "true"
    assert "new store" in result.stderr


def test_load_valid_file_and_reload_replaces(run_cli, cli_store):
    first = run_cli("load", "network.ttl")
    assert first.returncode == 0, first.stderr
    assert "loaded 18 triples into <graph/load/network-" in first.stderr
    before = quads_without_meta(cli_store)
    second = run_cli("load", "network.ttl")
    assert second.returncode == 0 and "(replaced)" in second.stderr
    assert quads_without_meta(cli_store) == before


def test_one_violation_exits_1_names_line_and_fix_and_changes_nothing(run_cli, cli_store):
    stats_before = run_cli("stats").stdout
    quads_before = store_quads(cli_store)
    result = run_cli("load", "one-violation.ttl")
    assert result.returncode == 1
    assert "nothing was loaded" in result.stderr
    assert "one-violation.ttl, line 10" in result.stderr
    assert "<https://data.leernet.nl/id/organisatie/andere-hogeschool-fixture>" in result.stderr
    assert '"https://ror.org/0abcdef12"' in result.stderr
    assert "zonder https://ror.org/" in result.stderr  # the shape's message: how to fix it
    assert "Traceback" not in result.stderr
    assert run_cli("stats").stdout == stats_before
    assert store_quads(cli_store) == quads_before


def test_lang_en_gives_english_reports(run_cli, cli_store):
    result = run_cli("--lang", "en", "load", "one-violation.ttl")
    assert result.returncode == 1
    assert "1 violation(s)" in result.stderr and "without https://ror.org/" in result.stderr


@pytest.mark.parametrize("name", ["network.nt", "network.nq", "network.trig", "network.jsonld", "network.rdf"])
def test_every_format_loads(run_cli, cli_store, name):
    result = run_cli("load", name)
    assert result.returncode == 0, result.stderr
    assert "loaded 18 triples" in result.stderr


def test_load_from_standard_input(run_cli, cli_store):
    text = (INGEST_FIXTURES / "network.ttl").read_text()
    assert run_cli("load", "-", input=text).returncode == 2  # needs --format
    result = run_cli("load", "-", "--format", "turtle", input=text)
    assert result.returncode == 0, result.stderr
    assert "<graph/load/stdin-" in result.stderr


def test_bad_input_exit_codes(run_cli, cli_store):
    before = store_quads(cli_store)
    syntax = run_cli("load", "syntax-error.ttl")
    assert syntax.returncode == 2 and "syntax-error.ttl, line 5, column 19" in syntax.stderr
    remote = run_cli("load", "remote-context.jsonld")
    assert remote.returncode == 2 and "never fetches" in remote.stderr
    doctype = run_cli("load", "doctype.rdf")
    assert doctype.returncode == 2 and "DOCTYPE" in doctype.stderr
    missing = run_cli("load", "missing.ttl")
    assert missing.returncode == 3 and "missing.ttl: no such file" in missing.stderr
    assert store_quads(cli_store) == before


def test_validate_a_file_and_the_store(run_cli, cli_store):
    before = store_quads(cli_store)
    bad = run_cli("validate", "one-violation.ttl")
    assert bad.returncode == 1
    assert "one-violation.ttl, line 10: Overtreding" in bad.stdout
    good = run_cli("--lang", "en", "validate", "network.ttl")
    assert good.returncode == 0 and good.stdout.startswith("0 violation(s)")
    whole = run_cli("validate", "--report", "json")
    assert whole.returncode == 0, whole.stdout[:2000]
    assert json.loads(whole.stdout)["conforms"] is True
    assert store_quads(cli_store) == before


def test_quiet_prints_nothing_but_results(run_cli, cli_store):
    result = run_cli("--quiet", "load", "network.ttl")
    assert result.returncode == 0 and result.stderr == "" and result.stdout == ""


def test_memory_mode_leaves_no_store_behind(run_cli, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = run_cli("--memory", "load", "network.ttl", env={"HOME": str(home), "XDG_DATA_HOME": str(home / "d")})
    assert result.returncode == 0, result.stderr
    assert list(home.iterdir()) == []


def test_import_is_wired_to_the_importers(run_cli, cli_store):
    imports = INGEST_FIXTURES.parent / "import"
    before = store_quads(cli_store)
    broken = run_cli("import", "csv", imports / "deelnemers-fouten.csv", "--mapping", "participants")
    assert broken.returncode == 2 and "deelnemers-fouten.csv, row 2" in broken.stderr
    missing = run_cli("import", "duo", "does-not-exist.csv")
    assert missing.returncode in (2, 3) and "does-not-exist.csv" in missing.stderr
    assert "Traceback" not in broken.stderr + missing.stderr
    assert store_quads(cli_store) == before
    result = run_cli("import", "csv", imports / "partners.csv", "--mapping", "partners")
    assert result.returncode == 0, result.stderr
    assert "imported" in result.stderr
    graphs = dict(json.loads(run_cli("stats", "--format", "json").stdout)["graphs"])
    assert [g for g in graphs if "/graph/import/" in g]


# --- query ----------------------------------------------------------------------------------------

def test_query_result_formats(run_cli, cli_store, tmp_path):
    select = "SELECT ?l WHERE { <id/organisatie/hogeschool-leiden> skos:prefLabel ?l FILTER(lang(?l) = 'nl') }"
    table = run_cli("query", select)
    assert table.returncode == 0 and "Hogeschool Leiden@nl" in table.stdout and "(1 row)" in table.stdout
    assert run_cli("query", select, "--format", "csv").stdout.splitlines() == ["l", "Hogeschool Leiden"]
    assert run_cli("query", select, "--format", "tsv").stdout.splitlines()[1] == '"Hogeschool Leiden"@nl'
    as_json = json.loads(run_cli("query", select, "--format", "json").stdout)
    assert as_json["results"]["bindings"][0]["l"]["value"] == "Hogeschool Leiden"
    query_file = tmp_path / "q.rq"
    query_file.write_text("ASK { ?n a ln:LearningNetwork }")
    assert run_cli("query", f"@{query_file}").stdout.strip() == "true"
    construct = "CONSTRUCT { ?o skos:prefLabel ?l } WHERE { ?o a org:FormalOrganization ; skos:prefLabel ?l }"
    turtle = run_cli("query", construct)
    graph = list(ox.parse(turtle.stdout.encode(), ox.RdfFormat.TURTLE))
    assert len(graph) > 10
    ntriples = run_cli("query", construct, "--format", "ntriples")
    assert len(list(ox.parse(ntriples.stdout.encode(), ox.RdfFormat.N_TRIPLES))) == len(graph)
    jsonld = run_cli("query", construct, "--format", "jsonld")
    assert len(list(ox.parse(jsonld.stdout.encode(), ox.RdfFormat.JSON_LD))) == len(graph)


def test_query_errors(run_cli, cli_store):
    bad = run_cli("query", "SELECT ?x WHERE { ?x ?y }")
    assert bad.returncode == 2 and "the query does not parse, line 1" in bad.stderr
    update = run_cli("query", "INSERT DATA { <a> <b> <c> }")
    assert update.returncode == 2 and "not updates" in update.stderr
    assert run_cli("query", "@nope.rq").returncode == 3
    assert run_cli("query", "ASK {}", "--format", "turtle").returncode == 2


# --- export, backup, restore, drop ----------------------------------------------------------------

def test_export_whole_store_and_one_graph(run_cli, cli_store, tmp_path):
    target = tmp_path / "dump.nq.gz"
    result = run_cli("export", "--format", "nquads", "--output", target)
    assert result.returncode == 0, result.stderr
    exported = {str(q) for q in ox.parse(gzip.decompress(target.read_bytes()), ox.RdfFormat.N_QUADS)}
    assert exported == set(store_quads(cli_store))
    trig = run_cli("export")
    assert len(list(ox.parse(trig.stdout.encode(), ox.RdfFormat.TRIG))) == len(exported)
    jsonld = run_cli("export", "--format", "jsonld")
    assert {str(q) for q in ox.parse(jsonld.stdout.encode(), ox.RdfFormat.JSON_LD)} == exported
    one = run_cli("export", "--graph", "graph/organisations")
    triples = list(ox.parse(one.stdout.encode(), ox.RdfFormat.TURTLE))
    assert triples and all(isinstance(q.graph_name, ox.DefaultGraph) for q in triples)
    assert len(triples) == sum(1 for q in exported if q.endswith(f"<{BASE}graph/organisations>"))
    assert run_cli("export", "--graph", "graph/nope").returncode == 3


def test_exported_store_loads_into_a_fresh_store(run_cli, cli_store, tmp_path):
    dump = tmp_path / "data.trig"
    assert run_cli("export", "--graph", "graph/organisations", "--format", "trig", "--output", dump).returncode == 0
    fresh = tmp_path / "fresh"
    assert run_cli("drop", "graph/organisations", store=fresh).returncode == 0  # first use fills it
    assert not [q for q in store_quads(fresh) if q.endswith(f"<{BASE}graph/organisations>")]
    result = run_cli("load", dump, store=fresh)
    assert result.returncode == 0, result.stderr
    original = {q for q in store_quads(cli_store) if q.endswith(f"<{BASE}graph/organisations>")}
    again = {q for q in store_quads(fresh) if q.endswith(f"<{BASE}graph/organisations>")}
    assert original and original == again


def test_backup_and_restore_round_trip(run_cli, cli_store, tmp_path):
    backup = tmp_path / "backup"
    before = run_cli("export", "--format", "nquads").stdout
    assert run_cli("backup", backup).returncode == 0
    assert run_cli("load", "network.ttl").returncode == 0
    assert run_cli("drop", "graph/organisations").returncode == 0
    assert run_cli("export", "--format", "nquads").stdout != before
    result = run_cli("restore", backup)
    assert result.returncode == 0, result.stderr
    after = run_cli("export", "--format", "nquads").stdout
    assert sorted(after.splitlines()) == sorted(before.splitlines())
    assert (backup / "CURRENT").exists()  # the backup itself is left as it was
    assert run_cli("backup", backup).returncode == 2  # not empty


def test_restore_refuses_what_is_not_a_backup(run_cli, cli_store, tmp_path):
    before = store_quads(cli_store)
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "file.txt").write_text("not a store")
    result = run_cli("restore", junk)
    assert result.returncode == 2 and "not a leernet store backup" in result.stderr
    assert run_cli("restore", tmp_path / "missing").returncode == 3
    assert store_quads(cli_store) == before
    assert run_cli("--memory", "backup", tmp_path / "b").returncode == 2


def test_drop_removes_a_graph_once(run_cli, cli_store):
    result = run_cli("drop", "graph/places")
    assert result.returncode == 0
    assert not [q for q in store_quads(cli_store) if f"<{BASE}graph/places>" in q]
    again = run_cli("drop", f"{BASE}graph/places")
    assert again.returncode == 3 and "no graph" in again.stderr


# --- crashes and concurrency ----------------------------------------------------------------------

def _lock_is_held(store_path: Path) -> bool:
    lock = store_path.with_name(store_path.name + ".lock")
    if not lock.exists():
        return False
    with open(lock, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return False


def test_a_killed_load_leaves_the_store_as_before(run_cli, cli_store, tmp_path, initialised_store_template):
    import shutil

    big = write_big_file(tmp_path / "big.nt", 40000)
    reference = tmp_path / "reference"
    shutil.copytree(initialised_store_template, reference)
    start = time.monotonic()
    full = run_cli("--quiet", "load", big, store=reference)
    duration = time.monotonic() - start
    assert full.returncode == 0, full.stderr
    after = set(quads_without_meta(reference))
    before = store_quads(cli_store)
    before_data = set(quads_without_meta(cli_store))
    unchanged_once = False
    for fraction in (0.3, 0.6, 0.9):
        process = subprocess.Popen([*leernet_command(), "--quiet", "load", str(big)], env=cli_env(cli_store),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        finished = process.poll() is not None
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = set(quads_without_meta(cli_store))  # the store opens again
        if finished:
            break
        assert state in (before_data, after), "a killed load left a partial store"
        if state == before_data:
            assert store_quads(cli_store) == before
            unchanged_once = True
        else:
            break
    assert unchanged_once
    assert run_cli("stats").returncode == 0


def test_a_second_writer_gets_store_busy_and_the_store_stays_consistent(run_cli, cli_store, tmp_path):
    big = write_big_file(tmp_path / "big.nt", 20000)
    first = subprocess.Popen([*leernet_command(), "--quiet", "load", str(big)], env=cli_env(cli_store),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _lock_is_held(cli_store):
            assert first.poll() is None and time.monotonic() < deadline, "the first writer never took the lock"
            time.sleep(0.05)
        busy = run_cli("load", "network.ttl", env={"LEERNET_LOCK_TIMEOUT": "0.5"})
        assert busy.returncode == 4
        assert "in use by another leernet process" in busy.stderr and "LEERNET_LOCK_TIMEOUT" in busy.stderr
        waiting = subprocess.Popen([*leernet_command(), "--quiet", "load", "network.ttl"],
                                   env=cli_env(cli_store, LEERNET_LOCK_TIMEOUT="120"), cwd=INGEST_FIXTURES,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert first.wait(timeout=300) == 0, first.stderr.read()
        assert waiting.wait(timeout=300) == 0, waiting.stderr.read()
    finally:
        if first.poll() is None:
            first.kill()
    graphs = dict(json.loads(run_cli("stats", "--format", "json").stdout)["graphs"])
    big_graphs = [g for g in graphs if "/graph/load/big-" in g]
    network_graphs = [g for g in graphs if "/graph/load/network-" in g]
    assert [graphs[g] for g in big_graphs] == [20000] and [graphs[g] for g in network_graphs] == [18]


def test_a_reader_waits_for_the_writer(run_cli, cli_store, tmp_path):
    big = write_big_file(tmp_path / "big.nt", 10000)
    writer = subprocess.Popen([*leernet_command(), "--quiet", "load", str(big)], env=cli_env(cli_store))
    try:
        deadline = time.monotonic() + 60
        while not _lock_is_held(cli_store) and time.monotonic() < deadline and writer.poll() is None:
            time.sleep(0.05)
        reader = run_cli("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s <https://example.org/big/p> ?o }",
                         "--format", "csv", env={"LEERNET_LOCK_TIMEOUT": "300"})
        assert reader.returncode == 0
        assert reader.stdout.splitlines()[1] in ("0", "10000")  # before or after, never in between
    finally:
        writer.wait(timeout=300)
    assert os.path.isdir(cli_store)
