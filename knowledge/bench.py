"""Benchmarks and quality measurements of the knowledge base (never timed in tests).

* :func:`run_match_bench` - synthetic registries (10k, 100k, 1M partners; deterministic
  seed; texts composed from lexicon terms in all eight languages): index build rate, query
  latency percentiles, peak RSS, and a plain rapidfuzz full-scan baseline for comparison.
* :func:`measure_load` - time and memory of :func:`knowledge.base.load_knowledge_base` in a
  fresh interpreter, against the bot's budget (ready in < 2 s, < 300 MB).
* :func:`evaluate_classifier` - hit@1, hit@3 and MRR of the classifier on a labelled set.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.classify import Classifier
from knowledge.lexicon import Lexicon
from knowledge.match import Matcher, MatchProfile
from knowledge.normalize import LANGS
from knowledge.registry import COOPERATION_TYPES, Partner
from knowledge.s3 import S3Catalog

COUNTRIES = ("PL", "LV", "EE", "LT", "FI", "DE", "DK")
COUNTRY_LANG = {"PL": "pl", "LV": "lv", "EE": "et", "LT": "lt", "FI": "fi", "DE": "de", "DK": "da"}
REGIONS = {
    "PL": ("Podlaskie", "Mazowieckie", "Pomorskie"),
    "LV": ("Vidzeme", "Rīga", "Kurzeme"),
    "EE": ("Valgamaa", "Tartumaa", "Harjumaa"),
    "LT": ("Vilnius", "Kaunas", "Klaipėda"),
    "FI": ("Kymenlaakso", "Uusimaa", "Pirkanmaa"),
    "DE": ("Hamburg", "Niedersachsen", "Schleswig-Holstein"),
    "DK": ("Syddanmark", "Midtjylland", "Hovedstaden"),
}
# Sentence frames per language: what an SME writes around its sector words.
OFFER_FRAMES = {
    "en": "We offer {} and {} for customers in {}",
    "pl": "Oferujemy {} oraz {} dla klientów z regionu {}",
    "lv": "Piedāvājam {} un {} klientiem no {}",
    "et": "Pakume {} ja {} klientidele piirkonnas {}",
    "lt": "Siūlome {} ir {} klientams iš {}",
    "fi": "Tarjoamme {} ja {} asiakkaille alueella {}",
    "de": "Wir bieten {} und {} für Kunden in {}",
    "da": "Vi tilbyder {} og {} til kunder i {}",
}
SEEK_FRAMES = {
    "en": "Looking for partners in {} and {}",
    "pl": "Szukamy partnerów: {} i {}",
    "lv": "Meklējam partnerus: {} un {}",
    "et": "Otsime partnereid: {} ja {}",
    "lt": "Ieškome partnerių: {} ir {}",
    "fi": "Etsimme kumppaneita: {} ja {}",
    "de": "Wir suchen Partner für {} und {}",
    "da": "Vi søger partnere inden for {} og {}",
}


# --------------------------------------------------------------------------- generation
class RegistryGenerator:
    """Deterministic synthetic partners whose texts are built from lexicon terms."""

    def __init__(self, lexicon: Lexicon, seed: int = 2024) -> None:
        self.random = random.Random(seed)
        self.codes = sorted(lexicon.codes)
        self.terms = {
            code: {lang: entry.terms.get(lang, ()) or ("-",) for lang in LANGS}
            for code, entry in lexicon.entries.items()
        }

    def _term(self, code: str, lang: str) -> str:
        return self.random.choice(self.terms[code][lang])

    def partner(self, number: int) -> Partner:
        """The ``number``-th synthetic partner."""
        rnd = self.random
        country = rnd.choice(COUNTRIES)
        lang = COUNTRY_LANG[country] if rnd.random() < 0.6 else rnd.choice(LANGS)
        own = rnd.sample(self.codes, rnd.randint(1, 3))
        wanted = rnd.sample(self.codes, 2)
        region = rnd.choice(REGIONS[country])
        offers = OFFER_FRAMES[lang].format(
            self._term(own[0], lang), self._term(own[-1], lang), region
        )
        seeks = SEEK_FRAMES[lang].format(self._term(wanted[0], lang), self._term(wanted[1], lang))
        languages = tuple(dict.fromkeys((COUNTRY_LANG[country], "en", rnd.choice(LANGS))))
        return Partner(
            id=f"G{number:07d}",
            name=f"Synthetic {number}",
            country=country,
            region=region,
            nace=tuple(own),
            offers=offers,
            seeks=seeks,
            cooperation=tuple(rnd.sample(COOPERATION_TYPES, rnd.randint(1, 3))),
            languages=languages,
        )

    def registry(self, size: int) -> list[Partner]:
        """``size`` partners."""
        return [self.partner(n) for n in range(size)]

    def profile(self) -> MatchProfile:
        """A synthetic SME profile (its texts in its own language)."""
        rnd = self.random
        country = rnd.choice(COUNTRIES)
        lang = COUNTRY_LANG[country]
        own, wanted = rnd.sample(self.codes, 2)
        return MatchProfile(
            lang=lang,
            country=country,
            offers=OFFER_FRAMES[lang].format(
                self._term(own, lang), self._term(own, lang), REGIONS[country][0]
            ),
            seeks=SEEK_FRAMES[lang].format(self._term(wanted, lang), self._term(wanted, lang)),
            cooperation=tuple(rnd.sample(COOPERATION_TYPES, 2)),
            target_countries=tuple(rnd.sample([c for c in COUNTRIES if c != country], 3)),
            nace=(own,),
            languages=("en",),
            region=REGIONS[country][0],
        )


# --------------------------------------------------------------------------- match bench
@dataclass
class SizeResult:
    """Figures for one registry size."""

    size: int
    build_seconds: float
    rows_per_second: float
    p50_ms: float
    p95_ms: float
    peak_rss_mb: float
    baseline_p50_ms: float | None = None
    baseline_p95_ms: float | None = None


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` (0-1) percentile, nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(call: Callable[[MatchProfile], object], items: Iterable[MatchProfile]) -> list[float]:
    times: list[float] = []
    for item in items:
        start = time.perf_counter()
        call(item)
        times.append((time.perf_counter() - start) * 1000)
    return times


def run_match_bench(
    lexicon: Lexicon,
    s3: S3Catalog,
    classifier: Classifier,
    sizes: Sequence[int],
    queries: int = 200,
    baseline_limit: int = 100_000,
    baseline_queries: int = 20,
    seed: int = 2024,
    report: Callable[[str], None] = print,
) -> list[SizeResult]:
    """Index and query synthetic registries of each size; compare with a rapidfuzz scan."""
    from rapidfuzz import fuzz, process

    results: list[SizeResult] = []
    for size in sizes:
        generator = RegistryGenerator(lexicon, seed)
        report(f"size {size}: generating ...")
        partners = generator.registry(size)
        start = time.perf_counter()
        matcher = Matcher(partners, classifier, s3)
        build = time.perf_counter() - start
        profiles = [generator.profile() for _ in range(queries)]
        matcher.match(profiles[0])  # warm the word caches once, as a running bot would be
        times = _timed(matcher.match, profiles)
        result = SizeResult(
            size=size,
            build_seconds=round(build, 2),
            rows_per_second=round(size / build),
            p50_ms=round(percentile(times, 0.5), 2),
            p95_ms=round(percentile(times, 0.95), 2),
            peak_rss_mb=round(peak_rss_mb()),
        )
        if size <= baseline_limit:
            texts = [f"{p.offers} {p.seeks}" for p in partners]

            def scan(profile: MatchProfile, texts: list[str] = texts) -> object:
                query = f"{profile.offers} {profile.seeks}"
                return process.extract(query, texts, scorer=fuzz.token_set_ratio, limit=5)

            base = _timed(scan, profiles[:baseline_queries])
            result.baseline_p50_ms = round(percentile(base, 0.5), 1)
            result.baseline_p95_ms = round(percentile(base, 0.95), 1)
        report(json.dumps(result.__dict__))
        results.append(result)
        del matcher, partners
    return results


def measure_load(data_dir: Path | None = None, overlay_dir: Path | None = None) -> dict[str, float]:
    """Start-up cost of the knowledge base, measured in a fresh Python process."""
    script = (
        "import json, resource, sys, time\n"
        "t0 = time.perf_counter()\n"
        "from pathlib import Path\n"
        "from knowledge.base import load_knowledge_base\n"
        "t1 = time.perf_counter()\n"
        "args = [Path(a) if a else None for a in sys.argv[1:3]]\n"
        "kb = load_knowledge_base(args[0], args[1])\n"
        "t2 = time.perf_counter()\n"
        "kb.classifier.classify('we produce furniture', 'en')\n"
        "print(json.dumps({'import_s': round(t1 - t0, 3), 'load_s': round(t2 - t1, 3),"
        " 'total_s': round(t2 - t0, 3), 'partners': len(kb.partners),"
        " 'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, str(data_dir or ""), str(overlay_dir or "")],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    figures: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return figures


# --------------------------------------------------------------------------- evaluation
@dataclass(frozen=True)
class EvalCase:
    """One labelled query: language, text and the acceptable codes."""

    lang: str
    text: str
    expected: tuple[str, ...]


@dataclass
class EvalScores:
    """hit@1, hit@3 and MRR over a set of cases."""

    cases: int = 0
    hits1: int = 0
    hits3: int = 0
    reciprocal: float = 0.0
    misses: list[str] = field(default_factory=list)

    @property
    def hit1(self) -> float:
        """Share of cases whose first proposal is right."""
        return self.hits1 / self.cases if self.cases else 0.0

    @property
    def hit3(self) -> float:
        """Share of cases with a right proposal among the first three."""
        return self.hits3 / self.cases if self.cases else 0.0

    @property
    def mrr(self) -> float:
        """Mean reciprocal rank of the first right proposal (0 when none in the top 10)."""
        return self.reciprocal / self.cases if self.cases else 0.0


def load_eval_cases(path: Path) -> list[EvalCase]:
    """Read a JSONL evaluation set: {"lang", "text", "expected": [codes]} per line."""
    cases: list[EvalCase] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        raw = json.loads(line)
        if (
            not isinstance(raw, dict)
            or raw.get("lang") not in LANGS
            or not isinstance(raw.get("text"), str)
            or not isinstance(raw.get("expected"), list)
            or not raw["expected"]
        ):
            raise ValueError(f"{path.name}: line {number}: needs lang, text and expected codes")
        cases.append(EvalCase(raw["lang"], raw["text"], tuple(raw["expected"])))
    return cases


def code_hits(predicted: str, expected: str) -> bool:
    """Whether a proposal matches an expected code (divisions compare at division level)."""
    if len(expected) == 2:
        return predicted[:2] == expected
    return predicted == expected


def evaluate_classifier(classifier: Classifier, cases: Iterable[EvalCase]) -> dict[str, EvalScores]:
    """Scores per language and overall (key "all")."""
    scores: dict[str, EvalScores] = {"all": EvalScores()}
    for case in cases:
        found = [c.code for c in classifier.classify(case.text, case.lang, top=10).nace]
        rank = next(
            (
                i
                for i, code in enumerate(found, 1)
                if any(code_hits(code, e) for e in case.expected)
            ),
            None,
        )
        for key in ("all", case.lang):
            bucket = scores.setdefault(key, EvalScores())
            bucket.cases += 1
            bucket.hits1 += rank == 1
            bucket.hits3 += rank is not None and rank <= 3
            bucket.reciprocal += 1.0 / rank if rank else 0.0
            if key == case.lang and (rank is None or rank > 3):
                bucket.misses.append(f"{case.text!r}: expected {case.expected}, got {found[:3]}")
    return scores
