"""Warm leads: from an SME's "introduce me" to a broker who claims it and follows it up.

Everything here runs inside the caller's unit of work: the lead, its recipients, the action
tokens and the outbox messages commit together or not at all. Group chats only ever see
the company and its needs; contact details go privately to the broker who claims the lead.
Broker buttons carry opaque tokens; the action and the lead are looked up, and the
clicking user's rights checked, when the button is pressed.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any

from babel.numbers import format_percent

from bot.dialogue.render import render_reason
from bot.dialogue.steps import COOPERATION, INTENTS, SIZE_CLASSES
from bot.i18n import N_, Tr, Translator
from bot.ports import KnowledgePort, MatchReason, PartnerMatch
from db.models import ActionToken, Lead, LeadRecipient, OutboxMessage, Profile, utcnow
from db.uow import UnitOfWork
from knowledge.brokers import Broker, BrokerDirectory

TOKEN_PREFIX = "L:"
STATUS_LABELS: Mapping[str, str] = {
    "new": N_("new"),
    "claimed": N_("claimed"),
    "contacted": N_("contacted"),
    "meeting": N_("meeting held"),
    "agreement": N_("agreement signed"),
    "lost": N_("lost"),
}
FOLLOW_UPS = ("contacted", "meeting", "agreement", "lost")


@dataclass(frozen=True)
class ActionResult:
    """What the clicking broker is told (a short callback answer) in their language."""

    answer: str
    alert: bool = False


class LeadService:
    """Creates leads, routes them to brokers and applies broker actions."""

    def __init__(
        self,
        translator: Translator,
        knowledge: KnowledgePort | None,
        brokers: BrokerDirectory,
        *,
        admin_chat_id: int | None = None,
        admin_ids: Sequence[int] = (),
        remind_after: timedelta = timedelta(hours=24),
    ) -> None:
        self._translator = translator
        self._kb = knowledge
        self.brokers = brokers
        self._admin_chat_id = admin_chat_id
        self._admin_ids = frozenset(admin_ids)
        self._remind_after = remind_after

    # -- creation --------------------------------------------------------------------------

    async def request_introduction(
        self, uow: UnitOfWork, profile: Profile, match: PartnerMatch, source: str | None = None
    ) -> Lead | None:
        """Create the lead and its notifications; None when it was requested before."""
        if await uow.leads.find(profile.user_id, match.partner_id) is not None:
            return None
        now = utcnow()
        lead = await uow.leads.add(
            Lead(
                sme_user_id=profile.user_id,
                partner_id=match.partner_id,
                partner_country=match.country,
                sme_country=profile.country,
                sme_region=profile.region,
                score=match.score,
                reasons=[{"kind": r.kind, "params": _jsonable(r.params)} for r in match.reasons],
                status="new",
                remind_at=now + self._remind_after,
                source=source,
            )
        )
        routed = self.brokers.route(
            (profile.country, profile.region), (match.country, match.region), profile.source
        )
        targets: list[tuple[str, int, str, str]] = [
            (broker.id, broker.chat_id, broker.locale, role) for broker, role in routed
        ]
        if not targets and self._admin_chat_id is not None:
            targets.append(("admins", self._admin_chat_id, "en", "escalation"))
        for broker_id, chat_id, locale, role in targets:
            await uow.leads.add_recipient(
                LeadRecipient(
                    lead_id=lead.id, broker_id=broker_id, chat_id=chat_id, locale=locale, role=role
                )
            )
            await self._send_card(uow, lead, profile, match, chat_id, locale, "card")
        return lead

    async def _send_card(
        self,
        uow: UnitOfWork,
        lead: Lead,
        profile: Profile,
        match: PartnerMatch | None,
        chat_id: int,
        locale: str,
        purpose: str,
    ) -> None:
        tr = self._translator.get(locale)
        text = self.lead_card(tr, lead, profile, match)
        if purpose == "reminder":
            text = tr.gettext("\u23f0 Reminder: this lead is still unclaimed.") + "\n\n" + text
        buttons = [
            [
                (tr.gettext("\u270b Claim"), await self._token(uow, lead.id, "claim", chat_id)),
                (tr.gettext("Pass"), await self._token(uow, lead.id, "pass", chat_id)),
            ]
        ]
        await self._enqueue(
            uow,
            f"lead:{lead.id}:{purpose}{lead.escalation_level}:{chat_id}",
            chat_id,
            text,
            buttons,
            lead_id=lead.id,
        )

    async def _token(self, uow: UnitOfWork, lead_id: int, action: str, chat_id: int) -> str:
        token = secrets.token_urlsafe(12)
        await uow.leads.add_token(
            ActionToken(token=token, lead_id=lead_id, action=action, chat_id=chat_id)
        )
        return TOKEN_PREFIX + token

    async def _enqueue(
        self,
        uow: UnitOfWork,
        key: str,
        chat_id: int,
        text: str,
        buttons: Sequence[Sequence[tuple[str, str]]] = (),
        *,
        lead_id: int | None = None,
        sme_user_id: int | None = None,
    ) -> None:
        payload: dict[str, Any] = {
            "text": text,
            "buttons": [list(map(list, row)) for row in buttons],
        }
        await uow.outbox.enqueue(
            OutboxMessage(
                dedupe_key=key,
                chat_id=chat_id,
                payload=payload,
                lead_id=lead_id,
                sme_user_id=sme_user_id,
            )
        )

    # -- rendering ---------------------------------------------------------------------------

    def lead_card(self, tr: Tr, lead: Lead, profile: Profile, match: PartnerMatch | None) -> str:
        """The group-safe card: company and needs, no personal contact data."""
        kb = self._kb
        sectors = tr.join(kb.sector_label(c, tr.lang) for c in profile.nace) if kb else ""
        place = tr.country(profile.country) + (f", {profile.region}" if profile.region else "")
        lines = [
            tr.gettext("<b>New lead #{number}</b> \u2013 match score {score}").format(
                number=lead.id, score=format_percent(lead.score, locale=tr.lang)
            ),
            "",
            f"<b>{escape(profile.company_name)}</b> ({escape(place)})",
        ]
        if sectors:
            lines.append(tr.gettext("Sector: {sectors}").format(sectors=escape(sectors)))
        if profile.size_class in SIZE_CLASSES:
            lines.append(
                tr.gettext("Size: {size}").format(size=tr.gettext(SIZE_CLASSES[profile.size_class]))
            )
        if profile.intent in INTENTS:
            lines.append(tr.gettext(INTENTS[profile.intent]))
        lines += [
            tr.gettext("Offers: {text}").format(text=escape(_short(profile.offers))),
            tr.gettext("Looking for: {text}").format(text=escape(_short(profile.seeks))),
        ]
        if profile.cooperation:
            lines.append(
                tr.gettext("Partnership types: {types}").format(
                    types=escape(
                        tr.join(
                            tr.gettext(COOPERATION[c])
                            for c in profile.cooperation
                            if c in COOPERATION
                        )
                    )
                )
            )
        lines += [
            "",
            tr.gettext("<b>Suggested partner</b> in {country} ({partner})").format(
                country=escape(tr.country(lead.partner_country)), partner=escape(lead.partner_id)
            ),
        ]
        reasons = [MatchReason(r["kind"], r.get("params", {})) for r in lead.reasons or []]
        for reason in reasons[:5]:
            text = render_reason(tr, reason, kb)
            if text:
                lines.append(f"\u2713 {escape(text)}")
        return "\n".join(lines)

    def _contact_card(self, tr: Tr, lead: Lead, profile: Profile) -> str:
        lines = [
            tr.gettext("<b>You claimed lead #{number}.</b> Contact details:").format(
                number=lead.id
            ),
            "",
            f"<b>{escape(profile.company_name)}</b>",
            escape(profile.contact_name or "\u2014"),
            escape(profile.email or "\u2014"),
            escape(profile.phone or "\u2014"),
            "",
            tr.gettext("Update the status as you follow up:"),
        ]
        return "\n".join(lines)

    # -- broker actions ----------------------------------------------------------------------

    def is_broker(self, user_id: int) -> bool:
        """Whether the user may act on leads."""
        return self.brokers.by_user(user_id) is not None or user_id in self._admin_ids

    def locale_of(self, user_id: int) -> str:
        """The language a broker reads."""
        broker = self.brokers.by_user(user_id)
        return broker.locale if broker else "en"

    async def act(self, uow: UnitOfWork, data: str, user_id: int) -> ActionResult:
        """Apply a broker button press; unknown, expired or forbidden presses do nothing."""
        tr = self._translator.get(self.locale_of(user_id))
        token = (
            await uow.leads.token(data.removeprefix(TOKEN_PREFIX))
            if data.startswith(TOKEN_PREFIX) and len(data) <= 64
            else None
        )
        if token is None:
            await uow.audit.record(user_id, "lead_action", None, "unknown_token")
            return ActionResult(tr.gettext("This button is no longer valid."), alert=True)
        if not self.is_broker(user_id):
            await uow.audit.record(user_id, f"lead_{token.action}", str(token.lead_id), "denied")
            return ActionResult(tr.gettext("Only brokers can do this."), alert=True)
        lead = await uow.leads.get(token.lead_id)
        if lead is None:
            return ActionResult(tr.gettext("This button is no longer valid."), alert=True)
        action = token.action
        if action == "claim":
            return await self._claim(uow, tr, lead, user_id)
        if action == "pass":
            await uow.audit.record(user_id, "lead_pass", str(lead.id), "ok")
            await self._escalate(uow, lead)
            return ActionResult(tr.gettext("Passed on. Thank you."))
        if lead.claimed_by != user_id:
            await uow.audit.record(user_id, f"lead_{action}", str(lead.id), "denied")
            return ActionResult(
                tr.gettext("Only the broker who claimed this lead can update it."), alert=True
            )
        if action.startswith("agr:"):
            lead.status, lead.agreement_type = "agreement", action.removeprefix("agr:")
        elif action == "agreement":
            await self._ask_agreement_type(uow, tr, lead, user_id)
            return ActionResult(tr.gettext("Which kind of agreement?"))
        elif action in FOLLOW_UPS:
            lead.status = action
        await uow.audit.record(user_id, f"lead_{action}", str(lead.id), "ok")
        return ActionResult(
            tr.gettext("Lead #{number}: {status}").format(
                number=lead.id, status=tr.gettext(STATUS_LABELS[lead.status])
            )
        )

    async def _claim(self, uow: UnitOfWork, tr: Tr, lead: Lead, user_id: int) -> ActionResult:
        if not await uow.leads.claim(lead.id, user_id, utcnow()):
            await uow.audit.record(user_id, "lead_claim", str(lead.id), "lost_race")
            return ActionResult(tr.gettext("Already claimed by another broker."), alert=True)
        await uow.session.refresh(lead)
        await uow.audit.record(user_id, "lead_claim", str(lead.id), "ok")
        profile = await uow.profiles.get_by_user(lead.sme_user_id)
        broker = self.brokers.by_user(user_id)
        if profile is not None:
            buttons = [
                [
                    (
                        tr.gettext(STATUS_LABELS[a]).capitalize(),
                        await self._token(uow, lead.id, a, user_id),
                    )
                    for a in FOLLOW_UPS[:2]
                ],
                [
                    (
                        tr.gettext(STATUS_LABELS[a]).capitalize(),
                        await self._token(uow, lead.id, a, user_id),
                    )
                    for a in FOLLOW_UPS[2:]
                ],
            ]
            await self._enqueue(
                uow,
                f"lead:{lead.id}:contacts",
                user_id,
                self._contact_card(tr, lead, profile),
                buttons,
                lead_id=lead.id,
            )
            sme_tr = self._translator.get(profile.locale)
            who = f"{broker.name} ({broker.agency})" if broker else sme_tr.gettext("A broker")
            await self._enqueue(
                uow,
                f"lead:{lead.id}:sme-claimed",
                profile.user_id,
                sme_tr.gettext(
                    "Good news: {broker} will contact you about your partner request."
                ).format(broker=escape(who)),
                lead_id=lead.id,
                sme_user_id=profile.user_id,
            )
        for recipient in await uow.leads.recipients(lead.id):
            r_tr = self._translator.get(recipient.locale)
            name = broker.name if broker else str(user_id)
            await self._enqueue(
                uow,
                f"lead:{lead.id}:claimed:{recipient.chat_id}",
                recipient.chat_id,
                r_tr.gettext("Lead #{number} was claimed by {broker}.").format(
                    number=lead.id, broker=escape(name)
                ),
                lead_id=lead.id,
            )
        return ActionResult(
            tr.gettext(
                "You claimed lead #{number}. Contact details were sent to you privately."
            ).format(number=lead.id)
        )

    async def _ask_agreement_type(self, uow: UnitOfWork, tr: Tr, lead: Lead, user_id: int) -> None:
        rows = [
            [(tr.gettext(label), await self._token(uow, lead.id, f"agr:{kind}", user_id))]
            for kind, label in COOPERATION.items()
        ]
        await self._enqueue(
            uow,
            f"lead:{lead.id}:agreement:{secrets.token_hex(4)}",
            user_id,
            tr.gettext("Lead #{number}: which kind of agreement was signed?").format(
                number=lead.id
            ),
            rows,
            lead_id=lead.id,
        )

    async def _escalate(self, uow: UnitOfWork, lead: Lead) -> None:
        """Send the lead on: to the admins' chat when brokers passed or did not react."""
        if lead.status != "new" or self._admin_chat_id is None:
            return
        lead.escalation_level += 1
        profile = await uow.profiles.get_by_user(lead.sme_user_id)
        if profile is None:
            return
        known = {r.chat_id for r in await uow.leads.recipients(lead.id)}
        if self._admin_chat_id not in known:
            await uow.leads.add_recipient(
                LeadRecipient(
                    lead_id=lead.id,
                    broker_id="admins",
                    chat_id=self._admin_chat_id,
                    locale="en",
                    role="escalation",
                )
            )
        await self._send_card(uow, lead, profile, None, self._admin_chat_id, "en", "escalated")

    async def remind_due(self, uow: UnitOfWork, now: datetime | None = None) -> int:
        """Remind the brokers of unclaimed leads; the second time, escalate to admins."""
        now = now or utcnow()
        leads = await uow.leads.due_reminders(now)
        for lead in leads:
            profile = await uow.profiles.get_by_user(lead.sme_user_id)
            if profile is None:
                continue
            if lead.escalation_level == 0:
                lead.escalation_level = 1
                for recipient in await uow.leads.recipients(lead.id):
                    await self._send_card(
                        uow, lead, profile, None, recipient.chat_id, recipient.locale, "reminder"
                    )
            else:
                await self._escalate(uow, lead)
            lead.remind_at = now + self._remind_after
        return len(leads)

    async def leads_overview(self, uow: UnitOfWork, user_id: int) -> str:
        """The /leads text for a broker: claimed leads and unclaimed ones in their chats."""
        tr = self._translator.get(self.locale_of(user_id))
        broker = self.brokers.by_user(user_id)
        mine = await uow.leads.open_for(user_id)
        chats = [broker.chat_id, user_id] if broker else [user_id]
        waiting = await uow.leads.unclaimed_for_chats(chats)
        lines = [
            tr.ngettext(
                "<b>You follow {count} lead.</b>", "<b>You follow {count} leads.</b>", len(mine)
            ).format(count=tr.number(len(mine)))
        ]
        for lead in mine:
            lines.append(
                tr.gettext("#{number} \u2013 {country} \u2013 {status}").format(
                    number=lead.id,
                    country=tr.country(lead.sme_country),
                    status=tr.gettext(STATUS_LABELS.get(lead.status, lead.status)),
                )
            )
        lines += [
            "",
            tr.ngettext(
                "{count} unclaimed lead waits in your chats.",
                "{count} unclaimed leads wait in your chats.",
                len(waiting),
            ).format(count=tr.number(len(waiting))),
        ]
        for lead in waiting:
            lines.append(
                tr.gettext("#{number} \u2013 {country} \u2013 {status}").format(
                    number=lead.id,
                    country=tr.country(lead.sme_country),
                    status=tr.gettext(STATUS_LABELS["new"]),
                )
            )
        return "\n".join(lines)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _jsonable(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


__all__ = ["ActionResult", "Broker", "LeadService"]
