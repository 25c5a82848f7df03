"""The knowledge-base commands through ``bot.cli.main``: JSON contracts and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.registry import HEADER

FIXTURES = Path(__file__).resolve().parent.parent / "data"
DATA = Path(__file__).resolve().parent.parent.parent / "knowledge" / "data"


@pytest.fixture(autouse=True)
def empty_overlay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Commands read the overlay from TIBS_KB_DIR: point it at an empty folder."""
    overlay = tmp_path / "kb"
    monkeypatch.setenv("TIBS_KB_DIR", str(overlay))
    return overlay


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_classify_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "classify", "--lang", "lv", "viesnīca ar restorānu", "--json")
    assert code == 0
    document = json.loads(out)
    assert set(document) == {"nace", "s3"}
    codes = [c["code"] for c in document["nace"]]
    assert {"55", "56"} & {c[:2] for c in codes[:2]}
    for key in ("nace", "s3"):
        scores = [item["score"] for item in document[key]]
        assert scores == sorted(scores, reverse=True)
        assert all(0 <= s <= 1 for s in scores)
    assert all(set(p) == {"id", "score", "region"} for p in document["s3"])


def test_classify_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "classify", "--lang", "en", "software development")
    assert code == 0
    assert out.splitlines()[0].split() == ["NACE", "score", "label"]
    assert "62" in out


def test_match_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "match",
        "--registry",
        str(FIXTURES / "match_registry.csv"),
        "--profile",
        str(FIXTURES / "profile_lv_software.json"),
        "--top",
        "3",
        "--json",
    )
    assert code == 0
    matches = json.loads(out)["matches"]
    assert len(matches) == 3
    assert matches[0]["id"] == "DK-H1"
    assert all(m["id"] not in ("LV-H1", "SE-H1") for m in matches)
    for match in matches:
        assert set(match) == {"id", "score", "reasons"}
        assert 0 <= match["score"] <= 1
        for reason in match["reasons"]:
            assert set(reason) == {"kind", "params"}
            assert isinstance(reason["params"], dict)


def test_match_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "match",
        "--registry",
        str(FIXTURES / "match_registry.csv"),
        "--profile",
        str(FIXTURES / "profile_lv_software.json"),
    )
    assert code == 0
    assert out.startswith("1. DK-H1")


def test_match_rejects_a_bad_profile(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"lang": "en", "country": "LV"}))
    code, _, err = run(
        capsys,
        "match",
        "--registry",
        str(FIXTURES / "match_registry.csv"),
        "--profile",
        str(profile),
    )
    assert code == 2
    assert "missing field(s) offers, seeks, cooperation, target_countries" in err


def test_match_reports_registry_problems(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    registry = tmp_path / "r.csv"
    registry.write_text(",".join(HEADER) + "\nX-1,X,XX,,31,x,,commercial,en\n", encoding="utf-8")
    code, _, err = run(
        capsys,
        "match",
        "--registry",
        str(registry),
        "--profile",
        str(FIXTURES / "profile_lv_software.json"),
    )
    assert code == 1
    assert "row 2, column country: unknown country 'XX'" in err


def test_check_partners_prints_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    registry = tmp_path / "r.csv"
    registry.write_text(
        ",".join(HEADER) + "\nX-1,X,PL,,31,x,,commercial,en\nX-1,Y,PL,,3,x,,trade,en\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "kb", "check-partners", str(registry))
    assert code == 1
    lines = out.splitlines()
    assert "row 3, column id: duplicate id 'X-1' (first on row 2)" in lines
    assert any(line.startswith("row 3, column nace: ") for line in lines)
    assert any(line.startswith("row 3, column cooperation: ") for line in lines)


def test_check_partners_accepts_the_builtin_registry(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "check-partners", str(DATA / "partners.csv"))
    assert code == 0
    assert "no problems" in out


def test_validate_builtin_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "validate")
    assert "s3_priorities.json: 8 themes, 7 regions" in out
    if (DATA / "sector_lexicon.part-a.json").exists():
        assert code == 0, out
    else:
        assert code == 1
        assert "NACE divisions without an entry" in out


def test_validate_reports_broken_data(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "sector_lexicon.x.json").write_text('{"entries": [{"code": "4"}]}')
    (tmp_path / "s3_priorities.json").write_text("{}")
    (tmp_path / "partners.csv").write_text("id\n")
    code, out, _ = run(capsys, "kb", "validate", "--data-dir", str(tmp_path))
    assert code == 1
    assert "sector_lexicon.x.json: entries[0]: code: '4' is not a NACE code" in out
    assert "partners.csv: row 1, column header" in out


def test_eval_classify_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", "classify", "--json")
    assert code == 0
    document = json.loads(out)
    assert {"all", "en", "pl", "lv", "et", "lt", "fi", "de", "da"} <= set(document)
    for scores in document.values():
        assert 0 <= scores["hit@1"] <= scores["hit@3"] <= 1
        assert 0 <= scores["mrr"] <= 1


def test_bench_match_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "bench", "match", "--sizes", "300", "--queries", "3", "--json")
    assert code == 0
    document = json.loads(out.splitlines()[-1])
    assert document["sizes"][0]["size"] == 300
    assert document["sizes"][0]["baseline_p50_ms"] is not None
    assert document["load"]["partners"] >= 1
