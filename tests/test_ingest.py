"""Validated, atomic ingest and safe RDF reading, on real files and real stores."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import socket

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from conftest import BASE, INGEST_FIXTURES
from graph.errors import InputError, NotFound, ValidationFailed
from graph.ingest import (activity_iri, check_files, default_graph_iri, drop_graph, ingest_graph, load_curated,
                          load_files, meta_graph)
from graph.rdfio import Locator, parse_source, read_source

FORMATS = ["network.ttl", "network.nt", "network.nq", "network.trig", "network.jsonld", "network.rdf"]
META = meta_graph(BASE)
ORG = "http://www.w3.org/ns/org#"


def snapshot(store, *, without_meta: bool = False) -> list[str]:
    return sorted(str(q) for q in store.quads() if not (without_meta and getattr(q.graph_name, "value", "") == META))


def copy_fixture(name, tmp_path, new_name=None):
    target = tmp_path / (new_name or name)
    shutil.copy(INGEST_FIXTURES / name, target)
    return target


# --- loading files ---------------------------------------------------------------------------

def test_load_file_into_its_default_graph_with_metadata(mini_store):
    path = INGEST_FIXTURES / "network.ttl"
    result = load_files(mini_store, [path], command="leernet load network.ttl")
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]
    graph = f"{BASE}graph/load/network-{digest}"
    assert result.graphs == [graph] and result.triples == 18 and not result.replaced
    assert len(list(mini_store.quads(graph=graph))) == 18
    meta = {(q.subject.value, q.predicate.value): q.object.value for q in mini_store.quads(graph=META)}
    assert meta[(graph, "http://purl.org/dc/terms/source")].endswith("network.ttl")
    assert meta[(graph, "http://rdfs.org/ns/void#triples")] == "18"
    assert (graph, "http://www.w3.org/ns/prov#generatedAtTime") in meta
    assert meta[(activity_iri(BASE, graph), "http://www.w3.org/2000/01/rdf-schema#label")] == "leernet load network.ttl"


def test_reload_replaces_the_graph_and_its_metadata(mini_store):
    path = INGEST_FIXTURES / "network.ttl"
    load_files(mini_store, [path], command="first")
    before = snapshot(mini_store, without_meta=True)
    meta_size = len(list(mini_store.quads(graph=META)))
    result = load_files(mini_store, [path], command="second")
    assert result.replaced
    assert snapshot(mini_store, without_meta=True) == before
    assert len(list(mini_store.quads(graph=META))) == meta_size
    labels = [q.object.value for q in mini_store.quads(graph=META)
              if q.predicate.value.endswith("rdf-schema#label") and "load" not in q.object.value]
    assert "second" in labels and "first" not in labels


def test_blank_nodes_reload_to_the_same_quads(mini_store):
    path = INGEST_FIXTURES / "blank-nodes.ttl"
    [graph] = load_files(mini_store, [path], command="x").graphs
    first = snapshot(mini_store, without_meta=True)
    load_files(mini_store, [path], command="x")
    assert snapshot(mini_store, without_meta=True) == first
    assert sum(1 for q in mini_store.quads(graph=graph) if isinstance(q.subject, ox.BlankNode)) == 4


def test_blank_nodes_from_rdflib_graphs_are_stable_too(mini_store):
    """rdflib gives fresh blank node ids on every parse; canonical naming makes reloads equal."""
    snapshots = []
    for _ in range(2):
        graph = Graph().parse(INGEST_FIXTURES / "blank-nodes.ttl", format="turtle")
        ingest_graph(mini_store, graph, graph_iri=BASE + "graph/bn", source="bn", command="x")
        snapshots.append(snapshot(mini_store, without_meta=True))
    assert snapshots[0] == snapshots[1]


def test_two_files_never_share_a_blank_node(mini_store, tmp_path):
    a = copy_fixture("blank-nodes.ttl", tmp_path, "a.ttl")
    b = copy_fixture("blank-nodes.ttl", tmp_path, "b.ttl")
    graphs = load_files(mini_store, [a, b], command="x").graphs
    first, second = ({q.subject for q in mini_store.quads(graph=g) if isinstance(q.subject, ox.BlankNode)}
                     for g in graphs)
    assert first and second and not (first & second)


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_loads_the_same_triples(memory_store, name):
    result = load_files(memory_store, [INGEST_FIXTURES / name], command="x")
    assert result.triples == 18
    [graph] = result.graphs
    if name in ("network.nq", "network.trig"):
        assert graph == f"{BASE}graph/fixture-{'quads' if name.endswith('nq') else 'trig'}"  # kept from the file
    triples = {(q.subject, q.predicate, q.object) for q in memory_store.quads(graph=graph)}
    reference = {(q.subject, q.predicate, q.object)
                 for q in ox.parse(path=str(INGEST_FIXTURES / "network.ttl"), base_iri=BASE)}
    assert {(s, p, o) for s, p, o in reference if not isinstance(o, ox.Literal)} <= triples
    assert len(triples) == len(reference)


def test_graph_option_puts_everything_into_one_graph(mini_store):
    graph = BASE + "graph/mijn-batch"
    result = load_files(mini_store, [INGEST_FIXTURES / "network.nq", INGEST_FIXTURES / "blank-nodes.ttl"],
                        graph_iri=graph, command="x")
    assert result.graphs == [graph]
    assert len(list(mini_store.quads(graph=graph))) == 24


def test_the_metadata_graph_cannot_be_loaded(mini_store, tmp_path):
    file = tmp_path / "meta.nq"
    file.write_text(f"<{BASE}x> <{BASE}p> <{BASE}o> <{META}> .\n")
    with pytest.raises(InputError, match="kept by leernet"):
        load_files(mini_store, [file], command="x")


# --- validation blocks, and changes nothing ------------------------------------------------------

def test_one_violation_changes_nothing_and_names_the_line(mini_store):
    before = snapshot(mini_store)
    with pytest.raises(ValidationFailed) as caught:
        load_files(mini_store, [INGEST_FIXTURES / "one-violation.ttl"], command="x", lang="en")
    assert snapshot(mini_store) == before
    [violation] = caught.value.report.violations
    assert violation.location.endswith("one-violation.ttl, line 10")
    assert violation.focus_node == BASE + "id/organisatie/andere-hogeschool-fixture"
    assert violation.value == '"https://ror.org/0abcdef12"'
    assert "Write ln:rorId without https://ror.org/." in "\n".join(caught.value.details)
    assert caught.value.exit_code == 1


def test_a_batch_fails_as_a_whole(mini_store):
    before = snapshot(mini_store)
    with pytest.raises(ValidationFailed):
        load_files(mini_store, [INGEST_FIXTURES / "network.ttl", INGEST_FIXTURES / "one-violation.ttl"], command="x")
    assert snapshot(mini_store) == before


def test_real_shapes_block_the_violation_too(memory_store):
    before = snapshot(memory_store)
    with pytest.raises(ValidationFailed) as caught:
        load_files(memory_store, [INGEST_FIXTURES / "one-violation.ttl"], command="x")
    assert snapshot(memory_store) == before
    assert [v.path for v in caught.value.report.violations] == [BASE + "def/leernet#rorId"]
    assert caught.value.report.violations[0].location.endswith("one-violation.ttl, line 10")


def test_batch_is_validated_with_what_it_touches(mini_store):
    """A second org:member for a membership already in the store breaks maxCount 1."""
    ingest_graph(mini_store, [(BASE + "id/lidmaatschap/m", ORG + "member", BASE + "id/organisatie/a")],
                 graph_iri=BASE + "graph/one", source="one", command="x")
    with pytest.raises(ValidationFailed) as caught:
        ingest_graph(mini_store, [(BASE + "id/lidmaatschap/m", ORG + "member", BASE + "id/organisatie/b"),
                                  (BASE + "id/lidmaatschap/m", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
                                   ORG + "Membership")],
                     graph_iri=BASE + "graph/two", source="two", command="x", lang="en")
    assert caught.value.report.violations[0].path == ORG + "member"


def test_types_of_what_touched_nodes_point_to_are_known(mini_store):
    """A comment on a stored membership: its org:organization's class comes from the store."""
    stored = Graph().parse(data=f"""
        <{BASE}id/netwerk/n> a <{BASE}def/leernet#LearningNetwork> ; <http://www.w3.org/2004/02/skos/core#prefLabel> "N"@nl ;
            <{ORG}classification> <{BASE}def/netwerktype/leernetwerk> .
        <{BASE}id/lidmaatschap/m> a <{ORG}Membership> ; <{ORG}member> <{BASE}id/organisatie/mini-hogeschool> ;
            <{ORG}organization> <{BASE}id/netwerk/n> .""", format="turtle")
    ingest_graph(mini_store, stored, graph_iri=BASE + "graph/stored", source="s", command="x")
    comment = Graph()
    comment.add((URIRef(BASE + "id/lidmaatschap/m"), URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
                 Literal("opmerking")))
    result = ingest_graph(mini_store, comment, graph_iri=BASE + "graph/comment", source="c", command="x")
    assert result.triples == 1


