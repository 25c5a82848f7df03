"""Free text to NACE sectors and S3 priorities, for all eight languages.

An SME describes itself in its own words ("we make oak tables and chairs", "ražojam
mēbeles"); the classifier turns that into NACE codes and the S3 priorities they serve.

How a query word finds lexicon terms, strongest first:

1. the word's stem (or its canonical form) is a stem of a lexicon term in the language;
2. a compound: a known stem is the word's beginning or end ("Möbel|hersteller",
   "huonekalu|valmistaja", "Holz|möbel") - German, Danish, Finnish and Estonian;
3. a known stem begins with the word (a truncated word);
4. a typo: the closest known stem by edit similarity (rapidfuzz), above a cut-off.

Words weigh by how specific they are (inverse document frequency over NACE divisions), a
word counts once per sector, and a full multi-word term earns a bonus. A division's score is
the evidence of its own terms and its classes; the most specific code with its own evidence
represents it, so the proposals cover distinct divisions. Raw evidence maps to [0, 1] by
``1 - exp(-raw / SCALE)``: one specific word gives about 0.7, two about 0.9.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from knowledge.lexicon import Lexicon, division_of
from knowledge.nace_import import NaceLabels, code_level
from knowledge.normalize import LANGS, content_words, stem, stopwords
from knowledge.s3 import Priority, S3Catalog

SCALE = 3.5
PHRASE_BONUS = 0.5
PHRASE_PART = 0.6  # a word met only inside a multi-word term ("it services") says less alone
OTHER_LANGUAGE = 0.7  # a word found (by exact stem) in another language than the user's
MIN_OTHER_LANGUAGE_WORD = 5  # shorter words collide across languages too easily
OFFICIAL_LABEL = 0.8  # Eurostat label words are long and formal: weigh them a little less
COMPOUND_LANGS = frozenset({"de", "da", "fi", "et"})
MIN_PART = 4  # shortest stem that may be a compound part or a truncation
FUZZY_MIN = 5
FUZZY_CUTOFF = 82.0
S3_NACE_LINK = 0.9
MIN_S3_SCORE = 0.05
_CACHE_LIMIT = 200_000


@dataclass(frozen=True)
class ScoredCode:
    """A NACE code proposed for a text, with a score in [0, 1]."""

    code: str
    score: float


@dataclass(frozen=True)
class ScoredPriority:
    """An S3 priority (of ``region``) proposed for a text, with a score in [0, 1]."""

    id: str
    region: str
    score: float


@dataclass(frozen=True)
class Classification:
    """Sector and S3 proposals for one text, best first."""

    nace: tuple[ScoredCode, ...]
    s3: tuple[ScoredPriority, ...]


@dataclass(frozen=True, slots=True)
class WordMatch:
    """How a query word matched a stem of the index: the stem, its language, a similarity."""

    key: str
    lang: str
    similarity: float


def calibrate(raw: float) -> float:
    """Map summed evidence to a score in [0, 1)."""
    return 1.0 - math.exp(-raw / SCALE)


@dataclass
class _LangIndex:
    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    phrases: dict[str, list[tuple[int, tuple[str, ...]]]] = field(default_factory=dict)
    vocab: list[str] = field(default_factory=list)


class TermIndex:
    """Stems of the terms of many documents (sector codes or S3 priorities), per language.

    Each document belongs to a group (its division, or the priority itself); a stem's weight
    is its inverse document frequency over the groups of its language.
    """

    def __init__(self) -> None:
        self.docs: list[str] = []
        self.groups: list[str] = []
        self._doc_ids: dict[str, int] = {}
        self._langs: dict[str, _LangIndex] = {lang: _LangIndex() for lang in LANGS}
        self._raw: dict[str, dict[str, dict[int, float]]] = {lang: {} for lang in LANGS}
        self._cache: dict[tuple[str, str, bool], tuple[WordMatch, ...]] = {}

    def doc(self, name: str, group: str) -> int:
        """The id of document ``name`` (created in ``group`` on first use)."""
        if name not in self._doc_ids:
            self._doc_ids[name] = len(self.docs)
            self.docs.append(name)
            self.groups.append(group)
        return self._doc_ids[name]

    def doc_id(self, name: str) -> int:
        """The id of an existing document."""
        return self._doc_ids[name]

    def add(
        self, doc: int, lang: str, term: str, factor: float = 1.0, *, phrase: bool = True
    ) -> None:
        """Index one term of ``doc`` in ``lang``.

        A multi-word ``phrase`` ("heat pumps") counts fully when all its words are found; a
        label (``phrase=False``) is a bag of words that each count on their own.
        """
        keys = tuple(dict.fromkeys(stem(w, lang) for w in content_words(term, lang, curated=True)))
        if not keys:
            return
        raw = self._raw[lang]
        weight = factor if len(keys) == 1 or not phrase else factor * PHRASE_PART
        for key in keys:
            per_doc = raw.setdefault(key, {})
            per_doc[doc] = max(per_doc.get(doc, 0.0), weight)
        if phrase and len(keys) > 1:
            index = self._langs[lang]
            for key in keys:
                index.phrases.setdefault(key, []).append((doc, keys))

    def freeze(self) -> None:
        """Compute the stem weights once every term is in."""
        for lang in LANGS:
            index = self._langs[lang]
            groups_total = len({self.groups[d] for per in self._raw[lang].values() for d in per})
            for key, per_doc in self._raw[lang].items():
                df = len({self.groups[d] for d in per_doc})
                idf = math.log(1.0 + groups_total / df)
                index.postings[key] = [(d, idf * f) for d, f in per_doc.items()]
            index.vocab = sorted(index.postings)
        self._raw = {lang: {} for lang in LANGS}
        self._cache.clear()

    def idf(self, lang: str, key: str) -> float:
        """The weight of a stem (its largest posting weight), 0 if unknown."""
        postings = self._langs[lang].postings.get(key)
        return max((w for _, w in postings), default=0.0) if postings else 0.0

    def match_word(self, word: str, lang: str, *, fuzzy: bool = True) -> tuple[WordMatch, ...]:
        """The stems of ``lang`` that a canonical query word stands for (cached)."""
        cache_key = (word, lang, fuzzy)
        found = self._cache.get(cache_key)
        if found is None:
            found = self._match_word(word, lang, fuzzy)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[cache_key] = found
        return found

    def _match_word(self, word: str, lang: str, fuzzy: bool) -> tuple[WordMatch, ...]:
        index = self._langs[lang]
        postings = index.postings
        key = stem(word, lang)
        for candidate in (key, word):
            if candidate in postings:
                return (WordMatch(candidate, lang, 1.0),)
        found: list[WordMatch] = []
        if lang in COMPOUND_LANGS and len(word) >= 2 * MIN_PART - 1:
            found += _compound_parts(word, postings, lang)
        if not found and len(key) >= MIN_PART + 1:
            start = bisect.bisect_left(index.vocab, key)
            for longer in index.vocab[start : start + 3]:
                if not longer.startswith(key):
                    break
                found.append(WordMatch(longer, lang, 0.85 * len(key) / len(longer) + 0.1))
        if not found and fuzzy and len(key) >= FUZZY_MIN:
            best = process.extractOne(
                key, index.vocab, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
            )
            if best is not None:
                found.append(WordMatch(best[0], lang, 0.9 * best[1] / 100.0))
        return tuple(found)

    def postings(self, match: WordMatch) -> Sequence[tuple[int, float]]:
        """Documents holding the matched stem, with the stem's weight in each."""
        return self._langs[match.lang].postings.get(match.key, ())

    def phrases(self, lang: str, key: str) -> Sequence[tuple[int, tuple[str, ...]]]:
        """Multi-word terms (document, stems) that contain ``key``."""
        return self._langs[lang].phrases.get(key, ())

    def evidence(self, words: Iterable[str], lang: str | None, *, fuzzy: bool = True) -> Evidence:
        """What each canonical word says about each document, plus multi-word term bonuses.

        With ``lang`` the words are looked up in that language, and in the others only by
        exact stem, at a discount; without it every language is searched alike.
        """
        per_word: dict[str, dict[int, float]] = {}
        matched: dict[str, set[str]] = {}
        for word in dict.fromkeys(words):
            best: dict[int, float] = {}
            for other in LANGS:
                primary = lang is None or other == lang
                if not primary and len(word) < MIN_OTHER_LANGUAGE_WORD:
                    continue
                factor = 1.0 if primary else OTHER_LANGUAGE
                for match in self.match_word(word, other, fuzzy=fuzzy and primary):
                    if not primary and match.similarity < 1.0:
                        continue
                    matched.setdefault(other, set()).add(match.key)
                    for doc, weight in self.postings(match):
                        value = weight * match.similarity * factor
                        if value > best.get(doc, 0.0):
                            best[doc] = value
            if best:
                per_word[word] = best
        bonus: dict[int, float] = {}
        for other, keys in matched.items():
            for key in keys:
                for doc, phrase in self.phrases(other, key):
                    if all(k in keys for k in phrase):
                        weight = PHRASE_BONUS * sum(self.idf(other, k) for k in phrase)
                        bonus[doc] = max(bonus.get(doc, 0.0), weight)
        return Evidence(per_word, bonus)


