"""A NATS URL setting as a list of servers: `ZUOFENG_NATS_URL` may name a cluster's nodes,
comma separated (`nats://u:p@n1:4222,nats://u:p@n2:4222`). nats-py and FastStream take a list;
given the comma string as one server they would fail to parse it."""

from __future__ import annotations


def server_list(url: str) -> list[str]:
    """The servers of a (comma separated) URL setting, in order, blanks dropped. A server
    without credentials takes the first server's user (one user per service on every node)."""
    servers = [part.strip() for part in url.split(",") if part.strip()]
    if not servers:
        raise ValueError("the NATS URL setting names no server")
    first = servers[0]
    userinfo = first.split("://", 1)[-1].rpartition("@")[0] if "@" in first else ""
    if not userinfo:
        return servers
    return [_with_userinfo(server, userinfo) for server in servers]


def _with_userinfo(server: str, userinfo: str) -> str:
    scheme, _, rest = server.rpartition("://")
    if "@" in rest:
        return server
    return f"{scheme or 'nats'}://{userinfo}@{rest}"