def test_a_reload_is_judged_without_the_graph_it_replaces(mini_store, tmp_path):
    file = tmp_path / "count.ttl"
    file.write_text('<id/deelname/d> a <def/leernet#ParticipantCount> ; <def/leernet#count> 12 .\n')
    load_files(mini_store, [file], command="x")
    file.write_text('<id/deelname/d> a <def/leernet#ParticipantCount> ; <def/leernet#count> 13 .\n')
    load_files(mini_store, [file], command="x")  # maxCount 1 holds: the old 12 is being replaced
    values = [q.object.value for q in mini_store.quads(subject=BASE + "id/deelname/d",
                                                         predicate=BASE + "def/leernet#count")]
    assert values == ["13"]


def test_stored_literals_compare_equal_with_reloaded_ones(memory_store):
    """The store keeps xsd:nonNegativeInteger as xsd:integer; a second file saying the same is fine."""
    load_files(memory_store, [INGEST_FIXTURES / "network.ttl"], command="x")
    result = load_files(memory_store, [INGEST_FIXTURES / "network.nt"], command="x")
    assert result.triples == 18


def test_warnings_are_returned_not_raised(mini_store, tmp_path):
    file = tmp_path / "n.ttl"
    file.write_text('<id/netwerk/n> a <def/leernet#LearningNetwork> ; <http://www.w3.org/2004/02/skos/core#prefLabel> '
                    '"N"@nl ; <http://www.w3.org/ns/org#classification> <def/netwerktype/leernetwerk> .\n')
    result = load_files(mini_store, [file], command="x")
    assert [w.message for w in result.warnings] == ["Beschrijf het netwerk."]
    assert result.warnings[0].location.endswith("n.ttl, line 1")


