"""Knowledge-base sub-commands: classify, match, kb ..., bench match, eval classify.

Thin adapters over :mod:`knowledge`: they parse arguments, load what the command needs and
print either a readable table or JSON (``--json``) for scripts. Heavy imports happen inside
the command functions so ``tibs --help`` stays fast. Exit status: 0 fine, 1 the data has
problems, 2 the command was used wrongly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.classify import Classifier
    from knowledge.match import Match, MatchProfile

PROFILE_FIELDS = ("lang", "country", "offers", "seeks", "cooperation", "target_countries")


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the knowledge-base commands."""
    classify = subparsers.add_parser("classify", help="NACE codes and S3 priorities of a text")
    classify.add_argument("text", help="what the SME does, in its own words")
    classify.add_argument("--lang", default=None, help="language of the text (default: any)")
    classify.add_argument("--nace-dir", type=Path, default=None, help="Eurostat NACE folder")
    _kb_dir_option(classify)
    classify.add_argument("--top", type=int, default=5, help="how many proposals (default 5)")
    classify.add_argument("--json", action="store_true", help="print JSON")
    classify.set_defaults(handler=cmd_classify)

    match = subparsers.add_parser("match", help="cross-border partners for an SME profile")
    match.add_argument("--registry", type=Path, required=True, help="partners CSV or XLSX")
    match.add_argument("--profile", type=Path, required=True, help="SME profile JSON")
    match.add_argument("--top", type=int, default=5, help="how many partners (default 5)")
    _kb_dir_option(match)
    match.add_argument("--json", action="store_true", help="print JSON")
    match.set_defaults(handler=cmd_match)

    kb = subparsers.add_parser("kb", help="knowledge-base data: import and validation")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    nace = kb_sub.add_parser("import-nace", help="import official Eurostat NACE labels")
    nace.add_argument("dir", type=Path, help="folder with NACE_REV2_<lang>.csv files")
    _kb_dir_option(nace)
    nace.set_defaults(handler=cmd_import_nace)
    check = kb_sub.add_parser("check-partners", help="validate a partner registry CSV/XLSX")
    check.add_argument("file", type=Path)
    check.set_defaults(handler=cmd_check_partners)
    validate = kb_sub.add_parser("validate", help="validate the built-in data files")
    validate.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)
    validate.set_defaults(handler=cmd_validate)

    bench = subparsers.add_parser("bench", help="benchmarks")
    bench_sub = bench.add_subparsers(dest="bench_command", required=True)
    bench_match = bench_sub.add_parser("match", help="matcher speed on synthetic registries")
    bench_match.add_argument("--sizes", default="10000,100000,1000000", help="registry sizes")
    bench_match.add_argument("--queries", type=int, default=200, help="queries per size")
    bench_match.add_argument("--seed", type=int, default=2024)
    bench_match.add_argument("--json", action="store_true", help="print JSON at the end")
    bench_match.set_defaults(handler=cmd_bench_match)

    evaluate = subparsers.add_parser("eval", help="quality measurements")
    eval_sub = evaluate.add_subparsers(dest="eval_command", required=True)
    eval_classify = eval_sub.add_parser("classify", help="hit@1, hit@3, MRR of the classifier")
    eval_classify.add_argument("--file", type=Path, default=None, help="labelled JSONL set")
    eval_classify.add_argument("--nace-dir", type=Path, default=None, help="Eurostat folder")
    eval_classify.add_argument("--misses", action="store_true", help="list the misses")
    eval_classify.add_argument("--json", action="store_true", help="print JSON")
    eval_classify.set_defaults(handler=cmd_eval_classify)


def _kb_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kb-dir",
        type=Path,
        default=None,
        help="knowledge-base overlay directory (default $TIBS_KB_DIR or ./var/kb)",
    )


def kb_dir(args: argparse.Namespace) -> Path:
    """The overlay directory: --kb-dir, else $TIBS_KB_DIR, else ./var/kb."""
    given: Path | None = args.kb_dir
    return given or Path(os.environ.get("TIBS_KB_DIR") or "var/kb")


def _error(message: str) -> None:
    print(f"tibs: {message}", file=sys.stderr)


def _classifier(nace_dir: Path | None, overlay: Path | None) -> Classifier:
    """The classifier of the built-in data, with official labels from a folder or overlay."""
    from knowledge.base import default_data_dir
    from knowledge.classify import Classifier
    from knowledge.lexicon import load_lexicon
    from knowledge.nace_import import NaceLabels, load_nace_labels, read_eurostat_dir
    from knowledge.s3 import S3_FILE, load_s3

    data = default_data_dir()
    official: NaceLabels | None = None
    if nace_dir is not None:
        official = read_eurostat_dir(nace_dir)
    elif overlay is not None:
        official = load_nace_labels(overlay)
    return Classifier(load_lexicon(data), load_s3(data / S3_FILE), official)


