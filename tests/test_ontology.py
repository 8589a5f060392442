"""Tests of the published ontology files: iprg.ttl (OWL), vocabulary.ttl (SKOS), shapes.ttl (SHACL).

Why: every other stage (ingest, store, mirror, explorer) relies on these names, labels and
constraints; a missing @en label or a shape that silently accepts broken data would surface much
later as an empty search result or a half-valid graph.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as rns
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

import kg.ns as ns
from kg.ns import ELI, IPRG, OA, SCHEMA, SCHEME_TOPICS, SCHEME_VOCAB, iri
from ontology import build_vocabulary, path

REPO = Path(__file__).resolve().parents[1]
SH = URIRef("http://www.w3.org/ns/shacl#")
SHAPES = "https://w3id.org/iprg/shapes#"
SH_SOURCE_SHAPE = URIRef(str(SH) + "sourceShape")
SH_RESULT_SEVERITY = URIRef(str(SH) + "resultSeverity")
SH_WARNING = URIRef(str(SH) + "Warning")
SH_VIOLATION = URIRef(str(SH) + "Violation")


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(path("iprg.ttl"))


@pytest.fixture(scope="module")
def vocab() -> Graph:
    return Graph().parse(path("vocabulary.ttl"))


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(path("shapes.ttl"))


def langs(g: Graph, s: URIRef, p: URIRef) -> list[str]:
    return sorted(o.language or "" for o in g.objects(s, p) if isinstance(o, Literal))


# ---------------------------------------------------------------- iprg.ttl

# The term contract of kg/ns.py, with the OWL kind each term must be declared as.
CONTRACT = [
    *[(name, OWL.Class) for name in (
        "PolicyDocument", "Section", "Measure", "Rule", "Statute", "Article", "Case", "Court",
        "Organisation", "Place", "Mention", "Modality", "Ingestion", "Paragraph", "Item",
        "Division", "Instance", "AuthorityTier")],
    *[(name, OWL.ObjectProperty) for name in (
        "hasPart", "partOf", "issuer", "court", "locatedIn", "parentCourt", "modality",
        "aboutTopic", "mentions", "cites", "illustrates", "appealOf", "relatedCase", "concept",
        "articleOf", "sourceDocument", "hasInstance", "correspondsTo", "previousVersion",
        "holdingRule", "authority", "divisionOf", "inDivision")],
    *[(name, OWL.DatatypeProperty) for name in (
        "number", "title", "text", "docNumber", "caseNumber", "caseNumberUnverified", "decided",
        "cause", "plaintiff", "defendant", "outcome", "holding", "honour", "verified", "source",
        "statuteKind", "status", "adopted", "effective", "articleNumber", "articleLabel", "gist",
        "shortTitle", "courtLevel", "amount", "textLength", "extractorVersion", "stage", "docType",
        "keyword", "released", "authorityRank", "rank", "party")],
    *[(name, IPRG.Modality) for name in (
        "Obligation", "Permission", "Prohibition", "Exploration", "Encouragement")],
    *[(name, IPRG.AuthorityTier) for name in (
        "GuidingCaseAuthority", "TypicalCaseAuthority", "ReferenceCaseAuthority", "OtherCaseAuthority",
        "LawAuthority", "RegulationAuthority", "JudicialInterpretationAuthority", "PolicyDocumentAuthority")],
    # derived per generation (kg/explorer/derive.py), in the generation's named graph
    ("Generation", OWL.Class),
    *[(name, OWL.DatatypeProperty) for name in (
        "generation", "derivedVersion", "topicsJson", "matrixJson", "centralityJson", "adjacency", "expectedNodes",
        "expectedRelationships", "caseOrder", "caseSummary", "searchOrder")],
]


@pytest.mark.parametrize(("name", "kind"), CONTRACT, ids=[c[0] for c in CONTRACT])
def test_contract_term_is_declared_with_labels_and_definitions(onto: Graph, name: str, kind: URIRef) -> None:
    term = IPRG[name]
    if kind not in (IPRG.Modality, IPRG.AuthorityTier):  # individuals: named in the brief, not the docstring
        assert name in ns.__doc__, f"{name} is not in the term contract of kg/ns.py"
    assert (term, RDF.type, kind) in onto
    assert langs(onto, term, RDFS.label) == ["en", "zh"]
    assert langs(onto, term, SKOS.definition) == ["en", "zh"]


def test_every_iprg_term_has_zh_and_en_label_and_definition(onto: Graph) -> None:
    terms = {s for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(ns.BASE)}
    terms.discard(URIRef(ns.BASE))
    terms.discard(URIRef(ns.BASE + "0.1.0"))
    assert len(terms) == len(CONTRACT)
    for term in terms:
        assert {"zh", "en"} <= set(langs(onto, term, RDFS.label)), term
        assert {"zh", "en"} <= set(langs(onto, term, SKOS.definition)), term


def test_ontology_header(onto: Graph) -> None:
    o = URIRef(ns.BASE)
    assert (o, RDF.type, OWL.Ontology) in onto
    assert langs(onto, o, DCTERMS.title) == ["en", "zh"]
    assert onto.value(o, OWL.versionInfo) is not None
    assert onto.value(o, DCTERMS.license) is not None
    assert onto.value(o, DCTERMS.created).datatype == rns.XSD.date


def test_ontology_has_no_blank_nodes(onto: Graph) -> None:
    """The ontology is loaded beside the data and mirrored to Neo4j, which cannot key blank nodes."""
    assert not [t for t in onto if any(isinstance(x, BNode) for x in t)]


ALIGNMENTS = [
    (IPRG.PolicyDocument, RDFS.subClassOf, ELI.LegalResource),
    (IPRG.Statute, RDFS.subClassOf, ELI.LegalResource),
    (IPRG.Measure, RDFS.subClassOf, ELI.LegalResourceSubdivision),
    (IPRG.Article, RDFS.subClassOf, ELI.LegalResourceSubdivision),
    (IPRG.Mention, RDFS.subClassOf, OA.Annotation),
    (IPRG.Ingestion, RDFS.subClassOf, PROV.Activity),
    (IPRG.Organisation, RDFS.subClassOf, SCHEMA.Organization),
    (IPRG.Court, RDFS.subClassOf, IPRG.Organisation),
    (IPRG.Place, RDFS.subClassOf, SCHEMA.Place),
    (IPRG.hasPart, RDFS.subPropertyOf, ELI.has_part),
    (IPRG.hasPart, RDFS.subPropertyOf, DCTERMS.hasPart),
    (IPRG.cites, RDFS.subPropertyOf, ELI.cites),
    (IPRG.docNumber, RDFS.subPropertyOf, ELI.id_local),
    (IPRG.docNumber, RDFS.subPropertyOf, DCTERMS.identifier),
    (IPRG.caseNumber, RDFS.subPropertyOf, DCTERMS.identifier),
    (IPRG.title, RDFS.subPropertyOf, DCTERMS.title),
    (IPRG.source, RDFS.subPropertyOf, DCTERMS.source),
    (IPRG.aboutTopic, RDFS.subPropertyOf, DCTERMS.subject),
    (IPRG.partOf, OWL.inverseOf, IPRG.hasPart),
]


@pytest.mark.parametrize("triple", ALIGNMENTS, ids=[f"{ns.local_name(a)}-{ns.local_name(c)}" for a, _, c in ALIGNMENTS])
def test_alignment_to_standards(onto: Graph, triple: tuple[URIRef, URIRef, URIRef]) -> None:
    assert triple in onto


def test_shapes_only_use_declared_iprg_terms(onto: Graph, shapes: Graph) -> None:
    declared = {s for s in onto.subjects() if isinstance(s, URIRef)}
    used = {x for t in shapes for x in t if isinstance(x, URIRef) and str(x).startswith(ns.BASE)
            and not str(x).startswith(SHAPES) and "/id/" not in str(x) and not str(x).endswith("/shapes")}
    assert used and used <= declared, used - declared


# ---------------------------------------------------------------- vocabulary.ttl

TOPIC_IDS = [
    "data_rights", "trade_secrets", "frand_sep", "aigc", "punitive_damages", "repeat_infringement",
    "abuse_of_rights", "estoppel", "plant_varieties_gi", "service_inventions_talent",
    "foreign_related", "technical_fact_finding", "remedies_preservation",
    "enforcement_coordination", "unfair_competition", "damages_calculation", "evidence_rules",
    "copyright", "patent", "trademark", "emerging_industries", "dispute_resolution",
]


def members(g: Graph, scheme: URIRef) -> set[URIRef]:
    return set(g.subjects(SKOS.inScheme, scheme))


def test_vocabulary_scheme_has_150_concepts_and_8_top_concepts(vocab: Graph) -> None:
    concepts = members(vocab, SCHEME_VOCAB)
    assert len(concepts) == 150
    assert all((c, RDF.type, SKOS.Concept) in vocab for c in concepts)
    tops = set(vocab.objects(SCHEME_VOCAB, SKOS.hasTopConcept))
    assert len(tops) == 8
    assert tops == set(vocab.subjects(SKOS.topConceptOf, SCHEME_VOCAB))
    assert all(vocab.value(t, SKOS.broader) is None for t in tops)
    assert all(vocab.value(c, SKOS.broader) is not None for c in concepts - tops)


def test_topic_scheme_has_exactly_the_fixed_topic_ids(vocab: Graph) -> None:
    assert members(vocab, SCHEME_TOPICS) == {iri("topic", t) for t in TOPIC_IDS}
    assert {str(vocab.value(iri("topic", t), SKOS.notation)) for t in TOPIC_IDS} == set(TOPIC_IDS)


@pytest.mark.parametrize("scheme", [SCHEME_VOCAB, SCHEME_TOPICS], ids=["vocabulary", "topics"])
def test_every_concept_has_one_pref_label_and_a_definition_per_language(vocab: Graph, scheme: URIRef) -> None:
    for c in members(vocab, scheme):
        assert langs(vocab, c, SKOS.prefLabel) == ["en", "zh"], c
        assert langs(vocab, c, SKOS.definition) == ["en", "zh"], c
    assert langs(vocab, scheme, DCTERMS.title) == ["en", "zh"]


def test_definitions_are_single_sentences(vocab: Graph) -> None:
    for c, d in vocab.subject_objects(SKOS.definition):
        text = str(d)
        if d.language == "zh":
            assert text.endswith("。") and text.count("。") == 1, (c, text)
        else:
            assert text.endswith(".") and ". " not in text.replace("e.g. ", ""), (c, text)


def test_hierarchy_is_symmetric_and_closed(vocab: Graph) -> None:
    concepts = members(vocab, SCHEME_VOCAB) | members(vocab, SCHEME_TOPICS)
    for a, b in vocab.subject_objects(SKOS.broader):
        assert (b, SKOS.narrower, a) in vocab
    for a, b in vocab.subject_objects(SKOS.narrower):
        assert (b, SKOS.broader, a) in vocab
    for a, b in vocab.subject_objects(SKOS.related):
        assert b in concepts, (a, b)
    for t in TOPIC_IDS:
        related = set(vocab.objects(iri("topic", t), SKOS.related)) & members(vocab, SCHEME_VOCAB)
        assert related, f"topic {t} is linked to no vocabulary concept"


ALT_LABELS = [
    ("frand_principle", "FRAND", None),
    ("frand_principle", "公平、合理、无歧视", "zh"),
    ("frand_principle", "公平合理无歧视", "zh"),
    ("standard_essential_patent", "SEP", "zh"),
    ("standard_essential_patent", "SEP", "en"),
    ("standard_essential_patent", "standard essential patent", "en"),
    ("aigc", "AIGC", "zh"),
    ("aigc", "AI生成内容", "zh"),
    ("aigc", "AI辅助生成内容", "zh"),
    ("prosecution_history_estoppel", "禁止反悔", "zh"),
    ("apostille", "取消外国公文书认证要求的公约", "zh"),
    ("apostille", "Apostille Convention", "en"),
]


@pytest.mark.parametrize(("cid", "label", "lang"), ALT_LABELS)
def test_labels_used_by_real_texts(vocab: Graph, cid: str, label: str, lang: str | None) -> None:
    node = iri("concept", cid)
    alts = {(str(o), o.language) for p in (SKOS.prefLabel, SKOS.altLabel) for o in vocab.objects(node, p)}
    if lang is None:
        assert label in {a for a, _ in alts}
    else:
        assert (label, lang) in alts


@pytest.mark.parametrize(("cid", "label"), [
    ("aucl_general_clause", "第二条"), ("intent_and_seriousness", "恶意"), ("digital_economy", "算法"),
])
def test_generic_words_are_search_only_hidden_labels(vocab: Graph, cid: str, label: str) -> None:
    node = iri("concept", cid)
    assert label in {str(o) for o in vocab.objects(node, SKOS.hiddenLabel)}
    assert label not in {str(o) for o in vocab.objects(node, SKOS.altLabel)}


@pytest.fixture(scope="module")
def reference_vocab(shared_dir: Path) -> Path:
    return shared_dir / "reference" / "vocabulary.yaml"


def test_definitions_are_our_own_words(vocab: Graph, reference_vocab: Path) -> None:
    reference = yaml.safe_load(reference_vocab.read_text(encoding="utf-8"))["concepts"]
    for c in reference:
        ours = str(next(d for d in vocab.objects(iri("concept", c["id"]), SKOS.definition) if d.language == "en"))
        theirs = c["definition_en"]
        assert ours.strip().lower() != theirs.strip().lower(), c["id"]
        ratio = difflib.SequenceMatcher(None, ours.lower(), theirs.lower()).ratio()
        assert ratio < 0.75, f"{c['id']}: definition too close to the reference wording ({ratio:.2f})"


def test_committed_vocabulary_matches_generator(vocab: Graph, reference_vocab: Path, tmp_path: Path) -> None:
    """The generator, run as its docstring says, reproduces the committed vocabulary.ttl."""
    from rdflib.compare import isomorphic

    out = tmp_path / "vocabulary.ttl"
    done = subprocess.run([sys.executable, "-m", "ontology.build_vocabulary", "--reference", str(reference_vocab),
                           "--output", str(out)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert isomorphic(Graph().parse(out), vocab), "vocabulary.ttl is stale: rerun python -m ontology.build_vocabulary"


def test_generator_names_the_file_and_concept_on_bad_input() -> None:
    reference = {"scheme": {"top_concepts": ["a"]}, "concepts": [{"id": "a", "pref_zh": "甲", "pref_en": "A", "broader": None}]}
    extra = {"scheme": {}, "topic_scheme": {}, "concepts": {"nosuch": {"alt_zh": ["x"]}}}
    with pytest.raises(build_vocabulary.VocabularyError, match=r"vocabulary_extra\.yaml.*nosuch"):
        build_vocabulary.build(build_vocabulary.Inputs(reference, extra, {"concepts": {}}))


# ---------------------------------------------------------------- shapes.ttl

DOC = "厦中法发〔2025〕18号"
POLICY, SECTION, MEASURE, RULE = iri("policy", DOC), iri("section", DOC, 1), iri("measure", DOC, 1), iri("rule", DOC, 1, 1)
COURT, PLACE = iri("court", "厦门市中级人民法院"), iri("place", "厦门市")
STATUTE, ARTICLE = iri("statute", "prc_patent_law_2020"), iri("article", "prc_patent_law_2020", "6")
CASE, MENTION, INGESTION = iri("case", "taobao_v_meijing"), ns.hashed("mention", DOC, 0, 4), iri("ingestion", "test")
CONCEPT = iri("concept", "trade_secret")


def valid_graph() -> Graph:
    """A small graph that meets every shape: one of each kind of node, linked as the pipeline links them."""
    g = Graph()
    zh = lambda s: Literal(s, lang="zh")  # noqa: E731
    triples = [
        (POLICY, RDF.type, IPRG.PolicyDocument), (POLICY, IPRG.docNumber, Literal(DOC)),
        (POLICY, IPRG.title, zh("关于强化知识产权司法保护促推新质生产力发展的若干措施")),
        (POLICY, RDFS.label, zh("若干措施")), (POLICY, IPRG.issuer, COURT),
        (POLICY, DCTERMS.issued, Literal("2025-04-24", datatype=rns.XSD.date)),
        (POLICY, IPRG.textLength, Literal(8256)), (POLICY, IPRG.hasPart, SECTION),
        (SECTION, RDF.type, IPRG.Section), (SECTION, IPRG.number, Literal(1)),
        (SECTION, IPRG.text, zh("加强重点科技创新成果保护")), (SECTION, IPRG.hasPart, MEASURE),
        (MEASURE, RDF.type, IPRG.Measure), (MEASURE, IPRG.number, Literal(1)),
        (MEASURE, IPRG.title, zh("进一步强化司法裁判导向作用。")),
        (MEASURE, IPRG.text, zh("进一步强化司法裁判导向作用。依法审理涉生物医药案件。")),
        (MEASURE, IPRG.hasPart, RULE), (MEASURE, IPRG.aboutTopic, iri("topic", "emerging_industries")),
        (RULE, RDF.type, IPRG.Rule), (RULE, IPRG.text, zh("依法审理涉生物医药案件。")),
        (RULE, IPRG.modality, IPRG.Obligation), (RULE, IPRG.cites, ARTICLE),
        (COURT, RDF.type, IPRG.Court), (COURT, RDFS.label, zh("厦门市中级人民法院")),
        (COURT, RDFS.label, Literal("Xiamen Intermediate People's Court", lang="en")),
        (COURT, IPRG.locatedIn, PLACE), (PLACE, RDF.type, IPRG.Place), (PLACE, RDFS.label, zh("厦门市")),
        (STATUTE, RDF.type, IPRG.Statute), (STATUTE, IPRG.title, zh("中华人民共和国专利法（2020年修正）")),
        (STATUTE, IPRG.adopted, Literal("2020-10-17", datatype=rns.XSD.date)), (STATUTE, IPRG.hasPart, ARTICLE),
        (STATUTE, IPRG.concept, iri("concept", "patent_right")),
        (ARTICLE, RDF.type, IPRG.Article), (ARTICLE, IPRG.articleNumber, Literal("6")),
        (ARTICLE, IPRG.articleOf, STATUTE), (ARTICLE, IPRG.articleLabel, zh("第六条")),
        (CASE, RDF.type, IPRG.Case), (CASE, RDFS.label, zh("淘宝诉美景不正当竞争纠纷案")),
        (CASE, IPRG.caseNumber, Literal("(2018)浙01民终7312号")), (CASE, IPRG.court, COURT),
        (CASE, IPRG.verified, Literal("partly")), (CASE, IPRG.decided, Literal("2018")),
        (CASE, IPRG.illustrates, MEASURE), (CASE, IPRG.amount, Literal("2000000", datatype=rns.XSD.decimal)),
        (MENTION, RDF.type, IPRG.Mention), (MENTION, OA.hasBody, COURT), (MENTION, OA.hasTarget, MEASURE),
        (MENTION, IPRG.sourceDocument, POLICY), (MENTION, OA.start, Literal(1)), (MENTION, OA.end, Literal(10)),
        (MENTION, OA.exact, Literal("厦门市中级人民法院")), (MENTION, PROV.wasGeneratedBy, INGESTION),
        (INGESTION, RDF.type, IPRG.Ingestion),
        (INGESTION, PROV.startedAtTime, Literal("2025-11-26T10:00:00", datatype=rns.XSD.dateTime)),
        (INGESTION, IPRG.extractorVersion, Literal("0.1.0")),
        (CONCEPT, RDF.type, SKOS.Concept), (CONCEPT, SKOS.inScheme, SCHEME_VOCAB),
        (CONCEPT, SKOS.prefLabel, zh("商业秘密")), (CONCEPT, SKOS.prefLabel, Literal("trade secret", lang="en")),
        (CONCEPT, SKOS.definition, zh("不为公众所知悉的商业信息。")),
        (CONCEPT, SKOS.definition, Literal("Business information the public does not know.", lang="en")),
    ]
    for t in triples:
        g.add(t)
    return g


def run(shapes: Graph, data: Graph) -> tuple[bool, Graph]:
    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    return conforms, report


def failed_shapes(report: Graph, severity: URIRef = SH_VIOLATION) -> set[str]:
    return {str(report.value(r, SH_SOURCE_SHAPE)).removeprefix(SHAPES)
            for r in report.subjects(SH_RESULT_SEVERITY, severity)}


def test_valid_graph_conforms_without_any_result(shapes: Graph) -> None:
    conforms, report = run(shapes, valid_graph())
    assert conforms
    assert not failed_shapes(report, SH_VIOLATION) and not failed_shapes(report, SH_WARNING)


def test_ontology_and_vocabulary_themselves_conform(shapes: Graph, onto: Graph, vocab: Graph) -> None:
    conforms, report = run(shapes, onto + vocab)
    assert conforms and not failed_shapes(report, SH_WARNING)


PREFIXES = """
PREFIX iprg: <https://w3id.org/iprg/> PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

