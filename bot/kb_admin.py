"""Admins keep the knowledge base current without a redeploy: validate, diff, confirm, roll back.

Two kinds of file are managed so far: the partner registry (CSV/XLSX) and the FAQ (JSON).

An upload is validated completely (size, type, zip-bomb-safe XLSX, schema, every row) before
anything changes; a rejected file leaves the active version untouched and the admin gets
every error by row and column. An accepted file is staged with a diff and becomes active
only on confirmation, atomically, as a new version; any earlier version can be re-activated.
The running bot swaps the data in place, so no restart is needed.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import secrets
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from db.models import KnowledgeVersion, utcnow
from db.uow import UnitOfWork
from knowledge.faq import Faq, FaqDataError, FaqEntry
from knowledge.registry import Partner, RowError, check_partners

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
PARTNERS, FAQ = "partners", "faq"
EXPORT_COLUMNS = (
    "id",
    "name",
    "country",
    "region",
    "nace",
    "offers",
    "seeks",
    "cooperation",
    "languages",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


@dataclass(frozen=True)
class Diff:
    """What a new registry changes, by partner id."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass
class StageResult:
    """Outcome of an upload: errors (nothing staged) or a staged version with its diff."""

    errors: list[RowError] = field(default_factory=list)
    version: KnowledgeVersion | None = None
    diff: Diff | None = None


def diff_items(old: Sequence[Any], new: Sequence[Any]) -> Diff:
    """Added, changed and removed ids (partners, FAQ entries: anything with an ``id``)."""
    before = {p.id: p for p in old}
    after = {p.id: p for p in new}
    return Diff(
        added=tuple(sorted(after.keys() - before.keys())),
        changed=tuple(sorted(i for i in after.keys() & before.keys() if after[i] != before[i])),
        removed=tuple(sorted(before.keys() - after.keys())),
    )


def detect_kind(filename: str) -> str | None:
    """Which knowledge file an upload is, from its name."""
    name = filename.lower()
    if name.endswith((".csv", ".xlsx")):
        return PARTNERS
    if name.endswith(".json") and "faq" in name:
        return FAQ
    return None


def parse_faq(filename: str, content: bytes) -> tuple[list[FaqEntry], list[RowError]]:
    """Validate an uploaded FAQ JSON file."""
    if len(content) > MAX_UPLOAD_BYTES:
        return [], [RowError(0, "file", f"{len(content)} bytes, more than {MAX_UPLOAD_BYTES}")]
    with tempfile.TemporaryDirectory(prefix="tibs-upload-") as tmp:
        path = Path(tmp) / "faq.json"
        path.write_bytes(content)
        try:
            return list(Faq.load(path).entries), []
        except (FaqDataError, ValueError, UnicodeDecodeError) as error:
            return [], [RowError(0, "file", str(error)[:300])]


