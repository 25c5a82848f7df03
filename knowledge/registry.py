"""The partner registry: partners abroad that SMEs are matched with, imported from CSV or XLSX.

Registries come from regional agencies as spreadsheets, so an import checks every row and
column and reports *all* problems at once as (row, column, message), numbering rows as a
spreadsheet does (the header is row 1). Nothing is imported while any problem remains: a
half-imported registry would silently hide partners.

XLSX files are zip archives and are checked before parsing (entry count, declared sizes,
compression ratio) so that a zip bomb is refused without being inflated.
"""

from __future__ import annotations

import csv
import re
import warnings
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.lexicon import is_nace_code

HEADER = ("id", "name", "country", "region", "nace", "offers", "seeks", "cooperation", "languages")
REQUIRED = frozenset({"id", "name", "country", "nace", "offers", "cooperation", "languages"})
MAX_LENGTH = {
    "id": 32,
    "name": 200,
    "country": 2,
    "region": 100,
    "nace": 120,
    "offers": 2000,
    "seeks": 2000,
    "cooperation": 200,
    "languages": 100,
}
MAX_CODES = 10
COOPERATION_TYPES = (
    "commercial",
    "supplier",
    "outsourcing",
    "investment",
    "technical_assistance",
    "rd_cooperation",
    "licensing",
)
# The countries of the Interreg Baltic Sea Region programme: TIBS brokers within the BSR.
BSR_COUNTRIES = frozenset({"DE", "DK", "EE", "FI", "LT", "LV", "NO", "PL", "SE"})
# ISO 639-1 language codes (partners list the languages they work in, not only our eight).
ISO_639_1 = frozenset(
    " ".join(
        (
            "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr",
            "cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu",
            "gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk",
            "kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms",
            "mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro",
            "ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl",
            "tn to tr ts tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu",
        )
    ).split(" ")
)

MAX_CSV_BYTES = 200_000_000
MAX_XLSX_BYTES = 20_000_000
MAX_XLSX_UNCOMPRESSED = 200_000_000
MAX_XLSX_ENTRIES = 100
MAX_XLSX_RATIO = 100
_RATIO_EXEMPT_BYTES = 4096  # tiny parts compress badly or well; ratios mean nothing there

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Partner:
    """A potential partner abroad: what it offers and seeks, how and in which languages."""

    id: str
    name: str
    country: str
    region: str
    nace: tuple[str, ...]
    offers: str
    seeks: str
    cooperation: tuple[str, ...]
    languages: tuple[str, ...]


@dataclass(frozen=True)
class RowError:
    """One problem of an import, located as a spreadsheet shows it (header is row 1)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


class RegistryError(ValueError):
    """The registry file has problems; nothing was imported. ``errors`` lists them all."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def read_partners(path: Path, known_codes: Collection[str] = ()) -> list[Partner]:
    """Import a CSV or XLSX registry, raising :class:`RegistryError` with every problem."""
    partners, errors = check_partners(path, known_codes)
    if errors:
        raise RegistryError(errors)
    return partners


