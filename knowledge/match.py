"""Cross-border partner matching: who offers what the SME seeks, and seeks what it offers.

The score in [0, 1] is dominated by complementarity in both directions - the SME's "seeks"
against the partner's "offers" and the partner's "seeks" against the SME's "offers" -
measured on NACE divisions (free texts classified, declared codes) and on shared words. Each
direction is measured from the seeker's side: the share of what one seeks (weighted by how
sure the classification is) that the other offers. Compatible cooperation types, a shared
sector, common languages, S3 alignment of both regions (shared Trans-S3 themes) and being in
a target country add to it. Partners in the SME's own country are never proposed, nor
partners outside its target countries.

For speed the registry is indexed once: inverted lists (NACE division -> partners, word ->
partners) give the candidates of a query, whose scores are summed with numpy over those
lists; only the best few are then explained in Python, each reason carrying what
contributed, strongest first.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from knowledge.classify import SCALE, Classifier, calibrate, codes_overlap
from knowledge.lexicon import division_of
from knowledge.normalize import (
    WORD_PATTERN,
    canonical_word,
    content_words,
    is_content_word,
    overlap_key,
    stopwords,
    tokens,
)
from knowledge.registry import COOPERATION_TYPES, Partner
from knowledge.s3 import Region, S3Catalog

# Shares of the score; complementarity dominates. Cooperation and target country only count
# when the SME states them.
W_COMPLEMENT = 0.60
W_COOPERATION = 0.10
W_SECTOR = 0.08
W_S3 = 0.09
W_LANGUAGE = 0.07
W_TARGET = 0.06
CODE_SHARE = 0.7  # within one direction: NACE evidence vs shared words
MAIN_DIRECTION = 0.75  # the stronger direction's share; the other adds the rest
TEXT_BESIDE_CODES = 0.7  # an offer text's sectors next to declared codes weigh less
MIN_TEXT_SCORE = 0.4  # a free text's division must reach this (one generic word does not)
MAX_TEXT_DIVISIONS = 4
MAX_TERMS = 6
KEYWORD_PRIORITY = 0.7  # an S3 priority found by keywords alone must be this sure

_BATCH = 8192  # partners whose texts are analysed together while indexing
_SEPARATOR = " 0000000000000000 "  # between texts analysed together: a word of its own
_SEPARATOR_ID = 1
_WORD_DIVISIONS = 8  # a word speaks of at most this many divisions (the strongest)
_TIE_BREAK = 1e-9  # equal evidence for several divisions: the higher code ranks first
_MIN_RAW = -SCALE * math.log(1.0 - MIN_TEXT_SCORE)  # raw evidence giving MIN_TEXT_SCORE

WordInfo = tuple[tuple[tuple[str, float], ...], str, bool]
FloatArray = npt.NDArray[np.float32]
AnyInts = npt.NDArray[np.integer[Any]]
AnyFloats = npt.NDArray[np.floating[Any]]
IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True)
class MatchProfile:
    """What the SME told us: its texts, cooperation wishes, target countries and languages."""

    lang: str
    country: str
    offers: str
    seeks: str
    cooperation: tuple[str, ...]
    target_countries: tuple[str, ...]
    nace: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    region: str | None = None


@dataclass(frozen=True)
class Reason:
    """Why a partner was proposed: a kind the bot can render and its parameters."""

    kind: str
    params: Mapping[str, str | float | tuple[str, ...]]


@dataclass(frozen=True)
class Match:
    """A proposed partner with its score in [0, 1] and reasons, strongest first."""

    partner: Partner
    score: float
    reasons: tuple[Reason, ...]


class _Postings:
    """Inverted lists in compressed-row form: feature -> partner rows (and weights)."""

    def __init__(
        self, features: IntArray, rows: IntArray, weights: FloatArray | None = None
    ) -> None:
        order = np.argsort(features, kind="stable")
        self.features: IntArray = features[order]
        self.rows: IntArray = rows[order]
        self.weights: FloatArray | None = None if weights is None else weights[order]
        count = int(features.max()) + 2 if len(features) else 1
        self.offsets = np.zeros(count, dtype=np.int64)
        np.cumsum(np.bincount(features, minlength=count - 1), out=self.offsets[1:])

    def _span(self, feature: int) -> slice:
        if feature < 0 or feature + 1 >= len(self.offsets):
            return slice(0, 0)
        return slice(int(self.offsets[feature]), int(self.offsets[feature + 1]))

    def rows_of(self, feature: int) -> IntArray:
        """The partner rows holding ``feature``."""
        return self.rows[self._span(feature)]

    def weights_of(self, feature: int) -> FloatArray:
        """The weights aligned with :meth:`rows_of`."""
        assert self.weights is not None
        return self.weights[self._span(feature)]

    def count(self, feature: int) -> int:
        """How many partners hold ``feature``."""
        span = self._span(feature)
        return int(span.stop) - int(span.start)


class _Collector:
    """(feature, row, weight) triples gathered batch by batch, then turned into postings."""

    def __init__(self) -> None:
        self.features: list[IntArray] = []
        self.rows: list[IntArray] = []
        self.weights: list[FloatArray] = []

    def add(self, features: AnyInts, rows: AnyInts, weights: AnyFloats | None = None) -> None:
        """Add a batch of triples (weights 1 when omitted)."""
        self.features.append(features.astype(np.int32, copy=False))
        self.rows.append(rows.astype(np.int32, copy=False))
        if weights is None:
            weights = np.ones(len(features), dtype=np.float32)
        self.weights.append(weights.astype(np.float32, copy=False))

    def postings(self, weighted: bool = True) -> _Postings:
        """The collected triples as postings."""
        if not self.features:
            empty = np.zeros(0, dtype=np.int32)
            return _Postings(empty, empty, np.zeros(0, np.float32) if weighted else None)
        weights = np.concatenate(self.weights) if weighted else None
        return _Postings(np.concatenate(self.features), np.concatenate(self.rows), weights)


class _WordTable:
    """The words met while indexing, numbered from 1, with their analysis as arrays."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self.ids: dict[str, int] = {}
        self.chunks: dict[str, tuple[int, ...]] = {}
        self._units: dict[str, int] = {}
        self._stop: list[bool] = [True]
        self._key: list[int] = [0]
        self._pointer: list[int] = [0, 0]
        self._divisions: list[int] = []
        self._weights: list[float] = []
        self._arrays: tuple[
            npt.NDArray[np.bool_], IntArray, IntArray, IntArray, npt.NDArray[np.float64]
        ]
        self._size = -1
        self.add(_SEPARATOR.strip())

    def add(self, raw: str) -> int:
        """Number a word as typed; spellings of one canonical word share a number."""
        word = canonical_word(raw)
        content = is_content_word(raw)
        unit = word + "!" if content and word in stopwords(None) else word  # "IT" vs "it"
        number = self._units.get(unit)
        if number is None:
            number = self._units[unit] = len(self._stop)
            divisions, key, _ = self.matcher._word(word)
            self._stop.append(not content)
            self._key.append(self.matcher._term_id(key))
            for division, weight in divisions:
                self._divisions.append(int(division))
                self._weights.append(weight)
            self._pointer.append(len(self._divisions))
        self.ids[raw] = number
        return number

    def add_chunk(self, chunk: str) -> tuple[int, ...]:
        """Number the words of a whitespace-delimited piece of text ("Kfz-Werkstatt,")."""
        numbers = tuple(self.ids.get(w) or self.add(w) for w in WORD_PATTERN.findall(chunk))
        self.chunks[chunk] = numbers
        return numbers

    def arrays(
        self,
    ) -> tuple[npt.NDArray[np.bool_], IntArray, IntArray, IntArray, npt.NDArray[np.float64]]:
        """(stop, term key, division pointer, divisions, weights) per word id."""
        if self._size != len(self._stop):
            self._size = len(self._stop)
            self._arrays = (
                np.array(self._stop, dtype=bool),
                np.array(self._key, dtype=np.int32),
                np.array(self._pointer, dtype=np.int64),
                np.array(self._divisions, dtype=np.int32),
                np.array(self._weights, dtype=np.float64),
            )
        return self._arrays


