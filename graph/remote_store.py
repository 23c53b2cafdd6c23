"""A :class:`~graph.store.Store` on any SPARQL 1.1 server, over the Query, Update and (optionally) the
Graph Store HTTP protocols: Virtuoso, Apache Jena Fuseki, GraphDB, QLever (read-only), ...

Set ``LEERNET_STORE_URL`` (``settings.store_url``) and :func:`graph.store.open_store` returns one; see
docs/remote-store.md for each server's endpoints and what it supports. Results are the same pyoxigraph
objects :class:`~graph.store.EmbeddedStore` gives (``QuerySolutions``, ``QueryBoolean``,
``QueryTriples``, ``Quad``), so nothing above the store notices the difference.

What differs from the embedded store, and why:

- **The dataset.** leernet's default graph is the union of its named graphs. A server's own default
  graph is not that everywhere (Fuseki's is a separate graph; Virtuoso's is the union of *all* graphs,
  its system graphs included), so every query is sent with an explicit dataset: the protocol's
  ``default-graph-uri`` and ``named-graph-uri`` parameters listing leernet's graphs (by the protocol
  they replace a query's FROM / FROM NAMED, as the embedded store's dataset does; Virtuoso adds the
  query's FROM graphs to them instead). leernet's
  graphs are all named graphs of the server except staging graphs and ``settings.store_hidden_graphs``
  (Virtuoso's system graphs by default). The list is cached for ``graph_cache_seconds`` (and renewed
  after every write through this object).
- **Blank nodes** cannot keep their identifiers over HTTP: a server gives every blank node it receives
  a fresh one, and SPARQL cannot name a blank node, so ``quads(subject=blank node)`` would find
  nothing. The remote store therefore writes blank nodes as Skolem IRIs
  (``{base IRI}.well-known/genid/{label}``, RDF 1.1 section 3.5) and turns those back into blank
  nodes with the same label on every read: leernet sees exactly the quads it wrote, and reloading a
  file (whose blank nodes :mod:`graph.ingest` names canonically) gives the same quads again. Other
  clients of the server see the Skolem IRIs. Blank nodes written by other tools are read as blank
  nodes (labels made valid), but cannot be looked up one by one.
- **Atomicity** of :meth:`RemoteStore.replace_graphs`: the new content of every graph is first
  uploaded to its own staging graph (``urn:leernet:staging:…``, Graph Store Protocol PUT when
  ``store_graph_store_url`` is set, else ``INSERT DATA`` in chunks); nothing leernet reads changes
  while that happens. Then ONE update request switches: ``MOVE`` each staging graph onto its target,
  ``DROP`` emptied graphs, delete retracted metadata, ``INSERT DATA`` the new metadata. On servers
  that run an update request as one transaction (Fuseki/TDB2, GraphDB, Oxigraph server) the switch is
  atomic: readers see all of it or nothing, and a failure changes nothing. Virtuoso 7 commits each
  operation of a request on its own (an update whose second operation fails keeps the first one's
  effect), so there the switch is short (no data in it) but not atomic: if it fails or the server
  stops half-way, some graphs may already be switched. Loading is idempotent, so running the same
  command again repairs that. Staging graphs of a crashed process are removed after an hour.
- **generation** counts the writes made through this object only: writes by other processes or
  tools are not seen by caches keyed on it. :meth:`RemoteStore.fingerprint` is a cheap-ish query
  (quad count and the time of the last leernet write) that does notice them.
- There is no ``backup``: ``leernet backup`` / ``restore`` refuse a remote store and point at the
  server's own tooling. :meth:`update` sends the text as it is (the server decides how atomic it is).
"""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator

import pyoxigraph as ox

from graph.errors import InputError, StoreRejected, StoreUnavailable
from graph.settings import Settings
from graph.store import STAGING_PREFIX, Store, insert_data_body, to_quad

RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
RDF_FORMATS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
               "text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
               "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/n-quads": ox.RdfFormat.N_QUADS}
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
NO_GRAPH = "urn:leernet:no-graph"  # the dataset of a store without graphs (an empty list would mean "the server's own")
STALE_STAGING_SECONDS = 3600
INSERT_CHUNK_TRIPLES = 2000
INSERT_CHUNK_BYTES = 512 * 1024
_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*", re.IGNORECASE)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)", re.IGNORECASE)
_LABEL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*(?<!\.)$")


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form of a query (after comments, PREFIX and BASE)."""
    found = _FORM.match(sparql, _PROLOGUE.match(sparql).end())
    if found is None:
        raise StoreRejected("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue",
                            ["updates go through Store.update"])
    return found.group(1).upper()


class RemoteStore(Store):
    """A store on a SPARQL 1.1 server (see the module documentation for what differs from the embedded one).

    ``settings.store_url`` is the query endpoint, ``store_update_url`` the update endpoint (default: the
    query endpoint), ``store_graph_store_url`` an optional Graph Store Protocol endpoint (used to upload
    staged graphs in one request), ``store_user`` / ``store_password`` HTTP basic or digest credentials,
    ``store_timeout`` the seconds every request may take. Thread-safe.
    """

    def __init__(self, settings: Settings, *, graph_cache_seconds: float = 2.0):
        if not settings.store_url:
            raise InputError("a remote store needs a query endpoint", ["set LEERNET_STORE_URL"])
        self.settings = settings
        self.url = settings.store_url
        self.update_url = settings.store_update_url or settings.store_url
        self.graph_store_url = settings.store_graph_store_url
        self.timeout = settings.store_timeout
        self.graph_cache_seconds = graph_cache_seconds
        self.generation = 0
        self.skolem_prefix = f"{settings.base_iri}.well-known/genid/"
        origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(self.url))
        # Virtuoso names its service description graph after the endpoint, and its DAV graph after the host
        self.hidden = (*settings.store_hidden_graphs, self.url, origin + "/sparql", origin + "/DAV/")
        self._lock = threading.Lock()
        self._graph_cache: tuple[int, float, list[str]] | None = None
        self._opener = _opener(settings)
        self._drop_stale_staging()

    # -- the Store interface ------------------------------------------------------------------

    def query(self, sparql, *, default_graph=None, named_graphs=None, timeout: float | None = None):
        """Run a query on the server (``timeout``: seconds for this request instead of ``store_timeout``)."""
        form = query_form(sparql)
        graphs = None if default_graph is not None and named_graphs is not None else self._graphs()
        default = list(default_graph) if default_graph is not None else graphs
        named = list(named_graphs) if named_graphs is not None else graphs
        fields = [("query", sparql), *_dataset(default, named)]
        if form in ("SELECT", "ASK"):
            return self._select_or_ask(fields, timeout)
        triples = self._construct(fields, timeout)
        scratch = ox.Store()  # a real QueryTriples, as the embedded store returns
        scratch.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")

    def update(self, sparql):
        try:
            self._send_update(sparql)
        finally:
            self._wrote()

    def quads(self, subject=None, predicate=None, obj=None, graph=None) -> Iterator[ox.Quad]:
        if isinstance(graph, ox.DefaultGraph):
            return iter(())  # leernet keeps every triple in a named graph; a server's default graph is not read
        graph_iri = graph.value if isinstance(graph, ox.NamedNode) else graph
        terms = {"s": subject, "p": predicate, "o": obj}
        fixed = {name: _term_of(value) for name, value in terms.items() if value is not None}
        pattern = " ".join(self._sparql_term(fixed[n]) if n in fixed else f"?{n}" for n in "spo")
        if graph_iri is not None:
            where = f"GRAPH <{_iri(graph_iri)}> {{ {pattern} }}"
            fields = []
        else:
            where = f"GRAPH ?g {{ {pattern} }}"
            fields = list(_dataset(None, self._graphs()))
        variables = [f"?{n}" for n in "spo" if n not in fixed] + (["?g"] if graph_iri is None else [])
        if not variables:
            found = bool(self._select_or_ask([("query", f"ASK {{ {where} }}"), *fields]))
            return iter([ox.Quad(fixed["s"], fixed["p"], fixed["o"], ox.NamedNode(graph_iri))] if found else [])
        solutions = self._select_or_ask([("query", f"SELECT {' '.join(variables)} WHERE {{ {where} }}"), *fields])
        graph_term = ox.NamedNode(graph_iri) if graph_iri is not None else None

        def value(row, name):
            return fixed[name] if name in fixed else row[name]

        return iter([ox.Quad(value(row, "s"), value(row, "p"), value(row, "o"),
                             graph_term if graph_term is not None else row["g"]) for row in solutions])

    def named_graphs(self):
        return list(self._graphs(fresh=True))

    def replace_graphs(self, graphs, metadata=(), *, retract=None):
        # Everything is converted (and so checked) before anything is written.
        content = {iri: [self._skolemise(to_quad(t, iri)) for t in triples] for iri, triples in graphs.items()}
        inserts = [self._skolemise(to_quad(q)) for q in metadata]
        if any(isinstance(q.graph_name, ox.DefaultGraph) for q in inserts):
            raise InputError("a remote store keeps every triple in a named graph", ["give the metadata quads a graph"])
        token = f"{int(time.time())}-{uuid.uuid4().hex[:12]}"
        staged: dict[str, str] = {}
        switched = False
        try:
            operations = []
            for number, (iri, quads) in enumerate(content.items()):
                if quads:
                    staged[iri] = f"{STAGING_PREFIX}{token}-{number}"
                    self._stage(staged[iri], quads)
                    operations.append(f"MOVE GRAPH <{staged[iri]}> TO GRAPH <{_iri(iri)}>")
                else:
                    operations.append(f"DROP SILENT GRAPH <{_iri(iri)}>")
            for graph, subjects in (retract or {}).items():
                values = " ".join(f"<{_iri(s)}>" for s in subjects)
                if values:
                    operations.append(
                        f"DELETE {{ GRAPH <{_iri(graph)}> {{ ?s ?p ?o }} }} "
                        f"WHERE {{ GRAPH <{_iri(graph)}> {{ VALUES ?s {{ {values} }} ?s ?p ?o }} }}")
            if inserts:
                operations.append(f"INSERT DATA {{\n{insert_data_body(inserts)}\n}}")
            if operations:
                try:
                    self._send_update(" ;\n".join(operations))
                except (StoreUnavailable, StoreRejected) as error:
                    error.details.append("some graphs may already be replaced if the server does not run an update "
                                         "request as one transaction (Virtuoso); run the same command again")
                    raise
            switched = True
        finally:
            self._wrote()
            if not switched and staged:
                self._drop_quietly(staged.values())

    def drop_graph(self, graph):
        self.update(f"DROP SILENT GRAPH <{_iri(graph)}>")

    def __len__(self):
        solutions = self._select_or_ask([("query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
                                         *_dataset(None, self._graphs())])
        return next((int(row["n"].value) for row in solutions), 0)

    def close(self):
        self._graph_cache = None

    # -- extras ---------------------------------------------------------------------------------

    def fingerprint(self) -> tuple[int, str | None]:
        """(number of quads, time of the last leernet write recorded in graph/meta): changes when anyone
        writes, unlike :attr:`generation`, which counts only this object's writes. One query per call."""
        from graph.ingest import meta_graph

        meta = meta_graph(self.settings.base_iri)
        sparql = ("SELECT ?n ?last WHERE { { SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } } "
                  f"{{ SELECT (MAX(?t) AS ?last) WHERE {{ GRAPH <{meta}> {{ ?a <http://www.w3.org/ns/prov#endedAtTime> "
                  "?t } } } }")
        rows = list(self._select_or_ask([("query", sparql), *_dataset(None, self._graphs(fresh=True))]))
        if not rows:
            return 0, None
        last = rows[0]["last"]
        return int(rows[0]["n"].value), last.value if last is not None else None

    def server_graphs(self) -> list[str]:
        """Every named graph the server reports, its own and staging graphs included (for diagnosis)."""
        # GROUP BY, not DISTINCT: Virtuoso 7 takes seconds for SELECT DISTINCT ?g even on a small store
        solutions = self._select_or_ask([("query", "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")])
        return sorted(row["g"].value for row in solutions if isinstance(row["g"], ox.NamedNode))

    # -- graphs ---------------------------------------------------------------------------------

    def _graphs(self, fresh: bool = False) -> list[str]:
        with self._lock:
            cached = self._graph_cache
        if (not fresh and cached is not None and cached[0] == self.generation
                and time.monotonic() - cached[1] < self.graph_cache_seconds):
            return cached[2]
        generation = self.generation
        graphs = [g for g in self.server_graphs() if self._visible(g)]
        with self._lock:
            self._graph_cache = (generation, time.monotonic(), graphs)
        return graphs

    def _visible(self, graph: str) -> bool:
        if graph.startswith(STAGING_PREFIX):
            return False
        return not any(graph == h or (h.endswith(("/", "#")) and graph.startswith(h)) for h in self.hidden)

    def _wrote(self) -> None:
        with self._lock:
            self.generation += 1
            self._graph_cache = None

    def _drop_stale_staging(self) -> None:
        now = time.time()
        stale = []
        for graph in self.server_graphs():
            if graph.startswith(STAGING_PREFIX):
                stamp = graph[len(STAGING_PREFIX):].split("-")[0]
                if not stamp.isdigit() or now - int(stamp) > STALE_STAGING_SECONDS:
                    stale.append(graph)
        if stale:
            self._drop_quietly(stale)

    def _drop_quietly(self, graphs) -> None:
        try:
            self._send_update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
        except (StoreUnavailable, StoreRejected):
            pass  # removed on a later open (after an hour)

    def _stage(self, staging: str, quads: list[ox.Quad]) -> None:
        """Upload the quads' triples into the staging graph (GSP PUT in one request, else INSERT DATA chunks)."""
        if self.graph_store_url:
            body = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads],
                                format=ox.RdfFormat.N_TRIPLES)
            self._request("PUT", _with_graph(self.graph_store_url, staging), body, "application/n-triples",
                          what="Graph Store Protocol upload")
            return
        chunk: list[ox.Quad] = []
        size = 0
        for quad in quads:
            chunk.append(ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(staging)))
            size += len(str(quad.object)) + 200
            if len(chunk) >= INSERT_CHUNK_TRIPLES or size >= INSERT_CHUNK_BYTES:
                self._send_update(f"INSERT DATA {{\n{insert_data_body(chunk)}\n}}")
                chunk, size = [], 0
        if chunk:
            self._send_update(f"INSERT DATA {{\n{insert_data_body(chunk)}\n}}")

    # -- blank nodes ------------------------------------------------------------------------------

    def _skolemise(self, quad: ox.Quad) -> ox.Quad:
        s, o = quad.subject, quad.object
        if isinstance(s, ox.Triple) or isinstance(o, ox.Triple):
            raise InputError("a remote store cannot hold RDF-star triple terms", [f"in {quad}"])
        if not isinstance(s, ox.BlankNode) and not isinstance(o, ox.BlankNode):
            return quad
        return ox.Quad(self._skolem(s), quad.predicate, self._skolem(o), quad.graph_name)

    def _skolem(self, term):
        return ox.NamedNode(self.skolem_prefix + term.value) if isinstance(term, ox.BlankNode) else term

    def _sparql_term(self, term) -> str:
        if isinstance(term, ox.Triple):
            raise InputError("a remote store cannot match RDF-star triple terms")
        return str(self._skolem(term))

    def _from_json(self, value: dict) -> dict:
        """A term of SPARQL JSON results as leernet stored it: Skolem IRIs back to blank nodes, invalid blank
        node labels made valid, SPARQL 1.0 ``typed-literal`` and Virtuoso's 1/0 booleans made standard."""
        kind = value.get("type")
        if kind == "uri" and value["value"].startswith(self.skolem_prefix):
            label = value["value"][len(self.skolem_prefix):]
            return {"type": "bnode", "value": label if _LABEL.match(label) else _safe_label(label)}
        if kind == "typed-literal":  # SPARQL 1.0 JSON (Virtuoso)
            value = {**value, "type": "literal"}
        if value.get("datatype") == XSD_BOOLEAN and value["value"] in ("1", "0"):  # Virtuoso's booleans
            value = {**value, "value": "true" if value["value"] == "1" else "false"}
        if kind == "bnode" and not _LABEL.match(value["value"]):  # e.g. Virtuoso's nodeID://b10000
            return {"type": "bnode", "value": _safe_label(value["value"])}
        if kind == "triple":
            value = {**value, "value": {k: self._from_json(v) for k, v in value["value"].items()}}
        return value

    def _from_term(self, term):
        """A term of a CONSTRUCT/DESCRIBE answer as leernet stored it (see :meth:`_from_json`)."""
        if isinstance(term, ox.NamedNode) and term.value.startswith(self.skolem_prefix):
            label = term.value[len(self.skolem_prefix):]
            return ox.BlankNode(label if _LABEL.match(label) else _safe_label(label))
        if isinstance(term, ox.Literal) and term.datatype.value == XSD_BOOLEAN and term.value in ("1", "0"):
            return ox.Literal("true" if term.value == "1" else "false", datatype=term.datatype)
        return term

    # -- protocol -------------------------------------------------------------------------------

    def _select_or_ask(self, fields: list[tuple[str, str]], timeout: float | None = None):
        headers, body = self._request("POST", self.url, urllib.parse.urlencode(fields).encode(),
                                      "application/x-www-form-urlencoded", accept=f"{RESULTS_JSON}, {RESULTS_XML};q=0.5",
                                      timeout=timeout)
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        if media == RESULTS_XML:  # read through pyoxigraph into JSON, so that one path maps the terms
            body = ox.parse_query_results(body, format=ox.QueryResultsFormat.XML).serialize(
                format=ox.QueryResultsFormat.JSON)
        try:
            data = json.loads(body)
        except ValueError:
            raise StoreUnavailable(f"the store at {self.url} answered a query with {media or 'no media type'}, not "
                                   "SPARQL JSON results", ["check that LEERNET_STORE_URL is the SPARQL query "
                                                           "endpoint"]) from None
        if "results" in data:
            bindings = data["results"].get("bindings", [])
            data["results"]["bindings"] = [{k: self._from_json(v) for k, v in row.items()} for row in bindings]
            limit = headers.get("x-sparql-maxrows")
            if limit and limit.isdigit() and len(bindings) >= int(limit):
                raise StoreUnavailable(
                    f"the store at {self.url} cut a result off at {limit} rows",
                    ["raise the server's result limit above the number of quads in the store "
                     "(Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)"])
        return ox.parse_query_results(json.dumps(data).encode(), format=ox.QueryResultsFormat.JSON)

    def _construct(self, fields: list[tuple[str, str]], timeout: float | None = None) -> list[ox.Triple]:
        headers, body = self._request("POST", self.url, urllib.parse.urlencode(fields).encode(),
                                      "application/x-www-form-urlencoded", accept=GRAPH_ACCEPT, timeout=timeout)
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        fmt = RDF_FORMATS.get(media)
        if fmt is None:
            raise StoreUnavailable(f"the store at {self.url} answered a CONSTRUCT/DESCRIBE with {media!r}, "
                                   "which leernet cannot read", ["it asks for N-Triples, Turtle or RDF/XML"])
        triples = []
        for item in ox.parse(body, format=fmt, base_iri=self.url):
            triples.append(ox.Triple(self._from_term(item.subject), item.predicate, self._from_term(item.object)))
        return triples

    def _send_update(self, sparql: str) -> None:
        if not sparql.strip():
            return
        self._request("POST", self.update_url, urllib.parse.urlencode({"update": sparql}).encode(),
                      "application/x-www-form-urlencoded", what="update")

    def _request(self, method: str, url: str, body: bytes | None, content_type: str | None, *,
                 accept: str | None = None, what: str = "query",
                 timeout: float | None = None) -> tuple[dict[str, str], bytes]:
        """One HTTP request with the store's timeout and credentials; (lower-case headers, body)."""
        request = urllib.request.Request(url, data=body, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        if accept:
            request.add_header("Accept", accept)
        if self.settings.store_user and not self._opener.digest:
            token = base64.b64encode(f"{self.settings.store_user}:{self.settings.store_password or ''}".encode())
            request.add_header("Authorization", "Basic " + token.decode())
        timeout = timeout or self.timeout
        try:
            with self._opener.open(request, timeout=timeout) as response:
                data = response.read()
                headers = {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as error:
            raise self._http_error(error, url, what) from None
        except (TimeoutError, socket.timeout):
            raise self._timeout(url, timeout) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, (TimeoutError, socket.timeout)):
                raise self._timeout(url, timeout) from None
            raise StoreUnavailable(f"cannot reach the store at {url}: {error.reason}",
                                   ["is the SPARQL server running? check LEERNET_STORE_URL"]) from None
        except (ConnectionError, OSError) as error:
            raise StoreUnavailable(f"the connection to the store at {url} failed: {error}",
                                   ["is the SPARQL server running? check LEERNET_STORE_URL"]) from None
        if headers.get("x-sql-state"):  # Virtuoso's "anytime" queries answer a partial result when time runs out
            raise StoreUnavailable(f"the store at {url} stopped the {what} early and answered only part of it: "
                                   f"{headers.get('x-sql-message', headers['x-sql-state'])}",
                                   ["make the query more selective, or raise the server's execution time limit "
                                    "(Virtuoso: MaxQueryExecutionTime in [SPARQL])"])
        return headers, data

    def _http_error(self, error: urllib.error.HTTPError, url: str, what: str):
        try:
            text = error.read().decode("utf-8", "replace").strip()
        except OSError:
            text = ""
        text = re.sub(r"<[^>]+>", " ", text.split("\nSPARQL query:")[0])  # Virtuoso repeats the query after it
        first = " ".join(text.split())[:400] or str(error.reason or "")
        if error.code == 400 or (error.code == 500 and first.startswith("Virtuoso 37000")):  # 37000: does not compile
            return StoreRejected(f"the store at {url} rejected the {what}: {first}",
                                 ["the server may not support every SPARQL 1.1 feature the query uses"])
        if error.code in (401, 403):
            return StoreUnavailable(f"the store at {url} refused access (HTTP {error.code})",
                                    ["set LEERNET_STORE_USER and LEERNET_STORE_PASSWORD, or give the account the "
                                     "right to " + ("update" if what != "query" else "query")])
        if error.code == 404:
            return StoreUnavailable(f"no SPARQL endpoint at {url} (HTTP 404)",
                                    ["check LEERNET_STORE_URL, LEERNET_STORE_UPDATE_URL and LEERNET_STORE_GSP_URL"])
        if error.code in (405, 501) and what != "query":
            return StoreUnavailable(f"the store at {url} does not accept updates (HTTP {error.code})",
                                    ["use a server or endpoint with SPARQL Update (set LEERNET_STORE_UPDATE_URL); "
                                     "a read-only store can be queried and served, not loaded"])
        return StoreUnavailable(f"the store at {url} failed the {what}: HTTP {error.code}: {first}",
                                ["see the SPARQL server's log"])

    def _timeout(self, url: str, timeout: float) -> StoreUnavailable:
        error = StoreUnavailable(f"the store at {url} did not answer within {timeout:g} s",
                                 ["raise LEERNET_STORE_TIMEOUT, or make the query more selective"])
        error.timed_out = True
        return error


def _dataset(default: list[str] | None, named: list[str] | None) -> Iterator[tuple[str, str]]:
    """Protocol parameters for a dataset (a graph that cannot exist stands for an empty list)."""
    if default is not None:
        for graph in default or [NO_GRAPH]:
            yield "default-graph-uri", graph
    if named is not None:
        for graph in named or [NO_GRAPH]:
            yield "named-graph-uri", graph


def _term_of(value):
    if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple)):
        return value
    if isinstance(value, str):
        return ox.NamedNode(value)
    raise TypeError(f"cannot make an RDF term of {value!r}")


