"""Stream and consumer definitions, once, in code; `zuofeng bus init` applies them.

FastStream neither updates an existing durable consumer nor should it declare streams: the
bootstrap here does both idempotently (`add_stream`/`update_stream`, `add_consumer` updates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)

from shared.settings.streams import StreamSettings
from shared.subjects import DLQ_PREFIX, PREFIX, all_counties, subject_matches

MAX_DELIVERIES_ADVISORY = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>"


@dataclass(frozen=True)
class StreamDef:
    name: str
    subjects: tuple[str, ...]
    description: str
    # Whose limits apply (shared.settings.streams): events, audit, dlq or advisories.
    family: str = "events"
    # Refuse deleting messages and purging the stream (the server enforces it, admins too).
    deny_delete: bool = False
    deny_purge: bool = False


@dataclass(frozen=True)
class ConsumerDef:
    """A durable pull consumer owned by one service."""

    durable: str
    stream: str
    filter_subject: str
    service: str
    # Seconds a pull that found only a few messages waits for more before handling them. For
    # consumers no one waits on by the millisecond (notices, counts, the public status): at
    # low rates they then commit a few events at a time, not one, and leave the CPU to the
    # path a report takes to become a case. Opening cases never lingers.
    linger: float = 0.0


# See ConsumerDef.linger. 50 ms took one or two events per batch at 20 reports/s: each its own
# pull, transaction and ack round. In 300 ms about six arrive; no one reading a count or a
# notice can tell it trails by a third of a second.
LINGER = 0.3

STREAMS: tuple[StreamDef, ...] = (
    StreamDef("INTAKE", (all_counties("report"),), "reports as received (services only)"),
    StreamDef("CASES", (all_counties("case"),), "case lifecycle: the integrators' feed"),
    StreamDef("NOTIFY", (all_counties("notification"),), "deliveries and failures"),
    StreamDef("REPORTING", (all_counties("alert"),), "accountability alerts"),
    # The Women's Federation's programmes (issue 23): aid steps, schools, homes, selections.
    StreamDef("FEDERATION", (all_counties("federation"),), "women's federation programmes"),
    # The campaign's supervision by cases (issue 22): supervised tasks, inspections and the
    # register of data requests to villages.
    StreamDef(
        "SUPERVISION",
        tuple(all_counties(a) for a in ("task", "inspection", "datarequest")),
        "supervised tasks, inspections, data requests to villages",
    ),
    # The audit chain's anchors: kept whatever happens to the cases database.
    StreamDef(
        "AUDIT",
        (all_counties("audit"),),
        "audit chain anchors (no deletes, no purges)",
        family="audit",
        deny_delete=True,
        deny_purge=True,
    ),
    StreamDef(
        "DLQ",
        (f"{DLQ_PREFIX}.>",),
        "dead letters: original message, headers, last error",
        family="dlq",
    ),
    # Captures the server's advisories so no dead letter is missed while the mover is down.
    StreamDef(
        "DLQ_ADVISORIES",
        (MAX_DELIVERIES_ADVISORY,),
        "max-deliveries advisories",
        family="advisories",
    ),
)

# Every durable consumer, named once: services subscribe with these and claim their inbox
# rows under `.durable`; `zuofeng bus init` creates them and the NATS permissions follow them.
CASES_REPORTS = ConsumerDef("cases-reports", "INTAKE", all_counties("report"), "cases")
INTAKE_CASES = ConsumerDef("intake-cases", "CASES", all_counties("case"), "intake", linger=LINGER)
# notify keeps the sealed contacts from report.received, to tell reporters later.
NOTIFY_REPORTS = ConsumerDef(
    "notify-reports", "INTAKE", all_counties("report"), "notify", linger=LINGER
)
NOTIFY_CASES = ConsumerDef("notify-cases", "CASES", all_counties("case"), "notify", linger=LINGER)
# notify hands accountability alerts to the integrators subscribed to them (webhooks).
NOTIFY_ALERTS = ConsumerDef(
    "notify-alerts", "REPORTING", all_counties("alert"), "notify", linger=LINGER
)
# notify tells the units a supervised task or an inspection finding concerns (issue 22).
NOTIFY_TASKS = ConsumerDef(
    "notify-tasks", "SUPERVISION", all_counties("task"), "notify", linger=LINGER
)
NOTIFY_INSPECTIONS = ConsumerDef(
    "notify-inspections", "SUPERVISION", all_counties("inspection"), "notify", linger=LINGER
)
# notify tells 两癌 aid applicants of their application's steps (issue 23), from the contact
# sealed to it on `federation.aid_submitted`.
NOTIFY_FEDERATION = ConsumerDef(
    "notify-federation", "FEDERATION", all_counties("federation"), "notify", linger=LINGER
)
REPORTING_REPORTS = ConsumerDef(
    "reporting-reports", "INTAKE", all_counties("report"), "reporting", linger=LINGER
)
REPORTING_CASES = ConsumerDef(
    "reporting-cases", "CASES", all_counties("case"), "reporting", linger=LINGER
)
# The campaign's supervision (issue 22), counted by reporting: one durable per aggregate.
REPORTING_TASKS = ConsumerDef(
    "reporting-tasks", "SUPERVISION", all_counties("task"), "reporting", linger=LINGER
)
REPORTING_INSPECTIONS = ConsumerDef(
    "reporting-inspections", "SUPERVISION", all_counties("inspection"), "reporting", linger=LINGER
)
REPORTING_DATAREQUESTS = ConsumerDef(
    "reporting-datarequests", "SUPERVISION", all_counties("datarequest"), "reporting", linger=LINGER
)
# The Women's Federation's programmes (issue 23), counted per county by reporting.
REPORTING_FEDERATION = ConsumerDef(
    "reporting-federation", "FEDERATION", all_counties("federation"), "reporting", linger=LINGER
)
DLQ_MOVER = ConsumerDef("dlq-mover", "DLQ_ADVISORIES", MAX_DELIVERIES_ADVISORY, "shared")

CONSUMERS: tuple[ConsumerDef, ...] = (
    CASES_REPORTS,
    INTAKE_CASES,
    NOTIFY_REPORTS,
    NOTIFY_CASES,
    NOTIFY_ALERTS,
    NOTIFY_TASKS,
    NOTIFY_INSPECTIONS,
    NOTIFY_FEDERATION,
    REPORTING_REPORTS,
    REPORTING_CASES,
    REPORTING_TASKS,
    REPORTING_INSPECTIONS,
    REPORTING_DATAREQUESTS,
    REPORTING_FEDERATION,
    DLQ_MOVER,
)


# The services a county runs at its own leaf (shared.natsleaf): the front door, which keeps
# accepting reports while the link to the hub is down.
COUNTY_SERVICES = ("intake",)


def county_consumer(definition: ConsumerDef, county: str) -> ConsumerDef:
    """A county's own copy of a service's consumer (`<durable>-<county>`), filtered to that
    county's subjects: a service at the county's leaf reads nothing of another county through
    it (its NATS user may use no other durable, shared.natsauth.county)."""
    every = f"{PREFIX}.*."
    if not definition.filter_subject.startswith(every):
        raise ValueError(f"{definition.durable} is not a per-county consumer")
    if not re.fullmatch(r"\d{6}", county):
        raise ValueError(f"county must be a 6-digit code, got {county!r}")
    own = f"{PREFIX}.{county}." + definition.filter_subject.removeprefix(every)
    return replace(definition, durable=f"{definition.durable}-{county}", filter_subject=own)


def county_consumers(county: str) -> tuple[ConsumerDef, ...]:
    """The durables the county's services pull from at its leaf."""
    return tuple(
        county_consumer(cdef, county) for cdef in CONSUMERS if cdef.service in COUNTY_SERVICES
    )


