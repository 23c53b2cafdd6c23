"""Counts that describe the store: triples per named graph and entities per class."""

from __future__ import annotations

from graph.namespaces import prefixes


def store_stats(store) -> dict:
    """``{"quads": n, "graphs": [(graph IRI, triples)], "classes": [(class IRI, entities)]}``.

    Entities per class count distinct subjects typed with the class in the data graphs (all graphs
    except the ontology, shapes and metadata graphs), so the figures describe the data only.
    """
    base = store.settings.base_iri
    graphs = [(row["g"].value, int(row["n"].value)) for row in store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")]
    classes = [(row["c"].value, int(row["n"].value)) for row in store.select(
        f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{
              GRAPH ?g {{ ?s a ?c }}
              FILTER(!STRSTARTS(STR(?g), "{base}graph/ontology/") && !STRSTARTS(STR(?g), "{base}graph/shapes/")
                     && STR(?g) != "{base}graph/meta")
            }} GROUP BY ?c ORDER BY DESC(?n) ?c""")]
    return {"quads": len(store), "graphs": graphs, "classes": classes}


def compact(iri: str, base_iri: str) -> str:
    """A prefixed name (or base-relative IRI) for display."""
    for prefix, namespace in sorted(prefixes(base_iri).items(), key=lambda item: -len(item[1])):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and all(c.isalnum() or c in "-_." for c in local):
            return f"{prefix}:{local}"
    if iri.startswith(base_iri):
        return f"<{iri[len(base_iri):]}>"
    return f"<{iri}>"


def format_stats(stats: dict, base_iri: str) -> str:
    """The stats as two aligned tables."""
    lines = [f"{stats['quads']} quads in {len(stats['graphs'])} named graphs", "", "triples  graph"]
    lines += [f"{count:>7}  {compact(graph, base_iri)}" for graph, count in stats["graphs"]]
    lines += ["", "entities  class"]
    lines += [f"{count:>8}  {compact(cls, base_iri)}" for cls, count in stats["classes"]]
    return "\n".join(lines)
