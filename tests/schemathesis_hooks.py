"""schemathesis hooks for the API's own string formats (loaded with SCHEMATHESIS_HOOKS).

``sparql-query`` is declared on ``/sparql``'s query: a JSON Schema cannot say what a valid SPARQL
query is, so this teaches the generator what the format means, with real queries over the
graph's vocabulary (SELECT, ASK, CONSTRUCT, DESCRIBE; some with no answer).
"""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st

QUERIES = [
    "SELECT ?c ?n WHERE { ?c iprg:caseNumber ?n } LIMIT 5",
    "SELECT (COUNT(?m) AS ?n) WHERE { ?m a iprg:Measure }",
    "ASK { ?s a iprg:Case }",
    "ASK { <https://w3id.org/iprg/id/case/none> ?p ?o }",
    "CONSTRUCT { ?m a iprg:Measure } WHERE { ?m a iprg:Measure } LIMIT 3",
    "DESCRIBE <https://w3id.org/iprg/id/case/vanillin>",
    "SELECT ?t ?l WHERE { ?t skos:inScheme <https://w3id.org/iprg/id/scheme/topics> ; skos:prefLabel ?l }",
    "SELECT * WHERE { ?s rdfs:label \"不存在\"@zh }",
]

schemathesis.openapi.format("sparql-query", st.sampled_from(QUERIES))
