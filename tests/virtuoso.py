"""A throw-away OpenLink Virtuoso server for the remote-store tests.

:func:`start` runs Debian's ``virtuoso-t`` (package ``virtuoso-opensource``) on 127.0.0.1, on two free
ports (SQL and HTTP), with a fresh database in a temporary directory, lets the anonymous SPARQL user
update (``GRANT SPARQL_UPDATE TO "SPARQL"`` and default graph permissions for ``nobody``), and waits
until ``/sparql`` answers. It never touches a system-wide Virtuoso (``/etc/virtuoso-opensource-7``,
port 1111/8890): a service the package may have started keeps running undisturbed.

:func:`binary` says where ``virtuoso-t`` is (None when it is not installed); the fixture in
``conftest.py`` skips without it, or fails when the environment variable ``CI`` is set.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BINARIES = ("virtuoso-t", "/usr/bin/virtuoso-t")
ISQL = ("isql-vt", "/usr/bin/isql-vt", "isql")
START_TIMEOUT = 60.0

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
MaxClientConnections = 20

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/vsp
ServerThreads = 20
MaxClientConnections = 20
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0

[URIQA]
DefaultHost = 127.0.0.1:{http_port}

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 0
"""

GRANTS = ('GRANT SPARQL_UPDATE TO "SPARQL"; '
          "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7); "
          "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('dba', 15); ")


def binary() -> str | None:
    """The path of ``virtuoso-t``, or None when Virtuoso is not installed."""
    for name in BINARIES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _isql() -> str:
    for name in ISQL:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("virtuoso-t is installed but isql-vt is not (Debian package virtuoso-opensource-7-bin)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Virtuoso:
    """A running Virtuoso: its SPARQL endpoints, its directory and process. Stop it with :meth:`stop`."""

    directory: Path
    http_port: int
    sql_port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        """The SPARQL 1.1 Query and Update endpoint (anonymous)."""
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def auth_url(self) -> str:
        """The endpoint that needs HTTP digest authentication (user ``dba``, password ``dba``)."""
        return f"http://127.0.0.1:{self.http_port}/sparql-auth"

    @property
    def graph_store_url(self) -> str:
        """The Graph Store HTTP Protocol endpoint (anonymous)."""
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud"

    def sql(self, statements: str) -> str:
        """Run SQL through isql as dba; the output (raises on failure)."""
        result = subprocess.run([_isql(), f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0 or "*** Error" in result.stdout + result.stderr:
            raise RuntimeError(f"isql failed: {result.stdout}\n{result.stderr}")
        return result.stdout

    def clear(self) -> None:
        """Drop every graph but Virtuoso's own (between tests)."""
        query = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        request = urllib.request.Request(self.url, data=urllib.parse.urlencode({"query": query}).encode(),
                                         headers={"Accept": "text/tab-separated-values"})
        with urllib.request.urlopen(request, timeout=30) as response:
            lines = response.read().decode().splitlines()[1:]
        graphs = [line.strip().strip("<>\"") for line in lines if line.strip()]
        keep = ("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp", f"http://127.0.0.1:{self.http_port}/")
        drops = [f"DROP SILENT GRAPH <{g}>" for g in graphs if not g.startswith(keep)]
        if drops:
            body = urllib.parse.urlencode({"update": " ;\n".join(drops)}).encode()
            urllib.request.urlopen(urllib.request.Request(self.url, data=body), timeout=60).close()

    def stop(self) -> None:
        """Stop the server and delete its database."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.directory, ignore_errors=True)


def start(*, max_rows: int = 1_000_000, directory: Path | None = None) -> Virtuoso:
    """Start a fresh Virtuoso on free 127.0.0.1 ports and wait until SPARQL (with update) works."""
    executable = binary()
    if executable is None:
        raise RuntimeError("virtuoso-t not found: apt-get install virtuoso-opensource")
    directory = Path(directory or tempfile.mkdtemp(prefix="leernet-virtuoso-"))
    (directory / "vsp").mkdir(parents=True, exist_ok=True)
    http_port, sql_port = _free_port(), _free_port()
    while sql_port == http_port:
        sql_port = _free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(INI.format(dir=directory, sql_port=sql_port, http_port=http_port, max_rows=max_rows))
    log = open(directory / "stdout.log", "wb")
    process = subprocess.Popen([executable, "+configfile", str(ini), "+foreground"], cwd=directory,
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True, preexec_fn=_die_with_parent)
    log.close()
    server = Virtuoso(directory, http_port, sql_port, process)
    try:
        _wait(server)
        server.sql(GRANTS)
    except BaseException:
        server.stop()
        raise
    return server


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM when the test process ends, however it ends."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _wait(server: Virtuoso) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    query = urllib.parse.urlencode({"query": "ASK {}"})
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"virtuoso-t ended with code {server.process.returncode}: "
                               f"{_tail(server.directory / 'virtuoso.log')}")
        try:
            with urllib.request.urlopen(f"{server.url}?{query}", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"Virtuoso did not answer within {START_TIMEOUT:g} s: "
                               f"{_tail(server.directory / 'virtuoso.log')}")
        time.sleep(0.2)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


if __name__ == "__main__":  # python tests/virtuoso.py: start one by hand, stop with Ctrl-C or SIGTERM
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    running = start()
    print(f"Virtuoso at {running.url} (GSP {running.graph_store_url}), files in {running.directory}")
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
        os._exit(0)
