"""Notify's tables: inbox, the delivery log, sealed reporter contacts, case links, webhooks.

Nothing here holds a reporter's contact in clear: `reporter_contacts.sealed` is the box sealed
to notify's key, opened in memory only at the moment of sending.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from shared.db import UtcDateTime, new_metadata

metadata = new_metadata()

notices = Table(
    "inbox_notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit", String(64), nullable=False, index=True),
    Column("case_id", String(36)),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("read", Boolean, nullable=False),
    Column("title_en", String(200)),
    Column("body_en", Text),
    # Never twice for the same thing: one notice per event and unit.
    UniqueConstraint("event_id", "unit", name="uq_inbox_notices_event_id"),
)

# One row per report seen on `report.received`; anonymous ones have no box and are never told.
reporter_contacts = Table(
    "reporter_contacts",
    metadata,
    Column("report_id", String(64), primary_key=True),
    Column("county", String(6), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("contactable", Boolean, nullable=False),
    Column("sealed", Text),  # base64 box sealed to notify's key; never the contact in clear
    Column("key_id", String(32)),
    Column("has_email", Boolean, nullable=False),
    Column("has_phone", Boolean, nullable=False),
    # 书面告知 (issue 22): the sealed box holds a postal address (letter and visit reports), and
    # the unit whose clerk took the report prints its letters (null: submitted by no unit).
    Column("has_address", Boolean, nullable=False, server_default=false()),
    Column("intake_unit", String(64)),
)

# Which reports a case answers to: the opening report and every repeat merged into it.
case_reports = Table(
    "case_reports",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("report_id", String(64), primary_key=True),
    Column("merged", Boolean, nullable=False),
)

# Each case's co-responsible units (协办), as its opening named them.
case_co_units = Table(
    "case_co_units",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("unit", String(64), primary_key=True),
)

# The case events deliveries are made of (case.* only: public texts, no personal data).
source_events = Table(
    "source_events",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("event_type", String(64), nullable=False),
    Column("envelope", Text, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)

# The delivery log and queue: exactly one row per (event, recipient, channel).
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("case_id", String(36)),
    # The case event's own sequence: one address's sends of a case go in this order (null on
    # rows queued before it was kept).
    Column("sequence", Integer),
    Column("county", String(6), nullable=False),  # of the notification event's envelope
    # unit | reporter | integrator | survey (回访 SMS) | applicant (aid applicant)
    Column("recipient_kind", String(16), nullable=False),
    # unit id | report id (reporter, survey) | subscription id | application id
    Column("recipient", String(64), nullable=False),
    Column("channel", String(16), nullable=False),  # email | sms | webhook | inbox
    Column("audience", String(32), nullable=False),  # which template
    Column("status", String(16), nullable=False),  # pending|digest|delivered|failed|cancelled
    Column("urgent", Boolean, nullable=False),
    Column("batch", String(32)),  # the digest a waiting row belongs to (its local date)
    Column("external_id", String(36)),  # sent as X-Zuofeng-Delivery / Message-ID
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime()),
    Column("last_error", String(300)),
    Column("correlation_id", String(64)),
    Column("redeliveries", Integer),  # times an integrator asked it again (null: never)
    # (A reporter's SMS notice of a closing and its survey SMS are two rows: the kind counts.)
    UniqueConstraint(
        "event_id", "recipient_kind", "recipient", "channel", name="uq_deliveries_event_id"
    ),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
)

# 两癌 aid applicants' contacts (issue 23), kept sealed from `federation.aid_submitted` as
# reporters' are; an applicant who left none has no row and is never told.
applicant_contacts = Table(
    "applicant_contacts",
    metadata,
    Column("application_id", String(36), primary_key=True),
    Column("county", String(6), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("sealed", Text, nullable=False),  # base64 box sealed to notify's key
    Column("key_id", String(32)),
    Column("has_email", Boolean, nullable=False),
    Column("has_phone", Boolean, nullable=False),
)

webhooks = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("unit", String(64), nullable=False, index=True),
    Column("created_by", String(200), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("counties", JSON, nullable=False),
    Column("secret", String(200), nullable=False),  # HMAC key: needed in full to sign
    Column("created_at", UtcDateTime(), nullable=False),
    Column("failures", Integer, nullable=False),  # consecutive deliveries failed for good
    Column("suspended_at", UtcDateTime()),
    Column("deleted_at", UtcDateTime()),
)

# Every delivery queued to a webhook subscription, numbered as queued: what an integrator lists
# and redelivers after its endpoint was down ("since number N", services/notify/catchup.py).
webhook_ledger = Table(
    "webhook_ledger",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("delivery", String(36), nullable=False),  # deliveries.id
    Column("subscription_id", String(36), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("delivery", name="uq_webhook_ledger_delivery"),
    Index("ix_webhook_ledger_subscription", "subscription_id", "seq"),
)