def cmd_classify(args: argparse.Namespace) -> int:
    """Print the NACE codes and S3 priorities proposed for a text."""
    from knowledge.nace_import import NaceImportError

    try:
        classifier = _classifier(args.nace_dir, kb_dir(args))
    except (NaceImportError, ValueError) as exc:
        _error(str(exc))
        return 1
    result = classifier.classify(args.text, args.lang, top=max(1, args.top))
    if args.json:
        document = {
            "nace": [{"code": c.code, "score": c.score} for c in result.nace],
            "s3": [{"id": p.id, "score": p.score, "region": p.region} for p in result.s3],
        }
        print(json.dumps(document, ensure_ascii=False))
        return 0
    lang = args.lang or "en"
    print(f"{'NACE':<8}{'score':>7}  label")
    for code in result.nace:
        label = classifier.lexicon.label(code.code, lang) or ""
        print(f"{code.code:<8}{code.score:>7.2f}  {label}")
    print(f"\n{'S3 priority':<45}{'region':<8}{'score':>7}")
    for priority in result.s3:
        print(f"{priority.id:<45}{priority.region:<8}{priority.score:>7.2f}")
    return 0


def read_profile(path: Path) -> MatchProfile:
    """Read an SME profile JSON; ValueError names the field that is wrong."""
    from knowledge.match import MatchProfile

    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: must be a JSON object")
    missing = [name for name in PROFILE_FIELDS if name not in raw]
    if missing:
        raise ValueError(f"{path}: missing field(s) {', '.join(missing)}")

    def text(name: str) -> str:
        value = raw.get(name)
        if not isinstance(value, str):
            raise ValueError(f"{path}: {name}: must be a string")
        return value

    def texts(name: str) -> tuple[str, ...]:
        value = raw.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{path}: {name}: must be a list of strings")
        return tuple(value)

    region = raw.get("region")
    if region is not None and not isinstance(region, str):
        raise ValueError(f"{path}: region: must be a string")
    return MatchProfile(
        lang=text("lang"),
        country=text("country").upper(),
        offers=text("offers"),
        seeks=text("seeks"),
        cooperation=texts("cooperation"),
        target_countries=tuple(c.upper() for c in texts("target_countries")),
        nace=texts("nace"),
        languages=texts("languages"),
        region=region,
    )


def match_document(matches: Sequence[Match]) -> dict[str, Any]:
    """The JSON form of matches: ids, scores and reasons as {kind, params} objects."""

    def plain(params: Mapping[str, object]) -> dict[str, object]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}

    return {
        "matches": [
            {
                "id": m.partner.id,
                "score": m.score,
                "reasons": [{"kind": r.kind, "params": plain(r.params)} for r in m.reasons],
            }
            for m in matches
        ]
    }


def cmd_match(args: argparse.Namespace) -> int:
    """Print the best cross-border partners of a registry for an SME profile."""
    from knowledge.match import Matcher
    from knowledge.nace_import import NaceImportError
    from knowledge.registry import check_partners

    try:
        profile = read_profile(args.profile)
    except ValueError as exc:
        _error(str(exc))
        return 2
    try:
        classifier = _classifier(None, kb_dir(args))
    except (NaceImportError, ValueError) as exc:
        _error(str(exc))
        return 1
    partners, errors = check_partners(args.registry, classifier.lexicon.codes)
    if errors:
        for error in errors:
            _error(f"{args.registry.name}: {error}")
        return 1
    matches = Matcher(partners, classifier, classifier.s3).match(profile, max(1, args.top))
    if args.json:
        print(json.dumps(match_document(matches), ensure_ascii=False))
        return 0
    for rank, found in enumerate(matches, start=1):
        partner = found.partner
        print(f"{rank}. {partner.id}  {partner.name} ({partner.country})  score {found.score:.2f}")
        for reason in found.reasons:
            params = ", ".join(
                f"{k}={'/'.join(v) if isinstance(v, tuple) else v}"
                for k, v in reason.params.items()
            )
            print(f"     {reason.kind}: {params}")
    if not matches:
        print("no cross-border partner matches this profile")
    return 0


def cmd_import_nace(args: argparse.Namespace) -> int:
    """Validate a Eurostat NACE folder and write its labels into the overlay."""
    from knowledge.nace_import import NaceImportError, read_eurostat_dir, write_nace_labels

    try:
        labels = read_eurostat_dir(args.dir)
    except NaceImportError as exc:
        for problem in exc.problems:
            _error(problem)
        return 1
    target = write_nace_labels(labels, kb_dir(args))
    for lang, count in labels.counts().items():
        print(f"{lang}: {count} labels")
    print(f"written to {target}")
    return 0


