"""A county's users on its own leaf server, and the one user its leaf connects to the city hub
as (`leaf-<county>`).

A county runs its intake and its integrators against its leaf. Their permissions are the city's
(`service_permissions`, `integrator_permissions`) narrowed to the county: every subject that
names any county (`zuofeng.v1.*.…`) names this county, and the inbox is the county user's own.
The hub enforces the leaf user's permissions on everything crossing the link (what it may
publish is all the leaf can send to the hub, what it may subscribe to is all the hub sends to
the leaf): the county's own leaf, whoever runs it, gets nothing of another county."""

from __future__ import annotations

from typing import Any

from shared.dlq import ERROR_BUCKET
from shared.natsauth.integrators import integrator_permissions
from shared.natsauth.permissions import (
    JS,
    READ_BUCKETS,
    WRITE_BUCKETS,
    bucket_reads,
    durable_use,
    inbox_prefix,
    service_jetstream,
    service_permissions,
)
from shared.streams import COUNTY_SERVICES, county_consumers
from shared.subjects import DLQ_PREFIX, PREFIX, dlq_subject


def county_user(service: str, county: str) -> str:
    return f"{service}-{county}"


def leaf_user(county: str) -> str:
    return f"leaf-{county}"


def _narrow(subjects: list[str], service: str, county: str) -> list[str]:
    narrowed = []
    for subject in subjects:
        if subject.startswith(f"{PREFIX}.*."):
            subject = f"{PREFIX}.{county}." + subject.removeprefix(f"{PREFIX}.*.")
        elif subject == f"{inbox_prefix(service)}.>":
            subject = f"{inbox_prefix(county_user(service, county))}.>"
        narrowed.append(subject)
    return narrowed


def county_jetstream(service: str, county: str) -> list[str]:
    """The JetStream API a county's instance of a service uses: its own durables (filtered to
    the county), its own dead letters and their last errors, and the buckets' reads.

    No DLQ mover runs at a county: fetching an advised message by sequence
    (`STREAM.MSG.GET`) cannot be fenced to a county's subjects, and the city's services run
    the mover for every durable, the counties' too. A county's failures are dead-lettered
    inline, on the last delivery (shared.bus)."""
    allowed: list[str] = []
    for cdef in county_consumers(county):
        if cdef.service == service:
            allowed += [*durable_use(cdef.stream, cdef.durable), dlq_subject(cdef.durable)]
            allowed.append(f"$KV.{ERROR_BUCKET}.{cdef.durable}.>")
    allowed.append(f"{JS}.STREAM.INFO.DLQ")  # its dead letters' count (metrics)
    allowed.append(f"{JS}.STREAM.INFO.KV_{ERROR_BUCKET}")  # opening the bucket to record
    for bucket in (b for b in READ_BUCKETS if b != ERROR_BUCKET):
        allowed += bucket_reads(bucket)
    allowed += [f"$KV.{bucket}.>" for bucket in WRITE_BUCKETS if bucket != ERROR_BUCKET]
    return allowed


def county_service_permissions(service: str, county: str) -> dict[str, Any]:
    """A service's permissions as the county's instance of it (user `<service>-<county>`): its
    subjects narrowed to the county, and the JetStream API of the county's own durables only
    (`county_jetstream`) in place of the city's."""
    permissions = service_permissions(service)
    city = {*service_jetstream(service), f"{DLQ_PREFIX}.>"}
    for verb in ("publish", "subscribe"):
        kept = [s for s in permissions[verb]["allow"] if s not in city]
        permissions[verb] = {"allow": _narrow(kept, service, county)}
    permissions["publish"]["allow"] += county_jetstream(service, county)
    return permissions


def county_users(county: str) -> list[str]:
    """The users of a county's leaf server."""
    return [*(county_user(s, county) for s in COUNTY_SERVICES), f"integrator-{county}"]


def county_user_permissions(user: str, county: str) -> dict[str, Any]:
    if user == f"integrator-{county}":
        return integrator_permissions(county)
    return county_service_permissions(user.removesuffix(f"-{county}"), county)


def across(subject: str, domain: str) -> str:
    """A subject as it crosses the link: the leaf maps the JetStream API and key-value writes
    into the hub's JetStream domain (the server refuses the plain API across a leaf link), and
    the hub maps them back (shared.natsleaf)."""
    if subject.startswith(f"{JS}."):
        return f"$JS.{domain}.API." + subject.removeprefix(f"{JS}.")
    if subject.startswith("$KV."):
        return f"$JS.{domain}.API.{subject}"
    return subject


def _across_all(permissions: dict[str, Any], domain: str) -> dict[str, Any]:
    for verb in ("publish", "subscribe"):
        permissions[verb] = {"allow": [across(s, domain) for s in permissions[verb]["allow"]]}
    return permissions


def leaf_user_permissions(user: str, county: str, domain: str) -> dict[str, Any]:
    """A county user's permissions on its leaf, where the leaf has already mapped the
    JetStream API into the hub's domain when it checks them.

    A service keeps the city-wide subscriptions its code makes (intake's queue on every
    county's submissions): on the county's leaf only the county's integrator publishes there,
    and only its own county's, while the hub's fence (`leaf_permissions`) lets only the
    county's own subjects cross the link."""
    permissions = _across_all(county_user_permissions(user, county), domain)
    service = user.removesuffix(f"-{county}")
    if service in COUNTY_SERVICES:
        wide = service_permissions(service)["subscribe"]["allow"]
        permissions["subscribe"]["allow"] += [s for s in wide if s.startswith(f"{PREFIX}.")]
    return permissions


def leaf_permissions(county: str, domain: str) -> dict[str, Any]:
    """The hub's fence around a county's leaf: the union of its users' permissions, as the
    subjects arrive at the hub."""
    publish: list[str] = []
    subscribe: list[str] = []
    for user in county_users(county):
        permissions = _across_all(county_user_permissions(user, county), domain)
        publish += permissions["publish"]["allow"]
        subscribe += permissions["subscribe"]["allow"]
    return {
        "publish": {"allow": list(dict.fromkeys(publish))},
        "subscribe": {"allow": list(dict.fromkeys(subscribe))},
    }
