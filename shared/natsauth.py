"""The fenced bus: one NATS user per service and per integrator, each with subject permissions.

Least privilege, subject by subject:
- Replies are private. Every user subscribes only to its own inbox prefix `_INBOX.<user>.>`
  (and connects with `inbox_prefix=_INBOX.<user>`), so no one reads another's replies (pulled
  messages, KV reads, intake's answers). Intake answers requests through `allow_responses`.
- Only `admin` (`zuofeng bus init`, `zuofeng apikey …`, `zuofeng dlq …`, a rebuild) may create,
  update, purge or delete streams, consumers and buckets. A service may use the JetStream API
  only on what it runs: info, next-message and acks of its own durables, reads of the API-key
  and DLQ-error buckets, writes to the latter, and the DLQ mover's reads and DLQ publishes.
- Subject permissions alone do not fence JetStream reads, so an integrator of county C may only
  create the consumer `integ-C` on CASES with its filter in the API subject
  (`$JS.API.CONSUMER.CREATE.CASES.integ-C.zuofeng.v1.C.case.>`), pull from that consumer only,
  and subscribe to no other county's subjects; it gets no stream info (counts of every county).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from shared.events.base import CITY_COUNTY
from shared.streams import CONSUMERS
from shared.subjects import DLQ_PREFIX, PREFIX, event_subject

SERVICE_PUBLISHES = {
    "intake": ["report"],
    "cases": ["case"],
    "notify": ["notification"],
    "reporting": ["alert"],
}
# The AUDIT stream is shared: each service may publish only its own records there (at city
# level), so none can forge another's (cases' anchors above all). `zuofeng apikey` records
# its changes as admin.
SERVICE_AUDIT_EVENTS = {
    "intake": [],
    "cases": ["audit.anchored"],
    "notify": ["audit.webhook_changed"],
    "reporting": ["audit.exported", "audit.alert_decided"],
}
JS = "$JS.API"
# Buckets a service reads (API keys on every request with X-API-Key; the last error of a
# message for the DLQ mover); only DLQ_ERRORS is written, between deliveries.
READ_BUCKETS = ("API_KEYS", "DLQ_ERRORS")
WRITE_BUCKETS = ("DLQ_ERRORS",)
SHARED_DURABLES = ("dlq-mover",)  # run by every service
# Last-message reads a service needs beyond its consumers: cases seeds its audit anchoring (and
# `zuofeng audit verify` compares) with the last anchor on the AUDIT stream.
SERVICE_READS = {"cases": ("AUDIT",)}


def inbox_prefix(user: str) -> str:
    """The only inbox a user may subscribe to (connect with `inbox_prefix=` this)."""
    return f"_INBOX.{user}"


def _bucket_reads(bucket: str) -> list[str]:
    stream = f"KV_{bucket}"
    # STREAM.INFO: nats-py's key_value(); the get is direct or not as the bucket was made.
    return [f"{JS}.STREAM.INFO.{stream}", f"{JS}.STREAM.MSG.GET.{stream}",
            f"{JS}.DIRECT.GET.{stream}.>"]  # fmt: skip


def _durable_use(stream: str, durable: str) -> list[str]:
    return [
        f"{JS}.CONSUMER.INFO.{stream}.{durable}",
        f"{JS}.CONSUMER.MSG.NEXT.{stream}.{durable}",
        f"$JS.ACK.{stream}.{durable}.>",
    ]


def service_jetstream(service: str) -> list[str]:
    """The JetStream API and ack subjects a service uses, and nothing that changes the bus."""
    allowed: list[str] = []
    for cdef in CONSUMERS:
        if cdef.service == service or cdef.durable in SHARED_DURABLES:
            allowed += _durable_use(cdef.stream, cdef.durable)
    # The DLQ mover fetches an advised message from whichever consumed stream it is in.
    allowed += [f"{JS}.STREAM.MSG.GET.{s}" for s in sorted({c.stream for c in CONSUMERS})]
    allowed += [f"{JS}.STREAM.MSG.GET.{s}" for s in SERVICE_READS.get(service, ())]
    for bucket in READ_BUCKETS:
        allowed += _bucket_reads(bucket)
    allowed += [f"$KV.{bucket}.>" for bucket in WRITE_BUCKETS]
    return allowed


def service_permissions(service: str) -> dict[str, Any]:
    own = [f"{PREFIX}.*.{aggregate}.>" for aggregate in SERVICE_PUBLISHES[service]]
    own += [event_subject(CITY_COUNTY, event) for event in SERVICE_AUDIT_EVENTS[service]]
    subscribe = [f"{inbox_prefix(service)}.>"]
    permissions: dict[str, Any] = {
        "publish": {"allow": own + [f"{DLQ_PREFIX}.>"] + service_jetstream(service)},
        "subscribe": {"allow": subscribe},
    }
    if service == "intake":
        subscribe.append(f"{PREFIX}.*.intake.submit")  # request-reply submissions
        # It answers each request once, on the requester's own inbox, and publishes no other
        # inbox subject.
        permissions["allow_responses"] = True
    return permissions


def integrator_permissions(county: str) -> dict[str, Any]:
    """Submit for its county; read the CASES feed of its county through its own consumer."""
    name = integrator_consumer(county)
    feed = f"{PREFIX}.{county}.case.>"
    return {
        "publish": {
            "allow": [
                f"{PREFIX}.{county}.intake.submit",
                f"{JS}.INFO",
                f"{JS}.CONSUMER.CREATE.CASES.{name}.{feed}",
                *_durable_use("CASES", name),
            ]
        },
        "subscribe": {"allow": [f"{inbox_prefix(f'integrator-{county}')}.>", feed]},
    }


def integrator_consumer(county: str) -> str:
    return f"integ-{county}"


def load_or_create_passwords(path: Path, users: list[str]) -> dict[str, str]:
    """Passwords kept under var/ (0600), created for users that have none yet."""
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    for user in users:
        known.setdefault(user, secrets.token_urlsafe(24))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(json.dumps(known, indent=2))
    return known


def authorization_block(passwords: dict[str, str], counties: list[str]) -> str:
    """The `authorization { users = [...] }` block of nats.conf (JSON is valid NATS config)."""
    users: list[dict[str, Any]] = [{"user": "admin", "password": passwords["admin"]}]
    for service in SERVICE_PUBLISHES:
        users.append(
            {
                "user": service,
                "password": passwords[service],
                "permissions": service_permissions(service),
            }
        )
    for county in counties:
        user = f"integrator-{county}"
        users.append(
            {
                "user": user,
                "password": passwords[user],
                "permissions": integrator_permissions(county),
            }
        )
    return "authorization " + json.dumps({"users": users}, indent=2) + "\n"


def user_names(counties: list[str]) -> list[str]:
    return ["admin", *SERVICE_PUBLISHES, *(f"integrator-{county}" for county in counties)]


def with_credentials(url: str, user: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}:{password}@{rest}"


def url_user(url: str) -> str | None:
    """The user named in a NATS URL (`nats://user:password@host:port`), if any."""
    first = url.split(",", 1)[0].strip()
    user = urlsplit(first if "://" in first else f"nats://{first}").username
    return unquote(user) if user else None


def connect_options(url: str) -> dict[str, Any]:
    """nats-py (and FastStream) connect options for a URL: the user's private inbox prefix
    when the URL names a user (an unfenced server has none and keeps the default)."""
    user = url_user(url)
    return {"inbox_prefix": inbox_prefix(user)} if user else {}