class _RegionThemes:
    """Which S3 priorities (and Trans-S3 themes) of a region a set of NACE codes touches."""

    def __init__(self, s3: S3Catalog) -> None:
        self.s3 = s3
        self.theme_bit = {theme.id: 1 << i for i, theme in enumerate(s3.themes)}
        self._cache: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {}

    def _of_code(self, region: Region, code: str) -> tuple[int, tuple[str, ...]]:
        key = (region.id, code)
        found = self._cache.get(key)
        if found is None:
            mask, ids = 0, list[str]()
            for priority in region.priorities:
                if codes_overlap(code, priority.nace):
                    ids.append(priority.id)
                    for theme in priority.themes:
                        mask |= self.theme_bit.get(theme, 0)
            found = (mask, tuple(ids))
            self._cache[key] = found
        return found

    def mask(self, region: Region, codes: Iterable[str]) -> int:
        """Theme bit mask of ``region``'s priorities that the codes fall under."""
        mask = 0
        for code in codes:
            mask |= self._of_code(region, code)[0]
        return mask

    def relevant(self, region: Region | None, codes: Iterable[str]) -> tuple[int, tuple[str, ...]]:
        """(theme bit mask, priority ids) of ``region``'s priorities that the codes fall under."""
        if region is None:
            return 0, ()
        mask, ids = 0, list[str]()
        for code in codes:
            code_mask, code_ids = self._of_code(region, code)
            mask |= code_mask
            ids.extend(code_ids)
        order = {p.id: i for i, p in enumerate(region.priorities)}
        return mask, tuple(sorted(set(ids), key=order.__getitem__))

    def themes(self, mask: int) -> tuple[str, ...]:
        """Theme ids of a bit mask, in catalog order."""
        return tuple(t for t, bit in self.theme_bit.items() if mask & bit)


