"""Stream backups through the server's own snapshot and restore API (what `nats stream backup`
and `nats stream restore` use): the files are the server's snapshot, so a restore gives back
every message with its headers, sequence numbers and timestamps, and every durable consumer
where it stood (delivered and acknowledged), which copying messages one by one could not.

One directory per stream: `backup.json` (the stream's configuration and state when taken) and
`stream.tar.s2` (the snapshot as the server sent it), the nats CLI's layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, BinaryIO

from nats.aio.client import Client
from nats.aio.msg import Msg

CHUNK = 128 * 1024
API = "$JS.API.STREAM"
META, DATA = "backup.json", "stream.tar.s2"


class BackupError(RuntimeError):
    """The server refused, or a backup directory is incomplete."""


async def _api(nc: Client, subject: str, body: bytes, timeout: float = 30.0) -> dict[str, Any]:
    answer = json.loads((await nc.request(subject, body, timeout=timeout)).data or b"{}")
    if "error" in answer:
        raise BackupError(f"{subject}: {answer['error'].get('description', answer['error'])}")
    return dict(answer)


async def stream_names(nc: Client) -> list[str]:
    """Every stream of the account (the KV buckets' too: API keys live in one)."""
    names: list[str] = []
    while True:
        page = await _api(nc, f"{API}.NAMES", json.dumps({"offset": len(names)}).encode())
        names += page.get("streams") or []
        if not page.get("streams") or len(names) >= page.get("total", 0):
            return sorted(names)


async def backup_stream(
    nc: Client, name: str, target: Path, timeout: float = 60.0
) -> dict[str, Any]:
    """Snapshot one stream with its consumers into `target`; returns its state when taken."""
    inbox = nc.new_inbox()
    sub = await nc.subscribe(inbox, pending_msgs_limit=-1, pending_bytes_limit=-1)
    try:
        request = {"deliver_subject": inbox, "no_consumers": False, "chunk_size": CHUNK}
        answer = await _api(nc, f"{API}.SNAPSHOT.{name}", json.dumps(request).encode())
        with _create(target / DATA) as out:
            while True:
                msg = await sub.next_msg(timeout=timeout)
                if not msg.data:
                    _raise_on_status(name, msg)
                    break  # an empty message without a status ends the snapshot
                out.write(msg.data)
                if msg.reply:  # the server sends more only as chunks are acknowledged
                    await nc.publish(msg.reply, b"")
    finally:
        await sub.unsubscribe()
    meta = {"config": answer["config"], "state": answer["state"]}
    (target / META).write_text(json.dumps(meta, indent=2))
    return dict(answer["state"])


def _create(path: Path) -> BinaryIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("wb")


def _raise_on_status(name: str, msg: Msg) -> None:
    status = (msg.headers or {}).get("Status")
    if status:
        reason = (msg.headers or {}).get("Description", "")
        raise BackupError(f"snapshot of {name} failed: {status} {reason}".strip())


async def restore_stream(nc: Client, source: Path, timeout: float = 600.0) -> dict[str, Any]:
    """Restore one stream (and its consumers) from `source`; the stream must not exist, or be
    empty (as `zuofeng bus init` leaves it on a fresh server): an empty one is replaced."""
    if not (source / META).is_file() or not (source / DATA).is_file():
        raise BackupError(f"{source}: no {META} and {DATA} here")
    meta = json.loads((source / META).read_text())
    name = meta["config"]["name"]
    await _clear_if_empty(nc, name)
    answer = await _api(nc, f"{API}.RESTORE.{name}", json.dumps(meta).encode())
    with (source / DATA).open("rb") as data:
        while chunk := data.read(CHUNK):
            reply = await nc.request(answer["deliver_subject"], chunk, timeout=30)
            if reply.data:  # each chunk is acknowledged with an empty message
                raise BackupError(f"restore of {name} refused a chunk: {reply.data!r}")
    # The server rebuilds the stream after the last chunk: large streams take a while.
    final = await nc.request(answer["deliver_subject"], b"", timeout=timeout)
    done = json.loads(final.data or b"{}")
    if "error" in done:
        raise BackupError(f"restore of {name}: {done['error'].get('description', done['error'])}")
    state = dict(done["state"])
    if state["messages"] != meta["state"]["messages"]:
        raise BackupError(f"{name}: restored {state['messages']} of {meta['state']['messages']}")
    return state


async def _clear_if_empty(nc: Client, name: str) -> None:
    try:
        info = await _api(nc, f"{API}.INFO.{name}", b"")
    except BackupError as exc:
        if "not found" in str(exc):
            return
        raise
    if info["state"]["messages"]:
        raise BackupError(f"stream {name} exists with messages: restore into a fresh server")
    await _api(nc, f"{API}.DELETE.{name}", b"")
