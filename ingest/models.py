"""Models passed between the ingest stages (clean → segment → extract → link → build).

Why frozen dataclasses: each stage is a pure function from one model to the next, as in
eyecite's clean → find → resolve → annotate; freezing them keeps a stage from quietly editing
what an earlier stage produced. Every span (``start``/``end``) that reaches the graph is an
offset into the ORIGINAL text, so a reader can highlight the source paragraph; clean-text
offsets only live inside :class:`CleanText` and are converted through its map.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from rdflib import URIRef

from kg.errors import BadInput

Genre = Literal["policy", "judgment", "statute", "case", "unknown"]
Modality = Literal["obligation", "permission", "prohibition", "exploration", "encouragement"]


class IngestError(BadInput):
    """A document or record that cannot be ingested; the message names the file and the cause."""

    def __init__(self, message: str, *, source: str | Path | None = None) -> None:
        self.source = str(source) if source is not None else None
        super().__init__(f"{self.source}: {message}" if self.source else message)


@dataclass(frozen=True)
class CleanText:
    """Normalised text plus a map from every clean offset back to the original offset.

    ``offsets[i]`` is the original index of clean character ``i``; ``offsets[len(text)]`` is
    ``len(original)`` so that end offsets map too.
    """

    text: str
    original: str
    offsets: Sequence[int]    # a tuple, or an array("q") as clean() makes it

    def __post_init__(self) -> None:
        if len(self.offsets) != len(self.text) + 1:
            raise ValueError("offset map must have one entry per clean character plus the end")

    def to_original(self, i: int) -> int:
        """Original offset of clean offset ``i`` (``len(text)`` maps to ``len(original)``)."""
        return self.offsets[i]

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` covering clean ``[start, end)``, including any line breaks,
        page headers or spaces removed from inside it (so ``original[s:e]`` shows the term as it
        was printed, e.g. ``标准必要\\n\\n专利``)."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span {start}:{end} outside clean text of length {len(self.text)}")
        if start == end:
            o = self.offsets[start]
            return o, o
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass(frozen=True)
class Sentence:
    """One sentence: clean text, original span."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Header:
    """The 公文 header of a policy document."""

    issuer: str | None
    doc_number: str | None
    date: str | None          # ISO yyyy-mm-dd (or yyyy-mm) as printed
    title: str | None
    addressees: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """A nested item inside a measure: （1）… or 1. under （一）."""

    label: str
    number: int
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Measure:
    """A numbered measure (1. / （一） / 第X条); title = its first sentence."""

    number: int
    label: str
    title: str
    text: str                 # the whole measure, clean, including its title sentence
    body: str                 # the text after the title sentence
    start: int
    end: int
    sentences: tuple[Sentence, ...]
    items: tuple[Item, ...] = ()
    section: int | None = None


@dataclass(frozen=True)
class Section:
    """A section heading 一、… (or 第一章 / 第一部分) and the measures under it."""

    number: int
    label: str
    title: str
    start: int
    end: int
    measures: tuple[Measure, ...]


@dataclass(frozen=True)
class PolicyDocument:
    """A court's measures / opinions, segmented."""

    name: str
    clean: CleanText
    header: Header
    preamble: str
    preamble_span: tuple[int, int]
    sections: tuple[Section, ...]
    measures: tuple[Measure, ...]
    genre: Genre = "policy"

    @property
    def original(self) -> str:
        return self.clean.original


@dataclass(frozen=True)
class CaseNumberRef:
    """One 案号 printed in a judgment, with the instance it refers to."""

    text: str
    role: str                 # 本案 | 一审 | 二审 | 再审 | 其他
    start: int
    end: int


@dataclass(frozen=True)
class Party:
    role: str                 # 原告 / 被告 / 上诉人 / 被上诉人 / 第三人 …
    name: str
    annotation: str | None    # e.g. 原审原告
    start: int
    end: int


@dataclass(frozen=True)
class StatuteCitation:
    """依照《title》第article条第paragraph款第item项 (numbers as strings: "10-1")."""

    title: str
    article: str | None
    paragraph: str | None
    item: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Amount:
    text: str
    value: Decimal            # in yuan
    start: int
    end: int


@dataclass(frozen=True)
class Judgment:
    """A judgment or case report, segmented."""

    name: str
    clean: CleanText
    court: str | None
    case_numbers: tuple[CaseNumberRef, ...]
    doc_type: str | None
    parties: tuple[Party, ...]
    cause: str | None
    date: str | None
    reasoning: str | None
    reasoning_span: tuple[int, int] | None
    citations: tuple[StatuteCitation, ...]
    outcome: tuple[str, ...]
    amounts: tuple[Amount, ...]
    instances: tuple[Instance, ...] = ()
    genre: Genre = "judgment"

    @property
    def original(self) -> str:
        return self.clean.original

    @property
    def case_number(self) -> str | None:
        """This judgment's own 案号 (the first one tagged 本案)."""
        for ref in self.case_numbers:
            if ref.role == "本案":
                return ref.text
        return self.case_numbers[0].text if self.case_numbers else None


@dataclass(frozen=True)
class Provision:
    """A paragraph (款) of an article, or an item (项, （一）…) of a paragraph or of a holding."""

    number: int
    text: str
    start: int
    end: int
    items: tuple[Provision, ...] = ()


@dataclass(frozen=True)
class Part:
    """A 第X编/章/节 heading of a statute and the first article under it."""

    level: str                # 编 | 章 | 节 | 部分
    number: int
    label: str                # 第二章
    title: str                # 不正当竞争行为 (as printed after the label)
    start: int
    end: int
    first_article: str | None
    parent: str | None = None  # label path of the enclosing part (第一编 > 第二章)


