#!/bin/sh
# Creates every secret file compose.yaml names, under secrets/ (0600), unless it exists.
# Run once on the host from deploy/compose/ with PYTHON set to a Python that has the project
# installed (e.g. PYTHON=../../.venv/bin/python). Rotating one secret: docs/operations.md, "Rotating secrets".
set -eu
umask 077
mkdir -p secrets/keys
cd secrets
rand() { python3 -c 'import secrets; print(secrets.token_urlsafe(48))'; }
new() { [ -s "$1" ] || rand > "$1"; }

for name in postgres_password pg_intake_password pg_cases_password pg_notify_password \
    pg_reporting_password pg_federation_password jwt_secret apikey_secret session_secret \
    intake_tracking_secret intake_idempotency_secret intake_index_secret cases_audit_key \
    federation_index_secret survey_secret grafana_admin_password; do
    new "$name"
done
[ -e smtp_password ] || : > smtp_password
for service in intake cases notify reporting federation; do
    [ -s "${service}_database_url" ] || printf 'postgresql+asyncpg://%s:%s@postgres:5432/%s\n' \
        "$service" "$(cat "pg_${service}_password")" "$service" > "${service}_database_url"
done

# NATS users (shared/natsauth) for the directory's counties, from `zuofeng bus accounts`: the
# servers' auth.conf holds bcrypt hashes only, each user's password is in its own credentials
# file (its URL on the three nodes), and each county gets its leaf server's configuration
# (nats/leaf-<county>.conf, dialling the hub's leaf port on ZUOFENG_HUB_NAME) for the county's
# operator. Running it again keeps every password. NATS_BCRYPT_COST: tests only (default 11).
hub="${ZUOFENG_HUB_NAME:-${ZUOFENG_PUBLIC_NAME:-localhost}}"
"${PYTHON:-python3}" -m services.cli bus accounts nats \
    --url nats://nats-1:4222 --url nats://nats-2:4222 --url nats://nats-3:4222 \
    --leaves --hub-leaf-url "nats-leaf://$hub:7422" --hub-leaf-url "nats-leaf://$hub:7423" \
    --hub-leaf-url "nats-leaf://$hub:7424" --cost "${NATS_BCRYPT_COST:-11}" > /dev/null

# Sealing keys (a private key for each holder, the public ones for intake; federation seals to
# and opens with its own pair, mounted in federation only) and a self-signed
# certificate to start with (replace tls.crt and tls.key with the organisation's for the
# public name).
"${PYTHON:-python3}" - <<'PY'
import datetime, os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shared.sealing.keys import ensure_keypair

for holder in ("discipline", "notify", "federation"):
    ensure_keypair(Path("keys"), holder)
if not Path("tls.key").exists():
    name = os.environ.get("ZUOFENG_PUBLIC_NAME", "localhost")
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    Path("tls.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    Path("tls.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
PY

[ -s alertmanager.yml ] || cat > alertmanager.yml <<'YAML'
route: {receiver: oncall, group_by: [alertname, county, consumer]}
receivers:
  - name: oncall
    email_configs: [{to: oncall@example.org, from: alertmanager@example.org,
                     smarthost: "smtp.example.org:587"}]
YAML
