"""Warm leads on a real SQLite database: routing, privacy in groups, the claim race, rights."""

from __future__ import annotations

import asyncio
import json
import secrets
from datetime import timedelta

from sqlalchemy import func, select

from bot.ports import MatchReason, PartnerMatch
from db.models import AuditEvent, Lead, OutboxMessage, utcnow
from tests.scenario import CONTACT, full_profile
from tests.support import Talk

PODLASKIE_CHAT, HAMBURG_CHAT = -1001000000001, -1001000000006
ANNA, JONAS, MIKKO = 900001, 900006, 900005  # demo brokers (PL, DE, FI)

MATCH = PartnerMatch(
    partner_id="DE-0042",
    country="DE",
    region="Hamburg",
    sectors=("31",),
    offers="Möbelgroßhandel",
    seeks="Lieferanten aus dem Baltikum",
    score=0.83,
    reasons=(
        MatchReason("seeks_what_you_offer", {"sectors": ("31",), "terms": ("Möbel",)}),
        MatchReason("target_country", {"country": "DE"}),
    ),
)


async def _profile(app, user_id: int = 42):
    talk = Talk(app.engine, user_id=user_id)
    await full_profile(talk, "en")
    return user_id


async def _lead(app, user_id, match=MATCH):
    async with app.uow() as uow:
        profile = await uow.profiles.get_by_user(user_id)
        lead = await app.leads.request_introduction(uow, profile, match)
        await uow.commit()
    return lead


async def _outbox(app):
    async with app.uow() as uow:
        return (
            (await uow.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)))
            .scalars()
            .all()
        )


async def _click(app, data: str, user_id: int):
    async with app.uow() as uow:
        result = await app.leads.act(uow, data, user_id)
        await uow.commit()
    return result


def _buttons(row: OutboxMessage) -> dict[str, str]:
    return {label: data for line in row.payload["buttons"] for label, data in line}


async def test_lead_goes_to_both_regions_in_their_languages_without_contacts(bare_app):
    profile = await _profile(bare_app)
    lead = await _lead(bare_app, profile)
    assert lead is not None and lead.status == "new"
    rows = await _outbox(bare_app)
    assert [r.chat_id for r in rows] == [PODLASKIE_CHAT, HAMBURG_CHAT]
    polish, german = rows[0].payload["text"], rows[1].payload["text"]
    assert "Mebelux &lt;Oak&gt; &amp; Sons" in polish
    assert polish != german  # each broker reads the card in their own language
    for row in rows:
        blob = json.dumps(row.payload, ensure_ascii=False)
        for personal in (*CONTACT, "+48851234567"):
            assert personal not in blob
        assert all(len(data.encode()) <= 64 for data in _buttons(row).values())


async def test_same_introduction_twice_creates_one_lead(bare_app):
    profile = await _profile(bare_app)
    assert await _lead(bare_app, profile) is not None
    assert await _lead(bare_app, profile) is None
    assert len(await _outbox(bare_app)) == 2


async def test_claim_reveals_contacts_privately_and_tells_the_sme(bare_app):
    profile = await _profile(bare_app)
    await _lead(bare_app, profile)
    card = (await _outbox(bare_app))[0]
    claim = next(iter(_buttons(card).values()))
    result = await _click(bare_app, claim, ANNA)
    assert "#1" in result.answer and not result.alert
    rows = await _outbox(bare_app)
    private = [r for r in rows if r.chat_id == ANNA]
    assert len(private) == 1 and CONTACT[1] in private[0].payload["text"]
    to_sme = [r for r in rows if r.chat_id == 42]
    assert len(to_sme) == 1 and "Anna Demo" in to_sme[0].payload["text"]
    group_notes = [r for r in rows[2:] if r.chat_id < 0]
    assert {r.chat_id for r in group_notes} == {PODLASKIE_CHAT, HAMBURG_CHAT}
    for row in group_notes:
        assert CONTACT[1] not in row.payload["text"]
    # A second claim (other broker, same card) loses.
    again = await _click(bare_app, claim, JONAS)
    assert again.alert
    # Follow-up buttons work only for the claimer.
    contacted = next(iter(_buttons(private[0]).values()))
    assert (await _click(bare_app, contacted, JONAS)).alert
    ok = await _click(bare_app, contacted, ANNA)
    assert not ok.alert
    async with bare_app.uow() as uow:
        stored = await uow.leads.get(1)
        assert (stored.status, stored.claimed_by) == ("contacted", ANNA)


async def test_forged_and_foreign_clicks_do_nothing_and_are_audited(bare_app):
    profile = await _profile(bare_app)
    await _lead(bare_app, profile)
    claim = next(iter(_buttons((await _outbox(bare_app))[0]).values()))
    outsider = await _click(bare_app, claim, 555)
    assert outsider.alert
    for _ in range(200):
        forged = "L:" + secrets.token_urlsafe(12)
        assert (await _click(bare_app, forged, ANNA)).alert
    assert (await _click(bare_app, "L:" + "x" * 100, ANNA)).alert
    async with bare_app.uow() as uow:
        lead = await uow.leads.get(1)
        assert lead.status == "new" and lead.claimed_by is None
        denied = await uow.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome != "ok")
        )
        assert denied == 202


async def test_claim_race_has_exactly_one_winner(bare_app):
    """Many leads, every demo broker pressing Claim on each at the same moment."""
    brokers = [900001, 900002, 900003, 900004, 900005, 900006, 900007]
    profile = await _profile(bare_app)
    leads = 40
    for n in range(leads):
        match = PartnerMatch(f"DE-{n:04d}", "DE", "Hamburg", ("31",), "x", "y", 0.5, ())
        await _lead(bare_app, profile, match)
    rows = await _outbox(bare_app)
    claims = {r.lead_id: next(iter(_buttons(r).values())) for r in rows if r.chat_id < 0}
    results = await asyncio.gather(
        *(_click(bare_app, claims[lead_id], broker) for lead_id in claims for broker in brokers)
    )
    winners = [r for r in results if not r.alert]
    assert len(winners) == leads
    async with bare_app.uow() as uow:
        claimed = (await uow.session.execute(select(Lead.claimed_by))).scalars().all()
    assert len(claimed) == leads and all(c in brokers for c in claimed)


async def test_unclaimed_lead_is_reminded_then_escalated(settings):
    from bot.app import build_app

    settings = settings.model_copy(update={"admin_chat_id": -1009999})
    app = await build_app(settings, with_knowledge=False, migrate=True)
    try:
        profile = await _profile(app)
        await _lead(app, profile)
        later = utcnow() + timedelta(days=2)
        async with app.uow() as uow:
            assert await app.leads.remind_due(uow, later) == 1
            await uow.commit()
        reminders = [
            r
            for r in await _outbox(app)
            if r.dedupe_key.endswith(("reminder1:-1001000000001", "reminder1:-1001000000006"))
        ]
        assert len(reminders) == 2
        async with app.uow() as uow:
            assert await app.leads.remind_due(uow, later + timedelta(days=2)) == 1
            await uow.commit()
        assert any(r.chat_id == -1009999 for r in await _outbox(app))
        # Once claimed, the lead stays quiet.
        claim = next(iter(_buttons((await _outbox(app))[0]).values()))
        await _click(app, claim, ANNA)
        async with app.uow() as uow:
            assert await app.leads.remind_due(uow, later + timedelta(days=9)) == 0
    finally:
        await app.close()
