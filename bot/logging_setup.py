"""Logging with a redaction filter: bot tokens never reach a log line, whatever logs them."""

from __future__ import annotations

import logging
import re

_TOKEN_PATTERN = re.compile(r"(bot)?\d{5,20}:[A-Za-z0-9_-]{20,}")


class RedactTokens(logging.Filter):
    """Replace anything shaped like a bot token (and known secrets) in log records."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = tuple(secret for secret in secrets if secret)

    def redact(self, text: str) -> str:
        """Return ``text`` with tokens replaced."""
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return _TOKEN_PATTERN.sub("[redacted]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redacted, and drop the arguments."""
        message = self.redact(record.getMessage())
        if record.exc_info:
            formatted = logging.Formatter().formatException(record.exc_info)
            message = f"{message}\n{self.redact(formatted)}"
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = message, None
        return True


def configure_logging(level: str = "INFO", secrets: tuple[str, ...] = ()) -> None:
    """Install a stderr handler whose filter redacts tokens in every record."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx (python-telegram-bot) logs every request URL, which contains the token, at INFO.
    for noisy in ("httpx", "httpcore", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