def check_partners(
    path: Path, known_codes: Collection[str] = ()
) -> tuple[list[Partner], list[RowError]]:
    """Validate a CSV or XLSX registry: (partners, []) or ([], every problem found)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        archive_errors = check_xlsx_archive(path)
        if archive_errors:
            return [], archive_errors
        return _checked(lambda: _xlsx_rows(path), known_codes)
    if suffix == ".csv":
        try:
            size = path.stat().st_size
        except OSError as exc:
            return [], [RowError(0, "file", f"cannot read: {exc.strerror or exc}")]
        if size > MAX_CSV_BYTES:
            return [], [RowError(0, "file", f"{size} bytes, more than {MAX_CSV_BYTES}")]
        return _checked(lambda: _csv_rows(path), known_codes)
    return [], [RowError(0, "file", f"unsupported file type {suffix!r}: use .csv or .xlsx")]


def parse_rows(
    rows: Iterable[Sequence[str]], known_codes: Collection[str] = ()
) -> tuple[list[Partner], list[RowError]]:
    """Validate rows (the first is the header): (partners, []) or ([], every problem)."""
    errors: list[RowError] = []
    partners: list[Partner] = []
    seen: dict[str, int] = {}
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        return [], [RowError(1, "header", "the file is empty")]
    found = tuple(cell.strip() for cell in header)
    if found != HEADER:
        return [], [
            RowError(1, "header", f"expected {','.join(HEADER)} but found {','.join(found)}")
        ]
    known = frozenset(known_codes)
    for number, record in enumerate(iterator, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(HEADER):
            errors.append(
                RowError(number, "*", f"expected {len(HEADER)} columns, found {len(record)}")
            )
            continue
        partner = _partner(number, record, known, seen, errors)
        if partner is not None:
            partners.append(partner)
    if not partners and not errors:
        errors.append(RowError(2, "*", "no partner rows after the header"))
    return ([], errors) if errors else (partners, [])


def _checked(
    rows: Callable[[], Iterable[Sequence[str]]], known_codes: Collection[str]
) -> tuple[list[Partner], list[RowError]]:
    try:
        return parse_rows(rows(), known_codes)
    except _FileProblem as problem:
        return [], [RowError(0, "file", str(problem))]


class _FileProblem(Exception):
    """The file cannot be read at all (encoding, CSV syntax, broken workbook)."""


def _partner(
    number: int,
    record: Sequence[str],
    known_codes: frozenset[str],
    seen: dict[str, int],
    errors: list[RowError],
) -> Partner | None:
    before = len(errors)
    values = dict(zip(HEADER, (cell.strip() for cell in record), strict=True))

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    for column in HEADER:
        value = values[column]
        if not value and column in REQUIRED:
            fail(column, "required, but empty")
        elif len(value) > MAX_LENGTH[column]:
            fail(column, f"{len(value)} characters, at most {MAX_LENGTH[column]} allowed")
        elif _CONTROL.search(value):
            fail(column, "contains control characters")
    partner_id = values["id"]
    if partner_id and not _ID.fullmatch(partner_id):
        fail("id", f"{partner_id!r}: use letters, digits, '.', '_' or '-'")
    elif partner_id:
        key = partner_id.casefold()
        if key in seen:
            fail("id", f"duplicate id {partner_id!r} (first on row {seen[key]})")
        else:
            seen[key] = number
    country = values["country"].upper()
    if country and country not in BSR_COUNTRIES:
        expected = ", ".join(sorted(BSR_COUNTRIES))
        fail("country", f"unknown country {values['country']!r}: expected one of {expected}")
    nace = _split(values["nace"])
    for code in nace:
        if code not in known_codes and not is_nace_code(code):
            fail("nace", f"{code!r} is not a NACE code (NN, NN.N or NN.NN of a real division)")
    if len(nace) > MAX_CODES:
        fail("nace", f"{len(nace)} codes, at most {MAX_CODES} allowed")
    cooperation = _split(values["cooperation"])
    for kind in cooperation:
        if kind not in COOPERATION_TYPES:
            expected = ", ".join(COOPERATION_TYPES)
            fail("cooperation", f"unknown cooperation type {kind!r}: expected one of {expected}")
    languages = tuple(lang.lower() for lang in _split(values["languages"]))
    for lang in languages:
        if lang not in ISO_639_1:
            fail("languages", f"{lang!r} is not an ISO 639-1 language code such as en or pl")
    if len(errors) > before:
        return None
    return Partner(
        id=partner_id,
        name=values["name"],
        country=country,
        region=values["region"],
        nace=nace,
        offers=values["offers"],
        seeks=values["seeks"],
        cooperation=cooperation,
        languages=languages,
    )


def _split(value: str) -> tuple[str, ...]:
    """The distinct non-empty items of a ';'-separated cell, in order."""
    return tuple(dict.fromkeys(item.strip() for item in value.split(";") if item.strip()))


def _csv_rows(path: Path) -> Iterator[list[str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from csv.reader(handle, strict=True)
    except UnicodeDecodeError as exc:
        raise _FileProblem(f"not UTF-8 text (byte {exc.start}): save the file as UTF-8") from exc
    except csv.Error as exc:
        raise _FileProblem(f"malformed CSV: {exc}") from exc
    except OSError as exc:
        raise _FileProblem(f"cannot read: {exc.strerror or exc}") from exc


def check_xlsx_archive(path: Path) -> list[RowError]:
    """Refuse an XLSX whose zip structure could exhaust memory, before anything is inflated.

    Checks the file size, the number of entries and, from the central directory, the
    declared uncompressed sizes and the compression ratios (per entry and overall).
    """

    def problem(message: str) -> list[RowError]:
        return [RowError(0, "file", message)]

    try:
        size = path.stat().st_size
    except OSError as exc:
        return problem(f"cannot read: {exc.strerror or exc}")
    if size > MAX_XLSX_BYTES:
        return problem(f"{size} bytes, more than the {MAX_XLSX_BYTES} allowed for XLSX")
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        return problem(f"not an XLSX workbook (zip archive): {exc}")
    if len(entries) > MAX_XLSX_ENTRIES:
        return problem(f"{len(entries)} entries in the archive, at most {MAX_XLSX_ENTRIES}")
    total = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries)
    if total > MAX_XLSX_UNCOMPRESSED:
        return problem(f"declares {total} bytes uncompressed, more than {MAX_XLSX_UNCOMPRESSED}")
    for entry in entries:
        if entry.file_size > _RATIO_EXEMPT_BYTES and (
            entry.compress_size == 0 or entry.file_size > MAX_XLSX_RATIO * entry.compress_size
        ):
            return problem(
                f"entry {entry.filename!r} expands more than {MAX_XLSX_RATIO}:1 (zip bomb?)"
            )
    if total > _RATIO_EXEMPT_BYTES and total > MAX_XLSX_RATIO * max(packed, 1):
        return problem(f"the archive expands more than {MAX_XLSX_RATIO}:1 (zip bomb?)")
    return []


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it ignores (styles, extensions): irrelevant.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise _FileProblem(f"cannot read the workbook: {exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            cells = list(row)
            while cells and cells[-1] is None:
                cells.pop()
            yield [_cell_text(value) for value in cells]
    except Exception as exc:  # a sheet can still be malformed once it is read lazily
        raise _FileProblem(f"cannot read the workbook: {exc}") from exc
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