def stream_for_subject(subject: str) -> str:
    """The stream that captures a subject; raises if none does (nothing is published uncaptured)."""
    for stream in STREAMS:
        if any(subject_matches(pattern, subject) for pattern in stream.subjects):
            return stream.name
    raise LookupError(f"no stream captures {subject}")


def consumer(durable: str) -> ConsumerDef:
    for definition in CONSUMERS:
        if definition.durable == durable:
            return definition
    raise KeyError(durable)


def stream_config(definition: StreamDef, settings: StreamSettings | None = None) -> StreamConfig:
    """The stream at the settings' replicas and its family's limits (defaults: the settings'
    defaults, whatever the environment says)."""
    settings = settings or StreamSettings.model_construct()
    family = definition.family
    max_age = getattr(settings, f"{family}_max_age")
    return StreamConfig(
        name=definition.name,
        description=definition.description,
        subjects=list(definition.subjects),
        retention=RetentionPolicy.LIMITS,  # kept for audit and replay
        storage=StorageType.FILE,
        discard=DiscardPolicy(getattr(settings, f"{family}_discard")),
        max_age=max_age or None,
        max_bytes=getattr(settings, f"{family}_max_bytes"),
        # The server refuses a window longer than the age limit.
        duplicate_window=min(settings.duplicate_window, max_age or settings.duplicate_window),
        num_replicas=settings.replicas,
        deny_delete=definition.deny_delete,
        deny_purge=definition.deny_purge,
    )


def consumer_config(
    definition: ConsumerDef, *, max_deliver: int, ack_wait: float, replicas: int = 1
) -> ConsumerConfig:
    return ConsumerConfig(
        name=definition.durable,
        durable_name=definition.durable,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        filter_subject=definition.filter_subject,
        max_deliver=max_deliver,
        ack_wait=ack_wait,
        max_ack_pending=1000,
        num_replicas=replicas,  # as its stream's: a node's loss keeps its acks
    )
