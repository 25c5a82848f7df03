"""The FAQ matcher: typos, missing diacritics, other languages, the threshold, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.faq import LANGS, Faq, FaqDataError, fold, looks_like_question

DATA = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "faq.json"


def _entry(entry_id: str, en: list[str], pl: list[str]) -> dict:
    questions = {lang: en for lang in LANGS}
    questions["pl"] = pl
    return {
        "id": entry_id,
        "questions": questions,
        "answer": {lang: f"{entry_id}-{lang}" for lang in LANGS},
    }


@pytest.fixture
def faq(tmp_path) -> Faq:
    path = tmp_path / "faq.json"
    path.write_text(
        json.dumps(
            {
                "entries": [
                    _entry(
                        "cost",
                        ["how much does it cost", "is it free"],
                        ["ile to kosztuje", "czy to płatne"],
                    ),
                    _entry("data", ["what happens to my data", "privacy"], ["co z moimi danymi"]),
                ]
            }
        ),
        encoding="utf-8",
    )
    return Faq.load(path)


def test_fold_removes_case_diacritics_and_punctuation():
    assert fold("Czy to PŁATNE?!") == "czy to platne"
    assert fold("Größe, Øre") == "grosse ore"


def test_typos_and_missing_diacritics_find_the_answer(faq):
    assert faq.ask("ile to kosztje", "pl").answer == "cost-pl"
    assert faq.ask("czy to platne", "pl").answer == "cost-pl"
    assert faq.ask("how much dose it cost?", "en").answer == "cost-en"


def test_question_in_another_language_answers_in_the_users_language(faq):
    assert faq.ask("what happens to my data", "pl").answer == "data-pl"


def test_unrelated_text_is_below_the_threshold(faq):
    assert faq.ask("we make oak furniture for hotels", "en") is None
    assert faq.ask("", "en") is None


def test_question_detection():
    assert looks_like_question("ile to kosztuje")
    assert looks_like_question("Is it free?")
    assert not looks_like_question("We make furniture")


def test_malformed_file_is_rejected(tmp_path):
    path = tmp_path / "faq.json"
    path.write_text(json.dumps({"entries": [{"id": "x", "questions": {}, "answer": {}}]}))
    with pytest.raises(FaqDataError, match=r"entries\[0\]"):
        Faq.load(path)


@pytest.mark.skipif(not DATA.is_file(), reason="knowledge/data/faq.json not present")
def test_builtin_faq_answers_every_language_with_typos():
    faq = Faq.load(DATA)
    assert len(faq.entries) >= 12
    for entry in faq.entries:
        for lang in LANGS:
            for variant in entry.questions[lang][:2]:
                typo = variant[:-2] + variant[-1:] if len(variant) > 8 else variant
                hit = faq.ask(typo, lang)
                assert hit is not None and hit.entry.id == entry.id, (lang, variant)
                assert hit.answer == entry.answers[lang]


EVAL = Path(__file__).resolve().parents[1] / "data" / "faq_eval.jsonl"


@pytest.mark.skipif(not DATA.is_file(), reason="knowledge/data/faq.json not present")
def test_labelled_questions_and_interview_answers():
    """Real user phrasings (typos, no diacritics) and ordinary answers that are no question."""
    faq = Faq.load(DATA)
    rows = [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines()]
    right = false_hits = 0
    for row in rows:
        hit = faq.ask(row["text"], row["lang"])
        found = hit.entry.id if hit else None
        right += found == row["expected"]
        false_hits += row["expected"] is None and found is not None
    negatives = sum(row["expected"] is None for row in rows)
    assert right / len(rows) >= 0.9, right
    assert false_hits <= 1, (false_hits, negatives)
