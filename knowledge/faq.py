"""The multilingual FAQ: question variants and answers, matched fuzzily in the user's language.

Users type questions mid-interview, with typos and without diacritics; the best variant
above a threshold wins. Token-sort similarity is used rather than WRatio, whose partial
matching lets one shared short word ("z", "to") pass the threshold. Matching prefers the
user's language and falls back to the others (a Latvian user may well ask in English),
with a small penalty.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

LANGS = ("en", "pl", "lv", "et", "lt", "fi", "de", "da")
_FOLD_EXTRA = str.maketrans({"ł": "l", "ø": "o", "æ": "ae", "ß": "ss", "đ": "d"})
_PUNCT = re.compile(r"[^\w\s]+")
_QUESTION_START = re.compile(
    r"^(how|what|who|why|when|where|which|can|do|does|is|are|jak|co|czy|ile|kto|gdzie|kiedy|"
    r"kā|ko|kas|cik|vai|kur|kad|kuidas|mis|kas|kui|palju|kus|miks|kaip|kas|ar|kiek|kur|kada|"
    r"kuinka|miten|mitä|mikä|kuka|paljonko|onko|voiko|missä|wie|was|wer|warum|wann|wo|kann|"
    r"kostet|gibt|hvordan|hvad|hvem|hvorfor|hvornår|hvor|kan|er)\b",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Lower-case, drop diacritics and punctuation, squeeze spaces."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD_EXTRA))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_PUNCT.sub(" ", text).split())


def looks_like_question(text: str) -> bool:
    """A question mark, or a first word that opens a question in one of our languages."""
    stripped = text.strip()
    return stripped.endswith("?") or bool(_QUESTION_START.match(fold(stripped)))


class FaqDataError(ValueError):
    """The FAQ file is malformed; the message names the entry and field."""


@dataclass(frozen=True)
class FaqEntry:
    """One question with its variants and answers per language."""

    id: str
    questions: Mapping[str, tuple[str, ...]]
    answers: Mapping[str, str]


@dataclass(frozen=True)
class FaqHit:
    """The best answer and how sure we are (0-100)."""

    entry: FaqEntry
    answer: str
    score: float


class Faq:
    """Fuzzy lookup over every question variant."""

    def __init__(self, entries: list[FaqEntry], threshold: float = 60.0) -> None:
        self.entries = entries
        self.threshold = threshold
        self._choices: dict[str, list[tuple[str, FaqEntry]]] = {lang: [] for lang in LANGS}
        for entry in entries:
            for lang, variants in entry.questions.items():
                self._choices[lang] += [(fold(v), entry) for v in variants]

    @classmethod
    def load(cls, path: Path, threshold: float = 60.0) -> Faq:
        """Read and validate a FAQ JSON file."""
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        raw = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(raw, list):
            raise FaqDataError(f'{path.name}: expected {{"entries": [...]}}')
        entries = []
        seen = set()
        for index, item in enumerate(raw):
            where = f"{path.name}: entries[{index}]"
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise FaqDataError(f"{where}: needs an id")
            if item["id"] in seen:
                raise FaqDataError(f"{where}: duplicate id {item['id']!r}")
            seen.add(item["id"])
            questions, answers = item.get("questions"), item.get("answer")
            if not isinstance(questions, dict) or not isinstance(answers, dict):
                raise FaqDataError(f"{where}: needs questions and answer objects")
            for lang in LANGS:
                variants = questions.get(lang)
                if (
                    not isinstance(variants, list)
                    or not all(isinstance(v, str) and v.strip() for v in variants)
                    or not variants
                ):
                    raise FaqDataError(f"{where}.questions.{lang}: needs non-empty strings")
                if not isinstance(answers.get(lang), str) or not answers[lang].strip():
                    raise FaqDataError(f"{where}.answer.{lang}: missing")
            entries.append(
                FaqEntry(
                    id=item["id"],
                    questions={lang: tuple(questions[lang]) for lang in LANGS},
                    answers={lang: answers[lang] for lang in LANGS},
                )
            )
        return cls(entries, threshold)

    def ask(self, text: str, lang: str) -> FaqHit | None:
        """The best answer (in ``lang``) above the threshold, or None."""
        query = fold(text)
        if len(query) < 3:
            return None
        best: tuple[float, FaqEntry] | None = None
        for candidate_lang in (lang, *(code for code in LANGS if code != lang)):
            choices = self._choices.get(candidate_lang) or []
            if not choices:
                continue
            found = process.extractOne(query, [c for c, _ in choices], scorer=fuzz.token_sort_ratio)
            if found is None:
                continue
            score = found[1] - (0 if candidate_lang == lang else 6)
            if best is None or score > best[0]:
                best = (score, choices[found[2]][1])
        if best is None or best[0] < self.threshold:
            return None
        entry = best[1]
        return FaqHit(entry, entry.answers.get(lang) or entry.answers["en"], best[0])
