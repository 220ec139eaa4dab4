"""Intake's tables: reports as received, the reporter's public view, idempotency records,
attachments by content hash, and the exposed cases Open311 lists."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Float, Integer, String, Table, Text

from shared.db import UtcDateTime, new_metadata

metadata = new_metadata()

reports = Table(
    "reports",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tracking_hash", String(64), nullable=False, unique=True),
    Column("county", String(6), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("title", String(200)),
    Column("content", Text, nullable=False),
    Column("township", String(100)),
    Column("village", String(100)),
    Column("subject_unit", String(200)),
    Column("subject_unit_id", String(64)),
    Column("subject_person", String(100)),
    Column("subject_is_head", Boolean, nullable=False, default=False),
    Column("category_hint", Integer),
    Column("occurred_on", Date),
    Column("anonymous", Boolean, nullable=False),
    Column("identity_sealed", Text),  # JSON of SealedIdentity: ciphertext only
    Column("reporter_index", String(64)),
    Column("submitted_by_unit", String(64)),
    # The reporter's status: a case status, or "merged" (kept while the case moves on).
    Column("status", String(32), nullable=False),
    Column("case_id", String(36), index=True),
    Column("status_version", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # The case as it stands (merged reports too) and its problem number, for Open311.
    Column("case_status", String(32)),
    Column("case_version", Integer, nullable=False, default=0),
    Column("problem", Integer),
    # JSON list of AttachmentRef (references only; the bytes stay on disk).
    Column("attachments", Text),
    # The review window opens with the reply (case.rejected / case.closed).
    Column("replied_at", UtcDateTime()),
    Column("review_until", UtcDateTime()),
    Column("review_requested_at", UtcDateTime()),
    # The review's result opens the second review's window (复核) instead; it is final.
    Column("re_review_until", UtcDateTime()),
    Column("re_review_requested_at", UtcDateTime()),
    # The rating of the last reply (回访, issue 26): once per reply, so when and which.
    Column("feedback_at", UtcDateTime()),
    Column("feedback_rating", String(24)),
    # The deadline the handling unit must meet now, as cases published it ("accept": 受理,
    # "handle": 办理); none once the case is concluded, rejected or closed.
    Column("deadline_due", UtcDateTime()),
    Column("deadline_kind", String(16)),
    # Last `sequence` used for this report's events (report.received is 1).
    Column("sequence", Integer, nullable=False, default=1),
    # Where the reporter says it is (WGS84 degrees; Open311's lat/long): helps find the village.
    Column("lat", Float),
    Column("long", Float),
)

report_steps = Table(
    "report_steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", String(36), nullable=False, index=True),
    Column("event_id", String(80), nullable=False, unique=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("status", String(32), nullable=False),
    Column("text_zh", Text, nullable=False),
    Column("text_en", Text, nullable=False),
)

idempotency = Table(
    "idempotency_keys",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("body_hash", String(64), nullable=False),  # keyed hash: the body may hold a phone
    Column("report_id", String(36), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("sha256", String(64), nullable=False, index=True),  # the file's name on disk
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False, index=True),
    # When a report first named it; an upload never named expires (attachments.sweep.sweep).
    Column("referenced_at", UtcDateTime()),
)

exposures = Table(
    "exposures",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("report_id", String(36), nullable=False),
    Column("county", String(6), nullable=False, index=True),
    Column("problem", Integer),
    Column("case_status", String(32), nullable=False),
    Column("case_version", Integer, nullable=False),
    Column("exposure_text", Text, nullable=False),  # the approved, redacted public text
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("exposed_at", UtcDateTime(), nullable=False, index=True),
    Column("updated_at", UtcDateTime(), nullable=False),
)