def test_check_files_reports_without_changing_the_store(mini_store):
    before = snapshot(mini_store)
    report = check_files(mini_store, [INGEST_FIXTURES / "one-violation.ttl"])
    assert not report.conforms and snapshot(mini_store) == before


def test_ingest_graph_accepts_rdflib_graphs_and_locations(mini_store):
    graph = Graph().parse(INGEST_FIXTURES / "one-violation.ttl", format="turtle", publicID=BASE)
    with pytest.raises(ValidationFailed) as caught:
        ingest_graph(mini_store, graph, graph_iri=BASE + "graph/x", source="sheet", command="x",
                     locate=lambda iri: "sheet Deelnemers, row 7")
    assert caught.value.report.violations[0].location == "sheet Deelnemers, row 7"


# --- curated resources, dropping ----------------------------------------------------------------

def test_load_curated_is_idempotent(mini_store):
    before = snapshot(mini_store, without_meta=True)
    load_curated(mini_store)
    assert snapshot(mini_store, without_meta=True) == before
    assert set(mini_store.named_graphs()) == {BASE + "graph/ontology/mini", BASE + "graph/shapes/mini",
                                              BASE + "graph/mini", META}


def test_load_curated_with_the_real_resources(memory_settings):
    from graph.store import EmbeddedStore

    with EmbeddedStore(memory_settings) as store:
        result = load_curated(store)
        graphs = store.named_graphs()
    assert result.triples > 1000
    assert BASE + "graph/ontology/leernet" in graphs and BASE + "graph/shapes/mandatory" in graphs
    assert BASE + "graph/organisations" in graphs


def test_drop_graph_removes_graph_and_metadata(mini_store):
    result = load_files(mini_store, [INGEST_FIXTURES / "network.ttl"], command="x")
    [graph] = result.graphs
    drop_graph(mini_store, graph)
    assert graph not in mini_store.named_graphs()
    assert not [q for q in mini_store.quads(graph=META) if q.subject.value in (graph, activity_iri(BASE, graph))]
    with pytest.raises(NotFound):
        drop_graph(mini_store, graph)


# --- reading files safely -----------------------------------------------------------------------

