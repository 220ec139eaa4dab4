"""Stream backup and restore on two real nats-servers: the restored streams hold the same
messages at the same sequence numbers with their headers, and every durable consumer resumes
where it stood (what was acknowledged is not delivered again)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client

from shared.bus import init_bus
from shared.natsserver import start_nats
from shared.streambackup import BackupError, backup_stream, restore_stream, stream_names
from shared.streams import CASES_REPORTS, STREAMS
from tests.factories import random_id

pytestmark = pytest.mark.integration
SUBJECT = "zuofeng.v1.371402.report.received"


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[tuple[Client, Client]]:
    """An old server with the bus in use and a fresh one after `bus init`."""
    old, new = start_nats(tmp_path / "old"), start_nats(tmp_path / "new")
    clients = [await nats.connect(old.url), await nats.connect(new.url)]
    for client in clients:
        await init_bus(client.jetstream(), max_deliver=5, ack_wait=30)
    yield clients[0], clients[1]
    for client in clients:
        await client.close()
    old.stop()
    new.stop()


async def _in_use(js) -> list[str]:  # type: ignore[no-untyped-def]
    """Six messages (one deleted, leaving a gap); the consumer acknowledged the first two."""
    ids = [random_id() for _ in range(6)]
    for i, event_id in enumerate(ids):
        await js.publish(SUBJECT, b"body %d" % i, headers={"Nats-Msg-Id": event_id, "X-N": str(i)})
    await js.delete_msg("INTAKE", 4)
    sub = await js.pull_subscribe_bind(CASES_REPORTS.durable, CASES_REPORTS.stream)
    for msg in await sub.fetch(2, timeout=5):
        await msg.ack_sync()
    return ids


async def test_restore_gives_back_messages_headers_sequences_and_consumer_positions(
    two: tuple[Client, Client], tmp_path: Path
) -> None:
    old, new = two
    ids = await _in_use(old.jetstream())
    names = await stream_names(old)
    assert {s.name for s in STREAMS} <= set(names)
    for name in names:
        await backup_stream(old, name, tmp_path / "backup" / name)

    for name in names:
        await restore_stream(new, tmp_path / "backup" / name)

    js = new.jetstream()
    info = await js.stream_info("INTAKE")
    assert (info.state.messages, info.state.first_seq, info.state.last_seq) == (5, 1, 6)
    for seq in (1, 2, 3, 5, 6):
        msg = await js.get_msg("INTAKE", seq)
        assert msg.data == b"body %d" % (seq - 1)
        assert msg.headers and msg.headers["Nats-Msg-Id"] == ids[seq - 1]
        assert msg.headers["X-N"] == str(seq - 1)
    position = await js.consumer_info(CASES_REPORTS.stream, CASES_REPORTS.durable)
    assert position.ack_floor.stream_seq == 2
    assert position.num_pending == 3  # 3, 5 and 6: nothing acknowledged comes again
    # The server does not rebuild its dedupe window from a restore (the consumers' processed
    # event ids catch such a re-send): new messages simply follow the restored ones.
    assert (await js.publish(SUBJECT, b"after")).seq == 7


async def test_restore_refuses_a_stream_that_holds_messages(
    two: tuple[Client, Client], tmp_path: Path
) -> None:
    old, new = two
    await _in_use(old.jetstream())
    await backup_stream(old, "INTAKE", tmp_path / "INTAKE")
    await new.jetstream().publish(SUBJECT, b"already here")

    with pytest.raises(BackupError, match="exists with messages"):
        await restore_stream(new, tmp_path / "INTAKE")
    assert (await new.jetstream().stream_info("INTAKE")).state.messages == 1


async def test_restore_refuses_an_incomplete_directory(
    two: tuple[Client, Client], tmp_path: Path
) -> None:
    with pytest.raises(BackupError, match="no backup.json"):
        await restore_stream(two[1], tmp_path)
