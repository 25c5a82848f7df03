"""The profiling interview, top to bottom: every question, its kind, limits and choices.

This table is the one place that says what the assistant asks and in which order
(python-telegram-bot's examples: states named for what the user is asked). The engine
walks it; labels are marked with ``N_`` and translated when a prompt is rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.i18n import LANGUAGE_NAMES, N_, Tr
from bot.ports import KnowledgePort

StepKind = Literal["text", "choice", "multi", "email", "phone", "consent"]
Option = tuple[str, str]  # (stored value, label shown on the button)

HOME_COUNTRIES = ("PL", "LV", "EE", "LT", "FI", "DE", "DK", "SE", "NO")
WORKING_LANGUAGES = ("en", "pl", "lv", "et", "lt", "fi", "de", "da", "sv", "ru")

SIZE_CLASSES: Mapping[str, str] = {
    "micro": N_("Micro"),
    "small": N_("Small"),
    "medium": N_("Medium-sized"),
    "large": N_("Larger than an SME"),
}
INTENTS: Mapping[str, str] = {
    "business_offer": N_("Business offer: we sell or supply"),
    "business_request": N_("Business request: we are looking for a supplier or product"),
    "technology_offer": N_("Technology offer: we have a technology to license or share"),
    "technology_request": N_("Technology request: we need a technology or know-how"),
    "rd_cooperation": N_("R&D cooperation: a partner for a research project"),
}
COOPERATION: Mapping[str, str] = {
    "commercial": N_("Commercial agreement (distribution, sales)"),
    "supplier": N_("Supplier agreement"),
    "outsourcing": N_("Outsourcing / subcontracting"),
    "investment": N_("Investment / joint venture"),
    "technical_assistance": N_("Technical assistance"),
    "rd_cooperation": N_("Research and development cooperation"),
    "licensing": N_("Licensing"),
}
VALUE_CHAIN: Mapping[str, str] = {
    "inbound_logistics": N_("Inbound logistics"),
    "operations": N_("Operations and production"),
    "outbound_logistics": N_("Outbound logistics"),
    "marketing_sales": N_("Marketing and sales"),
    "service": N_("After-sales service"),
    "procurement": N_("Procurement"),
    "technology_development": N_("Technology development"),
    "hr": N_("Human resources"),
}


@dataclass(frozen=True)
class Step:
    """One question of the interview."""

    id: str
    kind: StepKind
    prompt: str
    field_label: str
    optional: bool = False
    min_len: int = 1
    max_len: int = 200
    multiline: bool = False
    min_choices: int = 0
    accepts_text: bool = False
    options: Callable[[Tr, Mapping[str, Any], KnowledgePort | None], Sequence[Option]] = field(
        default=lambda tr, answers, kb: ()
    )
    applies: Callable[[Mapping[str, Any]], bool] = field(default=lambda state: True)


def _countries(tr: Tr, answers: Mapping[str, Any], kb: KnowledgePort | None) -> list[Option]:
    return [(code, tr.country(code)) for code in HOME_COUNTRIES]


def _targets(tr: Tr, answers: Mapping[str, Any], kb: KnowledgePort | None) -> list[Option]:
    own = answers.get("country")
    return [(code, tr.country(code)) for code in HOME_COUNTRIES if code != own]


def _regions(tr: Tr, answers: Mapping[str, Any], kb: KnowledgePort | None) -> list[Option]:
    if kb is None or not answers.get("country"):
        return []
    return [(name, name) for _id, name in kb.regions(str(answers["country"]))]


def _sectors(tr: Tr, answers: Mapping[str, Any], kb: KnowledgePort | None) -> list[Option]:
    codes = answers.get("nace_proposals") or []
    if kb is None:
        return [(code, code) for code in codes]
    return [(code, f"{kb.sector_label(code, tr.lang)} ({code})") for code in codes]


def _languages(tr: Tr, answers: Mapping[str, Any], kb: KnowledgePort | None) -> list[Option]:
    return [(code, tr.language(code).capitalize()) for code in WORKING_LANGUAGES]


def _translated(table: Mapping[str, str]) -> Callable[..., list[Option]]:
    def options(tr: Tr, answers: Mapping[str, Any], kb: KnowledgePort | None) -> list[Option]:
        return [(value, tr.gettext(label)) for value, label in table.items()]

    return options


def _has_consent(answers: Mapping[str, Any]) -> bool:
    return bool(answers.get("consent"))


STEPS: tuple[Step, ...] = (
    Step(
        "company_name",
        "text",
        N_("What is the name of your company?"),
        N_("Company"),
        min_len=2,
        max_len=120,
    ),
    Step(
        "country",
        "choice",
        N_("In which country is your company based?"),
        N_("Country"),
        options=_countries,
    ),
    Step(
        "region",
        "choice",
        N_("In which region? Choose one or type its name."),
        N_("Region"),
        optional=True,
        accepts_text=True,
        max_len=80,
        options=_regions,
    ),
    Step(
        "activity",
        "text",
        N_(
            "In a sentence or two: what does your company do? For example: "
            "\u201cwe make oak furniture for hotels\u201d."
        ),
        N_("Activity"),
        min_len=3,
        max_len=500,
        multiline=True,
    ),
    Step(
        "nace",
        "multi",
        N_("These sectors seem to fit. Tick every one that applies, then press Done."),
        N_("Sectors"),
        optional=True,
        options=_sectors,
        applies=lambda answers: bool(answers.get("nace_proposals")),
    ),
    Step("size_class", "choice", "", N_("Size"), options=_translated(SIZE_CLASSES)),
    Step(
        "offers",
        "text",
        N_("What does your company offer to partners abroad (products, services, technology)?"),
        N_("What we offer"),
        min_len=3,
        max_len=700,
        multiline=True,
    ),
    Step(
        "seeks",
        "text",
        N_(
            "What are you looking for abroad (a distributor, a supplier of\u00a0\u2026, "
            "an R&D partner for\u00a0\u2026)?"
        ),
        N_("What we seek"),
        min_len=3,
        max_len=700,
        multiline=True,
    ),
    Step(
        "intent",
        "choice",
        N_("What kind of partnership profile is this?"),
        N_("Profile type"),
        options=_translated(INTENTS),
    ),
    Step(
        "cooperation",
        "multi",
        N_("Which types of partnership are you open to? Tick all that apply, then press Done."),
        N_("Partnership types"),
        min_choices=1,
        options=_translated(COOPERATION),
    ),
    Step(
        "target_countries",
        "multi",
        N_("Which countries should partners come from? Tick any, or press Done for all."),
        N_("Target countries"),
        options=_targets,
    ),
    Step(
        "languages",
        "multi",
        N_("In which languages can your team work with partners?"),
        N_("Working languages"),
        min_choices=1,
        options=_languages,
    ),
    Step(
        "value_chain",
        "multi",
        N_("Where in your value chain do you need help abroad? Tick any, then press Done."),
        N_("Value chain needs"),
        optional=True,
        options=_translated(VALUE_CHAIN),
    ),
    Step("consent", "consent", "", N_("Consent to share contact data")),
    Step(
        "contact_name",
        "text",
        N_("Who should a broker contact? Please type a name."),
        N_("Contact person"),
        min_len=2,
        max_len=120,
        applies=_has_consent,
    ),
    Step(
        "email",
        "email",
        N_("Your e-mail address?"),
        N_("E-mail"),
        max_len=254,
        applies=_has_consent,
    ),
    Step(
        "phone",
        "phone",
        N_("A phone number (with country code, e.g. +48 ...)?"),
        N_("Phone"),
        optional=True,
        max_len=32,
        applies=_has_consent,
    ),
)

STEP_BY_ID: Mapping[str, Step] = {step.id: step for step in STEPS}
EDITABLE: tuple[str, ...] = tuple(step.id for step in STEPS if step.id != "nace")


def language_options() -> list[Option]:
    """Language buttons, each in its own language."""
    return list(LANGUAGE_NAMES.items())
