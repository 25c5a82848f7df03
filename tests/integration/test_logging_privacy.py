"""Logs carry no personal data and no bot token (checklist D4, D5)."""

from __future__ import annotations

import logging

from bot.logging_setup import RedactTokens
from tests.scenario import CONTACT, full_profile
from tests.support import Talk

TOKEN = "123456789:AAH-synthetic_token_for_tests_0123"


async def test_no_personal_data_in_logs_at_info_and_above(bare_app, caplog):
    caplog.set_level(logging.DEBUG)
    talk = Talk(bare_app.engine)
    await full_profile(talk, "en")
    await talk.send("/export")
    await talk.send("/forget")
    await talk.press_index(0)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    for secret in (*CONTACT, "+48851234567", "Mebelux"):
        assert secret not in logged


def test_token_redaction_covers_messages_arguments_and_tracebacks():
    record_filter = RedactTokens((TOKEN,))
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "calling %s", (TOKEN,), exc_info)
    assert record_filter.filter(record)
    rendered = record.getMessage()
    assert TOKEN not in rendered and "bot123456789:" not in rendered
    other = logging.LogRecord(
        "t",
        logging.INFO,
        __file__,
        1,
        "url bot987654321:ABCdefGHIjklMNOpqrSTUvwxYZ12345",
        None,
        None,
    )
    record_filter.filter(other)
    assert "987654321:ABC" not in other.getMessage()