def _iri(iri: str) -> str:
    """An IRI checked for use between < and > in SPARQL text."""
    return ox.NamedNode(iri).value


def _safe_label(label: str) -> str:
    if label.startswith("nodeID://") and _LABEL.match(label[9:]):  # Virtuoso's JSON; its N-Triples say _:b10000
        return label[9:]
    return "x" + "".join(c if c.isascii() and (c.isalnum() or c == "_") else f"_{ord(c):x}_" for c in label)


def _with_graph(endpoint: str, graph: str) -> str:
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urllib.parse.urlencode({'graph': graph})}"


class _Opener:
    """urllib's opener with digest authentication (basic credentials are sent up front instead)."""

    def __init__(self, opener, digest: bool):
        self._opener = opener
        self.digest = digest

    def open(self, request, timeout):
        return self._opener.open(request, timeout=timeout)


def _opener(settings: Settings) -> _Opener:
    handlers = []
    digest = False
    if settings.store_user:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in filter(None, (settings.store_url, settings.store_update_url, settings.store_graph_store_url)):
            passwords.add_password(None, url, settings.store_user, settings.store_password or "")
        handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
        digest = _wants_digest(settings)
    return _Opener(urllib.request.build_opener(*handlers), digest)


def _wants_digest(settings: Settings) -> bool:
    """Whether the endpoint asks for digest authentication (Virtuoso's /sparql-auth does): then the
    credentials go through urllib's digest handler, else as HTTP basic authentication on every request."""
    try:
        urllib.request.urlopen(urllib.request.Request(settings.store_url + ("&" if "?" in settings.store_url else "?")
                                                      + "query=ASK%7B%7D"), timeout=settings.store_timeout).close()
    except urllib.error.HTTPError as error:
        return error.code == 401 and "digest" in (error.headers.get("WWW-Authenticate") or "").lower()
    except (urllib.error.URLError, OSError):
        return False
    return False
