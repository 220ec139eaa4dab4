"""The fenced bus: one NATS user per service (`permissions`) and per integrator (`integrators`),
each with subject permissions; the server's users (`config`) and connecting as one (`urls`).

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

from shared.natsauth.config import authorization_block, load_or_create_passwords, user_names
from shared.natsauth.integrators import integrator_consumer, integrator_permissions
from shared.natsauth.permissions import (
    JS,
    READ_BUCKETS,
    SERVICE_AUDIT_EVENTS,
    SERVICE_PUBLISHES,
    SERVICE_READS,
    SHARED_DURABLES,
    WRITE_BUCKETS,
    inbox_prefix,
    service_jetstream,
    service_permissions,
)
from shared.natsauth.urls import connect_options, url_user, with_credentials

__all__ = [
    "JS",
    "READ_BUCKETS",
    "SERVICE_AUDIT_EVENTS",
    "SERVICE_PUBLISHES",
    "SERVICE_READS",
    "SHARED_DURABLES",
    "WRITE_BUCKETS",
    "authorization_block",
    "connect_options",
    "inbox_prefix",
    "integrator_consumer",
    "integrator_permissions",
    "load_or_create_passwords",
    "service_jetstream",
    "service_permissions",
    "url_user",
    "user_names",
    "with_credentials",
]
