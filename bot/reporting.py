"""Reporting for admins: SMEs profiled, matches shown, leads by status and region, time to claim.

The same figures feed ``/stats`` (text plus a PNG chart in the chat) and ``tibs report``.
Only aggregates leave the database; matplotlib is imported when a chart is drawn, never at
start-up (it costs ~0.9 s and ~70 MB).
"""

from __future__ import annotations

import io
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from bot.i18n import Tr
from bot.leads import STATUS_LABELS
from db.models import Lead, Profile
from db.uow import UnitOfWork


@dataclass
class Stats:
    """Aggregates for one period."""

    since: date | None
    until: date | None
    profiles: int = 0
    profiles_by_country: Counter[str] = field(default_factory=Counter)
    matches_shown: int = 0
    leads_by_status: Counter[str] = field(default_factory=Counter)
    leads_by_region: Counter[str] = field(default_factory=Counter)
    median_claim_hours: float | None = None
    by_event: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def leads(self) -> int:
        """All leads of the period."""
        return sum(self.leads_by_status.values())


def _bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    start = datetime.combine(since, time.min, UTC) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, UTC) if until else None
    return start, end


async def collect_stats(
    uow: UnitOfWork, since: date | None = None, until: date | None = None
) -> Stats:
    """Compute the figures for ``since``..``until`` (inclusive days, UTC)."""
    stats = Stats(since, until)
    start, end = _bounds(since, until)
    profile_query = select(Profile.country, Profile.event, Profile.user_id)
    lead_query = select(
        Lead.status,
        Lead.sme_country,
        Lead.sme_region,
        Lead.created_at,
        Lead.claimed_at,
        Lead.sme_user_id,
    )
    if start is not None:
        profile_query = profile_query.where(Profile.created_at >= start)
        lead_query = lead_query.where(Lead.created_at >= start)
    if end is not None:
        profile_query = profile_query.where(Profile.created_at < end)
        lead_query = lead_query.where(Lead.created_at < end)
    session = uow.session
    events_of: dict[int, str | None] = {}
    event_profiles: Counter[str] = Counter()
    for country, event, user_id in await session.execute(profile_query):
        stats.profiles += 1
        stats.profiles_by_country[country] += 1
        events_of[user_id] = event
        if event:
            event_profiles[event] += 1
    claim_hours = []
    event_leads: Counter[str] = Counter()
    for status, country, region, created, claimed, user_id in await session.execute(lead_query):
        stats.leads_by_status[status] += 1
        stats.leads_by_region[f"{country} {region}".strip() if region else country] += 1
        if claimed is not None:
            claim_hours.append((claimed - created).total_seconds() / 3600)
        event = events_of.get(user_id)
        if event is None:
            event = await session.scalar(select(Profile.event).where(Profile.user_id == user_id))
        if event:
            event_leads[event] += 1
    stats.median_claim_hours = statistics.median(claim_hours) if claim_hours else None
    stats.matches_shown = await uow.counters.total("matches_shown", since, until)
    stats.by_event = {
        e: (event_profiles[e], event_leads[e])
        for e in sorted(set(event_profiles) | set(event_leads))
    }
    return stats


def render_stats(tr: Tr, stats: Stats) -> str:
    """The figures as a chat message."""
    period = tr.gettext("all time")
    if stats.since or stats.until:
        period = "{} \u2013 {}".format(stats.since or "\u2026", stats.until or "\u2026")
    lines = [
        tr.gettext("<b>TIBS statistics</b> ({period})").format(period=period),
        tr.ngettext("{count} SME profiled", "{count} SMEs profiled", stats.profiles).format(
            count=tr.number(stats.profiles)
        ),
        tr.ngettext("{count} match shown", "{count} matches shown", stats.matches_shown).format(
            count=tr.number(stats.matches_shown)
        ),
        tr.ngettext("{count} lead", "{count} leads", stats.leads).format(
            count=tr.number(stats.leads)
        ),
    ]
    for status, count in sorted(stats.leads_by_status.items()):
        lines.append(
            f"  \u2022 {tr.gettext(STATUS_LABELS.get(status, status))}: {tr.number(count)}"
        )
    if stats.median_claim_hours is not None:
        lines.append(
            tr.gettext("Median time to claim: {hours} h").format(
                hours=tr.number(round(stats.median_claim_hours, 1))
            )
        )
    if stats.leads_by_region:
        lines.append(tr.gettext("Leads by region:"))
        lines += [
            f"  \u2022 {region}: {tr.number(count)}"
            for region, count in stats.leads_by_region.most_common(10)
        ]
    if stats.by_event:
        lines.append(tr.gettext("Events (profiles / leads):"))
        lines += [
            f"  \u2022 {event}: {tr.number(p)} / {tr.number(n)}"
            for event, (p, n) in stats.by_event.items()
        ]
    return "\n".join(lines)


def render_chart(tr: Tr, stats: Stats) -> bytes:
    """A PNG with profiles by country and leads by status."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 4), dpi=100)
    left, right = figure.subplots(1, 2)
    countries = sorted(stats.profiles_by_country)
    left.bar(countries, [stats.profiles_by_country[c] for c in countries], color="#2a6f97")
    left.set_title(tr.gettext("SMEs profiled by country"))
    statuses = [s for s in STATUS_LABELS if stats.leads_by_status.get(s)]
    right.bar(
        [tr.gettext(STATUS_LABELS[s]) for s in statuses],
        [stats.leads_by_status[s] for s in statuses],
        color="#e07a5f",
    )
    right.set_title(tr.gettext("Leads by status"))
    right.tick_params(axis="x", labelrotation=30)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