@dataclass
class _Fields:
    """Per-partner values of one indexing batch, as plain lists."""

    countries: list[int] = field(default_factory=list)
    coops: list[int] = field(default_factory=list)
    langs: list[int] = field(default_factory=list)
    regions: list[int] = field(default_factory=list)
    theme_masks: list[int] = field(default_factory=list)
    declared_rows: list[int] = field(default_factory=list)
    declared_divisions: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Side:
    """What one party seeks or offers: divisions with weights, and its words' overlap keys."""

    divisions: Mapping[str, float]
    keys: frozenset[str]
    declared: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Query:
    """A profile prepared for scoring: both sides, languages, S3 themes and score weights."""

    profile: MatchProfile
    seeks: _Side
    offers: _Side
    languages: tuple[str, ...]
    theme_mask: int
    priorities: tuple[str, ...]
    weights: Mapping[str, float]

    @property
    def weight_total(self) -> float:
        """Sum of the weights that apply to this profile (the score's denominator)."""
        return sum(self.weights.values())


def seeker_weights(divisions: Mapping[str, float]) -> dict[str, float]:
    """Scale a seeker's division scores so they sum to at most 1 (a share of its needs)."""
    total = max(1.0, sum(divisions.values()))
    return {d: w / total for d, w in divisions.items()}


def provider_weights(text: Mapping[str, float], declared: Iterable[str]) -> dict[str, float]:
    """An offerer's divisions: declared codes count fully, its text a little less beside them."""
    codes = {division_of(c): 1.0 for c in declared}
    factor = TEXT_BESIDE_CODES if codes else 1.0
    for division, weight in text.items():
        codes[division] = max(codes.get(division, 0.0), weight * factor)
    return codes


