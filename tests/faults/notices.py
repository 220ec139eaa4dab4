"""What notify must show after faults: every opened case noticed once in its unit's inbox, and
every webhook delivery reached a real HTTP listener at least once, each repeat with the same
delivery id (the listener answers 500 to some first attempts, so retries happen)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from collections import defaultdict
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from shared.auth import issue_token
from tests.faults.checks import rows
from tests.procstack import SECRET


class WebhookSink:
    """A real HTTP listener on a free port that checks signatures and records every attempt."""

    def __init__(self, refuse_every: int = 7) -> None:
        self.secret = ""
        self.attempts: list[tuple[str, str, bool]] = []  # (delivery id, event id, signed right)
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                stamp = self.headers.get("x-zuofeng-timestamp", "")
                mac = hmac.new(sink.secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
                signed = self.headers.get("x-zuofeng-signature") == f"sha256={mac.hexdigest()}"
                delivery = self.headers.get("x-zuofeng-delivery", "")
                with sink.lock:
                    sink.attempts.append((delivery, json.loads(body)["event_id"], signed))
                    refuse = len(sink.attempts) % refuse_every == 0
                self.send_response(500 if refuse else 204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


async def subscribe(notify_url: str, sink: WebhookSink) -> None:
    token = issue_token(
        SECRET, unit="371402-fpb", role="integrator", sub="faults", ttl=timedelta(hours=2)
    )
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.post(
            f"{notify_url}/api/v1/webhooks",
            json={"url": sink.url, "event_types": ["case.opened"], "counties": []},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 201, answer.text
    sink.secret = answer.json()["secret"]


async def _delivered(notify_url: str, expected: int, timeout: float = 180.0) -> None:
    """Wait for every webhook delivery to end (retries wait out their backoff)."""
    deadline = time.monotonic() + timeout
    while True:
        ((done, left),) = await rows(
            notify_url,
            "SELECT count(*) FILTER (WHERE status = 'delivered'),"
            " count(*) FILTER (WHERE status <> 'delivered')"
            " FROM deliveries WHERE channel = 'webhook'",
        )
        if done >= expected and not left:
            return
        assert time.monotonic() < deadline, f"webhooks: {done} delivered, {left} not yet"
        await asyncio.sleep(1.0)


async def assert_notified(urls: dict[str, str], sink: WebhookSink | None) -> dict[str, int]:
    opened = {
        event_id: unit
        for event_id, unit in await rows(
            urls["cases"],
            "SELECT h.event_id, c.handling_unit FROM case_history h JOIN cases c"
            " ON c.id = h.case_id WHERE h.event_type = 'case.opened'",
        )
    }
    noticed = await rows(
        urls["notify"],
        "SELECT event_id, unit FROM inbox_notices WHERE event_type = 'case.opened'",
    )
    missing = {e for e, u in opened.items() if (e, u) not in set(map(tuple, noticed))}
    assert not missing, f"{len(missing)} opened cases have no inbox notice"
    assert len(noticed) == len(set(map(tuple, noticed))), "an inbox notice was doubled"
    figures = {"cases_opened": len(opened), "inbox_notices": len(noticed)}
    if sink is None:
        return figures
    await _delivered(urls["notify"], len(opened))
    ids_of: dict[str, set[str]] = defaultdict(set)
    events_of: dict[str, set[str]] = defaultdict(set)
    for delivery, event_id, signed in sink.attempts:
        assert signed, f"delivery {delivery} carried a bad signature"
        ids_of[event_id].add(delivery)
        events_of[delivery].add(event_id)
    assert set(opened) <= set(ids_of), f"{len(set(opened) - set(ids_of))} never reached the hook"
    assert all(len(ids) == 1 for ids in ids_of.values()), "a repeat came with a new delivery id"
    assert all(len(events) == 1 for events in events_of.values())
    repeats = len(sink.attempts) - len(ids_of)
    return figures | {"webhook_events": len(ids_of), "webhook_repeats": repeats}
