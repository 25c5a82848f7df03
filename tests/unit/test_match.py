"""Partner matching: complementarity first, cross-border only, explainable reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase, default_data_dir, load_knowledge_base
from knowledge.classify import Classifier
from knowledge.match import Match, Matcher, MatchProfile
from knowledge.registry import Partner, read_partners

FIXTURES = Path(__file__).resolve().parent.parent / "data"
REASON_KINDS = {
    "offers_what_you_seek",
    "seeks_what_you_offer",
    "same_sector",
    "cooperation",
    "target_country",
    "common_language",
    "s3_alignment",
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="module")
def matcher(kb: KnowledgeBase) -> Matcher:
    partners = read_partners(FIXTURES / "match_registry.csv", kb.lexicon.codes)
    return Matcher(partners, kb.classifier, kb.s3)


def software_house(**changes: object) -> MatchProfile:
    profile = MatchProfile(
        lang="en",
        country="LV",
        offers="We develop booking software and mobile apps for hotels and guest houses",
        seeks="Hotels and restaurants that want a new booking system",
        cooperation=("commercial",),
        target_countries=("DK", "DE", "FI"),
        nace=("62.01",),
        languages=("en", "lv"),
        region="Vidzeme",
    )
    return MatchProfile(**{**profile.__dict__, **changes})  # type: ignore[arg-type]


def kinds(match: Match) -> list[str]:
    return [r.kind for r in match.reasons]


def test_the_complementary_partner_comes_first(matcher: Matcher) -> None:
    matches = matcher.match(software_house(), top=5)
    assert matches[0].partner.id == "DK-H1"
    first = matches[0]
    assert {"seeks_what_you_offer", "offers_what_you_seek"} <= set(kinds(first))
    seeks = next(r for r in first.reasons if r.kind == "seeks_what_you_offer")
    assert seeks.params["terms"]
    assert "62.01" in seeks.params["sectors"]  # the SME's own code the partner seeks
    assert {"cooperation", "target_country", "common_language"} <= set(kinds(first))


def test_own_country_and_non_target_partners_are_excluded(matcher: Matcher) -> None:
    ids = [m.partner.id for m in matcher.match(software_house(), top=10)]
    assert "LV-H1" not in ids  # same country as the SME
    assert "SE-H1" not in ids  # Sweden is not a target
    ids = [m.partner.id for m in matcher.match(software_house(target_countries=()), top=10)]
    assert "LV-H1" not in ids
    assert "SE-H1" in ids


def test_scores_are_in_unit_range_and_descending(matcher: Matcher) -> None:
    matches = matcher.match(software_house(), top=10)
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_reasons_use_only_known_kinds_and_parameter_shapes(matcher: Matcher) -> None:
    for match in matcher.match(software_house(target_countries=()), top=10):
        assert match.reasons, match.partner.id
        for reason in match.reasons:
            assert reason.kind in REASON_KINDS
            params = reason.params
            if reason.kind in ("offers_what_you_seek", "seeks_what_you_offer"):
                assert set(params) == {"sectors", "terms"}
            elif reason.kind == "same_sector":
                assert set(params) == {"sectors"}
            elif reason.kind == "cooperation":
                assert set(params) == {"types"}
            elif reason.kind == "target_country":
                assert isinstance(params["country"], str)
            elif reason.kind == "common_language":
                assert set(params) == {"languages"}
            else:
                assert set(params) == {"themes", "priorities"}
            assert all(isinstance(v, (str, float, tuple)) for v in params.values())


def test_target_country_reason_only_with_targets(matcher: Matcher) -> None:
    with_targets = matcher.match(software_house(), top=3)
    assert all("target_country" in kinds(m) for m in with_targets)
    without = matcher.match(software_house(target_countries=()), top=3)
    assert all("target_country" not in kinds(m) for m in without)


def test_same_sector_and_s3_alignment(matcher: Matcher) -> None:
    matches = {m.partner.id: m for m in matcher.match(software_house(), top=10)}
    code_house = matches["DE-S1"]
    assert "same_sector" in kinds(code_house)
    s3 = next(r for r in code_house.reasons if r.kind == "s3_alignment")
    assert "digitalisation_cybersecurity" in s3.params["themes"]
    assert "latvia-ict" in s3.params["priorities"]
    assert "hamburg-data-science-digitalisation" in s3.params["priorities"]


def test_complementarity_outweighs_bonuses(kb: KnowledgeBase) -> None:
    """A partner sharing only language, cooperation and sector ranks below a complementary one."""
    partners = [
        Partner("DK-A", "Hotel", "DK", "Syddanmark", ("55.10",), "Hotel with 40 rooms",
                "Booking software for our guests", ("outsourcing",), ("da",)),
        Partner("DE-B", "Rival", "DE", "Hamburg", ("62.01",), "Software development",
                "Nothing in particular", ("commercial",), ("en", "lv")),
    ]  # fmt: skip
    matches = Matcher(partners, kb.classifier, kb.s3).match(software_house(), top=2)
    assert [m.partner.id for m in matches] == ["DK-A", "DE-B"]


def test_profile_region_resolves_by_country_for_national_s3(matcher: Matcher) -> None:
    by_name = matcher.match(software_house(region="Vidzeme"), top=3)
    by_country = matcher.match(software_house(region=None), top=3)
    assert [m.reasons for m in by_name] == [m.reasons for m in by_country]


def test_degenerate_inputs(kb: KnowledgeBase, matcher: Matcher) -> None:
    assert matcher.match(software_house(), top=0) == []
    assert Matcher([], kb.classifier, kb.s3).match(software_house()) == []
    assert matcher.match(software_house(offers="", seeks="", nace=())) == []


def test_builtin_registry_matches(kb: KnowledgeBase) -> None:
    profile = MatchProfile(
        lang="pl",
        country="PL",
        offers="Produkujemy sery dojrzewające i masło",
        seeks="Szukamy dystrybutorów nabiału",
        cooperation=("commercial",),
        target_countries=(),
        region="PL84",
    )
    matches = kb.matcher.match(profile, top=5)
    assert matches
    assert all(m.partner.country != "PL" for m in matches)
    assert len(kb.partners) == len(read_partners(default_data_dir() / "partners.csv"))


def test_classifier_is_shared(kb: KnowledgeBase) -> None:
    assert isinstance(kb.matcher.classifier, Classifier)


def test_indexing_and_explaining_read_texts_alike(kb: KnowledgeBase) -> None:
    """The vectorised indexing path and the one-text path behind reasons must agree."""
    from knowledge.match import _WordTable

    texts = [
        "Familiedrevet hotel med 40 værelser, restaurant og konferencelokaler ved stranden.",
        "IT services and it consulting; IT-Dienstleistungen, Softwareentwicklung",
        "Möbel, MÖBEL und Moebel aus Massivholz",
        "",
        "0000000000000000 gives the separator no special power",
        "Logistikos paslaugos, sandėliavimas ir krovinių pervežimai",
    ]
    matcher = Matcher([], kb.classifier, kb.s3)
    table = _WordTable(matcher)
    scores, (rows, keys) = matcher._text_batch(table, texts)
    names = {number: key for key, number in matcher._terms.items()}
    for number, (divisions, words) in enumerate(matcher._analyse(texts)):
        found = {f"{d:02d}": float(scores[number, d]) for d in scores[number].nonzero()[0]}
        assert found.keys() == divisions.keys(), texts[number]
        for division, value in divisions.items():
            assert found[division] == pytest.approx(value, abs=1e-4)
        assert {names[int(k)] for k in keys[rows == number]} == words, texts[number]
