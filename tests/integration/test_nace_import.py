"""Import of the official Eurostat NACE Rev. 2 labels into the knowledge-base overlay.

The Eurostat files are reference data outside the repository (``shared/data/nace-rev2``
beside it); they are never copied into the repository. Error cases use small synthetic
files written to a temporary folder.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.base import load_knowledge_base
from knowledge.nace_import import (
    OVERLAY_FILE,
    NaceImportError,
    code_level,
    eurostat_file_name,
    load_nace_labels,
    read_eurostat_dir,
    write_nace_labels,
)
from knowledge.normalize import LANGS

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
NACE_DIR = REPO_ROOT.parent / "shared" / "data" / "nace-rev2"


@pytest.fixture(scope="module")
def nace_dir() -> Path:
    if not all((NACE_DIR / eurostat_file_name(lang)).is_file() for lang in LANGS):
        pytest.skip(f"Eurostat NACE Rev. 2 files not found in {NACE_DIR}")
    return NACE_DIR


def test_reads_all_levels_in_eight_languages(nace_dir: Path) -> None:
    labels = read_eurostat_dir(nace_dir)
    assert labels.counts() == dict.fromkeys(LANGS, 996)
    levels = [code_level(code) for code in labels.labels]
    assert [levels.count(level) for level in (1, 2, 3, 4)] == [21, 88, 272, 615]
    assert "furniture" in (labels.label("31.01", "en") or "").lower()
    assert "möbel" in (labels.label("31.01", "de") or "")
    assert labels.label("C", "pl")


def test_overlay_round_trip_and_knowledge_base(nace_dir: Path, tmp_path: Path) -> None:
    labels = read_eurostat_dir(nace_dir)
    path = write_nace_labels(labels, tmp_path)
    assert path == tmp_path / OVERLAY_FILE
    assert load_nace_labels(tmp_path) == labels
    kb = load_knowledge_base(overlay_dir=tmp_path)
    assert kb.sector_label("31.01", "de") == labels.label("31.01", "de")
    assert kb.sector_label("10.51", "fi") == labels.label("10.51", "fi")
    # Classes the lexicon lacks become proposals through their official label.
    result = kb.classifier.classify("Operation of dairies and cheese making", "en")
    assert result.nace[0].code in ("10.51", "10")
    assert "10.51" in kb.classifier.codes


def test_cli_import_prints_counts_per_language(
    nace_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["kb", "import-nace", str(nace_dir), "--kb-dir", str(tmp_path / "kb")])
    out = capsys.readouterr().out
    assert code == 0
    for lang in LANGS:
        assert f"{lang}: 996 labels" in out
    assert json.loads((tmp_path / "kb" / OVERLAY_FILE).read_text())["format"] == 1


def test_classify_with_a_nace_folder(nace_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["classify", "--lang", "en", "--nace-dir", str(nace_dir), "kitchen furniture", "--json"]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["nace"][0]["code"].startswith("31")


def _write(folder: Path, lang: str, rows: list[list[str]], header: list[str] | None = None) -> None:
    with (folder / eurostat_file_name(lang)).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header or ["Level", "Code", "Description", "Rulings"])
        writer.writerows(rows)


def test_problems_name_file_and_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = [["1", "A", "AGRICULTURE"], ["2", "01", "Crops"], ["3", "01.1", "Non-perennial"]]
    for lang in LANGS[:-2]:
        _write(tmp_path, lang, good)
    _write(tmp_path, "de", [*good, ["4", "01.1", "Twice"], ["5", "X", "Level"], ["2", "1", "Bad"]])
    with pytest.raises(NaceImportError) as caught:
        read_eurostat_dir(tmp_path)
    problems = caught.value.problems
    assert "NACE_REV2_da.csv: missing" in problems
    assert "NACE_REV2_de.csv: row 5: Code '01.1' is not a level-4 code" in problems
    assert "NACE_REV2_de.csv: row 6: Level '5' is not 1-4" in problems
    assert "NACE_REV2_de.csv: row 7: Code '1' is not a level-2 code" in problems
    assert any(p.startswith("NACE_REV2_en.csv: 1 codes at level 1") for p in problems)
    assert main(["kb", "import-nace", str(tmp_path), "--kb-dir", str(tmp_path / "kb")]) == 1
    assert "NACE_REV2_da.csv: missing" in capsys.readouterr().err
    assert not (tmp_path / "kb" / OVERLAY_FILE).exists()


def test_header_is_found_by_name(tmp_path: Path) -> None:
    _write(tmp_path, "en", [["A"]], header=["Niveau", "Code"])
    with pytest.raises(NaceImportError, match="header has no 'Level' column"):
        read_eurostat_dir(tmp_path)


def test_missing_overlay_is_none_and_broken_overlay_is_an_error(tmp_path: Path) -> None:
    assert load_nace_labels(tmp_path) is None
    (tmp_path / OVERLAY_FILE).write_text(json.dumps({"format": 1, "labels": {"4x": {"en": "x"}}}))
    with pytest.raises(NaceImportError, match="not a NACE code"):
        load_nace_labels(tmp_path)