class Matcher:
    """Ranks the partners of a registry for an SME profile."""

    def __init__(self, partners: Sequence[Partner], classifier: Classifier, s3: S3Catalog):
        self.partners = tuple(partners)
        self.classifier = classifier
        self.s3 = s3
        self._themes = _RegionThemes(s3)
        self._words = classifier.word_cache
        self._regions: dict[tuple[str, str], Region | None] = {}
        self._coop_masks: dict[tuple[str, ...], int] = {}
        self._lang_masks: dict[tuple[str, ...], int] = {}
        self._division_sets: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._code_theme_masks: dict[tuple[str, tuple[str, ...]], int] = {}
        self._build()

    # ----------------------------------------------------------------- index
    def _build(self) -> None:
        self._countries: dict[str, int] = {}
        self._languages: dict[str, int] = {}
        self._terms: dict[str, int] = {}
        count = len(self.partners)
        table = _WordTable(self)
        offer, seek, own = _Collector(), _Collector(), _Collector()
        offer_terms, seek_terms = _Collector(), _Collector()
        countries = np.zeros(count, dtype=np.int16)
        coops = np.zeros(count, dtype=np.uint8)
        langs = np.zeros(count, dtype=np.uint64)
        themes = np.zeros(count, dtype=np.uint16)
        regions = [r for r in self.s3.regions]
        region_index = {r.id: i for i, r in enumerate(regions)}
        division_masks = np.array(
            [[self._themes.mask(r, (f"{d:02d}",)) for d in range(100)] for r in regions]
            or [[0] * 100],
            dtype=np.uint16,
        )
        for first in range(0, count, _BATCH):
            chunk = self.partners[first : first + _BATCH]
            fields = self._partner_fields(chunk, region_index)
            countries[first : first + len(chunk)] = fields.countries
            coops[first : first + len(chunk)] = fields.coops
            langs[first : first + len(chunk)] = fields.langs
            declared_rows = np.array(fields.declared_rows, dtype=np.int64)
            declared_divisions = np.array(fields.declared_divisions, dtype=np.int64)
            own.add(declared_divisions, declared_rows + first)

            offers, keys = self._text_batch(table, [p.offers for p in chunk])
            offer_terms.add(keys[1], keys[0] + first)
            has_codes = np.zeros(len(chunk), dtype=bool)
            has_codes[declared_rows] = True
            offers[has_codes] *= np.float32(TEXT_BESIDE_CODES)
            offers[declared_rows, declared_divisions] = 1.0
            rows, divisions = np.nonzero(offers)
            offer.add(divisions, rows + first, offers[rows, divisions])

            seeks, keys = self._text_batch(table, [p.seeks for p in chunk])
            seek_terms.add(keys[1], keys[0] + first)
            seeks /= np.maximum(1.0, seeks.sum(axis=1, dtype=np.float32))[:, None]
            seek_rows, seek_divisions = np.nonzero(seeks)
            seek.add(seek_divisions, seek_rows + first, seeks[seek_rows, seek_divisions])

            region_of = np.array(fields.regions, dtype=np.int64)
            mask = np.array(fields.theme_masks, dtype=np.uint16)
            with_region = region_of[rows] >= 0
            np.bitwise_or.at(
                mask,
                rows[with_region],
                division_masks[region_of[rows[with_region]], divisions[with_region]],
            )
            themes[first : first + len(chunk)] = mask
        self._country = countries
        self._coop = coops
        self._langs = langs
        self._theme_mask = themes
        self._offer = offer.postings()
        self._seek = seek.postings()
        self._own = own.postings(weighted=False)
        self._offer_terms = offer_terms.postings(weighted=False)
        self._seek_terms = seek_terms.postings(weighted=False)
        self._offer_idf = self._idf(self._offer_terms)
        self._seek_idf = self._idf(self._seek_terms)
        # Per partner, the summed weight of its "seeks" words: the denominator of its needs.
        self._seek_term_total = np.bincount(
            self._seek_terms.rows,
            weights=self._seek_idf[self._seek_terms.features],
            minlength=count,
        ).astype(np.float32)

    def _partner_fields(self, chunk: Sequence[Partner], region_index: Mapping[str, int]) -> _Fields:
        """The per-partner values of a batch that need Python: ids, bit masks, codes.

        Values repeat a lot across partners (cooperation sets, language sets, codes), so
        each distinct one is computed once and then looked up.
        """
        country_ids = self._countries
        for country in {p.country for p in chunk} - country_ids.keys():
            country_ids[country] = len(country_ids)
        coop_masks, lang_masks = self._coop_masks, self._lang_masks
        cooperation = [p.cooperation for p in chunk]
        for kinds in set(cooperation) - coop_masks.keys():
            coop_masks[kinds] = sum(1 << COOPERATION_TYPES.index(k) for k in set(kinds))
        languages = [p.languages for p in chunk]
        for langs in set(languages) - lang_masks.keys():
            lang_masks[langs] = sum(self._language_bit(lang) for lang in set(langs))
        codes = [p.nace for p in chunk]
        division_sets = self._division_sets
        for nace in set(codes) - division_sets.keys():
            division_sets[nace] = tuple({int(code[:2]) for code in nace})
        divisions = [division_sets[nace] for nace in codes]
        places = [(p.region, p.country) for p in chunk]
        for place in set(places) - self._regions.keys():
            self._regions[place] = self.s3.resolve_region(*place)
        regions = [self._regions[place] for place in places]
        theme_masks = self._code_theme_masks
        keyed = [
            (r.id, nace) if r is not None else None for r, nace in zip(regions, codes, strict=True)
        ]
        for key, region in zip(keyed, regions, strict=True):
            if key is not None and region is not None and key not in theme_masks:
                theme_masks[key] = self._themes.mask(region, key[1])
        return _Fields(
            countries=[country_ids[p.country] for p in chunk],
            coops=[coop_masks[kinds] for kinds in cooperation],
            langs=[lang_masks[langs] for langs in languages],
            regions=[region_index[r.id] if r is not None else -1 for r in regions],
            theme_masks=[theme_masks[key] if key is not None else 0 for key in keyed],
            declared_rows=[row for row, found in enumerate(divisions) for _ in found],
            declared_divisions=[division for found in divisions for division in found],
        )

    def _text_batch(
        self, table: _WordTable, texts: Sequence[str]
    ) -> tuple[FloatArray, tuple[IntArray, IntArray]]:
        """Division scores (texts x 100, best few per text) and (text, term key) pairs.

        The vectorised twin of :meth:`_analyse`: words are numbered in Python, everything
        else is summed and ranked with numpy.
        """
        chunks = _SEPARATOR.join(texts).split()
        known = list(map(table.chunks.get, chunks))
        numbers = (
            [n if n is not None else table.add_chunk(c) for n, c in zip(known, chunks, strict=True)]
            if None in known  # pieces of text not met before
            else cast(list[tuple[int, ...]], known)
        )
        ids = np.fromiter(chain.from_iterable(numbers), dtype=np.int32)
        boundaries = ids == _SEPARATOR_ID
        if int(boundaries.sum()) != len(texts) - 1:  # a text held the separator itself
            return self._text_batch_slowly(table, texts)
        pairs = np.cumsum(boundaries, dtype=np.int64) << 32 | ids.astype(np.int64)
        pairs.sort()
        first = np.ones(len(pairs), dtype=bool)
        first[1:] = pairs[1:] != pairs[:-1]
        pairs = pairs[first]
        texts_of = (pairs >> 32).astype(np.int32)
        words_of = (pairs & 0xFFFFFFFF).astype(np.int32)
        stop, key, pointer, divisions, weights = table.arrays()
        content = ~stop[words_of]
        words_of, texts_of = words_of[content], texts_of[content]
        pairs = np.unique(texts_of.astype(np.int64) << 32 | key[words_of].astype(np.int64))
        term_pairs = ((pairs >> 32).astype(np.int32), (pairs & 0xFFFFFFFF).astype(np.int32))
        starts, ends = pointer[words_of], pointer[words_of + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        raw = np.bincount(
            np.repeat(texts_of.astype(np.int64), lengths) * 100 + divisions[positions],
            weights=weights[positions],
            minlength=len(texts) * 100,
        ).reshape(len(texts), 100)
        raw[raw < _MIN_RAW] = 0.0
        crowded = np.flatnonzero((raw > 0).sum(axis=1) > MAX_TEXT_DIVISIONS)
        if len(crowded):
            part = raw[crowded]
            rank = part + _TIE_BREAK * np.arange(100)  # ties: the higher code, as in _analyse
            cut = np.partition(rank, 100 - MAX_TEXT_DIVISIONS, axis=1)[:, 100 - MAX_TEXT_DIVISIONS]
            part[rank < cut[:, None]] = 0.0
            raw[crowded] = part
        scores = np.zeros(raw.shape, dtype=np.float32)
        found = raw > 0
        scores[found] = 1.0 - np.exp(-raw[found] / SCALE)
        return scores, term_pairs

    def _text_batch_slowly(
        self, table: _WordTable, texts: Sequence[str]
    ) -> tuple[FloatArray, tuple[IntArray, IntArray]]:
        """:meth:`_text_batch` one text at a time, for texts that contain the separator."""
        scores, keys = [], []
        for number, text in enumerate(texts):
            one_scores, (_, one_keys) = self._text_batch(
                table, [text.replace(_SEPARATOR.strip(), " ")]
            )
            scores.append(one_scores)
            keys.append((np.full(len(one_keys), number, dtype=np.int32), one_keys))
        if not keys:
            return np.zeros((0, 100), np.float32), (np.zeros(0, np.int32), np.zeros(0, np.int32))
        rows = np.concatenate([k[0] for k in keys])
        return np.vstack(scores), (rows, np.concatenate([k[1] for k in keys]))

    def _term_id(self, key: str) -> int:
        return self._terms.setdefault(key, len(self._terms))

    def _idf(self, postings: _Postings) -> FloatArray:
        counts = np.diff(postings.offsets).astype(np.float64)
        counts = np.concatenate([counts, np.zeros(max(0, len(self._terms) - len(counts)))])
        with np.errstate(divide="ignore"):
            idf = np.where(counts > 0, np.log1p(len(self.partners) / np.maximum(counts, 1)), 0.0)
        return idf.astype(np.float32)

    def _language_bit(self, lang: str) -> int:
        position = self._languages.setdefault(lang, min(len(self._languages), 63))
        return 1 << position

    def partner_region(self, partner: Partner) -> Region | None:
        """The S3 region of a partner: by its region's id or name, or its national S3."""
        key = (partner.region, partner.country)
        if key not in self._regions:
            self._regions[key] = self.s3.resolve_region(partner.region, partner.country)
        return self._regions[key]

    def partner_offers(self, partner: Partner) -> _Side:
        """What a partner offers: declared codes plus its offer text, and the text's words."""
        text, keys = self._analyse([partner.offers])[0]
        return _Side(provider_weights(text, partner.nace), keys, partner.nace)

    def partner_seeks(self, partner: Partner) -> _Side:
        """What a partner seeks, from its text, as shares of its needs."""
        text, keys = self._analyse([partner.seeks])[0]
        return _Side(seeker_weights(text), keys)

    def _analyse(self, texts: Sequence[str]) -> list[tuple[dict[str, float], frozenset[str]]]:
        """Divisions each text (of unknown language) speaks of, and its words' overlap keys.

        The one-text-at-a-time twin of :meth:`_text_batch`, used to explain a match.
        """
        cache = self._words
        found: list[tuple[dict[str, float], frozenset[str]]] = []
        for text in texts:
            raw: dict[str, float] = {}
            keys: set[str] = set()
            for word in set(content_words(text, None)):
                info = cache.get(word) or self._word(word)
                keys.add(info[1])
                for division, weight in info[0]:
                    raw[division] = raw.get(division, 0.0) + weight
            divisions: dict[str, float] = {}
            if raw:
                passing = [(v, d) for d, v in raw.items() if v >= _MIN_RAW]
                passing.sort(key=lambda vd: vd[0] + _TIE_BREAK * int(vd[1]), reverse=True)
                for value, division in passing[:MAX_TEXT_DIVISIONS]:
                    divisions[division] = calibrate(value)
            found.append((divisions, frozenset(keys)))
        return found

    def _word(self, word: str) -> WordInfo:
        """A word's divisions in any language, its overlap key, and whether it is a stop word."""
        found = self._words.get(word)
        if found is None:
            sectors = self.classifier.sectors
            per_doc = sectors.evidence([word], None, fuzzy=False).per_word.get(word, {})
            best: dict[str, float] = {}
            for doc, value in per_doc.items():
                division = sectors.groups[doc]
                best[division] = max(best.get(division, 0.0), value)
            strongest = sorted(best.items(), key=lambda item: -item[1])[:_WORD_DIVISIONS]
            stop = word in stopwords(None) or word.isdigit()
            found = (tuple(strongest), overlap_key(word), stop)
            if len(self._words) < 1_000_000:
                self._words[word] = found
        return found

    # ----------------------------------------------------------------- query
    def match(self, profile: MatchProfile, top: int = 5) -> list[Match]:
        """The ``top`` best cross-border partners for ``profile``, best first."""
        if top <= 0 or not self.partners:
            return []
        query = self._query(profile)
        count = len(self.partners)
        a_code = self._code_scores(self._offer, query.seeks.divisions, count)
        b_code = self._code_scores(self._seek, query.offers.divisions, count)
        a_term = self._sought_words(query.seeks.keys, count)
        b_term = self._offered_words(query.offers.keys, count)
        sector = np.zeros(count, dtype=np.float32)
        for division, weight in self._own_divisions(query).items():
            rows = self._own.rows_of(int(division))
            sector[rows] = np.maximum(sector[rows], np.float32(weight))
        a = CODE_SHARE * a_code + (1 - CODE_SHARE) * a_term
        b = CODE_SHARE * b_code + (1 - CODE_SHARE) * b_term
        complement = MAIN_DIRECTION * np.maximum(a, b) + (1 - MAIN_DIRECTION) * np.minimum(a, b)
        candidates = np.flatnonzero((complement > 0) | (sector > 0)).astype(np.int32)
        candidates = candidates[self._allowed_countries(profile)[self._country[candidates]]]
        if not len(candidates):
            return []
        total = W_COMPLEMENT * complement[candidates] + W_SECTOR * sector[candidates]
        for name, values in self._bonus_parts(query, candidates).items():
            total = total + np.float32(query.weights[name]) * values
        total = total / np.float32(query.weight_total)
        keep = min(top, len(candidates))
        chosen = np.argpartition(-total, keep - 1)[:keep] if keep < len(candidates) else None
        picked = range(len(candidates)) if chosen is None else chosen.tolist()
        order = sorted(picked, key=lambda i: (-float(total[i]), int(candidates[i])))
        return [self._explain(query, int(candidates[i]), float(total[i])) for i in order]

    def _query(self, profile: MatchProfile) -> _Query:
        seeks = self._profile_side(profile.seeks, profile.lang)
        offer_text = self._profile_side(profile.offers, profile.lang)
        offers = _Side(
            provider_weights(offer_text.divisions, profile.nace), offer_text.keys, profile.nace
        )
        languages = tuple(dict.fromkeys((profile.lang, *profile.languages)))
        mask, priorities = self._profile_themes(profile, offers)
        weights = {
            "complement": W_COMPLEMENT,
            "sector": W_SECTOR,
            "s3": W_S3,
            "language": W_LANGUAGE,
        }
        if profile.cooperation:
            weights["cooperation"] = W_COOPERATION
        if profile.target_countries:
            weights["target"] = W_TARGET
        return _Query(
            profile=profile,
            seeks=_Side(seeker_weights(seeks.divisions), seeks.keys),
            offers=offers,
            languages=languages,
            theme_mask=mask,
            priorities=priorities,
            weights=weights,
        )

    def _profile_side(self, text: str, lang: str) -> _Side:
        """Divisions and overlap keys of one of the SME's texts (its language is known)."""
        words = content_words(text, lang)
        divisions: dict[str, float] = {}
        if words:
            for scored in self.classifier.sector_scores(words, lang)[:MAX_TEXT_DIVISIONS]:
                if scored.score >= MIN_TEXT_SCORE:
                    divisions[division_of(scored.code)] = scored.score
        return _Side(divisions, frozenset(self._word(w)[1] for w in words))

    @staticmethod
    def _own_divisions(query: _Query) -> dict[str, float]:
        """The SME's own sectors: declared codes, else what its offer text says."""
        declared = {division_of(c): 1.0 for c in query.profile.nace}
        return declared or dict(query.offers.divisions)

    def _code_scores(
        self, postings: _Postings, wanted: Mapping[str, float], count: int
    ) -> FloatArray:
        scores = np.zeros(count, dtype=np.float32)
        for division, weight in wanted.items():
            rows = postings.rows_of(int(division))
            scores[rows] += np.float32(weight) * postings.weights_of(int(division))
        return np.minimum(scores, np.float32(1.0))

    def _sought_words(self, keys: Iterable[str], count: int) -> FloatArray:
        """Share of the SME's "seeks" words (by weight) found in each partner's offer."""
        scores = np.zeros(count, dtype=np.float32)
        total = 0.0
        for key in keys:
            feature = self._terms.get(key, -1)
            if self._offer_terms.count(feature):
                idf = self._offer_idf[feature]
                total += float(idf)
                scores[self._offer_terms.rows_of(feature)] += idf
        if total > 0:
            scores /= np.float32(total)
        return scores

    def _offered_words(self, keys: Iterable[str], count: int) -> FloatArray:
        """Share of each partner's "seeks" words (by weight) found in the SME's offer."""
        scores = np.zeros(count, dtype=np.float32)
        for key in keys:
            feature = self._terms.get(key, -1)
            if self._seek_terms.count(feature):
                scores[self._seek_terms.rows_of(feature)] += self._seek_idf[feature]
        np.divide(scores, self._seek_term_total, out=scores, where=self._seek_term_total > 0)
        return np.minimum(scores, np.float32(1.0))

    def _allowed_countries(self, profile: MatchProfile) -> npt.NDArray[np.bool_]:
        allowed = np.zeros(len(self._countries) + 1, dtype=bool)
        targets = {c.upper() for c in profile.target_countries}
        for code, index in self._countries.items():
            allowed[index] = code != profile.country.upper() and (not targets or code in targets)
        return allowed

    def _profile_themes(self, profile: MatchProfile, offers: _Side) -> tuple[int, tuple[str, ...]]:
        """The SME region's priorities its activity touches (by codes and by keywords)."""
        region = self.s3.resolve_region(profile.region, profile.country)
        if region is None:
            return 0, ()
        mask, ids = self._themes.relevant(region, (*profile.nace, *offers.divisions))
        words = content_words(profile.offers, profile.lang)
        extra = [
            p.id
            for p in self.classifier.priority_scores(words, profile.lang, ())
            if p.region == region.id and p.score >= KEYWORD_PRIORITY and p.id not in ids
        ]
        for priority_id in extra:
            priority = self.s3.priority(priority_id)
            if priority is not None:
                for theme in priority.themes:
                    mask |= self._themes.theme_bit.get(theme, 0)
        return mask, (*ids, *extra)

    def _bonus_parts(self, query: _Query, candidates: IntArray) -> dict[str, FloatArray]:
        parts: dict[str, FloatArray] = {}
        profile = query.profile
        if profile.cooperation:
            wanted = 0
            for kind in profile.cooperation:
                if kind in COOPERATION_TYPES:
                    wanted |= 1 << COOPERATION_TYPES.index(kind)
            hit = (self._coop[candidates] & np.uint8(wanted)) > 0
            parts["cooperation"] = hit.astype(np.float32)
        if profile.target_countries:
            parts["target"] = np.ones(len(candidates), dtype=np.float32)
        lang_mask = 0
        for lang in query.languages:
            if lang in self._languages:
                lang_mask |= 1 << self._languages[lang]
        hit = (self._langs[candidates] & np.uint64(lang_mask)) > 0
        parts["language"] = hit.astype(np.float32)
        shared = self._theme_mask[candidates] & np.uint16(query.theme_mask)
        several = (shared & (shared - np.uint16(1))) > 0
        parts["s3"] = np.where(several, 1.0, np.where(shared > 0, 0.7, 0.0)).astype(np.float32)
        return parts

    # ----------------------------------------------------------- explanation
    def _explain(self, query: _Query, row: int, score: float) -> Match:
        partner = self.partners[row]
        profile = query.profile
        total_weight = query.weight_total
        reasons: list[tuple[float, Reason]] = []
        p_offers = self.partner_offers(partner)
        p_seeks = self.partner_seeks(partner)
        a = self._direction(query.seeks, p_offers, partner.offers, self._offer_idf)
        b = self._direction(p_seeks, query.offers, partner.seeks, self._seek_idf)
        for (value, sectors, terms), kind, main in (
            (a, "offers_what_you_seek", a[0] >= b[0]),
            (b, "seeks_what_you_offer", b[0] > a[0]),
        ):
            if value > 0:
                share = MAIN_DIRECTION if main else 1 - MAIN_DIRECTION
                reason = Reason(kind, {"sectors": sectors, "terms": terms})
                reasons.append((W_COMPLEMENT * share * value / total_weight, reason))
        own = self._own_divisions(query)
        same = tuple(c for c in partner.nace if division_of(c) in own)
        if same:
            reasons.append((W_SECTOR / total_weight, Reason("same_sector", {"sectors": same})))
        common_coop = tuple(k for k in profile.cooperation if k in partner.cooperation)
        if common_coop:
            reason = Reason("cooperation", {"types": common_coop})
            reasons.append((W_COOPERATION / total_weight, reason))
        common_langs = tuple(lang for lang in query.languages if lang in partner.languages)
        if common_langs:
            reason = Reason("common_language", {"languages": common_langs})
            reasons.append((W_LANGUAGE / total_weight, reason))
        s3_reason = self._s3_reason(query, partner, p_offers)
        if s3_reason is not None:
            reasons.append(s3_reason)
        if partner.country in {c.upper() for c in profile.target_countries}:
            reason = Reason("target_country", {"country": partner.country})
            reasons.append((W_TARGET / total_weight, reason))
        reasons.sort(key=lambda item: -item[0])
        return Match(partner, round(min(1.0, max(0.0, score)), 4), tuple(r for _, r in reasons))

    def _direction(
        self, seeker: _Side, provider: _Side, partner_text: str, idf: FloatArray
    ) -> tuple[float, tuple[str, ...], tuple[str, ...]]:
        """How much of what ``seeker`` seeks ``provider`` offers: value, sectors, words.

        The words are the partner's own (from ``partner_text``) that carried the match.
        """
        shares = {
            d: w * provider.divisions[d]
            for d, w in seeker.divisions.items()
            if d in provider.divisions
        }
        code_value = min(1.0, sum(shares.values()))
        common = sorted(shares, key=lambda d: -shares[d])
        weight_of = {k: float(idf[f]) for k in seeker.keys if (f := self._terms.get(k, -1)) >= 0}
        shared = seeker.keys & provider.keys
        sought = sum(weight_of.get(k, 0.0) for k in seeker.keys)
        term_value = sum(weight_of.get(k, 0.0) for k in shared) / sought if sought else 0.0
        value = CODE_SHARE * code_value + (1 - CODE_SHARE) * min(1.0, term_value)
        declared = provider.declared or seeker.declared
        sectors = tuple(
            dict.fromkeys(
                code
                for division in common
                for code in ([c for c in declared if division_of(c) == division] or [division])
            )
        )
        words = set()
        for word in content_words(partner_text, None):
            divisions, key, _ = self._word(word)
            if key in shared or any(d in shares for d, _ in divisions):
                words.add(word)
        return value, sectors, _surface_words(partner_text, words)

    def _s3_reason(
        self, query: _Query, partner: Partner, offers: _Side
    ) -> tuple[float, Reason] | None:
        region = self.partner_region(partner)
        partner_mask, partner_ids = self._themes.relevant(
            region, (*partner.nace, *offers.divisions)
        )
        shared = query.theme_mask & partner_mask
        if not shared:
            return None
        themes = self._themes.themes(shared)
        priorities: list[str] = []
        for priority_id in dict.fromkeys((*query.priorities, *partner_ids)):
            priority = self.s3.priority(priority_id)
            if priority is not None and set(priority.themes) & set(themes):
                priorities.append(priority_id)
        value = 1.0 if len(themes) > 1 else 0.7
        reason = Reason("s3_alignment", {"themes": themes, "priorities": tuple(priorities)})
        return W_S3 * value / query.weight_total, reason


def _surface_words(text: str, wanted: set[str]) -> tuple[str, ...]:
    """The words of ``text`` as written whose canonical form is in ``wanted``."""
    found: dict[str, None] = {}
    for raw in text.split():
        stripped = raw.strip(".,;:!?()[]\"'«»„“”")
        if any(w in wanted for w in tokens(stripped)):
            found.setdefault(stripped.lower() if stripped.isupper() else stripped, None)
        if len(found) >= MAX_TERMS:
            break
    return tuple(found)
