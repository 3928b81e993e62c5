#!/usr/bin/env bash
# The "Running several hosts" recipe of docs/operations.md, step by step, on a real PostgreSQL server: a role and a
# database owned by it, two hosts on one database, a token issued through one and used on both, revoked
# through one and refused by the other. Run by the test suite's PostgreSQL run (MultiHost/SeveralHostsRecipeTests)
# against the server .ci/run starts; by hand:
#
#   PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres docs/several-hosts.sh [path/to/PfnStudio.Tokens.dll]
#
# PGHOST, PGPORT and PGUSER name the server and a role that may create roles and databases (libpq's own
# variables, so createuser, createdb and psql read them). Exit 0 when every step did what the README says.
set -euo pipefail

host_dll="${1:-}"
suffix="${PFNSTUDIO_RECIPE_SUFFIX:-$$}"
role="pfnstudio_$suffix"
database="pfnstudio_$suffix"
password="recipe-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  dropdb --if-exists "$database" >/dev/null 2>&1 || true
  dropuser --if-exists "$role" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "several-hosts: $*" >&2; exit 1; }

# 1. The README's commands: a login role, and a database it owns (PostgreSQL 15+ lets only a database's
#    owner create tables in its public schema, which the hosts' migrations do).
createuser "$role"
psql -q -v ON_ERROR_STOP=1 -c "ALTER ROLE \"$role\" PASSWORD '$password'" postgres
createdb -O "$role" "$database"

export Database__Provider=Postgres
export ConnectionStrings__Postgres="Host=${PGHOST:-localhost};Port=${PGPORT:-5432};Database=$database;Username=$role;Password=$password"
export Argon2__MemoryKiB="${Argon2__MemoryKiB:-19456}"

if [ -z "$host_dll" ]; then
  dotnet build -v q "$(dirname "$0")/../src/PfnStudio.Tokens" >/dev/null
  host_dll="$(dirname "$0")/../src/PfnStudio.Tokens/bin/Debug/net10.0/PfnStudio.Tokens.dll"
fi
run_host() { dotnet "$host_dll" "$@"; }

# A port nothing listens on (bash's /dev/tcp connects only where something does).
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
port_a="$(free_port)"; port_b="$(free_port)"

# 2. Two hosts on the one database (each applies pending migrations at start; they take turns).
# (exec: the background job is the host itself, so the clean-up's kill reaches it.)
(exec dotnet "$host_dll" --urls "http://127.0.0.1:$port_a") >"$work/a.log" 2>&1 & pids+=($!)
(exec dotnet "$host_dll" --urls "http://127.0.0.1:$port_b") >"$work/b.log" 2>&1 & pids+=($!)
for port in "$port_a" "$port_b"; do
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 1
  done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work"/*.log >&2; fail "host on port $port never became healthy"; }
done

# 3. An account and a token through the operator command line (the same database), used on both hosts.
run_host users create ops@example.com >/dev/null
token="$(run_host tokens issue --user ops@example.com --name recipe)"
status() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$1/api/v1/me"; }
[ "$(status "$port_a")" = 200 ] || fail "the token was refused by host A"
[ "$(status "$port_b")" = 200 ] || fail "the token was refused by host B"

# 4. Revoked through the store, refused by both hosts on their very next request.
run_host tokens revoke --user ops@example.com --name recipe >/dev/null
[ "$(status "$port_a")" = 401 ] || fail "host A still accepts the revoked token"
[ "$(status "$port_b")" = 401 ] || fail "host B still accepts the revoked token"
echo "several-hosts: role, database, two hosts, token accepted by both, revoked and refused by both"
