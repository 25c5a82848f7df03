"""The privacy notice users consent to, with a version and a per-language fingerprint.

A consent record stores the notice version and the SHA-256 of the exact text shown in the
user's language, so it can later be proven what a person agreed to.
"""

from __future__ import annotations

import hashlib

from bot.i18n import Tr

NOTICE_VERSION = "2026-11"
RETENTION_MONTHS = 24


def privacy_notice(tr: Tr) -> str:
    """Return the full notice in the user's language (Telegram HTML)."""
    return tr.gettext(
        "<b>Privacy notice</b>\n\n"
        "TIBS is run by regional development agencies of the Baltic Sea Region to connect "
        "companies with partners abroad. We store your company profile and, only with your "
        "consent, the name, e-mail and phone number of a contact person.\n\n"
        "Contact data is shared with innovation brokers of the partner regions only when you "
        "ask for an introduction. We keep your data for {months} months after your last "
        "activity.\n\n"
        "/export sends you everything we hold about you; /forget erases it at any time."
    ).format(months=tr.number(RETENTION_MONTHS))


def notice_sha256(tr: Tr) -> str:
    """Fingerprint of the notice exactly as shown in ``tr``'s language."""
    return hashlib.sha256(privacy_notice(tr).encode("utf-8")).hexdigest()
