"""Import of the official Eurostat NACE Rev. 2 labels (eight languages) into the overlay.

The official texts are reference data we may not ship, so an admin points ``tibs kb
import-nace`` at a folder of Eurostat exports (``NACE_REV2_<lang>.csv``); the labels are
validated and written as ``nace_labels.json`` into the knowledge-base overlay directory,
where :func:`knowledge.base.load_knowledge_base` picks them up for labels and classification.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.normalize import LANGS

OVERLAY_FILE = "nace_labels.json"
OVERLAY_FORMAT = 1
MAX_FILE_BYTES = 20_000_000
MAX_LABEL_LENGTH = 400
EXPECTED_PER_LEVEL = {1: 21, 2: 88, 3: 272, 4: 615}

_CODE_BY_LEVEL = {
    1: re.compile(r"[A-U]"),
    2: re.compile(r"\d{2}"),
    3: re.compile(r"\d{2}\.\d"),
    4: re.compile(r"\d{2}\.\d{2}"),
}
_COLUMNS = ("Level", "Code", "Description")


class NaceImportError(ValueError):
    """The Eurostat folder or the overlay file is unusable; one line per problem."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


def eurostat_file_name(lang: str) -> str:
    """The Eurostat export's file name for ``lang``."""
    return f"NACE_REV2_{lang}.csv"


def code_level(code: str) -> int | None:
    """NACE level of a code: 1 section, 2 division, 3 group, 4 class; None if malformed."""
    for level, pattern in _CODE_BY_LEVEL.items():
        if pattern.fullmatch(code):
            return level
    return None


@dataclass(frozen=True)
class NaceLabels:
    """Official NACE labels: {code: {lang: label}} for sections, divisions, groups, classes."""

    labels: Mapping[str, Mapping[str, str]]

    def label(self, code: str, lang: str) -> str | None:
        """The official label of ``code`` in ``lang``, if present."""
        return self.labels.get(code, {}).get(lang)

    def counts(self) -> dict[str, int]:
        """Number of labelled codes per language."""
        counts: Counter[str] = Counter()
        for per_lang in self.labels.values():
            counts.update(per_lang.keys())
        return {lang: counts[lang] for lang in LANGS if counts[lang]}


def read_eurostat_dir(folder: Path) -> NaceLabels:
    """Read and validate the eight ``NACE_REV2_<lang>.csv`` files of a Eurostat export."""
    problems: list[str] = []
    per_lang: dict[str, dict[str, tuple[int, str]]] = {}
    if not folder.is_dir():
        raise NaceImportError([f"{folder}: not a directory"])
    for lang in LANGS:
        rows = _read_language_file(folder / eurostat_file_name(lang), problems)
        if rows is not None:
            per_lang[lang] = rows
    if "en" in per_lang:
        reference = per_lang["en"]
        levels = Counter(level for level, _ in reference.values())
        for level, expected in EXPECTED_PER_LEVEL.items():
            if levels[level] != expected:
                problems.append(
                    f"{eurostat_file_name('en')}: {levels[level]} codes at level {level}, "
                    f"NACE Rev. 2 has {expected}"
                )
        for lang, rows in per_lang.items():
            missing = sorted(set(reference) - set(rows))
            extra = sorted(set(rows) - set(reference))
            if missing:
                problems.append(
                    f"{eurostat_file_name(lang)}: codes missing compared with English: "
                    f"{_sample(missing)}"
                )
            if extra:
                problems.append(
                    f"{eurostat_file_name(lang)}: codes not in the English file: {_sample(extra)}"
                )
            for code in sorted(set(reference) & set(rows)):
                if rows[code][0] != reference[code][0]:
                    problems.append(
                        f"{eurostat_file_name(lang)}: code {code}: level {rows[code][0]} "
                        f"differs from English level {reference[code][0]}"
                    )
    if problems:
        raise NaceImportError(problems)
    labels: dict[str, dict[str, str]] = {}
    for lang, rows in per_lang.items():
        for code, (_, text) in rows.items():
            labels.setdefault(code, {})[lang] = text
    return NaceLabels(dict(sorted(labels.items())))


