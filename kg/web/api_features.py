"""REST routes of the newer questions: versions and law as of a date, similar cases (and their
report as Markdown and .docx), 对照, the change feed (JSON and Atom), a document's outline.

Why a router of its own: the routes of :mod:`kg.web.api` stay as they are (they only gain
``?as_of=`` through :func:`kg.explorer.versions.law_answer` and ``topic_answer``), and every operation here
declares in OpenAPI what it answers: its body (generated from the explorer's dataclasses),
its media types, its parameter constraints and its error answers.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from kg import changes as change_feed
from kg.context import Context
from kg.errors import BadInput, NotFound
from kg.explorer import versions
from kg.explorer.compare import CompareMatrix, SideBySide, side_by_side, topic_document_matrix
from kg.explorer.outline import DocumentOutline, outline
from kg.explorer.similar import Facts, SimilarReport, similar
from kg.ns import ID, iri
from kg.rebuild import read_facts
from kg.web import feed, report
from kg.web.api import API_PREFIX, AS_OF, JSONLD, respond
from kg.web.openapi import READ_ERRORS
from kg.web.text import t

__all__ = ["router"]

MAX_TEXT = 1000
ChangeKind = Literal[change_feed.CHANGE_KINDS]  # type: ignore[valid-type]
_DOCUMENTS = Query(None, max_length=12, description="document IRIs to show side by side (default: those with most items)")
_ID = {"max_length": 200, "pattern": r"^[A-Za-z0-9_\-]+$"}


#: The error answers of every route here: the API's own table (kg.web.openapi), one wording.
ERRORS = READ_ERRORS


def _json(extra: dict[int | str, dict[str, Any]] | None = None) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {JSONLD: {"schema": {"type": "object"}}}}, **ERRORS, **(extra or {})}


def _file(media: str, binary: bool = False) -> dict[int | str, dict[str, Any]]:
    schema = {"type": "string", "format": "binary"} if binary else {"type": "string"}
    return {200: {"content": {media: {"schema": schema}}, "description": "the report as a file"}, **ERRORS}


# ----------------------------------------------------------------------------- helpers


def _iri(kind: str, value: str, *more: str) -> str:
    if value.startswith(("http://", "https://")):
        return value
    try:
        return str(iri(kind, value, *more))
    except ValueError as exc:
        raise NotFound(f"no {kind} {value!r} in the graph ({exc})") from exc


def _article_or_statute(value: str | None, kind: str) -> str | None:
    """An article (``prc_aucl_2019/9``) or statute (``prc_aucl_2019``) id, or an IRI."""
    if not value:
        return None
    if value.startswith(("http://", "https://")):
        return value
    parts = [p for p in value.split("/") if p]
    if kind == "article" and len(parts) != 2:
        raise BadInput("article: give <statute id>/<number> (prc_aucl_2019/9) or an IRI")
    return _iri(kind, *parts)


def _node(ex: Any, measure: str | None, rule: str | None) -> str | None:
    if measure:
        return ex.measure(int(measure) if measure.isdigit() else measure).iri
    if rule:
        if not rule.startswith(("http://", "https://")):
            raise BadInput("rule: give the rule's IRI (…/id/rule/<document number>/<measure>/<n>)")
        return rule
    return None


def _similar(ctx: Context, case: str | None, measure: str | None, rule: str | None, text: str | None,
             as_of: str | None, limit: int, min_score: float) -> SimilarReport:
    ex = ctx.explorer
    given = [x for x in (case, measure, rule, text) if x]
    if len(given) != 1:
        raise BadInput("give exactly one of case, measure, rule or text")
    facts: Facts | None = read_facts(text, as_of) if text else None
    return similar(ex, case=_iri("case", case) if case else None, node=_node(ex, measure, rule), facts=facts,
                   limit=limit, as_of=as_of, min_score=min_score)


def _filename(rep: SimilarReport, suffix: str) -> str:
    key = rep.query.iri or "facts"
    tail = re.sub(r"[^A-Za-z0-9_-]+", "-", key.rsplit("/", 1)[-1])[:40].strip("-") or "report"
    return f"similar-{tail}{suffix}"


# ----------------------------------------------------------------------------- routes


def router(ctx: Context) -> APIRouter:
    """The routes under ``/api/v1`` for versions, similar cases, 对照, changes and outlines."""
    r = APIRouter(prefix=API_PREFIX)

    def ex():
        return ctx.explorer

    @r.get("/articles/{statute_id}/{number}/versions", response_model=versions.VersionHistory, responses=_json(),
           summary="The versions of an article's statute, with the corresponding article in each (and the one in force on as_of)")
    def article_versions(request: Request, statute_id: str = Path(..., **_ID, examples=["prc_aucl_2019"]),
                         number: str = Path(..., max_length=20, pattern=r"^[0-9]+(-[0-9]+)?$", examples=["9"]),
                         as_of: str | None = AS_OF):
        return respond(request, versions.history(ex(), _iri("article", statute_id, number), as_of))

    @r.get("/statutes/{statute_id}/versions", response_model=versions.VersionHistory, responses=_json(),
           summary="The versions of a statute (and the one in force on as_of)")
    def statute_versions(request: Request, statute_id: str = Path(..., **_ID, examples=["prc_aucl_2019"]),
                         as_of: str | None = AS_OF):
        return respond(request, versions.history(ex(), _iri("statute", statute_id), as_of))

    @r.get("/versions", response_model=versions.VersionHistory, responses=_json(),
           summary="The versions of any article or statute by IRI (and the one in force on as_of)")
    def any_versions(request: Request, iri_: str = Query(..., alias="iri", max_length=MAX_TEXT,
                                                         examples=[str(ID) + "article/prc_aucl_2019/9"]),
                     as_of: str | None = AS_OF):
        return respond(request, versions.history(ex(), iri_, as_of))

    @r.get("/cases/{case_id}/versions", response_model=versions.CaseVersions, responses=_json(),
           summary="What each citation of a case resolves to, and later versions that renumbered or changed it")
    def case_versions(request: Request, case_id: str = Path(..., **_ID, examples=["vanillin"])):
        return respond(request, versions.case_versions(ex(), _iri("case", case_id)))

    @r.get("/rules/{measure}/{number}", response_model=versions.RuleAsOf, responses=_json(),
           summary="A rule of a measure (the newest policy document's), its citations read as of a date")
    def rule(request: Request, measure: int = Path(..., ge=1, le=100_000, examples=[5]),
             number: int = Path(..., ge=1, le=1000, examples=[1]), as_of: str | None = AS_OF):
        m = ex().measure(measure)
        found = next((x.iri for x in m.rules if x.iri.rsplit("/", 1)[-1] == str(number)), None)
        if found is None:
            raise NotFound(f"measure {measure} has no rule {number}")
        return respond(request, versions.rule_as_of(ex(), found, as_of))

    similar_params = {
        "case": Query(None, max_length=MAX_TEXT, description="a case: record id or IRI", examples=["vanillin"]),
        "measure": Query(None, max_length=MAX_TEXT, description="a measure: number or IRI", examples=["5"]),
        "rule": Query(None, max_length=MAX_TEXT, description="a rule: IRI"),
        "text": Query(None, max_length=MAX_TEXT, description="a description of the facts, in Chinese",
                      examples=[t("example_facts", "zh")]),
    }

    @r.get("/similar", response_model=SimilarReport, responses=_json(),
           summary="Similar cases: cases like a case, a measure or rule, or a description of facts, with the reasons and graph paths")
    def similar_cases(request: Request, case: str | None = similar_params["case"],
                      measure: str | None = similar_params["measure"], rule: str | None = similar_params["rule"],
                      text: str | None = similar_params["text"], as_of: str | None = AS_OF,
                      limit: int = Query(20, ge=1, le=200), min_score: float = Query(2.0, ge=0, le=1000)):
        return respond(request, _similar(ctx, case, measure, rule, text, as_of, limit, min_score))

    def report_file(fmt: str, case: str | None, measure: str | None, rule: str | None, text: str | None,
                    as_of: str | None, limit: int, min_score: float, lang: str) -> Response:
        """The similar-case report as a download (.md or .docx): one body for both routes."""
        rep = _similar(ctx, case, measure, rule, text, as_of, limit, min_score)
        body, media = (report.markdown(rep, lang), report.MARKDOWN + "; charset=utf-8") if fmt == ".md" \
            else (report.docx(rep, lang), report.DOCX)
        return Response(body, media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="{_filename(rep, fmt)}"'})

    @r.get("/similar.md", response_class=Response, responses=_file(report.MARKDOWN),
           summary="The similar-case report as Markdown: case numbers, court, date, authority tier, holding, reasons")
    def similar_markdown(case: str | None = similar_params["case"], measure: str | None = similar_params["measure"],
                         rule: str | None = similar_params["rule"], text: str | None = similar_params["text"],
                         as_of: str | None = AS_OF, limit: int = Query(20, ge=1, le=200),
                         min_score: float = Query(2.0, ge=0, le=1000), lang: Literal["zh", "en"] = "zh"):
        return report_file(".md", case, measure, rule, text, as_of, limit, min_score, lang)

    @r.get("/similar.docx", response_class=Response, responses=_file(report.DOCX, binary=True),
           summary="The similar-case report as a Word document")
    def similar_docx(case: str | None = similar_params["case"], measure: str | None = similar_params["measure"],
                     rule: str | None = similar_params["rule"], text: str | None = similar_params["text"],
                     as_of: str | None = AS_OF, limit: int = Query(20, ge=1, le=200),
                     min_score: float = Query(2.0, ge=0, le=1000), lang: Literal["zh", "en"] = "zh"):
        return report_file(".docx", case, measure, rule, text, as_of, limit, min_score, lang)

    @r.get("/compare", response_model=CompareMatrix, responses=_json(),
           summary="Comparison: topic × document, how many items of each policy document or statute are on each topic")
    def compare_matrix(request: Request):
        return respond(request, topic_document_matrix(ex()))

    @r.get("/compare/{topic_id}", response_model=SideBySide, responses=_json(),
           summary="Comparison: the items of each document on one topic side by side, each with its cases")
    def compare_topic(request: Request, topic_id: str = Path(..., **_ID, examples=["trade_secrets"]),
                      document: list[str] | None = _DOCUMENTS,
                      limit: int = Query(6, ge=1, le=30)):
        if document and any(len(d) > MAX_TEXT for d in document):
            raise BadInput("a document IRI is too long")
        return respond(request, side_by_side(ex(), topic_id, document or None, limit))

    change_params = {
        "topic": Query(None, **_ID, description="topic id, e.g. trade_secrets"),
        "article": Query(None, max_length=MAX_TEXT, pattern=r"^(https?://\S+|[A-Za-z0-9_\-]+/[0-9]+(-[0-9]+)?)$",
                         description="article: <statute id>/<number> or IRI", examples=["prc_aucl_2019/9"]),
        "statute": Query(None, max_length=MAX_TEXT, description="statute id or IRI (its articles included)"),
        "change": Query(None, description="kind of change"),
    }

    @r.get("/changes", response_model=change_feed.ChangeFeed, responses=_json(),
           summary="What each new graph generation changed (newest first), filterable by topic, article or statute")
    def changes(request: Request, topic: str | None = change_params["topic"], article: str | None = change_params["article"],
                statute: str | None = change_params["statute"], change: ChangeKind | None = change_params["change"],
                limit: int = Query(100, ge=1, le=1000)):
        return respond(request, change_feed.feed(ctx.store, topic=topic, article=_article_or_statute(article, "article"),
                                                 statute=_article_or_statute(statute, "statute"), change=change, limit=limit))

    @r.get("/changes.atom", response_class=Response, responses={**_file(feed.ATOM)},
           summary="The change feed as Atom, with the same filters, for feed readers")
    def changes_atom(request: Request, topic: str | None = change_params["topic"],
                     article: str | None = change_params["article"], statute: str | None = change_params["statute"],
                     change: ChangeKind | None = change_params["change"], limit: int = Query(100, ge=1, le=1000),
                     lang: Literal["zh", "en"] = "en"):
        answer = change_feed.feed(ctx.store, topic=topic, article=_article_or_statute(article, "article"),
                                  statute=_article_or_statute(statute, "statute"), change=change, limit=limit)
        return Response(feed.atom(answer, str(request.url), str(request.base_url), lang), media_type=feed.ATOM)

    @r.get("/outline", response_model=DocumentOutline, responses=_json(),
           summary="A policy document's overview: sections, measures and their topics (default: the newest document)")
    def document_outline(request: Request, iri_: str | None = Query(None, alias="iri", max_length=MAX_TEXT)):
        return respond(request, outline(ex(), iri_))

    return r