def parse_upload(
    filename: str, content: bytes, known_codes: Sequence[str] = ()
) -> tuple[list[Partner], list[RowError]]:
    """Validate an uploaded CSV/XLSX registry from bytes (written to a private temp file)."""
    suffix = Path(filename).suffix.lower()
    if len(content) > MAX_UPLOAD_BYTES:
        return [], [RowError(0, "file", f"{len(content)} bytes, more than {MAX_UPLOAD_BYTES}")]
    if suffix == ".xlsx" and not content.startswith(b"PK\x03\x04"):
        return [], [RowError(0, "file", "not an XLSX file (wrong magic bytes)")]
    with tempfile.TemporaryDirectory(prefix="tibs-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(content)
        return check_partners(path, known_codes)


@dataclass(frozen=True)
class KindSpec:
    """How one kind of knowledge file is parsed, read and put to use."""

    parse: Callable[[str, bytes], tuple[Sequence[Any], list[RowError]]]
    current: Callable[[], Sequence[Any]]
    apply: Callable[[Sequence[Any]], None]


class KnowledgeAdmin:
    """Staging, activation and rollback of knowledge-base versions, per kind of file."""

    def __init__(self, kinds: dict[str, KindSpec]) -> None:
        self.kinds = kinds

    def current(self, kind: str = PARTNERS) -> Sequence[Any]:
        """The data of a kind in use now."""
        return self.kinds[kind].current()

    async def stage(
        self, uow: UnitOfWork, filename: str, content: bytes, admin_id: int | None
    ) -> StageResult:
        """Validate and stage an upload (nothing becomes active here)."""
        kind = detect_kind(filename)
        if kind is None or kind not in self.kinds:
            await uow.audit.record(admin_id, "kb_upload", filename[:64], "rejected")
            return StageResult(
                errors=[
                    RowError(
                        0,
                        "file",
                        "unsupported file type: send a partner registry (.csv, .xlsx) or faq.json",
                    )
                ]
            )
        items, errors = await asyncio.to_thread(self.kinds[kind].parse, filename, content)
        if errors:
            await uow.audit.record(admin_id, "kb_upload", filename[:64], "rejected")
            return StageResult(errors=errors)
        version = KnowledgeVersion(
            kind=kind,
            filename=filename[:200],
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            rows=len(items),
            status="staged",
            confirm_token=secrets.token_urlsafe(12),
            created_by=admin_id,
        )
        uow.session.add(version)
        await uow.session.flush()
        await uow.audit.record(admin_id, "kb_upload", str(version.id), "staged")
        return StageResult(version=version, diff=diff_items(self.current(kind), items))

    async def activate(
        self, uow: UnitOfWork, version: KnowledgeVersion, admin_id: int | None
    ) -> int:
        """Make ``version`` the active one of its kind (atomically) and use it at once."""
        spec = self.kinds[version.kind]
        items, errors = spec.parse(version.filename, version.content)
        if errors:  # the data rules changed since staging; refuse rather than half-apply
            raise ValueError(str(errors[0]))
        await uow.session.execute(
            update(KnowledgeVersion)
            .where(KnowledgeVersion.kind == version.kind, KnowledgeVersion.status == "active")
            .values(status="retired")
        )
        version.status, version.activated_at = "active", utcnow()
        await uow.audit.record(admin_id, "kb_activate", str(version.id), "ok")
        await uow.commit()
        spec.apply(items)
        return len(items)

    async def by_token(self, uow: UnitOfWork, token: str) -> KnowledgeVersion | None:
        """A staged version by its confirmation token."""
        result = await uow.session.execute(
            select(KnowledgeVersion).where(
                KnowledgeVersion.confirm_token == token, KnowledgeVersion.status == "staged"
            )
        )
        return result.scalar_one_or_none()

    async def versions(self, uow: UnitOfWork) -> Sequence[KnowledgeVersion]:
        """All versions of every kind, newest first."""
        result = await uow.session.execute(
            select(KnowledgeVersion).order_by(KnowledgeVersion.id.desc())
        )
        return result.scalars().all()

    async def rollback(self, uow: UnitOfWork, version_id: int, admin_id: int | None) -> int:
        """Re-activate an earlier version."""
        version = await uow.session.get(KnowledgeVersion, version_id)
        if version is None or version.kind not in self.kinds:
            raise LookupError(version_id)
        return await self.activate(uow, version, admin_id)

    async def restore_active(self, uow: UnitOfWork) -> list[int]:
        """At start-up: use the active uploaded version of each kind (else built-in data)."""
        result = await uow.session.execute(
            select(KnowledgeVersion).where(KnowledgeVersion.status == "active")
        )
        restored = []
        for version in result.scalars():
            spec = self.kinds.get(version.kind)
            if spec is None:
                continue
            items, errors = spec.parse(version.filename, version.content)
            if not errors:
                spec.apply(items)
                restored.append(version.id)
        return restored


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection): prefix risky cells with a quote."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_partners_csv(partners: Sequence[Partner]) -> bytes:
    """The registry as CSV in the import format, safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for p in partners:
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    p.id,
                    p.name,
                    p.country,
                    p.region,
                    ";".join(p.nace),
                    p.offers,
                    p.seeks,
                    ";".join(p.cooperation),
                    ";".join(p.languages),
                )
            ]
        )
    return buffer.getvalue().encode("utf-8")
