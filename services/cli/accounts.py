"""`zuofeng bus accounts OUT`: a deployment's NATS users, written once for the operator to
install. The server's files hold bcrypt hashes only; each user's password is in its own
credentials file (the URL a service or integrator is given as ZUOFENG_NATS_URL). Running it
again keeps every existing password (delete a user's credentials file to rotate it).

Written under OUT:
- `auth.conf`: the `authorization` block (admin, the four services, each county's integrator,
  and with --leaves each county's `leaf-<county>` link user), to `include` from nats.conf;
- `credentials/<user>.url` (0600): the user's URL(s) with its password;
- with --leaves, `leafnodes.conf` (the hub's leaf listener, to include at the hub, whose
  `jetstream` block names the domain `city`) and `leaf-<county>.conf`, the whole configuration
  of each county's leaf server."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote, urlsplit

import typer

from shared.directory import load_directory
from shared.natsauth import user_names, with_credentials
from shared.natsauth.county import county_users, leaf_permissions, leaf_user
from shared.natsauth.hashed import DEFAULT_COST, hash_password, hashed_users, users_block
from shared.natsleaf import HUB_DOMAIN, LEAF_PORT, county_local_users, leaf_config


def _secret_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text)


def _password(credentials: Path, user: str) -> str:
    """The user's password from its credentials file, or a new one."""
    known = credentials / f"{user}.url"
    if known.exists():
        password = urlsplit(known.read_text().split(",")[0].strip()).password
        if password:
            return unquote(password)
    return secrets.token_urlsafe(24)


def _urls(urls: list[str], user: str, password: str) -> str:
    return ",".join(with_credentials(url, user, password) for url in urls) + "\n"


def write_accounts(
    out: Path,
    counties: list[str],
    urls: list[str],
    *,
    leaves: bool = False,
    hub_leaf_urls: tuple[str, ...] = (f"nats-leaf://nats:{LEAF_PORT}",),
    leaf_url: str = "nats://nats-{county}:4222",
    cost: int = DEFAULT_COST,
) -> list[str]:
    """Write the files; returns what was written (paths relative to OUT)."""
    credentials = out / "credentials"
    city = user_names(counties)
    local = [user for county in counties for user in county_users(county)] if leaves else []
    links = [leaf_user(county) for county in counties] if leaves else []
    passwords = {user: _password(credentials, user) for user in [*city, *local, *links]}
    users = hashed_users({user: passwords[user] for user in city}, counties, cost)
    users += [
        {"user": leaf_user(c), "password": hash_password(passwords[leaf_user(c)], cost),
         "permissions": leaf_permissions(c, HUB_DOMAIN)}
        for c in (counties if leaves else [])
    ]  # fmt: skip
    _secret_file(out / "auth.conf", "# Written by `zuofeng bus accounts`.\n" + users_block(users))
    written = ["auth.conf"]
    for user in city:
        _secret_file(credentials / f"{user}.url", _urls(urls, user, passwords[user]))
    if leaves:
        # Not a second `jetstream` block: an included one would replace the hub's own.
        hub = f'# Include at the city hub, whose jetstream block must say domain: "{HUB_DOMAIN}".\n'
        hub += f'leafnodes {{ listen: "0.0.0.0:{LEAF_PORT}" }}\n'
        _secret_file(out / "leafnodes.conf", hub)
        written.append("leafnodes.conf")
        for county in counties:
            hashes = {u: hash_password(passwords[u], cost) for u in county_users(county)}
            config = leaf_config(
                county,
                list(hub_leaf_urls),
                passwords[leaf_user(county)],
                county_local_users(county, hashes),
            )
            _secret_file(out / f"leaf-{county}.conf", config)
            written.append(f"leaf-{county}.conf")
            for user in county_users(county):
                url = leaf_url.format(county=county)
                _secret_file(credentials / f"{user}.url", _urls([url], user, passwords[user]))
    written += [f"credentials/{user}.url" for user in dict.fromkeys([*city, *local])]
    return written


def accounts(
    out: Annotated[Path, typer.Argument(help="Directory to write into (created).")],
    url: Annotated[
        list[str] | None, typer.Option(help="The city's NATS client URL; repeat per node.")
    ] = None,
    county: Annotated[
        list[str] | None, typer.Option(help="A county; repeat. Default: the directory's.")
    ] = None,
    leaves: Annotated[bool, typer.Option(help="Also a leaf server per county.")] = False,
    hub_leaf_url: Annotated[
        list[str] | None, typer.Option(help="The hub's leaf-node URL(s) the leaves dial.")
    ] = None,
    leaf_url: Annotated[
        str, typer.Option(help="A county's leaf client URL ({county} is replaced).")
    ] = "nats://nats-{county}:4222",
    cost: Annotated[int, typer.Option(min=10, max=16, help="bcrypt cost.")] = DEFAULT_COST,
) -> None:
    """Write the NATS server's users (bcrypt hashes) and each user's credentials file."""
    counties = county or [code for code, _ in load_directory().counties()]
    written = write_accounts(
        out, counties, url or ["nats://nats:4222"], leaves=leaves,
        hub_leaf_urls=tuple(hub_leaf_url or [f"nats-leaf://nats:{LEAF_PORT}"]),
        leaf_url=leaf_url, cost=cost,
    )  # fmt: skip
    for path in written:
        typer.echo(out / path)
