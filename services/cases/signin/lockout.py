"""Failed sign-ins: the account is locked for a while after too many in a row, and one client
address is slowed down when it fails across many logins (guessing). No I/O here."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Policy:
    max_failures: int  # in a row, per account
    lock_for: timedelta
    address_failures: int  # per client address within `address_window`
    address_window: timedelta


def locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def after_failure(failed_count: int, now: datetime, policy: Policy) -> tuple[int, datetime | None]:
    """The account's failure count and lock after one more failure; the count starts again
    once a lock is set, so the next lock needs as many failures again."""
    count = failed_count + 1
    if count >= policy.max_failures:
        return 0, now + policy.lock_for
    return count, None


class AddressLimiter:
    """Failures per client address in a sliding window (per process: each replica counts its
    own, which still bounds guessing to replicas × the limit)."""

    def __init__(self, policy: Policy, capacity: int = 10_000) -> None:
        self.policy = policy
        self.capacity = capacity
        self._failures: dict[str, deque[datetime]] = {}

    def _recent(self, address: str, now: datetime) -> deque[datetime]:
        seen = self._failures.get(address, deque())
        while seen and now - seen[0] > self.policy.address_window:
            seen.popleft()
        return seen

    def blocked(self, address: str, now: datetime) -> bool:
        return len(self._recent(address, now)) >= self.policy.address_failures

    def failed(self, address: str, now: datetime) -> None:
        if len(self._failures) >= self.capacity and address not in self._failures:
            self._failures.pop(next(iter(self._failures)))  # the oldest address goes
        seen = self._recent(address, now)
        seen.append(now)
        self._failures[address] = seen
