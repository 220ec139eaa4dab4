#!/bin/sh
# First start of the PostgreSQL volume: one role and one database per service, each role the
# owner of its own database only. Passwords come from the secret files.
set -eu
for service in intake cases notify reporting federation; do
    password=$(cat "/run/secrets/pg_${service}_password")
    psql -v ON_ERROR_STOP=1 --username postgres \
        -v service="$service" -v password="$password" <<'SQL'
CREATE ROLE :"service" LOGIN PASSWORD :'password';
CREATE DATABASE :"service" OWNER :"service";
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
SQL
done
