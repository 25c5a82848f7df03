"""The multilingual sector lexicon: NACE codes with short labels and the words users type.

The lexicon ships as several JSON parts (``sector_lexicon*.json``) so that sections can be
curated separately; :func:`load_lexicon` merges every part and refuses a code defined twice.
Validation collects every problem, each naming the file, the entry and the field, so a
curator fixes a part in one pass instead of one error at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.normalize import LANGS

LEXICON_GLOB = "sector_lexicon*.json"
MAX_TERM_LENGTH = 120

_CODE = re.compile(r"\d{2}(\.\d{1,2})?")
# The 88 NACE Rev. 2 divisions, as ranges: the numbering has gaps (04, 34, 40, 44, 48, ...).
_DIVISION_RANGES = (
    (1, 3), (5, 33), (35, 39), (41, 43), (45, 47), (49, 53), (55, 56), (58, 66), (68, 75),
    (77, 82), (84, 88), (90, 99),
)  # fmt: skip


class LexiconError(ValueError):
    """The sector lexicon is malformed; each line of the message names file, entry and field."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


def nace_divisions() -> frozenset[str]:
    """The 88 two-digit NACE Rev. 2 division codes."""
    return frozenset(f"{n:02d}" for lo, hi in _DIVISION_RANGES for n in range(lo, hi + 1))


def is_nace_code(code: str) -> bool:
    """Whether ``code`` is a well-formed NN, NN.N or NN.NN code of a real NACE division."""
    return bool(_CODE.fullmatch(code)) and code[:2] in nace_divisions()


def division_of(code: str) -> str:
    """The two-digit division a NACE code belongs to."""
    return code[:2]


@dataclass(frozen=True)
class SectorEntry:
    """One lexicon code: its short label and the search terms, per language."""

    code: str
    label: Mapping[str, str]
    terms: Mapping[str, tuple[str, ...]]
    source: str = ""


@dataclass(frozen=True)
class Lexicon:
    """Every sector entry of the merged lexicon parts, by code."""

    entries: Mapping[str, SectorEntry]

    @property
    def codes(self) -> frozenset[str]:
        """Every code the lexicon defines (divisions and classes)."""
        return frozenset(self.entries)

    def get(self, code: str) -> SectorEntry | None:
        """The entry for ``code``, if the lexicon has one."""
        return self.entries.get(code)

    def label(self, code: str, lang: str) -> str | None:
        """The short label of ``code`` in ``lang`` (English as fallback), if the code is known."""
        entry = self.entries.get(code)
        if entry is None:
            return None
        return entry.label.get(lang) or entry.label.get("en")


def load_lexicon(data_dir: Path) -> Lexicon:
    """Read and merge every ``sector_lexicon*.json`` in ``data_dir``."""
    paths = sorted(data_dir.glob(LEXICON_GLOB))
    if not paths:
        raise LexiconError([f"{data_dir}: no {LEXICON_GLOB} file found"])
    documents: dict[str, Any] = {}
    problems: list[str] = []
    for path in paths:
        try:
            documents[path.name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{path.name}: cannot read JSON: {exc}")
    if problems:
        raise LexiconError(problems)
    return parse_lexicon(documents)


def parse_lexicon(documents: Mapping[str, Any]) -> Lexicon:
    """Validate and merge parsed lexicon parts given as {file name: JSON document}."""
    problems: list[str] = []
    entries: dict[str, SectorEntry] = {}
    for name, document in documents.items():
        if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
            problems.append(f'{name}: top level must be an object with an "entries" list')
            continue
        for index, raw in enumerate(document["entries"]):
            entry = _entry(name, index, raw, problems)
            if entry is None:
                continue
            previous = entries.get(entry.code)
            if previous is not None:
                problems.append(
                    f"{name}: entries[{index}] (code {entry.code}): code: duplicate, "
                    f"already defined in {previous.source}"
                )
                continue
            entries[entry.code] = entry
    if problems:
        raise LexiconError(problems)
    return Lexicon(dict(sorted(entries.items())))


def missing_divisions(lexicon: Lexicon) -> list[str]:
    """NACE divisions the lexicon does not cover (it should cover all 88)."""
    return sorted(nace_divisions() - lexicon.codes)


def _entry(name: str, index: int, raw: Any, problems: list[str]) -> SectorEntry | None:
    where = f"{name}: entries[{index}]"
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be an object")
        return None
    code = raw.get("code")
    if not isinstance(code, str) or not is_nace_code(code):
        problems.append(f"{where}: code: {code!r} is not a NACE code (NN or NN.NN)")
        return None
    where = f"{where} (code {code})"
    before = len(problems)
    label = _label(where, raw.get("label"), problems)
    terms = _terms(where, raw.get("terms"), problems)
    unknown = sorted(set(raw) - {"code", "label", "terms"})
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)}")
    if len(problems) > before:
        return None
    return SectorEntry(code=code, label=label, terms=terms, source=name)


def _label(where: str, raw: Any, problems: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: label: must be an object with one text per language")
        return {}
    label: dict[str, str] = {}
    for lang in LANGS:
        text = raw.get(lang)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: label.{lang}: missing or empty")
        else:
            label[lang] = text.strip()
    for lang in sorted(set(raw) - set(LANGS)):
        problems.append(f"{where}: label.{lang}: unknown language")
    return label


def _terms(where: str, raw: Any, problems: list[str]) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: terms: must be an object with a list per language")
        return {}
    terms: dict[str, tuple[str, ...]] = {}
    for lang in LANGS:
        words = raw.get(lang)
        if not isinstance(words, list) or not words:
            problems.append(f"{where}: terms.{lang}: missing or empty list")
            continue
        for position, word in enumerate(words):
            if not isinstance(word, str) or not word.strip():
                problems.append(f"{where}: terms.{lang}[{position}]: must be a non-empty text")
            elif len(word) > MAX_TERM_LENGTH:
                problems.append(
                    f"{where}: terms.{lang}[{position}]: longer than {MAX_TERM_LENGTH} characters"
                )
        terms[lang] = tuple(w.strip() for w in words if isinstance(w, str) and w.strip())
    for lang in sorted(set(raw) - set(LANGS)):
        problems.append(f"{where}: terms.{lang}: unknown language")
    return terms