def _read_language_file(path: Path, problems: list[str]) -> dict[str, tuple[int, str]] | None:
    name = path.name
    try:
        size = path.stat().st_size
    except OSError:
        problems.append(f"{name}: missing")
        return None
    if size > MAX_FILE_BYTES:
        problems.append(f"{name}: {size} bytes, more than the {MAX_FILE_BYTES} allowed")
        return None
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_FILE_BYTES)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        problems.append(f"{name}: cannot read as UTF-8 CSV: {exc}")
        return None
    finally:
        csv.field_size_limit(previous_limit)
    if not records:
        problems.append(f"{name}: empty file")
        return None
    header = [cell.strip() for cell in records[0]]
    positions: list[int] = []
    for column in _COLUMNS:
        if column not in header:
            problems.append(f"{name}: header has no {column!r} column")
        else:
            positions.append(header.index(column))
    if len(positions) != len(_COLUMNS):
        return None
    rows: dict[str, tuple[int, str]] = {}
    before = len(problems)
    for line, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) <= max(positions):
            problems.append(f"{name}: row {line}: only {len(record)} columns")
            continue
        raw_level, code, text = (record[i].strip() for i in positions)
        level = int(raw_level) if raw_level in {"1", "2", "3", "4"} else None
        if level is None:
            problems.append(f"{name}: row {line}: Level {raw_level!r} is not 1-4")
        elif not _CODE_BY_LEVEL[level].fullmatch(code):
            problems.append(f"{name}: row {line}: Code {code!r} is not a level-{level} code")
        elif code in rows:
            problems.append(f"{name}: row {line}: Code {code} appears twice")
        elif not text:
            problems.append(f"{name}: row {line}: Description of {code} is empty")
        elif len(text) > MAX_LABEL_LENGTH:
            problems.append(f"{name}: row {line}: Description of {code} is over-long")
        else:
            rows[code] = (level, " ".join(text.split()))
        if len(problems) - before >= 20:
            problems.append(f"{name}: too many errors, stopped at row {line}")
            return None
    return rows if len(problems) == before else None


def _sample(codes: list[str]) -> str:
    shown = ", ".join(codes[:10])
    return shown if len(codes) <= 10 else f"{shown} and {len(codes) - 10} more"


def write_nace_labels(labels: NaceLabels, overlay_dir: Path) -> Path:
    """Write the labels as the overlay's ``nace_labels.json`` (atomically) and return its path."""
    overlay_dir.mkdir(parents=True, exist_ok=True)
    target = overlay_dir / OVERLAY_FILE
    document = {
        "format": OVERLAY_FORMAT,
        "source": "Eurostat, NACE Rev. 2",
        "labels": labels.labels,
    }
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, ensure_ascii=False, indent=0), encoding="utf-8")
    temporary.replace(target)
    return target


def load_nace_labels(overlay_dir: Path) -> NaceLabels | None:
    """The overlay's imported labels, or None when no import has been made."""
    path = overlay_dir / OVERLAY_FILE
    if not path.is_file():
        return None
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NaceImportError([f"{path}: cannot read JSON: {exc}"]) from exc
    if not isinstance(document, dict) or document.get("format") != OVERLAY_FORMAT:
        raise NaceImportError([f"{path}: not a format-{OVERLAY_FORMAT} NACE labels file"])
    raw = document.get("labels")
    if not isinstance(raw, dict):
        raise NaceImportError([f"{path}: labels: must be an object"])
    problems: list[str] = []
    labels: dict[str, dict[str, str]] = {}
    for code, per_lang in raw.items():
        if code_level(code) is None:
            problems.append(f"{path}: labels.{code}: not a NACE code")
        elif not isinstance(per_lang, dict) or not all(
            lang in LANGS and isinstance(text, str) and text for lang, text in per_lang.items()
        ):
            problems.append(f"{path}: labels.{code}: must map known languages to texts")
        else:
            labels[code] = dict(per_lang)
    if problems:
        raise NaceImportError(problems)
    return NaceLabels(labels)