@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("context", ['"https://schema.org/"', '["https://schema.org/", {"x": "http://x/"}]',
                                     '{"@import": "https://example.org/ctx.jsonld"}', '"ctx.jsonld"'])
def test_json_ld_with_a_remote_context_is_refused(tmp_path, no_network, context):
    file = tmp_path / "r.jsonld"
    file.write_text('{"@graph": [{"@context": %s, "@id": "https://example.org/a", "name": "x"}]}' % context)
    with pytest.raises(InputError, match="never fetches contexts") as caught:
        read_source(file)
    assert "embed the context" in caught.value.details[0]


def test_json_ld_fixture_with_remote_context_is_refused(no_network):
    with pytest.raises(InputError, match="'https://schema.org/'"):
        read_source(INGEST_FIXTURES / "remote-context.jsonld")


def test_invalid_json_names_line_and_column(tmp_path):
    file = tmp_path / "bad.jsonld"
    file.write_text('{\n  "@id": "x",\n  oops\n}')
    with pytest.raises(InputError, match=r"bad.jsonld, line 3, column 3"):
        read_source(file)


def test_rdf_xml_with_doctype_or_entity_is_refused():
    with pytest.raises(InputError, match=r"doctype.rdf, line 2: RDF/XML with a DOCTYPE"):
        read_source(INGEST_FIXTURES / "doctype.rdf")


def test_syntax_errors_name_file_line_and_column():
    source = read_source(INGEST_FIXTURES / "syntax-error.ttl")
    with pytest.raises(InputError) as caught:
        parse_source(source, BASE)
    assert caught.value.message.startswith("")
    assert "syntax-error.ttl, line 5, column 19" in caught.value.message
    assert any('skos:altLabel "niet afgesloten' in line for line in caught.value.details)


def test_gzipped_files_and_explicit_formats(tmp_path):
    packed = tmp_path / "network.ttl.gz"
    packed.write_bytes(gzip.compress((INGEST_FIXTURES / "network.ttl").read_bytes()))
    assert len(parse_source(read_source(packed), BASE)) == 18
    odd = copy_fixture("network.nt", tmp_path, "network.data")
    with pytest.raises(InputError, match="cannot tell the RDF format"):
        read_source(odd)
    assert len(parse_source(read_source(odd, "ntriples"), BASE)) == 18
    with pytest.raises(InputError, match="unknown RDF format"):
        read_source(odd, "csv")
    with pytest.raises(NotFound):
        read_source(tmp_path / "missing.ttl")


def test_default_graph_iri_follows_the_path_or_the_content(tmp_path):
    a = read_source(copy_fixture("network.ttl", tmp_path))
    again = read_source(tmp_path / "network.ttl")
    assert default_graph_iri(BASE, a) == default_graph_iri(BASE, again)
    other = tmp_path / "sub"
    other.mkdir()
    b = read_source(copy_fixture("network.ttl", other))
    assert default_graph_iri(BASE, a) != default_graph_iri(BASE, b)
    assert default_graph_iri(BASE, a).startswith(BASE + "graph/load/network-")


def test_locator_finds_subject_lines_in_every_text_format():
    for name, expected in (("network.ttl", 13), ("network.nt", None), ("network.trig", None), ("network.jsonld", None)):
        source = read_source(INGEST_FIXTURES / name)
        parse_source(source, BASE)
        located = Locator([source], BASE)(BASE + "id/netwerk/testnetwerk-fixture")
        assert located is not None and located.startswith(f"{INGEST_FIXTURES / name}, line ")
        line = int(located.rsplit(" ", 1)[1])
        assert "testnetwerk-fixture" in source.text.splitlines()[line - 1]
        if expected:
            assert line == expected


def test_locator_prefers_the_subject_position(tmp_path):
    file = tmp_path / "order.ttl"
    file.write_text("@prefix ex: <https://example.org/> .\n"
                    "ex:a ex:knows\n"
                    "    ex:b .\n"
                    "<https://example.org/b> ex:p 1 .\n"
                    "@base <https://other.org/> .\n"
                    "<c> ex:p 2 .\n")
    source = read_source(file)
    parse_source(source, BASE)
    locate = Locator([source], BASE)
    assert locate("https://example.org/a").endswith("line 2")
    assert locate("https://example.org/b").endswith("line 4")
    assert locate("https://other.org/c").endswith("line 6")
    assert locate("https://example.org/nowhere") is None
