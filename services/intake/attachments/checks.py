"""What an upload must be before it is stored: of an accepted type, not empty, what its type
says (a light check of the leading bytes), and within the size limit."""

from __future__ import annotations

from shared.errors import Refusal

FILE_AT = ("body", "file")  # where a refusal of the uploaded file (attachment or import) points


def bad_file(zh: str, en: str) -> Refusal:
    """The uploaded file is refused as a whole (its type, its content, a table not readable)."""
    return Refusal.invalid(FILE_AT, zh, en)


def too_large(zh: str, en: str) -> Refusal:
    return Refusal(413, zh, en, type="too_large")


def file_too_large(most: int) -> Refusal:
    return too_large(f"附件不能超过 {most} 字节", f"file exceeds {most} bytes")


def check_upload(kind: str, head: bytes, allowed: tuple[str, ...]) -> None:
    """Refuse a type not accepted, an empty file, or content that is not its declared type."""
    if kind not in allowed:
        raise bad_file(f"不接受的文件类型：{kind or '未知'}", f"file type not accepted: {kind}")
    if not head:
        raise bad_file("文件为空", "the file is empty")
    if not looks_like(kind, head):
        raise bad_file("文件内容与类型不符", f"the file's content is not {kind}")


def looks_like(content_type: str, head: bytes) -> bool:
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