@dataclass(frozen=True)
class ArticleText:
    """One 第X条 of a statute text: its real text, paragraphs (款) and their items (项)."""

    number: str               # "6" or "10-1"
    label: str                # 第六条 as printed
    text: str                 # the article without its label, paragraphs joined by \n
    start: int
    end: int
    paragraphs: tuple[Provision, ...]
    part: str | None = None   # label of the innermost enclosing part


@dataclass(frozen=True)
class Event:
    """A dated line of a statute's header: adopted / published / amended / revised / effective."""

    kind: str
    date: str
    text: str


@dataclass(frozen=True)
class StatuteText:
    """A law, regulation or judicial interpretation (one version), segmented."""

    name: str
    clean: CleanText
    title: str
    kind: str                 # law | regulation | local_regulation | judicial_interpretation | …
    issuer: str | None
    doc_number: str | None    # 法释〔2022〕9号 when printed
    events: tuple[Event, ...]
    version_date: str | None  # the latest adoption / amendment / revision
    effective: str | None
    preamble: str
    parts: tuple[Part, ...]
    articles: tuple[ArticleText, ...]
    body: str = ""            # a 批复's operative text (no numbered articles)
    body_span: tuple[int, int] | None = None
    genre: Genre = "statute"

    @property
    def original(self) -> str:
        return self.clean.original

    @property
    def date(self) -> str | None:
        """The date its citations speak from: when this version took effect (or was made)."""
        return self.effective or self.version_date

    @property
    def header_end(self) -> int:
        """Original offset where the header (title, dated lines, preamble) ends."""
        if self.articles:
            return min([a.start for a in self.articles] + [p.start for p in self.parts])
        return self.body_span[0] if self.body_span else len(self.original)


@dataclass(frozen=True)
class Instance:
    """One instance (审级) of a case: its 案号, court, stage and decision."""

    case_number: str          # as printed
    court: str | None
    stage: str               # first_instance | second_instance | retrial | other
    date: str | None
    doc_type: str | None      # 民事判决 / 民事裁定 …
    start: int
    end: int


@dataclass(frozen=True)
class CaseSection:
    """A headed section of a case report: 关键词, 裁判要点, 相关法条, 基本案情, 裁判结果, 裁判理由 …"""

    name: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class CaseReport:
    """A guiding case (指导性案例N号) or typical case, segmented by its headed sections."""

    name: str
    clean: CleanText
    series: str | None        # guiding | typical | None
    label: str | None         # 指导性案例219号 as printed
    number: int | None
    title: str
    issuer: str | None
    date: str | None          # release date
    keywords: tuple[str, ...]
    holdings: tuple[Provision, ...]
    sections: tuple[CaseSection, ...]
    instances: tuple[Instance, ...]
    case_numbers: tuple[CaseNumberRef, ...]
    courts: tuple[str, ...]
    parties: tuple[Party, ...]
    cause: str | None
    judges: str | None = None
    genre: Genre = "case"

    @property
    def original(self) -> str:
        return self.clean.original

    def section(self, name: str) -> CaseSection | None:
        return next((s for s in self.sections if s.name == name), None)


@dataclass(frozen=True)
class ArticleRef:
    """第X条[第Y款][第Z项] inside a citation (numbers as strings: article "10-1")."""

    article: str
    paragraph: int | None
    item: int | None
    start: int
    end: int


@dataclass(frozen=True)
class VersionHint:
    """How a citation names a version: （2019年修正）, 2010年修正的, 自2010年7月1日起施行的,
    法释〔2001〕33号 (the series number of the text first issued)."""

    year: int | None = None
    date: str | None = None
    event: str | None = None  # amended | revised | adopted | effective | published
    doc_number: str | None = None


@dataclass(frozen=True)
class Citation:
    """A statute cited in a text: 《title》 or a short name or 本法, a version, articles.

    ``declared``: the version was named by 本案适用的是…, which also decides the text's other
    citations of the same law that name no version.
    """

    text: str
    start: int
    end: int
    title: str | None
    self_ref: bool
    version: VersionHint | None
    articles: tuple[ArticleRef, ...]
    declared: bool = False


@dataclass(frozen=True)
class Mention:
    """A span of the ORIGINAL text recognised as an entity or citation.

    ``kind``: concept | title | article | case_number | doc_number | money | date | court.
    ``label``: the spaCy entity label (CONCEPT, WORK_TITLE, ARTICLE, …).
    ``attrs``: what the recogniser read from it (concept id, article number, value, …).
    """

    label: str
    text: str
    start: int
    end: int
    kind: str
    attrs: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Linked:
    """A mention resolved to a node IRI; ``new`` when the node was minted, not found."""

    mention: Mention
    iri: URIRef
    node_kind: str            # concept | statute | article | case | court | policy | …
    new: bool = False
    label: str | None = None  # a label for a new node
    parent: URIRef | None = None  # for an article: its statute
    number: str | None = None     # for an article: "6" / "10-1"


@dataclass(frozen=True)
class Rule:
    """One normative statement inside a measure."""

    measure: int
    k: int
    text: str
    start: int
    end: int
    modality: Modality
    cue: str | None
    topics: tuple[str, ...]
    mentions: tuple[Mention, ...]


@dataclass(frozen=True)
class IngestReport:
    """What one ``run_ingest`` did; printed by ``kg ingest``."""

    documents: tuple[str, ...]
    measures: int
    rules: int
    mentions: int
    new_nodes: int
    triples: int
    seconds: float
    validated: bool
    warnings: tuple[str, ...] = ()
    statutes: int = 0
    articles: int = 0
    cases: int = 0
