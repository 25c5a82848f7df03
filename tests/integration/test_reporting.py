"""Reporting: the /stats figures and chart from real conversations and leads."""

from __future__ import annotations

import struct
from datetime import date, timedelta

from bot.ports import PartnerMatch
from bot.reporting import collect_stats, render_chart, render_stats
from tests.scenario import full_profile
from tests.support import Talk


async def _lead(app, user_id: int, partner: str, country: str) -> None:
    async with app.uow() as uow:
        profile = await uow.profiles.get_by_user(user_id)
        match = PartnerMatch(partner, country, "", ("31",), "a", "b", 0.6, ())
        await app.leads.request_introduction(uow, profile, match)
        await uow.commit()


async def test_stats_count_profiles_leads_and_claims(bare_app, translator):
    for user_id in (1, 2, 3):
        await full_profile(Talk(bare_app.engine, user_id=user_id), "en")
    await _lead(bare_app, 1, "DE-1", "DE")
    await _lead(bare_app, 1, "DK-1", "DK")
    await _lead(bare_app, 2, "DE-1", "DE")
    async with bare_app.uow() as uow:
        claim = next(
            t
            for t in (
                await uow.session.execute(
                    __import__("sqlalchemy").select(
                        __import__("db.models", fromlist=["ActionToken"]).ActionToken
                    )
                )
            ).scalars()
            if t.action == "claim"
        )
        await bare_app.leads.act(uow, "L:" + claim.token, 900001)
        await uow.commit()
    async with bare_app.uow() as uow:
        stats = await collect_stats(uow)
        today = await collect_stats(uow, date.today(), date.today())
        future = await collect_stats(uow, date.today() + timedelta(days=1))
    assert stats.profiles == 3 and stats.profiles_by_country == {"PL": 3}
    assert stats.leads == 3
    assert stats.leads_by_status == {"new": 2, "claimed": 1}
    assert stats.leads_by_region == {"PL Podlaskie": 3}
    assert stats.median_claim_hours is not None and stats.median_claim_hours < 1
    assert today.profiles == 3 and future.profiles == 0 and future.leads == 0
    text = render_stats(translator.get("en"), stats)
    assert "3 SMEs profiled" in text and "3 leads" in text
    png = render_chart(translator.get("de"), stats)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (900, 400)