@dataclass(frozen=True)
class Evidence:
    """Per-word evidence for documents (each word counts once per document) and term bonuses."""

    per_word: Mapping[str, Mapping[int, float]]
    bonus: Mapping[int, float]

    def totals(self, group: Callable[[int], str]) -> dict[str, float]:
        """Summed evidence per group of documents: each word counts once, at its strongest."""
        totals: dict[str, float] = {}
        for per_doc in self.per_word.values():
            best: dict[str, float] = {}
            for doc, value in per_doc.items():
                name = group(doc)
                if value > best.get(name, 0.0):
                    best[name] = value
            for name, value in best.items():
                totals[name] = totals.get(name, 0.0) + value
        bonus: dict[str, float] = {}
        for doc, value in self.bonus.items():
            name = group(doc)
            bonus[name] = max(bonus.get(name, 0.0), value)
        for name, value in bonus.items():
            totals[name] = totals.get(name, 0.0) + value
        return totals

    def words_for(self, docs: Collection[int]) -> list[str]:
        """The words that gave evidence for any of ``docs``."""
        return [w for w, per_doc in self.per_word.items() if any(d in per_doc for d in docs)]


def _compound_parts(word: str, postings: Mapping[str, object], lang: str) -> list[WordMatch]:
    """Known stems that begin or end a compound word, such as "Möbel" in "Möbelhersteller".

    A part shorter than five letters only counts when the rest of the word is known too,
    so "Hamburg" is not read as "Ham" + "Burg".
    """

    def known(rest: str) -> bool:
        candidates = {rest, rest.rstrip("sne"), stem(rest, lang)}
        stop = stopwords(lang)
        return any(len(c) >= 3 and (c in postings or c in stop) for c in candidates)

    found: list[WordMatch] = []
    size = len(word)
    for end in range(size - MIN_PART + 1, MIN_PART - 1, -1):
        head = word[:end]
        candidate = next((c for c in (head, stem(head, lang)) if c in postings), None)
        if candidate and len(candidate) >= MIN_PART and (end >= 5 or known(word[end:])):
            found.append(WordMatch(candidate, lang, 0.6 + 0.3 * end / size))
            break
    for start in range(MIN_PART - 1, size - MIN_PART + 1):
        tail = stem(word[start:], lang)
        if (
            len(tail) >= MIN_PART
            and tail in postings
            and (size - start >= 5 or known(word[:start]))
        ):
            found.append(WordMatch(tail, lang, 0.6 + 0.3 * (size - start) / size))
            break
    return found


