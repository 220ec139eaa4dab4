"""deploy/nginx: `nginx -t` accepts the configuration, and nginx on loopback in front of the five
services gives one origin over TLS (a certificate made here) and forwards the client's address,
so intake's and federation's per-client limits key on the real client, not on the proxy nor a
forged header."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.federation.main import create_app as federation_app
from services.federation.settings import FederationSettings
from shared import migrate
from tests.e2e.stack import SECRET, running_stack
from tests.pg import PgServer, free_port, in_thread

ROOT = Path(__file__).resolve().parents[2]
NGINX = ROOT / "deploy" / "nginx"
DEFAULT_UPSTREAMS = {
    "intake": 8001,
    "cases": 8002,
    "notify": 8003,
    "reporting": 8004,
    "federation": 8005,
}


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    crt, pem = directory / "tls.crt", directory / "tls.key"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return crt, pem


def _render(tmp: Path, upstreams: dict[str, int], http: int, https: int) -> Path:
    """The shipped configuration with loopback addresses, test ports and the test certificate."""
    crt, key = _certificate(tmp)
    site = (NGINX / "zuofeng.conf").read_text()
    for name, port in DEFAULT_UPSTREAMS.items():
        site = site.replace(f"server {name}:{port};", f"server 127.0.0.1:{upstreams[name]};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = site.replace("/run/secrets/tls.crt", str(crt)).replace("/run/secrets/tls.key", str(key))
    (tmp / "zuofeng.conf").write_text(site)
    main = (NGINX / "nginx.conf").read_text()
    main = main.replace("/etc/nginx/conf.d/zuofeng.conf", str(tmp / "zuofeng.conf"))
    main = main.replace("pid /tmp/nginx.pid;", f"pid {tmp}/nginx.pid;")
    temps = "".join(
        f"    {kind}_temp_path {tmp}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = main.replace("http {\n", "http {\n" + temps)
    (tmp / "nginx.conf").write_text(main)
    return tmp / "nginx.conf"


def _nginx() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    assert found, "nginx missing: `make nginx` installs Debian's package"
    return found


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    conf = _render(tmp_path, DEFAULT_UPSTREAMS, free_port(), free_port())
    done = subprocess.run(
        [_nginx(), "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def databases(pg_server: PgServer) -> dict[str, str]:
    return {name: in_thread(pg_server.create_database()) for name in DEFAULT_UPSTREAMS}


def _start_nginx(conf: Path, prefix: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [_nginx(), "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    _wait_listening(port, proc)
    return proc


def _wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while True:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.mark.e2e
async def test_one_origin_over_tls_with_the_real_client_address(
    nats_server: object,
    databases: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Intake trusts the proxy (loopback) only; lookups: a burst of 3, then refused per client.
    monkeypatch.setenv("ZUOFENG_INTAKE_TRUSTED_PROXIES", "127.0.0.1")
    monkeypatch.setenv("ZUOFENG_INTAKE_LOOKUP_BURST", "3")
    monkeypatch.setenv("ZUOFENG_INTAKE_LOOKUP_RATE", "0.001")
    http, https = free_port(), free_port()
    async with running_stack(nats_server.url, databases, tmp_path / "var") as stack:  # type: ignore[attr-defined]
        ports = {name: int(url.rsplit(":", 1)[1]) for name, url in stack.urls.items()}
        ports["federation"] = free_port()
        conf = _render(tmp_path, ports, http, https)
        async with _federation(nats_server.url, databases["federation"], tmp_path,  # type: ignore[attr-defined]
                               ports["federation"]):  # fmt: skip
            proc = _start_nginx(conf, tmp_path, https)
            try:
                await _check_origin(https, http, tmp_path / "tls.crt")
                await _check_federation(https, tmp_path / "tls.crt")
            finally:
                proc.terminate()
                proc.wait(timeout=10)


@contextlib.asynccontextmanager
async def _federation(
    nats_url: str, database_url: str, tmp: Path, port: int
) -> AsyncIterator[None]:
    """Federation beside the stack, trusting the proxy (loopback) with 3 lookups per client."""
    await asyncio.to_thread(migrate.upgrade, "federation", database_url)
    settings = FederationSettings(
        nats_url=nats_url, database_url=database_url, var_dir=tmp / "var", jwt_secret=SECRET,
        port=port, trusted_proxies="127.0.0.1", lookup_rate=0.001, lookup_burst=3,
    )  # fmt: skip
    app = federation_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                        break
                assert not task.done(), task
                await asyncio.sleep(0.1)
        yield
    finally:
        server.should_exit = True
        await task


async def _check_federation(https: int, cafile: Path) -> None:
    origin = f"https://127.0.0.1:{https}"
    async with _client("127.0.0.2", cafile) as a, _client("127.0.0.3", cafile) as b:
        programmes = await a.get(f"{origin}/api/v1/programmes")
        assert programmes.status_code == 200 and programmes.json()["total"] == 4
        assert (await a.get(f"{origin}/api/v1/aid/applications")).status_code == 401
        away = await a.get(f"{origin}/federation/applications")  # the officers' page
        assert away.status_code == 303 and away.headers["location"].startswith("/signin")
        # The receipt lookup is limited per real client behind the proxy, forged headers or not.
        answers = [
            (
                await a.post(
                    f"{origin}/api/v1/aid/status",
                    json={"receipt": "not-a-receipt-0000"},
                    headers={"X-Forwarded-For": f"203.0.113.{n}"},
                )
            ).status_code
            for n in range(4)
        ]
        assert answers == [404, 404, 404, 429], answers
        other = await b.post(f"{origin}/api/v1/aid/status", json={"receipt": "not-a-receipt-0000"})
        assert other.status_code == 404


def _client(source: str, cafile: Path) -> httpx.AsyncClient:
    tls = ssl.create_default_context(cafile=str(cafile))
    transport = httpx.AsyncHTTPTransport(local_address=source, verify=tls)
    return httpx.AsyncClient(transport=transport, timeout=10)


async def _check_origin(https: int, http: int, cafile: Path) -> None:
    origin = f"https://127.0.0.1:{https}"
    async with _client("127.0.0.2", cafile) as a, _client("127.0.0.3", cafile) as b:
        # One origin: each path reaches its service.
        assert (await a.get(f"{origin}/api/v1/problems")).status_code == 200  # intake
        assert (await a.get(f"{origin}/api/v1/cases")).status_code == 401  # cases
        assert (await a.get(f"{origin}/api/v1/inbox")).status_code == 401  # notify
        form = await a.get(f"{origin}/")  # intake's public report form at the root
        assert form.status_code == 200 and 'action="/report"' in form.text
        board = await a.get(f"{origin}/dashboard")  # reporting's dashboard
        assert board.status_code == 200 and "text/html" in board.headers["content-type"]
        # The officials' pages: signed out, each sends to cases' sign-in on the same origin.
        for path in ("/workbench", "/inbox", "/desk", "/dashboard/alerts"):
            away = await a.get(f"{origin}{path}")
            assert away.status_code == 303 and away.headers["location"].startswith("/signin"), path
        assert (await a.get(f"{origin}/metrics")).status_code == 404
        # Plain http only redirects to https.
        plain = await a.get(f"http://127.0.0.1:{http}/api/v1/problems")
        assert plain.status_code == 308
        assert plain.headers["location"] == "https://127.0.0.1/api/v1/problems"
        # The client's address, not the proxy's, and a forged header changes nothing.
        code = "AAAA-AAAA-AAAA-AAAA-AAAA"
        answers = [
            (
                await a.get(
                    f"{origin}/api/v1/reports/{code}",
                    headers={"X-Forwarded-For": f"203.0.113.{n}"},  # a new forged one each time
                )
            ).status_code
            for n in range(4)
        ]
        assert 429 not in answers[:3] and answers[3] == 429, answers
        assert (await b.get(f"{origin}/api/v1/reports/{code}")).status_code != 429
