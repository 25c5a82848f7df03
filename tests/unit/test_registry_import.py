"""Partner registry import: CSV and XLSX, every problem reported, zip bombs refused."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from knowledge.base import default_data_dir
from knowledge.registry import (
    HEADER,
    MAX_XLSX_ENTRIES,
    Partner,
    RegistryError,
    RowError,
    check_partners,
    parse_rows,
    read_partners,
)

GOOD = [
    list(HEADER),
    [
        "PL-1",
        "Kasztel Meble",
        "PL",
        "Podlaskie",
        "31.09;16.23",
        "Oak furniture",
        "Retail chains in Germany",
        "commercial;licensing",
        "pl;en;de",
    ],
    ["DK-1", "Fyn Design", "dk", "", "74.10", "Furniture design", "", "commercial", "da;EN"],
]


def write_csv(path: Path, rows: list[list[str]], bom: bool = False) -> Path:
    import csv

    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_builtin_registry_imports() -> None:
    partners = read_partners(default_data_dir() / "partners.csv")
    assert len(partners) >= 180
    assert {p.country for p in partners} == {"PL", "LV", "EE", "LT", "FI", "DE", "DK"}
    assert len({p.id for p in partners}) == len(partners)


def test_csv_rows_become_partners(tmp_path: Path) -> None:
    partners = read_partners(write_csv(tmp_path / "r.csv", GOOD))
    assert partners[0] == Partner(
        id="PL-1",
        name="Kasztel Meble",
        country="PL",
        region="Podlaskie",
        nace=("31.09", "16.23"),
        offers="Oak furniture",
        seeks="Retail chains in Germany",
        cooperation=("commercial", "licensing"),
        languages=("pl", "en", "de"),
    )
    assert partners[1].country == "DK"  # case-insensitive country
    assert partners[1].languages == ("da", "en")


def test_a_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    assert len(read_partners(write_csv(tmp_path / "r.csv", GOOD, bom=True))) == 2


def test_the_header_must_be_exact(tmp_path: Path) -> None:
    rows = [["id", "name", "country"], *GOOD[1:]]
    _, errors = check_partners(write_csv(tmp_path / "r.csv", rows))
    assert errors == [
        RowError(1, "header", f"expected {','.join(HEADER)} but found id,name,country")
    ]


def test_every_problem_is_reported_and_nothing_imported(tmp_path: Path) -> None:
    rows = [
        *GOOD,
        ["PL-1", "Twin", "PL", "", "31", "x", "", "commercial", "pl"],  # duplicate id
        ["XX-1", "", "GB", "", "31;04.1;3101", "x", "", "barter;commercial", "pl;xx;english"],
        ["LV-1", "L" * 201, "LV", "", "", "", "", "", ""],
        ["LT-1", "short"],
    ]
    partners, errors = check_partners(write_csv(tmp_path / "r.csv", rows))
    assert partners == []
    found = {(e.row, e.column) for e in errors}
    assert (4, "id") in found
    assert (5, "name") in found
    assert (5, "country") in found
    assert sum(1 for e in errors if (e.row, e.column) == (5, "nace")) == 2
    assert (5, "cooperation") in found
    assert sum(1 for e in errors if (e.row, e.column) == (5, "languages")) == 2
    assert (6, "name") in found
    for column in ("nace", "offers", "cooperation", "languages"):
        assert (6, column) in found
    assert (7, "*") in found
    by_place = {(e.row, e.column): e.message for e in errors}
    assert by_place[(4, "id")] == "duplicate id 'PL-1' (first on row 2)"
    assert by_place[(5, "country")].startswith("unknown country 'GB'")
    assert by_place[(6, "name")] == "201 characters, at most 200 allowed"
    assert by_place[(6, "offers")] == "required, but empty"
    assert str(errors[0]).startswith(f"row {errors[0].row}, column {errors[0].column}: ")
    with pytest.raises(RegistryError) as caught:
        read_partners(tmp_path / "r.csv")
    assert len(caught.value.errors) == len(errors)


def test_ids_are_unique_regardless_of_case() -> None:
    rows = [*GOOD, ["pl-1", "Twin", "PL", "", "31", "x", "", "commercial", "pl"]]
    _, errors = parse_rows(rows)
    assert [(e.row, e.column) for e in errors] == [(4, "id")]


def test_codes_from_the_lexicon_are_accepted() -> None:
    rows = [list(HEADER), ["A-1", "A", "PL", "", "31.01", "x", "", "commercial", "pl"]]
    assert parse_rows(rows, {"31.01"})[1] == []


def test_an_empty_registry_is_an_error(tmp_path: Path) -> None:
    _, errors = check_partners(write_csv(tmp_path / "r.csv", [list(HEADER)]))
    assert errors == [RowError(2, "*", "no partner rows after the header")]
    _, errors = check_partners(write_csv(tmp_path / "e.csv", []))
    assert errors == [RowError(1, "header", "the file is empty")]


def test_non_utf8_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(",".join(HEADER).encode() + "\nPL-1,Łódź".encode("cp1250"))
    _, errors = check_partners(path)
    assert errors[0].column == "file"
    assert "not UTF-8" in errors[0].message


def test_unsupported_file_type(tmp_path: Path) -> None:
    path = tmp_path / "r.ods"
    path.write_text("x")
    assert check_partners(path)[1][0].message.startswith("unsupported file type")


def test_xlsx_rows_become_partners(tmp_path: Path) -> None:
    rows: list[list[object]] = [list(r) for r in GOOD]
    rows[1][4] = "31.09;16.23"
    rows.append([None] * len(HEADER))  # a trailing empty row is ignored
    partners = read_partners(write_xlsx(tmp_path / "r.xlsx", rows))
    assert [p.id for p in partners] == ["PL-1", "DK-1"]
    assert partners[0].nace == ("31.09", "16.23")


def test_xlsx_problems_use_spreadsheet_rows(tmp_path: Path) -> None:
    rows: list[list[object]] = [list(HEADER), ["A-1", "A", "PL", "", 31, "x", "", "sales", "pl"]]
    rows[1][4] = 4  # a number in the NACE column: "4" is no division
    _, errors = check_partners(write_xlsx(tmp_path / "r.xlsx", rows))
    assert {(e.row, e.column) for e in errors} == {(2, "nace"), (2, "cooperation")}


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


@pytest.fixture
def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refused archive must never reach openpyxl."""

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl was called on a refused archive")

    monkeypatch.setattr(openpyxl, "load_workbook", fail)