def cmd_check_partners(args: argparse.Namespace) -> int:
    """Validate a registry file and print every problem."""
    from knowledge.base import default_data_dir
    from knowledge.lexicon import LexiconError, load_lexicon
    from knowledge.registry import check_partners

    try:
        codes = load_lexicon(default_data_dir()).codes
    except LexiconError:
        codes = frozenset()
    partners, errors = check_partners(args.file, codes)
    for error in errors:
        print(error)
    if errors:
        print(f"{len(errors)} problem(s); nothing would be imported")
        return 1
    print(f"{len(partners)} partners, no problems")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the built-in lexicon, S3 priorities and partner registry."""
    from knowledge.base import PARTNERS_FILE, default_data_dir
    from knowledge.lexicon import LexiconError, load_lexicon, missing_divisions
    from knowledge.registry import check_partners
    from knowledge.s3 import S3_FILE, S3DataError, load_s3

    data: Path = args.data_dir or default_data_dir()
    problems: list[str] = []
    codes: frozenset[str] = frozenset()
    try:
        lexicon = load_lexicon(data)
        codes = lexicon.codes
        missing = missing_divisions(lexicon)
        if missing:
            problems.append(
                f"sector lexicon: NACE divisions without an entry: {', '.join(missing)}"
            )
        print(f"sector lexicon: {len(lexicon.entries)} codes")
    except LexiconError as exc:
        problems.extend(exc.problems)
    try:
        s3 = load_s3(data / S3_FILE)
        count = sum(len(r.priorities) for r in s3.regions)
        print(f"{S3_FILE}: {len(s3.themes)} themes, {len(s3.regions)} regions, {count} priorities")
    except S3DataError as exc:
        problems.extend(exc.problems)
    partners, errors = check_partners(data / PARTNERS_FILE, codes)
    problems.extend(f"{PARTNERS_FILE}: {error}" for error in errors)
    if not errors:
        print(f"{PARTNERS_FILE}: {len(partners)} partners")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def cmd_bench_match(args: argparse.Namespace) -> int:
    """Benchmark the matcher on synthetic registries, and the knowledge base's start-up."""
    from knowledge.base import load_knowledge_base
    from knowledge.bench import measure_load, run_match_bench

    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        _error("--sizes takes comma-separated integers, e.g. 10000,100000")
        return 2
    load = measure_load()
    print("load_knowledge_base (fresh process): " + json.dumps(load))
    kb = load_knowledge_base()
    results = run_match_bench(
        kb.lexicon, kb.s3, kb.classifier, sizes, queries=max(1, args.queries), seed=args.seed
    )
    header = (
        f"{'partners':>10} {'build s':>8} {'rows/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'RSS MB':>7} {'scan p50':>9} {'scan p95':>9}"
    )
    print(header)
    for r in results:
        scan50 = f"{r.baseline_p50_ms:.1f}" if r.baseline_p50_ms is not None else "-"
        scan95 = f"{r.baseline_p95_ms:.1f}" if r.baseline_p95_ms is not None else "-"
        print(
            f"{r.size:>10} {r.build_seconds:>8.2f} {r.rows_per_second:>9.0f} {r.p50_ms:>8.2f} "
            f"{r.p95_ms:>8.2f} {r.peak_rss_mb:>7.0f} {scan50:>9} {scan95:>9}"
        )
    if args.json:
        print(json.dumps({"load": load, "sizes": [r.__dict__ for r in results]}))
    return 0


def cmd_eval_classify(args: argparse.Namespace) -> int:
    """Print hit@1, hit@3 and MRR overall and per language on the labelled set."""
    from knowledge.bench import evaluate_classifier, load_eval_cases

    path: Path = (
        args.file or Path(__file__).resolve().parent.parent / "tests/data/classify_eval.jsonl"
    )
    try:
        cases = load_eval_cases(path)
    except (OSError, ValueError) as exc:
        _error(str(exc))
        return 2
    classifier = _classifier(args.nace_dir, None)
    scores = evaluate_classifier(classifier, cases)
    if args.json:
        document = {
            key: {"cases": s.cases, "hit@1": s.hit1, "hit@3": s.hit3, "mrr": s.mrr}
            for key, s in scores.items()
        }
        print(json.dumps(document))
        return 0
    print(f"{'lang':<6}{'cases':>6}{'hit@1':>8}{'hit@3':>8}{'MRR':>8}")
    for key, s in scores.items():
        print(f"{key:<6}{s.cases:>6}{s.hit1:>8.3f}{s.hit3:>8.3f}{s.mrr:>8.3f}")
    if args.misses:
        for key, s in scores.items():
            for miss in s.misses:
                print(f"[{key}] {miss}")
    return 0
