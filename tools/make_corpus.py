"""One-off converter: facts of ../shared/reference/*.yaml → ingest/corpus/ records.

Not used at run time. It carries over the *facts* (案号, courts, dates, parties, statutes cited,
sources, verification state) and restructures them into the corpus schema
(docs/corpus-schema.md). Prose (holdings, outcomes, notes, article gists, summaries) is never
taken from the reference: it comes from a hand-written overlay (``--text FILE``, YAML
``{cases: {id: {holding:, outcome:, notes:}}, statutes: {id: {summary:, articles: {n: gist}}}}``)
or is kept from the corpus file already on disk. Records without prose are skipped and listed.

    python tools/make_corpus.py --text /tmp/para.yaml [--text …]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
REF = REPO.parent / "shared" / "reference"
OUT = REPO / "ingest" / "corpus"

TOPIC_MAP = {
    "trade_secret": "trade_secrets", "service_invention": "service_inventions_talent",
    "plant_variety": "plant_varieties_gi", "geographical_indication": "plant_varieties_gi",
    "injunction_preservation": "remedies_preservation",
}
# Citation prefixes (as the reference writes them) that resolve to one statute record, only
# where the version cited is the version the record describes.
STATUTE_PREFIXES = {
    "反不正当竞争法（2019年）": "prc_aucl_2019",
    "著作权法（2020年）": "prc_copyright_law_2020",
    "民法典": "prc_civil_code_2020",
    "种子法（2021年）": "prc_seed_law_2021",
    "专利侵权解释（二）": "spc_patent_infringement_interpretation_ii_2016",
    "专利侵权解释（2009年）": "spc_patent_infringement_interpretation_i_2009",
    "商标法（2019年）": "prc_trademark_law_2019",
    "知识产权纠纷行为保全规定（2018年）": "spc_ip_conduct_preservation_provisions_2018",
    "生成式人工智能服务管理暂行办法（2023年）": "cac_generative_ai_interim_measures_2023",
    "植物新品种保护条例": "plant_variety_protection_regulations",
    "刑法": "prc_criminal_law_amendment_xi",
}
ISSUERS = {
    "全国人民代表大会常务委员会": "Standing Committee of the National People's Congress",
    "全国人民代表大会": "National People's Congress",
    "国务院": "State Council",
    "最高人民法院": "Supreme People's Court",
    "最高人民检察院": "Supreme People's Procuratorate",
    "中共中央": "Central Committee of the Communist Party of China",
    "中华人民共和国政府": "Government of the People's Republic of China",
    "欧洲联盟": "European Union",
    "中国共产党第二十届中央委员会第三次全体会议": "Third Plenary Session of the 20th CPC Central Committee",
    "厦门市人民代表大会常务委员会": "Standing Committee of the Xiamen Municipal People's Congress",
    "国家互联网信息办公室等七部门": "Cyberspace Administration of China and six other departments",
    "国家互联网信息办公室等部门": "Cyberspace Administration of China and other departments",
    "国家市场监督管理总局": "State Administration for Market Regulation",
    "国家知识产权局": "China National Intellectual Property Administration",
    "世界知识产权组织": "World Intellectual Property Organization",
    "海峡两岸关系协会": "Association for Relations Across the Taiwan Straits",
    "（台湾）海峡交流基金会": "Straits Exchange Foundation (Taiwan)",
    "海牙国际私法会议": "Hague Conference on Private International Law",
    "科学技术部等9部门": "Ministry of Science and Technology and eight other departments",
}
_CN = {c: i for i, c in enumerate("零一二三四五六七八九")}


def cn_to_int(text: str) -> int:
    total, section, num = 0, 0, 0
    for ch in text:
        if ch in _CN:
            num = _CN[ch]
        elif ch in "十百千":
            unit = {"十": 10, "百": 100, "千": 1000}[ch]
            section += (num or 1) * unit
            num = 0
        elif ch == "万":
            total += (section + num) * 10000
            section = num = 0
    return total + section + num


ART_RE = re.compile(r"第([零一二三四五六七八九十百千]+)条(之([一二三四五六七八九十]+))?")


def statute_refs(cit: str) -> list:
    for prefix, sid in STATUTE_PREFIXES.items():
        if not cit.startswith(prefix):
            continue
        rest = cit[len(prefix):]
        if "至" in rest:
            return [cit]
        rest = re.sub(r"（\d{4}年）", "", rest)
        note = re.findall(r"（([^（）]*(?:（[^）]*）[^（）]*)*)）$", rest)
        if not rest:
            return [{"statute": sid}]
        parts = [p for p in re.split(r"、(?=第[零一二三四五六七八九十百千]+条)", rest) if p]
        out = []
        for p in parts:
            m = ART_RE.match(p)
            if not m:
                return [{"statute": sid, "detail": rest}] if not ART_RE.search(rest) else [cit]
            number = str(cn_to_int(m.group(1))) + (f"-{cn_to_int(m.group(3))}" if m.group(3) else "")
            ref = {"statute": sid, "article": number}
            detail = p[m.end():].strip()
            if detail:
                ref["detail"] = detail
            out.append(ref)
        if note and len(out) > 1 and out[-1].get("detail") == f"（{note[0]}）":
            for ref in out[:-1]:
                ref.setdefault("detail", f"（{note[0]}）")
        return out
    return [cit]


def split_paren(text: str) -> tuple[str, str | None]:
    """Cut a trailing parenthetical: 'X（note）' → ('X', 'note'); nested brackets respected."""
    text = text.strip()
    if not text or text[-1] not in "）)":
        return text, None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += text[i] in "）)"
        depth -= text[i] in "（("
        if depth == 0:
            head = text[:i].strip()
            return (head, text[i + 1:-1].strip()) if head else (text, None)
    return text, None


def split_names(text: str) -> list[str]:
    """Split a party list on 、 outside brackets."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "（("
        depth -= ch in "）)"
        if ch == "、" and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [x.strip() for x in out if x.strip()]


def decided(raw: str) -> tuple[str | None, str | None]:
    raw = str(raw).strip()
    d = r"\d{4}(?:-\d{2}(?!\d)(?:-\d{2}(?!\d))?)?"
    m = re.match(rf"^(?:c\. )?({d})(?:\s*(?:/|-|–)\s*({d})(?!\d|-\d))?(.*)$", raw)
    if not m:
        return None, raw
    first, second, rest = m.groups()
    if second and len(second) >= 4 and not (len(first) == 4 and len(second) == 2):
        value = f"{first}/{second}"
    else:
        value, rest = first, (f"-{second}" if second else "") + rest
    note = re.sub(r"^[（(]([^()（）]*)[)）]", r"\1", rest.strip().lstrip(";；").strip()) or None
    if raw.startswith("c. "):
        note = "approximate" + (f"; {note}" if note else "")
    return value, note


def case_record(c: dict, texts: dict, relations: list, court_en: dict, written: set[str]) -> dict | None:
    text = texts.get(c["id"])
    if not text or "holding" not in text:
        return None
    courts = []
    for ct in c["court"]:
        zh, znote = split_paren(ct["zh"])
        _, enote = split_paren(ct.get("en", ""))
        entry = {"zh": zh, "en": court_en[zh]}
        note = "; ".join(n for n in (znote, enote) if n)
        if note:
            entry["note"] = note
        courts.append(entry)
    dec, dec_note = decided(c["decided"])
    rec = {"id": c["id"], "name": {"zh": c["name_zh"], "en": c["name_en"]},
           "case_numbers": list(c.get("case_numbers") or [])}
    if c.get("case_numbers_unverified"):
        rec["case_numbers_unverified"] = list(c["case_numbers_unverified"])
    rec["courts"] = courts
    if dec:
        rec["decided"] = dec
    if dec_note:
        rec["decided_note"] = dec_note
    role = {"applicant": "plaintiff", "respondent": "defendant", "involved": "other"}
    rec["parties"] = {role.get(k, k): split_names(v) for k, v in c["parties"].items() if v}
    rec["cause"] = c["cause"]
    topics = []
    for t in c["topics"]:
        t = TOPIC_MAP.get(t, t)
        if t not in topics:
            topics.append(t)
    rec["topics"] = topics
    rec["measures"] = list(c["measures"])
    refs = []
    for s in c["statutes"]:
        refs.extend(statute_refs(s))
    rec["statutes"] = refs
    rec["holding"] = text["holding"]
    if text.get("outcome"):
        rec["outcome"] = text["outcome"]
    rec["honours"] = list(c.get("honours") or [])
    related = [{"case": r["to"], "relation": r["type"]} for r in relations
               if r["from"] == c["id"] and r["to"] in written]
    if related:
        rec["related"] = related
    ext = [str(r["to"])[4:] for r in relations if r["from"] == c["id"] and str(r["to"]).startswith("ext:")]
    ext += list(c.get("related_case_numbers") or [])
    if ext:
        rec["related_case_numbers"] = list(dict.fromkeys(ext))
    rec["sources"] = list(c["sources"])
    rec["verified"] = c["verified"]
    if text.get("notes"):
        rec["notes"] = text["notes"]
    return rec


STATUS = [
    ("repealed/superseded", "superseded"), ("not yet in force", "not_yet_in_force"),
    ("pilot", "pilot"), ("revised 2025", "in_force"), ("in force", "in_force"),
]


def status(raw: str) -> tuple[str, str | None]:
    for needle, value in STATUS:
        if needle in raw:
            note = None if raw == "in force" else raw
            return value, note
    raise SystemExit(f"unmapped status {raw!r}")


def iso_or_note(value) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    value = str(value)
    return (value, None) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else (None, value)


def short_en(title_en: str, sid: str) -> str:
    t = re.sub(r" of the (People's Republic of China|PRC)", "", title_en)
    t = re.sub(r"\s*\([^)]*\)\s*$", "", t).strip()
    if sid == "prc_aucl_2019":
        t += " (2019)"
    if sid == "prc_aucl_2025":
        t += " (2025)"
    return t


def statute_record(s: dict, texts: dict) -> dict | None:
    text = texts.get(s["id"])
    if text is None:
        return None
    issuers = []
    zh_part = s["issuer"].split(" (")[0]
    for name in re.split(r"[、；]", zh_part):
        name = name.strip()
        if name:
            issuers.append({"zh": name, "en": ISSUERS[name]})
    shorts = [x.strip() for x in s["short_zh"].split("；")]
    rec = {"id": s["id"], "title": {"zh": s["title_zh"], "en": s["title_en"]},
           "short_title": {"zh": shorts[0], "en": short_en(s["title_en"], s["id"])}}
    if shorts[1:]:
        rec["aliases"] = shorts[1:]
    rec["issuer"] = issuers
    notes = []
    if s.get("doc_number"):
        num, num_note = split_paren(s["doc_number"])
        if "；" in num:
            num, extra = num.split("；", 1)
            notes.append(f"also {extra}")
        rec["doc_number"] = num
        if num_note:
            notes.append(num_note)
    if s.get("doc_number_unverified"):
        rec["doc_number_unverified"] = str(s["doc_number_unverified"])
    date_notes = []
    for key in ("adopted", "effective"):
        val, note = iso_or_note(s.get(key))
        if val:
            rec[key] = val
        elif note:
            date_notes.append(f"{key}: {note}")
        for extra in (f"{key}_unverified",):
            if s.get(extra):
                date_notes.append(f"{key} (unverified): {s[extra]}")
    for key in ("released", "promulgated", "released_unverified", "signed_unverified"):
        if s.get(key):
            date_notes.append(f"{key.replace('_', ' ')}: {s[key]}")
    if date_notes:
        rec["dates_note"] = "; ".join(date_notes)
    st, st_note = status(s["status"])
    rec["status"] = st
    if s.get("status_at_seed_date"):
        rec["status_at_seed_date"] = status(s["status_at_seed_date"])[0]
    if st == "not_yet_in_force" and "on 2025-04-24" in s["status"]:
        # "not yet in force" was true on the seed's date, not now (it took effect later).
        rec["status"], rec["status_at_seed_date"] = "in_force", "not_yet_in_force"
    if st_note:
        rec["status_note"] = st_note
    rec["kind"] = s["kind"]
    if s.get("subkind"):
        rec["subkind"] = s["subkind"]
    if s.get("supersedes"):
        rec["supersedes"] = s["supersedes"]
    if text.get("summary"):
        rec["summary"] = text["summary"]
    arts = []
    gists = {str(k): v for k, v in (text.get("articles") or {}).items()}
    for a in s["key_articles"]:
        if str(a["number"]) == "0":
            continue
        entry = {"number": str(a["number"]), "label": a["article"]}
        if str(a["number"]) in gists:
            entry["gist"] = gists[str(a["number"])]
        arts.append(entry)
    if arts:
        rec["articles"] = arts
    rec["measures"] = list(s.get("measures") or [])
    rec["sources"] = [u for u in s.get("sources") or [] if re.match(r"^https?://", str(u))]
    rec["verified"] = s["verified"]
    if notes:
        rec["note"] = "; ".join(notes)
    return rec


class _Dumper(yaml.SafeDumper):
    pass


def _str_rep(dumper, data):
    if "\n" in data or len(data) > 90:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=">" if "\n" not in data else "|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str_rep)


def dump(rec: dict, path: Path) -> None:
    text = yaml.dump(rec, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(text, encoding="utf-8")


def existing_text(path: Path, keys: tuple[str, ...]) -> dict:
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = {k: data[k] for k in keys if k in data}
    if "articles" in data:
        out["articles"] = {a["number"]: a["gist"] for a in data["articles"] if "gist" in a}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--text", action="append", default=[], type=Path)
    args = ap.parse_args(argv)
    overlay: dict = {"cases": {}, "statutes": {}}
    for p in args.text:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        for kind in ("cases", "statutes"):
            for k, v in (data.get(kind) or {}).items():
                overlay[kind].setdefault(k, {}).update(v)
    cases_ref = yaml.safe_load((REF / "cases.yaml").read_text(encoding="utf-8"))
    stat_ref = yaml.safe_load((REF / "statutes.yaml").read_text(encoding="utf-8"))
    (OUT / "cases").mkdir(parents=True, exist_ok=True)
    (OUT / "statutes").mkdir(parents=True, exist_ok=True)
    # One English name per court: the most common one in the reference, parenthetical notes cut.
    names: dict[str, Counter] = {}
    for c in cases_ref["cases"]:
        for ct in c["court"]:
            zh, _ = split_paren(ct["zh"])
            names.setdefault(zh, Counter())[split_paren(ct.get("en", ""))[0]] += 1
    court_en = {zh: cnt.most_common(1)[0][0].replace(" IP Court", " Intellectual Property Court")
                for zh, cnt in names.items()}
    court_en["最高人民法院"] = "Supreme People's Court"
    court_en["最高人民法院知识产权法庭"] = "Intellectual Property Court of the Supreme People's Court"
    skipped = []
    texts = {}
    for c in cases_ref["cases"]:
        path = OUT / "cases" / f"{c['id']}.yaml"
        texts[c["id"]] = {**existing_text(path, ("holding", "outcome", "notes")), **overlay["cases"].get(c["id"], {})}
    written = {k for k, v in texts.items() if "holding" in v}
    for c in cases_ref["cases"]:
        path = OUT / "cases" / f"{c['id']}.yaml"
        rec = case_record(c, texts, cases_ref.get("relations") or [], court_en, written)
        if rec is None:
            skipped.append(c["id"])
            continue
        dump(rec, path)
    superseded_by = {s["supersedes"]: s["id"] for s in stat_ref["documents"] if s.get("supersedes")}
    for s in stat_ref["documents"]:
        path = OUT / "statutes" / f"{s['id']}.yaml"
        old = existing_text(path, ("summary",))
        new = overlay["statutes"].get(s["id"], {})
        merged = {**old, **{k: v for k, v in new.items() if k != "articles"},
                  "articles": {**old.get("articles", {}), **{str(k): v for k, v in (new.get("articles") or {}).items()}}}
        rec = statute_record(s, {s["id"]: merged})
        missing = [str(a["number"]) for a in s["key_articles"]
                   if str(a["number"]) != "0" and str(a["number"]) not in merged["articles"]]
        if missing or (any(str(a["number"]) == "0" for a in s["key_articles"]) and not merged.get("summary")):
            skipped.append(f"{s['id']}(gists)")
        if s["id"] in superseded_by:
            keys = list(rec)
            at = keys.index("kind") + 1
            rec = dict([*rec.items()][:at] + [("superseded_by", superseded_by[s["id"]])] + [*rec.items()][at:])
        dump(rec, path)
    if skipped:
        print(f"no prose yet, skipped {len(skipped)}: {' '.join(skipped)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
