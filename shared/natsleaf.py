"""County leaf nodes: the city hub's configuration (JetStream domain, leaf listener), a county
leaf server's configuration, and starting either with the bundled binary.

A county leaf runs without JetStream: every stream lives at the hub (one place to back up,
replicate and rebuild from). nats-server refuses the plain JetStream API (`$JS.API.>`, `$KV.>`)
across a leaf link unless the leaf extends the hub's domain through a shared system account, so
the hub names its domain (`HUB_DOMAIN`) and the leaf maps the API into it
(`$JS.API.X` -> `$JS.city.API.X`, which the hub maps back): the county's services and
integrators use the plain API, unchanged. When the link is down a county publish gets no answer;
intake's outbox keeps the report and sends it again once the link is back."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from shared.natsauth.county import county_users, leaf_user, leaf_user_permissions
from shared.natsserver import NatsProcess, start_with_config

LEAF_PORT = 7422  # the port hubs listen on for leaf nodes by convention
HUB_DOMAIN = "city"


def hub_config(store: Path | str, authorization: str, leaf_listen: str) -> str:
    """The hub: JetStream in its own domain, every message on disk before the ack, leaf nodes
    accepted on `leaf_listen` (each authenticates as a `leaf-<county>` user of `authorization`
    and is fenced by that user's permissions)."""
    jetstream = {"store_dir": str(store), "sync_interval": "always", "domain": HUB_DOMAIN}
    return (
        "# Written by zuofeng: the city hub of the county leaf nodes.\n"
        + f"jetstream {json.dumps(jetstream)}\n"
        + f"leafnodes {json.dumps({'listen': leaf_listen})}\n"
        + authorization
    )


def leaf_config(
    county: str,
    remotes: list[str],
    leaf_password: str,
    local_users: list[dict[str, Any]],
    listen: str = "0.0.0.0:4222",  # noqa: S104
) -> str:
    """A county leaf server's whole configuration.

    `remotes` are the hub's leaf URLs (`nats-leaf://host:7422`); `local_users` are the county's
    users with their (hashed) passwords, see `county_local_users`. The leaf password is the one
    secret in clear here: the leaf must present it to the hub (keep the file 0600)."""
    user = leaf_user(county)
    urls = [url.replace("://", f"://{user}:{leaf_password}@", 1) for url in remotes]
    body = {
        "server_name": f"county-{county}",
        "listen": listen,
        "authorization": {"users": local_users},
        # The plain JetStream API into the hub's domain (see the module's docstring).
        "mappings": {
            "$JS.API.>": f"$JS.{HUB_DOMAIN}.API.>",
            "$KV.>": f"$JS.{HUB_DOMAIN}.API.$KV.>",
        },
        # Try the hub again every second while the link is down.
        "leafnodes": {"reconnect": 1, "remotes": [{"urls": urls}]},
    }
    return "# Written by zuofeng: a county's leaf (no JetStream; the hub holds the streams)\n" + (
        json.dumps(body, indent=2) + "\n"
    )


def county_local_users(county: str, secrets: dict[str, str]) -> list[dict[str, Any]]:
    """The leaf's users (`<service>-<county>`, `integrator-<county>`) with the county-narrowed
    permissions; `secrets` maps each to its password or bcrypt hash."""
    return [
        {
            "user": user,
            "password": secrets[user],
            "permissions": leaf_user_permissions(user, county, HUB_DOMAIN),
        }
        for user in county_users(county)
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(base: Path, config: str, port: int = -1, timeout: float = 15.0) -> NatsProcess:
    """Start the bundled binary on loopback from a whole configuration (a hub's or a leaf's);
    returns once it listens."""
    return start_with_config(base, config, port, timeout)
