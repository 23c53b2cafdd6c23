"""An :class:`~graph.analysis.runs.AnalysisRun` as linked data: a ``ln:AnalysisRun`` (a
``prov:Activity``) with its measure, parameters, period, filters, software version and the snapshot
it read, and one ``ln:AnalysisResult`` per number, saved in its own named graph
``{base}graph/analysis/{measure}-{hash}`` (validated like any other ingest)."""

from __future__ import annotations

import json
import math

import pyoxigraph as ox

from graph.analysis.runs import ATTRIBUTE_SCHEMES, UNKNOWN, AnalysisRun


def run_triples(run: AnalysisRun, base: str) -> list[ox.Triple]:
    """The run and its results as triples for the graph ``run.graph_iri(base)``."""
    from graph.namespaces import ln as ln_namespace
    from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, TIME, XSD

    ln = ln_namespace(base)
    graph = run.graph_iri(base)
    node = ox.NamedNode(f"{graph}#run")

    def iri(term) -> ox.NamedNode:
        return ox.NamedNode(str(term))

    def text(value: str, lang: str | None = None) -> ox.Literal:
        return ox.Literal(value, language=lang) if lang else ox.Literal(value)

    def typed(value, datatype) -> ox.Literal:
        return ox.Literal(str(value), datatype=iri(datatype))

    spec = run.measure
    triples = [
        (node, iri(RDF.type), iri(ln.AnalysisRun)), (node, iri(RDF.type), iri(PROV.Activity)),
        (node, iri(RDFS.label), text(f"{spec.label_nl}: netwerkanalyse met leernet", "nl")),
        (node, iri(RDFS.label), text(f"{spec.label_en}: network analysis with leernet", "en")),
        (node, iri(ln.measure), ox.NamedNode(f"{base}def/netwerkmaat/{spec.concept}")),
        (node, iri(ln.projection), text(run.parameters["projection"])),
        (node, iri(ln.parameters), text(json.dumps(run.parameters, sort_keys=True, ensure_ascii=False))),
        (node, iri(ln.softwareVersion), text(run.version)),
        (node, iri(ln.snapshotDigest), text(run.snapshot["digest"])),
        (node, iri(ln.snapshotTriples), typed(run.snapshot["triples"], XSD.integer)),
        (node, iri(PROV.startedAtTime), typed(run.started, XSD.dateTime)),
        (node, iri(PROV.endedAtTime), typed(run.ended, XSD.dateTime)),
    ]
    if "attribute" in run.parameters:
        triples.append((node, iri(ln.attribute), text(run.parameters["attribute"])))
    triples += [(node, iri(PROV.used), ox.NamedNode(g)) for g in run.snapshot["graphs"]]
    sel = run.selection
    triples += [(node, iri(ln.filter), ox.NamedNode(v)) for v in (sel.theme, sel.region, sel.programme, sel.network_type) if v]
    if sel.start or sel.end:
        start, end = sel.start or "0001-01-01", sel.end if sel.end and sel.end != "9999-12-31" else None
        interval = ox.NamedNode(f"{base}id/periode/{start}--{end or 'open'}")
        triples.append((node, iri(DCTERMS.temporal), interval))
        triples.append((interval, iri(RDF.type), iri(TIME.Interval)))
        for predicate, day in ((TIME.hasBeginning, start), (TIME.hasEnd, end)):
            if day:
                instant = ox.NamedNode(f"{base}id/datum/{day}")
                triples += [(interval, iri(predicate), instant), (instant, iri(RDF.type), iri(TIME.Instant)),
                            (instant, iri(TIME.inXSDDate), typed(day, XSD.date))]
    attribute = run.parameters.get("attribute")
    for number, row in enumerate(run.rows):
        subjects = [row[k] for k in ("iri", "source", "target") if isinstance(row.get(k), str)]
        group = row.get("group")
        for column, value in row.items():
            if column in ("rank", "level") or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if isinstance(value, float) and not math.isfinite(value):
                continue
            result = ox.NamedNode(f"{graph}#r{number}-{column}")
            triples += [(result, iri(RDF.type), iri(ln.AnalysisResult)), (result, iri(PROV.wasGeneratedBy), node),
                        (result, iri(ln.quantity), text(column)), (result, iri(ln.value), typed(_decimal(value), XSD.decimal))]
            triples += [(result, iri(ln.resultFor), ox.NamedNode(s)) for s in subjects]
            if group is not None:
                scheme = ATTRIBUTE_SCHEMES.get(attribute or "")
                if scheme and group != UNKNOWN:
                    triples.append((result, iri(ln.group), ox.NamedNode(f"{base}{scheme}{group}")))
                else:
                    triples.append((result, iri(ln.groupValue), text(str(group))))
            elif row.get("level") == "year":
                triples.append((result, iri(ln.groupValue), text(str(row["year"]))))
    return [ox.Triple(*t) for t in triples]


def _decimal(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:.12g}" if "e" not in f"{value:.12g}" else f"{value:.15f}"


def save_run(store, run: AnalysisRun, command: str = "leernet analyse") -> str:
    """Write the run into its named graph (replacing an earlier run with the same parameters)."""
    from graph.ingest import ingest_graph

    base = store.settings.base_iri
    iri = run.graph_iri(base)
    ingest_graph(store, run_triples(run, base), graph_iri=iri, source=command, command=command,
                 lang=store.settings.lang)
    return iri
