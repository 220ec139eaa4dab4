"""Bus mechanics every service stands on: bootstrap (`bootstrap`), awaited publish (`publish`),
durable handlers (`durable`, with their retry and dead-letter rule in `failures`)."""

from shared.bus.bootstrap import connect, document_publishers, init_bus, js_of
from shared.bus.durable import BatchHandler, Handler, durable_handler
from shared.bus.failures import retry_delay
from shared.bus.publish import publish_envelope
from shared.bus.servers import server_list

__all__ = [
    "BatchHandler",
    "Handler",
    "connect",
    "document_publishers",
    "durable_handler",
    "init_bus",
    "js_of",
    "publish_envelope",
    "retry_delay",
    "server_list",
]
