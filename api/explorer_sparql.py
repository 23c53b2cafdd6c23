"""The SPARQL page: an editor, example queries for the common questions, and the result as a table
(and CSV), rendered on the server without JavaScript.

Queries go through the public endpoint's own code (:func:`api.sparql.answer`): the same guard, the
same worker processes and the same public-only data as ``/sparql``.
"""

from __future__ import annotations

import json
import re

from api import sparql
from api.explorer_page import Page
from api.explorer_tables import Link, Table
from graph.errors import LeernetError
from graph.namespaces import sparql_prefixes

MAX_ROWS = 2000
EXAMPLES = {  # key -> (i18n key of the question, query body after the PREFIX lines; {base} is the base IRI)
    "samenwerking": ("ex_collaborators", """SELECT DISTINCT ?partner ?partnerNaam ?netwerk ?netwerkNaam WHERE {
  ?m1 org:member/org:unitOf? <{base}id/organisatie/hogeschool-leiden> ;
      org:organization ?netwerk .
  ?m2 org:organization ?netwerk ; org:member ?partner .
  FILTER(?partner != <{base}id/organisatie/hogeschool-leiden>)
  FILTER NOT EXISTS { ?partner org:unitOf <{base}id/organisatie/hogeschool-leiden> }
  ?partner skos:prefLabel ?partnerNaam . FILTER(LANG(?partnerNaam) = "nl")
  ?netwerk skos:prefLabel ?netwerkNaam . FILTER(LANG(?netwerkNaam) = "nl")
}
ORDER BY ?partnerNaam ?netwerkNaam"""),
    "thema": ("ex_theme", """SELECT DISTINCT ?netwerk ?naam ?thema WHERE {
  ?netwerk a ln:LearningNetwork ;
           skos:prefLabel ?naam ;
           dcterms:subject ?t .
  ?t skos:prefLabel ?thema .
  FILTER(LANG(?naam) = "nl" && LANG(?thema) = "nl")
}
ORDER BY ?thema ?naam"""),
    "programma": ("ex_programme", """SELECT ?programma ?programmaNaam ?wat ?naam WHERE {
  ?programma a ln:Programme ; schema:name ?programmaNaam .
  ?wat schema:funder|ln:programme ?programma .
  ?wat skos:prefLabel|schema:name ?naam .
  FILTER(LANG(?naam) IN ("nl", ""))
}
ORDER BY ?programmaNaam ?naam"""),
    "sectoren": ("ex_sectors", """SELECT ?netwerk ?naam (COUNT(DISTINCT ?sector) AS ?sectoren)
       (COUNT(DISTINCT ?organisatie) AS ?organisaties) WHERE {
  ?netwerk a ln:LearningNetwork ; skos:prefLabel ?naam .
  FILTER(LANG(?naam) = "nl")
  ?organisatieNetwerk schema:parentOrganization* ?netwerk .
  ?lid org:organization ?organisatieNetwerk ; org:member ?organisatie .
  ?organisatie org:classification ?sector .
}
GROUP BY ?netwerk ?naam
ORDER BY DESC(?sectoren) DESC(?organisaties) ?naam"""),
    "sinds": ("ex_since", """SELECT ?netwerk ?naam ?begin ?einde WHERE {
  ?netwerk a ln:LearningNetwork ; skos:prefLabel ?naam ; ln:period ?periode .
  FILTER(LANG(?naam) = "nl")
  ?periode time:hasBeginning/time:inXSDDate ?begin .
  OPTIONAL { ?periode time:hasEnd/time:inXSDDate ?einde }
}
ORDER BY ?begin ?naam"""),
}


def example_query(page: Page, key: str) -> str:
    """The example with the PREFIX lines it uses."""
    body = EXAMPLES[key][1].replace("{base}", page.base)
    lines = [line for line in sparql_prefixes(page.base).splitlines()
             if line.startswith("PREFIX ") and re.search(r"(?<![\w:<])" + re.escape(line.split()[1]), body)]
    return "\n".join(lines) + "\n" + body


def run(page: Page, query: str) -> tuple[list[str], list[dict], bool]:
    """(variables, rows of terms, truncated) of a SELECT or ASK through the public endpoint's code."""
    response = sparql.answer(page.request, page.ctx, [("query", query), ("format", "json")])
    if not response.media_type.startswith("application/sparql-results+json"):
        raise LeernetError("only SELECT and ASK queries can be shown as a table here; use /sparql for "
                           "CONSTRUCT and DESCRIBE")
    body = json.loads(response.body)
    truncated = sparql.TRUNCATED_HEADER.lower() in {k.lower() for k in response.headers}
    if "boolean" in body:
        return ["ask"], [{"ask": {"type": "literal", "value": str(body["boolean"]).lower()}}], truncated
    return body["head"].get("vars", []), body["results"]["bindings"], truncated


def cell(page: Page, term: dict | None):
    """A result term as a table cell: IRIs under the base link to their page, literals are text."""
    if term is None:
        return None
    if term["type"] == "uri":
        href = page.local(term["value"])
        return Link(term["value"], href or (term["value"] if term["value"].startswith(("http://", "https://")) else None),
                    term["value"])
    if term["type"] == "bnode":
        return "_:" + term["value"]
    return term["value"]


def sparql_page(page: Page):
    ui, params = page.ui, page.request.query_params
    key = params.get("voorbeeld")
    query = params.get("query") or (example_query(page, key) if key in EXAMPLES else None)
    error, table, truncated = None, None, False
    if query and query.strip():
        try:
            variables, bindings, truncated = run(page, query)
            table = Table("resultaat", ui["sparql_results"], [(v, v) for v in variables],
                          [{v: cell(page, b.get(v)) for v in variables} for b in bindings[:MAX_ROWS]])
        except LeernetError as problem:
            error = str(problem)
    examples = [{"key": k, "text": ui[label], "href": page.url("sparql-editor", voorbeeld=k) + "#resultaat-title"}
                for k, (label, _) in EXAMPLES.items()]
    return page.render("explorer/sparql.html", title=ui["sparql_title"], section="sparql",
                       query=query or example_query(page, "samenwerking"), examples=examples, table=table,
                       error=error, truncated=truncated, endpoint=page.base + "sparql",
                       tables=[table] if table else [], csv_name="sparql")