@pytest.mark.usefixtures("no_parsing")
def test_xlsx_with_too_many_entries_is_refused(tmp_path: Path) -> None:
    path = _zip(tmp_path / "r.xlsx", {f"x{i}.xml": b"<x/>" for i in range(MAX_XLSX_ENTRIES + 1)})
    _, errors = check_partners(path)
    assert errors[0] == RowError(
        0, "file", f"{MAX_XLSX_ENTRIES + 1} entries in the archive, at most 100"
    )


@pytest.mark.usefixtures("no_parsing")
def test_xlsx_that_expands_too_much_is_refused(tmp_path: Path) -> None:
    path = _zip(tmp_path / "r.xlsx", {"xl/sharedStrings.xml": b"\0" * 2_000_000})
    _, errors = check_partners(path)
    assert "expands more than 100:1" in errors[0].message


@pytest.mark.usefixtures("no_parsing")
def test_xlsx_declaring_a_huge_size_is_refused(tmp_path: Path) -> None:
    path = _zip(tmp_path / "r.xlsx", {"xl/worksheets/sheet1.xml": b"<x/>" * 100})
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 3_000_000_000)  # declared uncompressed size
    path.write_bytes(bytes(data))
    _, errors = check_partners(path)
    assert errors[0].column == "file"
    assert "uncompressed" in errors[0].message


@pytest.mark.usefixtures("no_parsing")
def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_text("id,name\n")
    _, errors = check_partners(path)
    assert "not an XLSX workbook" in errors[0].message


def test_a_zip_that_is_not_a_workbook_is_reported(tmp_path: Path) -> None:
    path = _zip(tmp_path / "r.xlsx", {"hello.txt": b"hello"})
    _, errors = check_partners(path)
    assert errors[0].column == "file"
    assert "cannot read the workbook" in errors[0].message
