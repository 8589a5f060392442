"""Collect the inputs of one ingest: expand folders, sort files into documents and records.

Why a step of its own: ``kg ingest PATHS…`` takes files and folders of mixed kinds (policy
texts, judgments, the user's own YAML case and statute records). Deciding what each file is
happens once here, by suffix and, for YAML, by the record's own keys, so that the later steps
each get one kind of input and every refusal names the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.models import IngestError

#: Text documents the pipeline reads (policy documents, judgments, case reports).
DOCUMENT_SUFFIXES = frozenset({".txt", ".md", ".text", ".html", ".htm"})
RECORD_SUFFIXES = frozenset({".yaml", ".yml"})
#: Keys that only a case record has, and keys that only a statute record has.
_CASE_KEYS = frozenset({"case_numbers", "case_numbers_unverified", "courts", "holding"})
_STATUTE_KEYS = frozenset({"key_articles", "articles", "kind", "doc_number"})


@dataclass(frozen=True)
class Inputs:
    documents: tuple[Path, ...]
    case_files: tuple[Path, ...]
    statute_files: tuple[Path, ...]


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        found = [
            p for p in sorted(path.rglob("*"))
            if p.is_file() and not p.name.startswith(".") and not p.name.endswith((".meta.yaml", ".en.yaml"))
            and p.suffix.lower() in DOCUMENT_SUFFIXES | RECORD_SUFFIXES
        ]
        if not found:
            raise IngestError("folder holds no .txt/.md/.html documents or .yaml records", source=path)
        return found
    if not path.exists():
        raise IngestError("cannot read file: no such file or folder", source=path)
    return [path]


def record_kind(path: Path) -> str:
    """'case' or 'statute', from the folder name or else from the keys of the first record."""
    parent = path.parent.name.lower()
    if parent in {"cases", "statutes"}:
        return parent[:-1]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise IngestError(f"cannot read YAML record file: {exc}", source=path) from None
    first = data[0] if isinstance(data, list) and data else data
    keys = set(first) if isinstance(first, dict) else set()
    if keys & _CASE_KEYS:
        return "case"
    if keys & _STATUTE_KEYS:
        return "statute"
    raise IngestError(
        "YAML file is neither a case record (case_numbers/courts/holding) nor a statute record "
        "(key_articles/kind); see docs/corpus-schema.md", source=path,
    )


def collect(paths: Sequence[Path]) -> Inputs:
    """Expand folders and sort every file into documents, case records and statute records."""
    documents: list[Path] = []
    cases: list[Path] = []
    statutes: list[Path] = []
    for given in paths:
        for path in _files(Path(given)):
            suffix = path.suffix.lower()
            if suffix in RECORD_SUFFIXES:
                (cases if record_kind(path) == "case" else statutes).append(path)
            else:
                documents.append(path)
    return Inputs(tuple(documents), tuple(cases), tuple(statutes))
