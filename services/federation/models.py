"""Federation's tables: villages, aid drives and applications, schools, sponsors, pairings,
visits, homes, activities and selections.

An application's medical and payment details are one box sealed to federation's key
(`aid_applications.sealed`); the household's registration is kept only as a keyed hash (one aid
per household and year) and so is the applicant's receipt. Children are kept as a category and
a made-up reference, never a name or an id number.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, String, Table, Text, UniqueConstraint

from shared.db import UtcDateTime, new_metadata

metadata = new_metadata()

villages = Table(
    "villages",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("county", String(6), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("poor", Boolean, nullable=False),  # 贫困村
    Column("left_behind", Boolean, nullable=False),  # left-behind children concentrate here
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("county", "name", name="uq_villages_county_name"),
)

drives = Table(
    "aid_drives",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("year", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

drive_budgets = Table(
    "aid_drive_budgets",
    metadata,
    Column("drive_id", String(36), primary_key=True),
    Column("fund_source", String(20), primary_key=True),
    Column("budget", Integer, nullable=False),  # yuan
)

applications = Table(
    "aid_applications",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("county", String(6), nullable=False, index=True),
    Column("village_id", String(36), nullable=False),
    Column("poor_village", Boolean, nullable=False),
    Column("drive_id", String(36), index=True),
    Column("year", Integer, nullable=False),
    Column("submitted_by", String(20), nullable=False),  # applicant | village_cadre
    Column("submitter_unit", String(64)),
    Column("submitter_sub", String(128)),
    Column("status", String(20), nullable=False, index=True),
    Column("at_step", String(20)),  # the step a refusal came at
    Column("version", Integer, nullable=False),  # the events' sequence so far
    Column("due_at", UtcDateTime()),
    Column("overdue_at", UtcDateTime()),  # when the current step was told overdue
    Column("sealed", Text, nullable=False),  # the medical and payment details, sealed
    Column("key_id", String(32), nullable=False),
    Column("household_hash", String(64), nullable=False, index=True),
    Column("receipt_hash", String(64), nullable=False, unique=True),
    Column("amount", Integer),
    Column("fund_source", String(20)),
    Column("paid_on", String(10)),
    Column("payment_ref", String(64)),  # the voucher number of the payment, not the account
    Column("public_reason", Text),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

schools = Table(
    "schools",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("county", String(6), nullable=False, index=True),
    Column("village_id", String(36), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

sponsorships = Table(
    "school_sponsorships",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("school_id", String(36), nullable=False, index=True),
    Column("sponsor_kind", String(20), nullable=False),
    Column("sponsor", String(200), nullable=False),
    Column("amount", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

pairings = Table(
    "pairings",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("county", String(6), nullable=False, index=True),
    Column("village_id", String(36), nullable=False),
    Column("school_id", String(36)),
    Column("child_ref", String(20), nullable=False),  # made up here; no name, no id number
    Column("child_category", String(20), nullable=False),
    Column("volunteer_kind", String(20), nullable=False),
    Column("volunteer_unit", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

visits = Table(
    "pairing_visits",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("pairing_id", String(36), nullable=False, index=True),
    Column("visited_on", String(10), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

homes = Table(
    "homes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("county", String(6), nullable=False, index=True),
    Column("village_id", String(36), nullable=False),
    Column("name", String(200), nullable=False),
    Column("functions", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

activities = Table(
    "activities",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("county", String(6), nullable=False, index=True),
    Column("village_id", String(36), nullable=False),
    Column("kind", String(10), nullable=False),  # home | class | themed
    Column("theme", String(200), nullable=False),
    Column("held_on", String(10), nullable=False),
    Column("attendance", Integer, nullable=False),
    Column("home_id", String(36), index=True),
    Column("function", String(20)),
    Column("created_at", UtcDateTime(), nullable=False),
)

selections = Table(
    "selections",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("county", String(6), nullable=False, index=True),
    Column("village_id", String(36), nullable=False),
    Column("kind", String(20), nullable=False),  # best_family | good_in_laws
    Column("year", Integer, nullable=False),
    Column("public_name", String(100), nullable=False),  # as the public result shows it
    Column("status", String(20), nullable=False),  # nominated | selected | declined | published
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
