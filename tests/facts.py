"""Exact figures of the graph `kg ingest` builds from the bundled corpus, in one place.

What fixes them: the bundled corpus (ingest/corpus/: the Xiamen measures, 56 case records, the
statute records), the ontology (ontology/*.ttl) and the ingest pipeline. When any of these
changes on purpose, rerun the suite, check that the new figures are right, and update them
HERE; every test compares against this table, so a change nobody meant shows as a failure.
"""

from __future__ import annotations

POLICY = "厦中法发〔2025〕18号"

#: run_ingest / `kg ingest` report and the stored graph
TRIPLES = 11_247
SECTIONS = 10
MEASURES = 20
RULES = 40
CASES = 56
STATUTES = 57          # curated statute records
TOPICS = 22

#: mentions (of every kind) in the seed, with their spans
SEED_MENTIONS = 225

#: the Neo4j projection of the stored graph (nodes without the mapping node, relationships)
PG_NODES = 1_058
PG_RELATIONSHIPS = 3_796

#: what `kg ingest` derives per generation (kg/explorer/derive.py) in its own named graph: the
#: mirror carries it too (one Generation node, orders as properties), exports and SHACL do not
DERIVED_TRIPLES = 801
MIRROR_TRIPLES = TRIPLES + DERIVED_TRIPLES
MIRROR_NODES = PG_NODES + 1

#: topic id → (measures, rules, cases), as ``topics()`` counts them
TOPIC_COUNTS: dict[str, tuple[int, int, int]] = {
    "abuse_of_rights": (2, 3, 10), "aigc": (1, 1, 7), "copyright": (1, 2, 8),
    "damages_calculation": (3, 4, 12), "data_rights": (1, 2, 6), "dispute_resolution": (4, 5, 0),
    "emerging_industries": (3, 3, 0), "enforcement_coordination": (5, 7, 0), "estoppel": (1, 1, 2),
    "evidence_rules": (2, 3, 8), "foreign_related": (2, 4, 12), "frand_sep": (1, 2, 8),
    "patent": (3, 3, 17), "plant_varieties_gi": (1, 1, 8), "punitive_damages": (2, 2, 6),
    "remedies_preservation": (4, 5, 7), "repeat_infringement": (1, 1, 4),
    "service_inventions_talent": (2, 3, 4), "technical_fact_finding": (2, 2, 0),
    "trade_secrets": (3, 4, 8), "trademark": (0, 0, 5), "unfair_competition": (3, 5, 8),
}

#: measures of a topic, in the order rules_by_topic gives them
TOPIC_MEASURES = {"trade_secrets": [5, 6, 7], "frand_sep": [15]}

#: Cases of a topic, newest year first and, within a year, the highest court first.
#: The real same-year ties that need the court tie-break (by date alone they would swap):
#:   frand_sep 2020: huawei_v_conversant_asi (SPC IP tribunal, 2020-08) before
#:                   xiaomi_v_interdigital_asi (Wuhan intermediate, 2020-09-23);
#:   frand_sep 2018: iwncomm_v_sony (Beijing High, 2018) before
#:                   huawei_v_samsung_sz (Shenzhen intermediate, 2018-01-11).
TOPIC_CASES = {
    "frand_sep": [
        "acttech_v_oppo", "oppo_v_nokia", "oppo_v_sharp_jurisdiction", "huawei_v_conversant_asi",
        "xiaomi_v_interdigital_asi", "iwncomm_v_sony", "huawei_v_samsung_sz", "huawei_v_idc",
    ],
    "trade_secrets": [
        "geely_v_weima", "xiamen_fragrance_secret", "melamine", "kemei_v_cheng", "vanillin",
        "carbomer", "ruiyunlian_v_yealink", "taiwan_skate_1981",
    ],
}

#: cases(...) totals for filters
CASES_BY_FILTER = {
    "topic=trade_secrets": 8, "year=2020": 6, "court=最高人民法院知识产权法庭": 22,
    "statute=prc_aucl_2019": 9, "statute=prc_aucl_2019/9": 7, "measure=15": 19, "topic=frand_sep&year=2020": 2,
    "topic=data_rights&statute=prc_aucl_2019&year=2020": 1,
}

#: the topic × measure matrix: 22 topics × 20 measures, 122 non-zero cells summing to 414;
#: trade secrets × measure 5 and × measure 6
MATRIX_TOPICS, MATRIX_MEASURES, MATRIX_NONZERO, MATRIX_SUM = 22, 20, 122, 414
MATRIX_TRADE_SECRETS = {5: 11, 6: 4}

#: measure 15: rules, mentions, cases, citations
MEASURE15 = {"rules": 3, "mentions": 12, "cases": 19, "citations": 13}

#: neighbourhood of tencent_v_soudao at depth 1: nodes, edges
NEIGHBOURHOOD_TENCENT_1 = (10, 9)

#: Search ranking: direct hits before hits reached through a concept; within those, measures,
#: rules, cases, articles, statutes…; measures by number. The first hits of each query:
SEARCH_TOP = {
    "商业秘密": ["measure/5", "measure/6", "rule/5/1", "rule/6/1", "rule/5/2", "rule/6/2",
                 "case/ruiyunlian_v_yealink", "case/taiwan_skate_1981"],
    "FRAND": ["measure/15", "rule/15/3", "case/oppo_v_nokia", "case/huawei_v_samsung_sz",
              "case/iwncomm_v_sony", "case/acttech_v_oppo"],
}
#: how many hits a query has (limit 200); the words of the injection probes in test_explorer
SEARCH_TOTAL = {"商业秘密": 57, "trade secret": 54, "FRAND": 18, "FRAND 1": 3, "1": 168,
                "data rights": 15, "AI 生成": 18, "秘": 58}


def node(short: str) -> str:
    """The IRI of a node written short: ``measure/5``, ``rule/5/1``, ``case/vanillin``,
    ``topic/frand_sep``, ``article/prc_aucl_2019/9``."""
    from kg.ns import iri

    kind, *rest = short.split("/")
    if kind in ("measure", "rule"):
        return str(iri(kind, POLICY, *(int(x) for x in rest)))
    return str(iri(kind, *rest))
