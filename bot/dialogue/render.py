"""Rendering of the longer texts: the profile summary, size classes, matches and reasons.

Everything a user typed is HTML-escaped here, since replies use Telegram's HTML parse mode.
Match reasons arrive from the matcher as (kind, params) and are worded in the reader's
language, so a broker and an SME each read them in their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from babel.numbers import format_percent

from bot.dialogue.steps import COOPERATION, INTENTS, SIZE_CLASSES, STEPS, VALUE_CHAIN
from bot.i18n import Tr
from bot.ports import KnowledgePort, MatchReason, PartnerMatch

SNIPPET = 220


def size_class_prompt(tr: Tr) -> str:
    """The EU SME definition, with thresholds formatted for the reader's locale."""
    return "\n".join(
        [
            tr.gettext("How big is your company (EU SME definition)?"),
            "\u2022 "
            + tr.gettext("Micro: fewer than {staff} staff, turnover up to {turnover}").format(
                staff=tr.number(10), turnover=tr.money(2_000_000)
            ),
            "\u2022 "
            + tr.gettext("Small: fewer than {staff} staff, turnover up to {turnover}").format(
                staff=tr.number(50), turnover=tr.money(10_000_000)
            ),
            "\u2022 "
            + tr.gettext(
                "Medium-sized: fewer than {staff} staff, turnover up to {turnover}"
            ).format(staff=tr.number(250), turnover=tr.money(50_000_000)),
        ]
    )


def _labels(tr: Tr, table: Mapping[str, str], values: Sequence[str] | None) -> str:
    return tr.join(tr.gettext(table[v]) for v in values or () if v in table)


def _field_value(tr: Tr, step_id: str, answers: Mapping[str, Any], kb: KnowledgePort | None) -> str:
    value = answers.get(step_id)
    if step_id == "country":
        return escape(tr.country(value)) if value else ""
    if step_id == "target_countries":
        return escape(tr.join(tr.country(c) for c in value or ())) or tr.pgettext(
            "target countries", "any"
        )
    if step_id == "languages":
        return escape(tr.join(tr.language(c) for c in value or ()))
    if step_id == "nace":
        if kb is None:
            return escape(", ".join(value or ()))
        return escape(tr.join(f"{kb.sector_label(c, tr.lang)} ({c})" for c in value or ()))
    if step_id == "size_class":
        return escape(tr.gettext(SIZE_CLASSES[str(value)])) if value in SIZE_CLASSES else ""
    if step_id == "intent":
        return escape(tr.gettext(INTENTS[str(value)])) if value in INTENTS else ""
    if step_id == "cooperation":
        return escape(_labels(tr, COOPERATION, value))
    if step_id == "value_chain":
        return escape(_labels(tr, VALUE_CHAIN, value))
    if step_id == "consent":
        return tr.pgettext("consent", "given") if value else tr.pgettext("consent", "not given")
    return escape(str(value)) if value else ""


def render_summary(tr: Tr, answers: Mapping[str, Any], kb: KnowledgePort | None) -> str:
    """The whole profile as the user will confirm it."""
    lines = [tr.gettext("<b>Your partner-search profile</b>"), ""]
    for step in STEPS:
        if not step.applies(answers):
            continue
        value = _field_value(tr, step.id, answers, kb) or "\u2014"
        lines.append(f"<b>{escape(tr.gettext(step.field_label))}:</b> {value}")
    return "\n".join(lines)


def render_reason(tr: Tr, reason: MatchReason, kb: KnowledgePort | None) -> str:
    """One match reason in the reader's language."""
    params = reason.params

    def items(key: str) -> tuple[str, ...]:
        value = params.get(key, ())
        return tuple(value) if isinstance(value, tuple | list) else (str(value),)

    def sectors() -> str:
        codes = items("sectors")
        if kb is not None and codes:
            return tr.join(kb.sector_label(code, tr.lang) for code in codes)
        return tr.join(items("terms"))

    kind = reason.kind
    if kind == "offers_what_you_seek":
        return tr.gettext("They offer what you are looking for: {what}").format(what=sectors())
    if kind == "seeks_what_you_offer":
        return tr.gettext("They are looking for what you offer: {what}").format(what=sectors())
    if kind == "same_sector":
        return tr.gettext("Same sector: {what}").format(what=sectors())
    if kind == "cooperation":
        types = items("types")
        return tr.ngettext(
            "Open to the same partnership type: {types}",
            "Open to the same partnership types: {types}",
            len(types),
        ).format(types=_labels(tr, COOPERATION, types))
    if kind == "target_country":
        return tr.gettext("Based in {country}, one of your target countries").format(
            country=tr.country(str(params.get("country", "")))
        )
    if kind == "common_language":
        languages = items("languages")
        return tr.ngettext(
            "Common working language: {languages}",
            "Common working languages: {languages}",
            len(languages),
        ).format(languages=tr.join(tr.language(code) for code in languages))
    if kind == "s3_alignment":
        themes = items("themes")
        names = tr.join(kb.theme_label(t, tr.lang) for t in themes) if kb else tr.join(themes)
        return tr.gettext(
            "Both regions prioritise {themes} in their smart specialisation strategies"
        ).format(themes=names)
    return ""


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return escape(text if len(text) <= SNIPPET else text[: SNIPPET - 1].rstrip() + "\u2026")


def render_matches(tr: Tr, matches: Sequence[PartnerMatch], kb: KnowledgePort | None) -> str:
    """Anonymised partner suggestions (country, sector, offer, need, why), as EEN shows them."""
    if not matches:
        return tr.gettext(
            "I found no partner that fits your profile yet. Brokers add partners every week; "
            "try /matches again later or widen your target countries."
        )
    lines = [
        tr.ngettext(
            "<b>I found {count} partner that fits your profile:</b>",
            "<b>I found {count} partners that fit your profile:</b>",
            len(matches),
        ).format(count=tr.number(len(matches)))
    ]
    for number, match in enumerate(matches, start=1):
        sectors = tr.join(kb.sector_label(code, tr.lang) for code in match.sectors) if kb else ""
        place = tr.country(match.country) + (f", {match.region}" if match.region else "")
        lines += [
            "",
            f"<b>{number}. {escape(place)}</b> \u2013 {escape(sectors)} "
            f"({format_percent(match.score, locale=tr.lang)})",
            tr.gettext("Offers: {text}").format(text=_snippet(match.offers)),
            tr.gettext("Looking for: {text}").format(text=_snippet(match.seeks)),
        ]
        reasons = [render_reason(tr, reason, kb) for reason in match.reasons[:4]]
        lines += [f"\u2713 {escape(reason)}" for reason in reasons if reason]
    return "\n".join(lines)
