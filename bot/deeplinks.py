"""Deep links: ``t.me/<bot>?start=<agency>[_<event>]`` from an agency's page or a QR poster.

Telegram allows 1-64 characters of ``A-Z a-z 0-9 _ -`` after ``start=``. Anything else,
or an agency we do not know, falls back to a normal start; a payload is never echoed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
_AGENCY = re.compile(r"[a-z0-9]{1,24}")
_EVENT = re.compile(r"[a-z0-9-]{1,39}")


@dataclass(frozen=True)
class StartLink:
    """Where a user came from: an agency code and optionally an event code."""

    agency: str
    event: str | None = None

    @property
    def payload(self) -> str:
        """The ``start`` parameter for this link."""
        return f"{self.agency}_{self.event}" if self.event else self.agency


def parse_start_payload(payload: str) -> StartLink | None:
    """Parse a ``/start`` payload; None for anything malformed."""
    if not _PAYLOAD.fullmatch(payload):
        return None
    agency, _, event = payload.lower().partition("_")
    if not _AGENCY.fullmatch(agency):
        return None
    return StartLink(agency, event if _EVENT.fullmatch(event) else None)


def event_code_ok(code: str) -> bool:
    """Whether an admin-chosen event code fits into a deep link."""
    return bool(_EVENT.fullmatch(code))


def start_url(bot_username: str, link: StartLink) -> str:
    """The t.me URL that opens the bot with this payload."""
    return f"https://t.me/{bot_username}?start={link.payload}"