class Classifier:
    """Proposes NACE codes and S3 priorities for free text."""

    def __init__(self, lexicon: Lexicon, s3: S3Catalog, official: NaceLabels | None = None) -> None:
        self.lexicon = lexicon
        self.s3 = s3
        self.sectors = TermIndex()
        self.priorities = TermIndex()
        for entry in lexicon.entries.values():
            doc = self.sectors.doc(entry.code, division_of(entry.code))
            for lang in LANGS:
                self.sectors.add(doc, lang, entry.label.get(lang, ""), phrase=False)
                for term in entry.terms.get(lang, ()):
                    self.sectors.add(doc, lang, term)
        if official is not None:
            for code, labels in official.labels.items():
                level = code_level(code)
                if level is None or level == 1:
                    continue
                name = code if level in (2, 4) else division_of(code)
                doc = self.sectors.doc(name, division_of(code))
                for lang, text in labels.items():
                    self.sectors.add(doc, lang, text, OFFICIAL_LABEL, phrase=False)
        self._priority_list: list[Priority] = []
        for region in s3.regions:
            for priority in region.priorities:
                self._priority_list.append(priority)
                doc = self.priorities.doc(priority.id, priority.id)
                for lang in LANGS:
                    self.priorities.add(doc, lang, priority.label.get(lang, ""), phrase=False)
                    for keyword in priority.keywords.get(lang, ()):
                        self.priorities.add(doc, lang, keyword)
        self.sectors.freeze()
        self.priorities.freeze()
        # Shared by every matcher built on this classifier: a word's divisions in any
        # language, its overlap key and whether it is a stop word, filled while indexing.
        self.word_cache: dict[str, tuple[tuple[tuple[str, float], ...], str, bool]] = {}

    @property
    def codes(self) -> frozenset[str]:
        """Every code the classifier can propose."""
        return frozenset(self.sectors.docs)

    def classify(self, text: str, lang: str | None, top: int = 5) -> Classification:
        """NACE codes and S3 priorities for ``text``, best first (``lang`` None: any language)."""
        lang = lang if lang in LANGS else None
        words = content_words(text, lang)
        nace = self.sector_scores(words, lang)[:top]
        return Classification(
            nace=tuple(nace), s3=tuple(self.priority_scores(words, lang, nace)[:top])
        )

    def sector_scores(
        self, words: Sequence[str], lang: str | None, *, fuzzy: bool = True
    ) -> list[ScoredCode]:
        """Every division with evidence, represented by its most specific code, best first."""
        return self.rank_sectors(self.sectors.evidence(words, lang, fuzzy=fuzzy))

    def rank_sectors(self, evidence: Evidence) -> list[ScoredCode]:
        """Divisions by summed evidence, each shown as its best-evidenced code."""
        docs, groups = self.sectors.docs, self.sectors.groups
        by_division = evidence.totals(groups.__getitem__)
        by_code = evidence.totals(docs.__getitem__)
        specific: dict[str, tuple[float, str]] = {}
        for name, value in by_code.items():
            division = division_of(name)
            if name != division and value > specific.get(division, (0.0, ""))[0]:
                specific[division] = (value, name)
        ranked: list[ScoredCode] = []
        for division, total in by_division.items():
            code = division
            if division in specific and specific[division][0] > by_code.get(division, 0.0) + 1e-9:
                code = specific[division][1]
            ranked.append(ScoredCode(code, round(calibrate(total), 4)))
        ranked.sort(key=lambda s: (-s.score, s.code))
        return ranked

    def priority_scores(
        self, words: Sequence[str], lang: str | None, nace: Sequence[ScoredCode]
    ) -> list[ScoredPriority]:
        """S3 priorities by their keywords and by the sectors found, best first."""
        totals = self.priorities.evidence(words, lang).totals(str)
        ranked: list[ScoredPriority] = []
        for doc, priority in enumerate(self._priority_list):
            keyword_score = calibrate(totals.get(str(doc), 0.0))
            link = max((s.score for s in nace if codes_overlap(s.code, priority.nace)), default=0.0)
            score = 1.0 - (1.0 - keyword_score) * (1.0 - S3_NACE_LINK * link)
            if score >= MIN_S3_SCORE:
                ranked.append(ScoredPriority(priority.id, priority.region, round(score, 4)))
        ranked.sort(key=lambda p: (-p.score, p.id))
        return ranked


def codes_overlap(code: str, listed: Iterable[str]) -> bool:
    """Whether ``code`` falls under, or contains, one of the ``listed`` NACE codes."""
    return any(code.startswith(other) or other.startswith(code) for other in listed)
