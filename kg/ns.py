"""Namespaces and IRI minting shared by every stage of the pipeline.

Why one module: the ontology files, the ingest pipeline, the Neo4j mirror and the explorer all
have to agree on the same IRIs. Minting them in one place keeps IRIs stable (law firms store
them) and keeps user text out of IRIs except through :func:`slug`, which percent-encodes.

Term contract (the ontology in ``ontology/iprg.ttl`` defines each of these, @zh and @en):

Classes (``iprg:``): PolicyDocument, Section, Measure, Rule, Statute, Article, Case, Court,
Organisation, Place, Mention, Modality, Ingestion (a prov:Activity), Paragraph and Item (款 and 项
of an Article), Division (编/章/节 of a Statute), Instance (one 案号 of a Case with its court and
stage), AuthorityTier (GuidingCaseAuthority … PolicyDocumentAuthority, each with an iprg:rank). Concepts and topics are
``skos:Concept`` in the schemes ``SCHEME_VOCAB`` and ``SCHEME_TOPICS``.

Object properties (``iprg:``): hasPart (doc→Section, Section→Measure, Measure→Rule,
Statute→Article), partOf (inverse, not materialised), issuer (PolicyDocument/Statute→Court or
Organisation), court (Case→Court), locatedIn (Court/Organisation→Place), parentCourt
(Court→Court), modality (Rule→Modality), aboutTopic (Measure/Rule/Case→topic Concept),
mentions (Measure/Rule/Case→any entity), cites (Rule/Measure/Case/PolicyDocument→Statute or
Article), illustrates (Case→Measure or Rule), appealOf (Case→Case), relatedCase (Case→Case),
concept (Case/Statute→Concept), articleOf (Article→Statute), hasInstance (Case→Instance),
correspondsTo (Article↔Article of another version of the same statute, both directions stored),
previousVersion (Article→its Article in the previous version), holdingRule (Case→Rule of its
裁判要点; also hasPart), authority (Case/Statute/PolicyDocument/Rule→AuthorityTier), divisionOf
(Division→Statute), inDivision (Article→Division).

Datatype properties (``iprg:``): number (xsd:integer), title (@zh/@en), text (@zh), docNumber
(文号, plain string), caseNumber (案号, plain string, one per instance), caseNumberUnverified,
decided (plain string: ISO date, month or year as known), cause (@zh), plaintiff, defendant
(@zh), outcome (@zh/@en), holding (@zh/@en), honour (@zh), verified ("yes"|"partly"|"no"),
source (xsd:anyURI), statuteKind, status, adopted/effective (xsd:date), articleNumber (string,
"6" or "10-1"), articleLabel (@zh, e.g. 第六条), gist (@zh/@en), shortTitle (@zh),
courtLevel, amount (xsd:decimal, yuan), textLength (xsd:integer, length of a source text), stage
(Instance: first_instance | second_instance | retrial_review | retrial …), docType (@zh), keyword
(@zh), released (a case's publication date), authorityRank (xsd:integer, on the source, 1 = weighs
most), rank (on an AuthorityTier), party (@zh, a party who is neither plaintiff nor defendant).
Labels: every node has ``rdfs:label`` @zh (and @en where known); concepts use skos:prefLabel /
skos:altLabel / skos:definition, skos:broader, skos:inScheme.

Mentions follow the W3C Web Annotation model with IRIs (no blank nodes, so they mirror to
Neo4j): a ``iprg:Mention`` (rdfs:subClassOf oa:Annotation) has oa:hasBody → the entity,
oa:hasTarget → the Measure/Rule/Case text it was found in, iprg:sourceDocument → the
PolicyDocument or Case whose original text the offsets index, oa:start / oa:end (xsd:integer,
offsets in the *original* text), oa:exact (the surface form). Provenance: every mention and
every extracted node has prov:wasGeneratedBy → an ``iprg:Ingestion`` with prov:startedAtTime,
iprg:extractorVersion.

Derived per generation (kg.explorer.derive), in the named graph ``…/id/graph/derived``: one
``iprg:Generation`` node (generation, derivedVersion, topicsJson, matrixJson, centralityJson,
adjacency, expectedNodes, expectedRelationships) and, on nodes, caseOrder (xsd:integer, cases),
caseSummary (JSON text, cases) and searchOrder (string, explorable nodes).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/iprg/"
IPRG = Namespace(BASE)
ID = Namespace(BASE + "id/")
OA = Namespace("http://www.w3.org/ns/oa#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("https://schema.org/")

SCHEME_VOCAB = ID["scheme/vocabulary"]
SCHEME_TOPICS = ID["scheme/topics"]

#: Prefixes bound on every graph we serialise, so Turtle output is readable.
PREFIXES: dict[str, Namespace] = {
    "iprg": IPRG,
    "id": ID,
    "oa": OA,
    "eli": ELI,
    "schema": SCHEMA,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "prov": PROV,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
}

#: Kinds of data IRI, ``https://w3id.org/iprg/id/<kind>/<slug>``.
KINDS = frozenset(
    {
        "policy", "section", "measure", "rule", "statute", "article", "case", "court",
        "org", "place", "mention", "concept", "topic", "ingestion", "scheme", "modality",
        "provision", "instance",
    }
)

_FULLWIDTH_PUNCT = str.maketrans({
    "（": "(", "）": ")", "〔": "(", "〕": ")", "［": "(", "］": ")", "[": "(", "]": ")", "【": "(", "】": ")",
})
_SAFE = "-_.~()"


def normalise_identifier(text: str) -> str:
    """案号 / 文号 as compared and minted: NFKC, every bracket style as (), no whitespace.

    ``（2018）浙01民终7312号`` == ``(2018)浙01民终7312号``; ``法释〔2021〕4号`` == ``法释(2021)4号``.
    """
    norm = unicodedata.normalize("NFKC", text).translate(_FULLWIDTH_PUNCT)
    return re.sub(r"\s+", "", norm)


@lru_cache(maxsize=131072)
def slug(text: str) -> str:
    """Turn an identifier (案号, 文号, a record id) into a stable IRI path segment.

    NFKC folds full-width letters and digits; brackets are unified (〔〕 and [] become ()) so that
    ``（2018）浙01民终7312号`` and ``(2018)浙01民终7312号`` mint the same IRI; whitespace is
    removed; everything else outside unreserved ASCII is percent-encoded (UTF-8).
    """
    norm = normalise_identifier(text)
    if not norm:
        raise ValueError("cannot mint an IRI from an empty identifier")
    return quote(norm, safe=_SAFE)


def iri(kind: str, *parts: str | int) -> URIRef:
    """Mint ``id/<kind>/<part>/<part>…``; every part goes through :func:`slug`."""
    if kind not in KINDS:
        raise ValueError(f"unknown IRI kind {kind!r}; expected one of {sorted(KINDS)}")
    if not parts:
        raise ValueError("an IRI needs at least one identifying part")
    return ID[kind + "/" + "/".join(slug(str(p)) for p in parts)]


def hashed(kind: str, *parts: str | int, length: int = 16) -> URIRef:
    """Mint an IRI from a hash, for nodes whose natural key is long (mentions, unknown titles)."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return ID[f"{kind}/{digest[:length]}"]


def local_name(uri: str) -> str:
    """The part after the last ``#`` or ``/``: how the mirror names labels and properties."""
    return re.split(r"[#/]", str(uri).rstrip("/#"))[-1]


def kind_of(uri: str) -> str:
    """The kind segment of a data IRI: ``…/iprg/id/case/x`` → ``case`` (other IRIs: ``""``)."""
    marker = "/iprg/id/"
    if marker not in uri:
        return ""
    return uri.split(marker, 1)[1].split("/", 1)[0]
