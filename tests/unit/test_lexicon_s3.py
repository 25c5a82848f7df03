"""Loaders and validators of the sector lexicon and the S3 priorities."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from knowledge.base import default_data_dir
from knowledge.lexicon import (
    LexiconError,
    is_nace_code,
    load_lexicon,
    missing_divisions,
    nace_divisions,
    parse_lexicon,
)
from knowledge.normalize import LANGS
from knowledge.s3 import S3_FILE, S3DataError, load_s3, parse_s3

DATA = default_data_dir()


def entry(code: str, word: str = "word") -> dict[str, Any]:
    return {
        "code": code,
        "label": {lang: f"{word} {lang}" for lang in LANGS},
        "terms": {lang: [f"{word}{lang}"] for lang in LANGS},
    }


def s3_document() -> dict[str, Any]:
    labels = {lang: f"label {lang}" for lang in LANGS}
    return {
        "themes": [{"id": "bioeconomy", "label": labels}, {"id": "smart_health", "label": labels}],
        "regions": [
            {
                "id": "PL84",
                "name": "Podlaskie",
                "country": "PL",
                "nuts": "PL84",
                "period": "2021-2027",
                "source": "RIS3",
                "priorities": [
                    {
                        "id": "podlaskie-food",
                        "label": labels,
                        "nace": ["10", "10.51"],
                        "themes": ["bioeconomy"],
                        "keywords": {lang: ["dairy"] for lang in LANGS},
                    }
                ],
            }
        ],
    }


def test_nace_divisions_are_the_88_of_rev2() -> None:
    divisions = nace_divisions()
    assert len(divisions) == 88
    assert {"01", "03", "05", "33", "35", "43", "99"} <= divisions
    assert not {"00", "04", "34", "40", "44", "48", "54", "57", "67", "76", "83", "89"} & divisions


@pytest.mark.parametrize("code", ["01", "31.01", "10.5", "99.00"])
def test_well_formed_codes(code: str) -> None:
    assert is_nace_code(code)


@pytest.mark.parametrize("code", ["1", "04", "31.001", "31-01", "A", "", "31."])
def test_malformed_codes(code: str) -> None:
    assert not is_nace_code(code)


def test_parts_are_merged() -> None:
    lexicon = parse_lexicon(
        {"a.json": {"entries": [entry("31")]}, "b.json": {"entries": [entry("62")]}}
    )
    assert lexicon.codes == {"31", "62"}
    assert lexicon.label("31", "pl") == "word pl"
    assert lexicon.label("99", "pl") is None


def test_a_code_in_two_parts_is_an_error_naming_both_files() -> None:
    with pytest.raises(LexiconError) as caught:
        parse_lexicon({"a.json": {"entries": [entry("31")]}, "b.json": {"entries": [entry("31")]}})
    message = str(caught.value)
    assert "b.json: entries[0] (code 31): code: duplicate" in message
    assert "a.json" in message


def test_every_problem_is_reported_with_file_entry_and_field() -> None:
    broken = entry("31")
    del broken["label"]["fi"]
    broken["terms"]["de"] = []
    broken["terms"]["xx"] = ["x"]
    with pytest.raises(LexiconError) as caught:
        parse_lexicon({"part.json": {"entries": [broken, entry("04"), "nope"]}})
    problems = caught.value.problems
    assert "part.json: entries[0] (code 31): label.fi: missing or empty" in problems
    assert "part.json: entries[0] (code 31): terms.de: missing or empty list" in problems
    assert "part.json: entries[0] (code 31): terms.xx: unknown language" in problems
    assert any(p.startswith("part.json: entries[1]: code: '04'") for p in problems)
    assert "part.json: entries[2]: must be an object" in problems


def test_load_reads_every_part_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "sector_lexicon.part-a.json").write_text(json.dumps({"entries": [entry("01")]}))
    (tmp_path / "sector_lexicon.part-b.json").write_text(json.dumps({"entries": [entry("62")]}))
    (tmp_path / "other.json").write_text("not json")
    assert load_lexicon(tmp_path).codes == {"01", "62"}


def test_load_reports_unreadable_json(tmp_path: Path) -> None:
    (tmp_path / "sector_lexicon.x.json").write_text("{")
    with pytest.raises(LexiconError, match=r"sector_lexicon\.x\.json: cannot read JSON"):
        load_lexicon(tmp_path)


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="no sector_lexicon"):
        load_lexicon(tmp_path)


def test_builtin_lexicon_is_valid() -> None:
    lexicon = load_lexicon(DATA)
    assert len(lexicon.entries) >= 88 or not (DATA / "sector_lexicon.part-a.json").exists()
    for code, item in lexicon.entries.items():
        assert is_nace_code(code)
        assert set(item.label) == set(LANGS)
        assert all(item.terms[lang] for lang in LANGS)


def test_builtin_lexicon_covers_all_88_divisions() -> None:
    parts = sorted(p.name for p in DATA.glob("sector_lexicon*.json"))
    if "sector_lexicon.part-a.json" not in parts:
        pytest.skip(f"sector_lexicon.part-a.json not (yet) in knowledge/data; found {parts}")
    assert missing_divisions(load_lexicon(DATA)) == []


# --------------------------------------------------------------------------- S3


def test_builtin_s3_priorities_are_valid() -> None:
    s3 = load_s3(DATA / S3_FILE)
    assert {r.id for r in s3.regions} == {"PL84", "LV008", "EE008", "LT0", "FI1C5", "DE6", "DK03"}
    assert len(s3.themes) == 8
    theme_ids = {t.id for t in s3.themes}
    for region in s3.regions:
        for priority in region.priorities:
            assert set(priority.themes) <= theme_ids
            assert all(is_nace_code(c) for c in priority.nace)
            assert priority.region == region.id


def test_regions_resolve_by_id_name_and_national_s3() -> None:
    s3 = load_s3(DATA / S3_FILE)
    assert (region := s3.resolve_region("pl84")) is not None and region.id == "PL84"
    assert (region := s3.resolve_region("syddanmark")) is not None and region.id == "DK03"
    assert (region := s3.resolve_region("Lõuna-Eesti")) is not None and region.id == "EE008"
    assert (region := s3.resolve_region("louna eesti")) is not None and region.id == "EE008"
    # Latvia, Estonia and Lithuania have one national S3: any place resolves by country.
    assert (region := s3.resolve_region("Valgamaa", "EE")) is not None and region.id == "EE008"
    assert (region := s3.resolve_region(None, "LT")) is not None and region.id == "LT0"
    assert (region := s3.resolve_region("Rīga", "LV")) is not None and region.id == "LV008"
    # Elsewhere an unknown place has no S3 region.
    assert s3.resolve_region("Uusimaa", "FI") is None
    assert s3.resolve_region(None, "DE") is None


def test_lookups() -> None:
    s3 = parse_s3(s3_document())
    assert s3.theme("bioeconomy") is not None
    assert s3.theme("nope") is None
    priority = s3.priority("podlaskie-food")
    assert priority is not None and priority.region == "PL84"
    assert s3.region("PL84") is not None


def test_s3_problems_name_file_entry_and_field() -> None:
    document = s3_document()
    priority = document["regions"][0]["priorities"][0]
    priority["themes"] = ["bioeconomy", "space"]
    priority["nace"] = ["10", "1O"]
    del priority["keywords"]["lv"]
    document["regions"].append(copy.deepcopy(document["regions"][0]))
    with pytest.raises(S3DataError) as caught:
        parse_s3(document)
    problems = caught.value.problems
    where = "s3_priorities.json: regions[0] (PL84): priorities[0] (podlaskie-food)"
    assert f"{where}: themes: 'space' is not a declared theme" in problems
    assert f"{where}: nace: '1O' is not a NACE code" in problems
    assert f"{where}: keywords.lv: missing or empty list" in problems


def test_duplicate_region_and_priority_ids() -> None:
    document = s3_document()
    document["regions"].append(copy.deepcopy(document["regions"][0]))
    with pytest.raises(S3DataError, match=r"regions\[1\] \(PL84\): id: duplicate"):
        parse_s3(document)
    document = s3_document()
    twin = copy.deepcopy(document["regions"][0])
    twin.update(id="DE6", country="DE", nuts="DE6", name="Hamburg")
    document["regions"].append(twin)
    with pytest.raises(S3DataError, match="podlaskie-food: id duplicates a priority of PL84"):
        parse_s3(document)


def test_region_must_belong_to_its_country() -> None:
    document = s3_document()
    document["regions"][0]["country"] = "DE"
    with pytest.raises(S3DataError, match="does not start with the country code DE"):
        parse_s3(document)


def test_unreadable_s3_file(tmp_path: Path) -> None:
    path = tmp_path / S3_FILE
    path.write_text("[", encoding="utf-8")
    with pytest.raises(S3DataError, match="cannot read JSON"):
        load_s3(path)
