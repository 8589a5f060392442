"""The `kg` command as README shows it, run as a user runs it (a subprocess on a store folder).

Covers: `kg ingest` (bundled corpus; a folder of .md/.html documents with the user's own YAML
records added to the bundled ones; refusals that leave the store as it was), `kg validate`,
`kg query`, `kg export`, `kg mirror`, and a running `kg serve` that picks up a graph rebuilt
under it, with store generations switched and old ones pruned.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import facts
import networkx as nx
import pytest
import yaml
from conftest import (
    DATA,
    REPO,
    SEED,
    cli_env,
    copy_store,
    http_client,
    kg,
    kg_ok,
    kg_serve,
    store_fingerprint,
    wipe,
)
from rdflib import Graph, Literal
from rdflib.namespace import RDF

from kg.ns import IPRG, iri

MY_CASE = {
    "id": "my_fujian_data_case",
    "name": {"zh": "某数据公司诉某科技公司不正当竞争纠纷案", "en": "A data company v. a tech company"},
    "case_numbers": ["(2024)闽01民初4321号"],
    "courts": [{"zh": "福建省福州市中级人民法院", "en": "Fuzhou Intermediate People's Court"}],
    "decided": "2024-10",
    "cause": "不正当竞争纠纷",
    "topics": ["data_rights"],
    "measures": [3],
    "holding": {"zh": "经实质性加工形成的数据集合可以受反不正当竞争法保护。",
                "en": "A substantially processed data set can be protected under the competition law."},
    "verified": "no",
}


def query(store: Path, text: str, *extra: str) -> dict:
    return json.loads(kg_ok("--store", str(store), "query", *extra, text).stdout)


def rows(store: Path, text: str) -> list[list]:
    return [list(r) for r in query(store, text)["rows"]]


def ask(store: Path, pattern: str) -> bool:
    return query(store, f"ASK {{ {pattern} }}")["rows"] == [[True]]


def count(store: Path, where: str) -> int:
    return int(rows(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")[0][0])


@pytest.fixture()
def store(bundled_store_root, tmp_path) -> Path:
    """A copy of the bundled graph that this test may change."""
    return copy_store(bundled_store_root, tmp_path / "store")


@pytest.fixture(scope="module")
def my_cases(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("records") / "my-cases.yaml"
    path.write_text(yaml.safe_dump(MY_CASE, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- kg ingest -------------------------------------------------------------------------------

def test_ingest_builds_the_bundled_graph(bundled_store_root):
    report = json.loads((bundled_store_root.parent / "ingest-report.json").read_text(encoding="utf-8"))
    assert [Path(d).name for d in report["documents"]] == [SEED.name]
    assert (report["measures"], report["rules"], report["triples"]) == (facts.MEASURES, facts.RULES, facts.TRIPLES)
    assert report["validated"] is True
    assert (bundled_store_root / "CURRENT").is_file()


@pytest.fixture(scope="module")
def opinions_folder(tmp_path_factory) -> Path:
    """`my-court-opinions/`: a policy document as Markdown and a judgment as an HTML page."""
    folder = tmp_path_factory.mktemp("input") / "my-court-opinions"
    folder.mkdir()
    (folder / "fujian-opinions.md").write_text((DATA / "provincial_opinions.txt").read_text(encoding="utf-8"),
                                               encoding="utf-8")
    paragraphs = [p for p in (DATA / "judgment.txt").read_text(encoding="utf-8").split("\n") if p.strip()]
    body = "\n".join(f"<p>{p.replace('&', '&amp;')}</p>" for p in paragraphs)
    (folder / "judgment.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>裁判文书</title>"
        "<style>p { margin: 0 }</style><script>var decoy = '（2099）闽民终1号';</script></head>"
        f"<body><div class='doc'>{body}</div></body></html>", encoding="utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 not a text document")   # not a document kind: ignored
    return folder


@pytest.fixture(scope="module")
def user_graph(opinions_folder, my_cases, tmp_path_factory) -> tuple[Path, dict]:
    """README: `kg ingest my-court-opinions/ my-cases.yaml` — your documents and records."""
    store = tmp_path_factory.mktemp("user-graph") / "store"
    done = kg_ok("--store", str(store), "ingest", str(opinions_folder), str(my_cases))
    return store, json.loads(done.stdout)


def test_ingest_a_folder_of_markdown_and_html(user_graph):
    store, report = user_graph
    assert sorted(Path(d).name for d in report["documents"]) == ["fujian-opinions.md", "judgment.html"]
    assert report["measures"] == 7 and report["validated"] is True
    # the .md policy document with its structure
    assert rows(store, "SELECT ?n WHERE { ?d a iprg:PolicyDocument ; iprg:docNumber ?n }") == [["闽高法〔2024〕56号"]]
    assert count(store, "?x a iprg:Section") == 3 and count(store, "?x a iprg:Measure") == 7
    # given documents replace the bundled policy text (README: + the bundled records)
    assert count(store, "?x iprg:docNumber '厦中法发〔2025〕18号'") == 0
    # the .html judgment: its case, court and appeal; nothing from its <script>
    # one case, two instances: the appeal it decides (with its court) and the first instance it names
    final, first = iri("instance", "(2024)闽民终888号"), iri("instance", "(2023)闽02民初1234号")
    assert rows(store, f"SELECT ?c WHERE {{ <{final}> iprg:court ?c }}") == [[str(iri("court", "福建省高级人民法院"))]]
    assert rows(store, f"SELECT ?s WHERE {{ <{first}> iprg:stage ?s }}") == [["first_instance"]]
    case = rows(store, f"SELECT ?c WHERE {{ ?c iprg:hasInstance <{final}> , <{first}> }}")
    assert len(case) == 1
    # named after the first instance's sides: 上诉人（原审被告）was the one sued
    assert rows(store, f"SELECT ?l WHERE {{ <{case[0][0]}> rdfs:label ?l }}") == [
        ["福州海峡云计算有限公司诉厦门星河数据科技有限公司侵害技术秘密纠纷"]]
    assert count(store, "?x iprg:caseNumber ?n FILTER(CONTAINS(?n, '2099'))") == 0
    assert count(store, "?x ?p ?o FILTER(isLiteral(?o) && CONTAINS(STR(?o), '<p>'))") == 0


def test_own_records_are_merged_with_the_bundled_ones(user_graph):
    store, _report = user_graph
    mine = str(iri("case", MY_CASE["id"]))
    # the bundled records, mine, and the judgment's one case (its two instances are Instance nodes)
    assert count(store, "?x a iprg:Case") == facts.CASES + 1 + 1
    assert rows(store, f"SELECT ?n WHERE {{ <{mine}> iprg:caseNumber ?n }}") == [["(2024)闽01民初4321号"]]
    assert rows(store, f"SELECT ?v WHERE {{ <{mine}> iprg:verified ?v }}") == [["no"]]
    assert ask(store, f"<{mine}> iprg:aboutTopic <{iri('topic', 'data_rights')}>")
    assert ask(store, f"<{iri('case', 'vanillin')}> a iprg:Case")                 # a bundled record


def test_markdown_headings_are_read_as_structure(tmp_path):
    lines = (DATA / "provincial_opinions.txt").read_text(encoding="utf-8").split("\n")
    marked = ["## " + ln if ln[:2] in ("一、", "二、", "三、") else ln for ln in lines]
    marked[3] = "# " + marked[3]                                   # the title line
    path = tmp_path / "opinions.md"
    path.write_text("\n".join(marked), encoding="utf-8")
    store = tmp_path / "store"
    report = json.loads(kg_ok("--store", str(store), "ingest", str(path)).stdout)
    assert report["measures"] == 7
    assert count(store, "?x a iprg:Section") == 3
    assert rows(store, "SELECT ?t WHERE { ?d a iprg:PolicyDocument ; iprg:title ?t }") == [["关于加强新就业形态知识产权司法保护的指导意见"]]


BAD_RECORDS = {
    "field": (yaml.safe_dump({**MY_CASE, "verified": "maybe"}, allow_unicode=True, sort_keys=False),
              ["record 'my_fujian_data_case'", "field 'verified'", "(line "]),
    "syntax": ("id: x\nname: {zh: 甲, en: A\ncourts: [\n", ["YAML", "line 2"]),
    "unknown statute": (yaml.safe_dump({**MY_CASE, "statutes": [{"statute": "no_such_law", "article": "1"}]},
                                       allow_unicode=True, sort_keys=False), ["unknown statute id"]),
}


@pytest.mark.parametrize("kind", sorted(BAD_RECORDS))
def test_malformed_record_is_refused_and_the_store_unchanged(store, tmp_path, kind):
    text, words = BAD_RECORDS[kind]
    bad = tmp_path / "bad-cases.yaml"
    bad.write_text(text, encoding="utf-8")
    before = store_fingerprint(store)
    done = kg("--store", str(store), "ingest", str(bad))
    assert done.returncode == 1
    assert str(bad) in done.stderr and all(w in done.stderr for w in words), done.stderr
    assert "Traceback" not in done.stderr
    assert store_fingerprint(store) == before


def test_unreadable_document_is_refused_and_the_store_unchanged(store, tmp_path):
    bad = tmp_path / "scan.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    before = store_fingerprint(store)
    done = kg("--store", str(store), "ingest", str(SEED), str(bad))
    assert done.returncode == 1 and str(bad) in done.stderr and "binary" in done.stderr
    assert store_fingerprint(store) == before


# --- kg validate / query / export -------------------------------------------------------------

def test_validate(store):
    done = kg_ok("--store", str(store), "validate")
    assert done.stdout.strip() == f"valid: the stored graph ({facts.TRIPLES} triples) conforms to ontology/shapes.ttl"


def test_validate_names_the_violation(store):
    from kg.store import GraphStore

    broken = GraphStore(store)
    graph = broken.to_graph()
    graph.remove((iri("measure", facts.POLICY, 7), IPRG.number, None))
    broken.replace(graph)
    del broken
    done = kg("--store", str(store), "validate")
    assert done.returncode == 1 and "SHACL" in done.stderr
    assert str(iri("measure", facts.POLICY, 7)) in done.stderr and "number" in done.stderr


def test_query_readme_examples(store):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = "SELECT ?t WHERE { ?m a iprg:Measure ; iprg:number 15 ; iprg:title ?t } ORDER BY ?t"
    assert f"kg query '{example}'" in readme
    answer = query(store, example)
    assert (answer["columns"], answer["rows"], answer["truncated"]) == (["t"], [["Maintain a fair and honest order of market competition"], ["维护公平诚信的市场竞争秩序"]], False)
    limited = query(store, "SELECT ?m WHERE { ?m a iprg:Measure }", "--limit", "3")
    assert len(limited["rows"]) == 3 and limited["truncated"] is True
    piped = kg_ok("--store", str(store), "query", "-", stdin="ASK { ?c a iprg:Case }")
    assert json.loads(piped.stdout)["rows"] == [[True]]


@pytest.mark.parametrize("text", ["DELETE WHERE { ?s ?p ?o }", "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                                  "# comment\nDROP ALL"])
def test_query_refuses_updates(store, text):
    before = store_fingerprint(store)
    done = kg("--store", str(store), "query", text)
    assert done.returncode == 1 and "read-only" in done.stderr
    assert store_fingerprint(store) == before


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "graphml", "csv"])
def test_export(bundled_store_root, tmp_path, fmt):
    store = copy_store(bundled_store_root, tmp_path / "store")
    dest = tmp_path / f"graph.{fmt}"
    done = kg_ok("--store", str(store), "export", "-f", fmt, "-o", str(dest))
    assert done.stdout.strip() == f"wrote {fmt} to {dest}"
    if fmt in ("turtle", "nt", "jsonld"):
        g = Graph().parse(dest, format={"turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])
        assert len(g) == facts.TRIPLES
        assert (iri("case", "vanillin"), RDF.type, IPRG.Case) in g
        assert (iri("case", "vanillin"), IPRG.caseNumber, Literal("(2020)最高法知民终1667号")) in g
    elif fmt == "graphml":
        g = nx.read_graphml(dest)
        assert (g.number_of_nodes(), g.number_of_edges()) == (facts.PG_NODES, facts.PG_RELATIONSHIPS)
    else:
        with zipfile.ZipFile(dest) as zf:
            nodes = list(csv.reader(io.StringIO(zf.read("nodes.csv").decode("utf-8"))))
            edges = list(csv.reader(io.StringIO(zf.read("edges.csv").decode("utf-8"))))
        assert (len(nodes) - 1, len(edges) - 1) == (facts.PG_NODES, facts.PG_RELATIONSHIPS)


def test_export_without_a_graph_says_run_ingest(tmp_path):
    done = kg("--store", str(tmp_path / "empty"), "export", "-f", "nt", "-o", str(tmp_path / "x.nt"))
    assert done.returncode == 1 and "kg ingest" in done.stderr


# --- kg mirror ---------------------------------------------------------------------------------

@pytest.mark.neo4j
def test_mirror_and_cypher_query_commands(store, neo4j_server):
    with neo4j_server.driver() as drv:
        wipe(drv)
    env = cli_env(NEO4J_URI=neo4j_server.uri, NEO4J_USER=neo4j_server.user, NEO4J_PASSWORD=neo4j_server.password)
    first = json.loads(kg_ok("--store", str(store), "mirror", "--verify", env=env).stdout)
    assert first["ok"] is True and first["parity"]["ok"] is True
    assert (first["nodes"], first["relationships"]) == (facts.MIRROR_NODES, facts.PG_RELATIONSHIPS)
    assert first["triples"] == facts.MIRROR_TRIPLES and first["writes"] > 0
    again = json.loads(kg_ok("--store", str(store), "mirror", env=env).stdout)
    assert again["writes"] == 0 and again["nodes_written"] == 0
    readme = "MATCH (c:Case)-[:ILLUSTRATES]->(m:Measure {number: 15}) RETURN c.label_zh LIMIT 5"
    res = json.loads(kg_ok("--store", str(store), "query", "--lang", "cypher", readme, env=env).stdout)
    assert res["columns"] == ["c.label_zh"] and len(res["rows"]) == 5 and all(r[0] for r in res["rows"])
    refused = kg("--store", str(store), "query", "--lang", "cypher", "MATCH (n) DETACH DELETE n", env=env)
    assert refused.returncode == 1 and "read-only" in refused.stderr
    with neo4j_server.driver() as drv:
        records, _, _ = drv.execute_query("MATCH (n:Resource) RETURN count(n) AS n")
    assert records[0]["n"] == facts.MIRROR_NODES


def test_mirror_without_neo4j_names_the_setting(store, tmp_path):
    # a data folder of its own, so that no launcher a developer started is found
    done = kg("--store", str(store), "mirror", env=cli_env(IPRG_DATA_DIR=str(tmp_path / "data")))
    assert done.returncode == 1 and "NEO4J_URI" in done.stderr


# --- kg serve follows a rebuilt graph ---------------------------------------------------------

def _generations(store: Path) -> list[str]:
    """The generations in a store (each one's derived data, ``<generation>.derived``, beside it)."""
    return sorted(p.name for p in (store / "generations").iterdir() if p.is_dir() and "." not in p.name)


@pytest.fixture(scope="module")
def rebuilt(bundled_store_root, tmp_path_factory, my_cases, opinions_folder) -> dict:
    """A `kg serve` running while `kg ingest` rebuilds its store twice; what it answered."""
    store = copy_store(bundled_store_root, tmp_path_factory.mktemp("rebuilt") / "store")
    seen: dict = {"store": store}
    with kg_serve(store) as srv, http_client(srv) as http:
        def look() -> dict:
            return {"health": http.get("/healthz").json(), "cases": http.get("/api/v1/cases").json()["total"],
                    "mine": http.get(f"/api/v1/cases/{MY_CASE['id']}"),
                    "topics": {t["id"]: t for t in http.get("/api/v1/topics").json()["items"]},
                    "measure 8": http.get("/api/v1/measures/8").status_code,
                    "generations": _generations(store)}

        seen["first"] = look()
        kg_ok("--store", str(store), "ingest", str(my_cases))                        # records added
        seen["second"] = look()
        kg_ok("--store", str(store), "ingest", str(opinions_folder), str(my_cases))  # other documents
        seen["third"] = look()
        seen["pages"] = [http.get("/").text, http.get("/config").text, http.get("/openapi.json").text]
    return seen


def test_serve_picks_up_a_rebuilt_graph(rebuilt):
    first, second, third = rebuilt["first"], rebuilt["second"], rebuilt["third"]
    assert first["health"]["triples"] == facts.TRIPLES and first["cases"] == facts.CASES
    assert first["mine"].status_code == 404 and first["measure 8"] == 200
    # after `kg ingest my-cases.yaml`: a new generation, the new record, counts that follow
    assert second["health"]["generation"] != first["health"]["generation"]
    assert second["health"]["triples"] > facts.TRIPLES and second["cases"] == facts.CASES + 1
    assert second["mine"].json()["summary"]["case_numbers"] == ["(2024)闽01民初4321号"]
    assert second["topics"]["data_rights"]["cases"] == facts.TOPIC_COUNTS["data_rights"][2] + 1
    # after ingesting other documents: the 7 measures of the Fujian opinions, not Xiamen's 20
    assert third["health"]["generation"] not in (first["health"]["generation"], second["health"]["generation"])
    assert third["measure 8"] == 404
    assert (rebuilt["store"] / "CURRENT").read_text(encoding="utf-8").strip() == third["health"]["generation"]


def test_rebuilds_switch_generations_and_prune_old_ones(rebuilt):
    """The current generation and its predecessor stay on disk; older ones are removed."""
    gens = [rebuilt[k]["health"]["generation"] for k in ("first", "second", "third")]
    assert rebuilt["first"]["generations"] == [gens[0]]
    assert rebuilt["second"]["generations"] == sorted(gens[:2])
    assert rebuilt["third"]["generations"] == sorted(gens[1:])
    # each kept generation has its derived data beside it, and a pruned one's went with it
    folder = rebuilt["store"] / "generations"
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith(".derived")) == [g + ".derived" for g in sorted(gens[1:])]


def test_ui_and_api_name_only_what_is_in_the_graph(rebuilt):
    """Issue 14, last bullet, checked over HTTP only: once the graph holds the Fujian opinions and
    not the Xiamen measures, no page, UI config or API description names the Xiamen document."""
    for text in rebuilt["pages"]:
        decoded = json.loads(text) if text.lstrip().startswith("{") else text
        flat = json.dumps(decoded, ensure_ascii=False) if not isinstance(decoded, str) else decoded
        named = [stale for stale in ("厦中法发〔2025〕18号", "（1–20）", "(1–20)") if stale in flat]
        assert not named, f"a page names what the graph does not hold: {named} " + " | ".join(flat[max(0,flat.find(n)-300):flat.find(n)+100] for n in named)