# (id, SPARQL Update that breaks the valid graph, shape IRI that must be named as violated)
BROKEN = [
    ("measure-without-number", "DELETE { ?m iprg:number ?n } WHERE { ?m a iprg:Measure ; iprg:number ?n }", "Measure-number"),
    ("measure-number-zero", "DELETE { ?m iprg:number ?n } INSERT { ?m iprg:number 0 } WHERE { ?m a iprg:Measure ; iprg:number ?n }", "Measure-number"),
    ("measure-number-string", "DELETE { ?m iprg:number ?n } INSERT { ?m iprg:number \"1\" } WHERE { ?m a iprg:Measure ; iprg:number ?n }", "Measure-number"),
    ("measure-without-title", "DELETE { ?m iprg:title ?t } WHERE { ?m a iprg:Measure ; iprg:title ?t }", "Measure-title"),
    ("section-text-english-only", "DELETE { ?s iprg:text ?t } INSERT { ?s iprg:text \"Protect key results\"@en } WHERE { ?s a iprg:Section ; iprg:text ?t }", "Section-text"),
    ("policy-two-doc-numbers", "INSERT { ?d iprg:docNumber \"厦中法发〔2025〕19号\" } WHERE { ?d a iprg:PolicyDocument }", "PolicyDocument-docNumber"),
    ("policy-title-english-only", "DELETE { ?d iprg:title ?t } INSERT { ?d iprg:title \"Measures\"@en } WHERE { ?d a iprg:PolicyDocument ; iprg:title ?t }", "PolicyDocument-title"),
    ("policy-issuer-is-a-place", "DELETE { ?d iprg:issuer ?c } INSERT { ?d iprg:issuer ?p } WHERE { ?d a iprg:PolicyDocument ; iprg:issuer ?c . ?p a iprg:Place }", "PolicyDocument-issuer"),
    ("policy-issued-as-string", "DELETE { ?d dcterms:issued ?x } INSERT { ?d dcterms:issued \"2025年4月24日\" } WHERE { ?d dcterms:issued ?x }", "Date-issued"),
    ("rule-with-two-modalities", "INSERT { ?r iprg:modality iprg:Permission } WHERE { ?r a iprg:Rule }", "Rule-modality"),
    ("rule-with-unknown-modality", "DELETE { ?r iprg:modality ?m } INSERT { ?r iprg:modality iprg:Suggestion } WHERE { ?r iprg:modality ?m }", "Rule-modality"),
    ("rule-outside-any-measure", "DELETE { ?m iprg:hasPart ?r } WHERE { ?m iprg:hasPart ?r . ?r a iprg:Rule }", "Rule-measure"),
    ("rule-without-text", "DELETE { ?r iprg:text ?t } WHERE { ?r a iprg:Rule ; iprg:text ?t }", "Rule-text"),
    ("case-without-court", "DELETE { ?c iprg:court ?x } WHERE { ?c a iprg:Case ; iprg:court ?x }", "Case-court"),
    ("case-court-not-a-court", "DELETE { ?c iprg:court ?x } INSERT { ?c iprg:court <https://w3id.org/iprg/id/place/厦门市> } WHERE { ?c a iprg:Case ; iprg:court ?x }", "Case-court"),
    ("case-bad-verified", "DELETE { ?c iprg:verified ?v } INSERT { ?c iprg:verified \"maybe\" } WHERE { ?c iprg:verified ?v }", "Case-verified"),
    ("case-without-verified", "DELETE WHERE { ?c iprg:verified ?v }", "Case-verified"),
    ("case-bad-case-number", "DELETE { ?c iprg:caseNumber ?n } INSERT { ?c iprg:caseNumber \"浙01民终7312号\" } WHERE { ?c iprg:caseNumber ?n }", "Case-caseNumber"),
    ("case-free-text-date", "DELETE { ?c iprg:decided ?d } INSERT { ?c iprg:decided \"2018 (appeal)\" } WHERE { ?c iprg:decided ?d }", "Case-decided"),
    ("case-illustrates-a-case", "DELETE { ?c iprg:illustrates ?m } INSERT { ?c iprg:illustrates ?c } WHERE { ?c iprg:illustrates ?m }", "Case-illustrates"),
    ("case-without-label", "DELETE { ?c rdfs:label ?l } WHERE { ?c a iprg:Case ; rdfs:label ?l }", "Case-label"),
    ("statute-without-zh-title", "DELETE { ?s iprg:title ?t } WHERE { ?s a iprg:Statute ; iprg:title ?t }", "Statute-title"),
    ("statute-adopted-as-string", "DELETE { ?s iprg:adopted ?d } INSERT { ?s iprg:adopted \"2020-10-17\" } WHERE { ?s iprg:adopted ?d }", "Date-adopted"),
    ("article-without-statute", "DELETE WHERE { ?a iprg:articleOf ?s }", "Article-articleOf"),
    ("article-number-chinese", "DELETE { ?a iprg:articleNumber ?n } INSERT { ?a iprg:articleNumber \"第六条\" } WHERE { ?a iprg:articleNumber ?n }", "Article-articleNumber"),
    ("mention-end-beyond-text", "DELETE { ?m oa:end ?e } INSERT { ?m oa:end 9000 } WHERE { ?m oa:end ?e }", "MentionWithinTextShape"),
    ("mention-start-after-end", "DELETE { ?m oa:start ?s } INSERT { ?m oa:start 20 } WHERE { ?m oa:start ?s }", "Mention-start"),
    ("mention-negative-start", "DELETE { ?m oa:start ?s } INSERT { ?m oa:start -1 } WHERE { ?m oa:start ?s }", "Mention-start"),
    ("mention-without-body", "DELETE WHERE { ?m oa:hasBody ?b }", "Mention-hasBody"),
    ("mention-without-source", "DELETE WHERE { ?m iprg:sourceDocument ?d }", "Mention-sourceDocument"),
    ("mention-source-without-length", "DELETE WHERE { ?d iprg:textLength ?n }", "Mention-textLength"),
    ("mention-without-provenance", "DELETE WHERE { ?m prov:wasGeneratedBy ?i }", "Mention-wasGeneratedBy"),
    ("label-without-language", "INSERT { ?c rdfs:label \"厦门中院\" } WHERE { ?c a iprg:Court }", "Label-rdfs-label"),
    ("title-without-language", "DELETE { ?m iprg:title ?t } INSERT { ?m iprg:title \"进一步强化司法裁判导向作用\" } WHERE { ?m a iprg:Measure ; iprg:title ?t }", "Label-title"),
    ("concept-missing-en-label", "DELETE { ?c skos:prefLabel ?l } WHERE { ?c a skos:Concept ; skos:prefLabel ?l FILTER(lang(?l) = 'en') }", "Concept-prefLabelEn"),
    ("concept-two-zh-labels", "INSERT { ?c skos:prefLabel \"商秘\"@zh } WHERE { ?c a skos:Concept }", "Concept-prefLabelZh"),
    ("concept-outside-schemes", "DELETE { ?c skos:inScheme ?s } INSERT { ?c skos:inScheme <https://example.org/other> } WHERE { ?c skos:inScheme ?s }", "Concept-inScheme"),
    ("about-topic-is-a-concept", "DELETE { ?m iprg:aboutTopic ?t } INSERT { ?m iprg:aboutTopic <https://w3id.org/iprg/id/concept/trade_secret> } WHERE { ?m iprg:aboutTopic ?t }", "TopicLink-aboutTopic"),
    ("ingestion-without-time", "DELETE WHERE { ?i prov:startedAtTime ?t }", "Ingestion-startedAtTime"),
]


@pytest.mark.parametrize(("update", "shape"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_shapes_reject_broken_data_naming_the_shape(shapes: Graph, update: str, shape: str) -> None:
    g = valid_graph()
    before = set(g)
    g.update(PREFIXES + update)
    assert set(g) != before, "the update did not change the graph; the test case is wrong"
    conforms, report = run(shapes, g)
    assert not conforms
    assert shape in failed_shapes(report), failed_shapes(report)


def test_case_without_any_number_is_a_warning_not_a_violation(shapes: Graph) -> None:
    g = valid_graph()
    g.remove((CASE, IPRG.caseNumber, None))
    conforms, report = run(shapes, g)
    assert conforms  # warnings allowed
    assert failed_shapes(report, SH_WARNING) == {"CaseNumberShape"}
    assert not failed_shapes(report, SH_VIOLATION)


def test_result_messages_are_bilingual(shapes: Graph) -> None:
    g = valid_graph()
    g.update(PREFIXES + "DELETE { ?c iprg:court ?x } WHERE { ?c a iprg:Case ; iprg:court ?x }")
    _, report = run(shapes, g)
    messages = set(report.objects(None, URIRef(str(SH) + "resultMessage")))
    assert {m.language for m in messages} >= {"zh", "en"}
