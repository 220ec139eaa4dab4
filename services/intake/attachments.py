"""Attachments: uploaded on their own, stored once by content hash on disk, named in reports by
id. The event carries the reference (id, sha256, type, size); the bytes never go on the bus."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, insert, or_, select

from services.intake.models import attachments
from shared.db import Database
from shared.events.intake import AttachmentRef

CHUNK = 1 << 20
UNKNOWN = (
    "没有这个附件（或已过期，请重新上传）",
    "unknown attachment id (or expired: upload again)",
)


class FileTooLarge(Exception):
    """The file passed the attachment size limit."""


class BadFile(ValueError):
    """The file is empty, of a type not accepted, or not what its type says."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def _looks_like(content_type: str, head: bytes) -> bool:
    """A light check of the leading bytes, so a declared type cannot smuggle another file."""
    checks = {
        "image/jpeg": lambda: head.startswith(b"\xff\xd8\xff"),
        "image/png": lambda: head.startswith(b"\x89PNG\r\n\x1a\n"),
        "image/gif": lambda: head[:6] in (b"GIF87a", b"GIF89a"),
        "image/webp": lambda: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
        "application/pdf": lambda: head.startswith(b"%PDF-"),
        "audio/mpeg": lambda: head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3"),
        "audio/mp4": lambda: head[4:8] == b"ftyp",
        "video/mp4": lambda: head[4:8] == b"ftyp",
        "audio/amr": lambda: head.startswith(b"#!AMR"),
        "audio/wav": lambda: head[:4] == b"RIFF" and head[8:12] == b"WAVE",
        "text/plain": lambda: _utf8_prefix(head),
    }
    check = checks.get(content_type)
    return bool(check and check())


def _utf8_prefix(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut at the end of the sample
    return b"\x00" not in head


def store_file(source: BinaryIO, root: Path, limit: int) -> tuple[str, int]:
    """Copy `source` under `root` named by its sha256 (once per content); (sha256, size)."""
    root.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, temp = tempfile.mkstemp(dir=root, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FileTooLarge()
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        final = root / sha[:2] / sha
        final.parent.mkdir(exist_ok=True)
        os.replace(temp, final)  # same content, same name: a second copy just replaces it
        return sha, size
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


async def save(
    db: Database,
    root: Path,
    source: BinaryIO,
    content_type: str,
    allowed: tuple[str, ...],
    limit: int,
) -> tuple[str, str]:
    """Check, store and record one upload; (attachment_id, sha256)."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind not in allowed:
        raise BadFile(f"不接受的文件类型：{kind or '未知'}", f"file type not accepted: {kind}")
    head = await asyncio.to_thread(_peek, source)
    if not head:
        raise BadFile("文件为空", "the file is empty")
    if not _looks_like(kind, head):
        raise BadFile("文件内容与类型不符", f"the file's content is not {kind}")
    sha, size = await asyncio.to_thread(store_file, source, root, limit)
    attachment_id = str(uuid.uuid4())
    async with db.sessions() as session, session.begin():
        await session.execute(
            insert(attachments).values(
                id=attachment_id,
                sha256=sha,
                content_type=kind,
                size=size,
                created_at=datetime.now(UTC),
            )
        )
    return attachment_id, sha


def _peek(source: BinaryIO) -> bytes:
    head = source.read(64)
    source.seek(0)
    return head


async def resolve(
    db: Database, ids: list[str], fresh_after: datetime
) -> tuple[tuple[AttachmentRef, ...], list[int]]:
    """References for attachment ids, in order; and the positions of unknown ids.

    An upload no report has named yet counts only while younger than `fresh_after`: the
    sweep deletes it some time after (GRACE), never under a report being stored.
    """
    if not ids:
        return (), []
    usable = or_(attachments.c.referenced_at.is_not(None), attachments.c.created_at >= fresh_after)
    async with db.sessions() as session:
        rows = await session.execute(
            select(attachments).where(attachments.c.id.in_(set(ids)), usable)
        )
        found = {
            row.id: AttachmentRef(
                attachment_id=row.id,
                sha256=row.sha256,
                content_type=row.content_type,
                size=row.size,
            )
            for row in rows
        }
    refs = tuple(dict.fromkeys(found[i] for i in ids if i in found))
    return refs, [index for index, i in enumerate(ids) if i not in found]


async def stored_bytes(db: Database) -> int:
    """Bytes of attachments on disk: each content once, however many uploads share it."""
    per_file = (
        select(func.max(attachments.c.size).label("size")).group_by(attachments.c.sha256).subquery()
    )
    async with db.sessions() as session:
        total = (
            await session.execute(select(func.coalesce(func.sum(per_file.c.size), 0)))
        ).scalar()
    return int(total or 0)
