"""The framework-neutral dialogue engine: Incoming -> replies, state persisted per step."""

from bot.dialogue.model import Button, Document, Incoming, Reply

__all__ = ["Button", "Document", "Incoming", "Reply"]
