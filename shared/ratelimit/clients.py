"""Who a client is, for its rate limits.

A client is its address as the server sees it, or, when that peer is one of `trusted_proxies`,
the right-most address in X-Forwarded-For that is not itself a trusted proxy (uvicorn's
ProxyHeadersMiddleware, mounted in main.py). An IPv6 client is keyed by its /64: one
subscriber's allocation, so walking through its addresses gains nothing.
"""

from __future__ import annotations

import ipaddress


def client_key(host: str | None) -> str:
    """The bucket an address falls in: IPv4 as is, IPv6 by its /64."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host  # not an address (a unix socket's peer): the name is all there is
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # a dual-stack socket's view of an IPv4 client
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def proxy_hosts(networks: tuple[str, ...]) -> list[str]:
    """The trusted proxies as ProxyHeadersMiddleware matches them, with the IPv4-mapped IPv6
    form of each IPv4 network: a dual-stack socket reports an IPv4 proxy as ::ffff:a.b.c.d."""
    hosts = list(networks)
    for text in networks:
        network = ipaddress.ip_network(text)
        if isinstance(network, ipaddress.IPv4Network):
            hosts.append(f"::ffff:{network.network_address}/{network.prefixlen + 96}")
    return hosts


def trusted_networks(value: object, setting: str) -> object:
    """A trusted-proxies setting's value (comma-separated text or a list) as networks; a
    ValueError naming `setting` for anything that is not an address or CIDR."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        return value
    try:
        return tuple(
            str(ipaddress.ip_network(str(item).strip(), strict=False))
            for item in items
            if str(item).strip()
        )
    except ValueError as exc:
        raise ValueError(f"{setting}: {exc} (addresses or CIDRs, comma-separated)") from exc
