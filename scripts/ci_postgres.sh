#!/usr/bin/env bash
# Makes a PostgreSQL server ready for the CI run and prints the DATABASE_URL to use on the last line of stdout.
#
#   url=$(scripts/ci_postgres.sh | tail -n1)
#
# 1. Uses the server already accepting connections on 127.0.0.1:5432 when there is one; otherwise installs Debian's
#    `postgresql` (as root, with apt-get) when needed and starts its cluster. When the postgres role cannot log in
#    over TCP without a password (Debian's default pg_hba.conf), it gets a random one through the local socket and
#    the password goes into the URL.
# 2. Checks that template1 is UTF-8 with a UTF-8 LC_CTYPE (pytest-django creates test_<name> from template1) and
#    creates the pg_trgm extension in template1, so every test database gets it.
# 3. Drops and re-creates the database (default jianguan_ci) as UTF-8 from template0, with pg_trgm.
#
# Progress goes to stderr; only the URL goes to stdout. Environment: CI_PG_DB (database name, default jianguan_ci);
# CI_PG_PORT and CI_PG_CLUSTER (default 5432 and main) exist to try this script out on a throwaway cluster.
set -euo pipefail

HOST=127.0.0.1
PORT=${CI_PG_PORT:-5432}
CLUSTER=${CI_PG_CLUSTER:-main}
DB=${CI_PG_DB:-jianguan_ci}
ROLE=postgres
password=""

log() { echo "ci_postgres: $*" >&2; }
die() { echo "ci_postgres: ERROR: $*" >&2; exit 1; }

case "$DB" in *[!a-z0-9_]* | "") die "CI_PG_DB must be lower-case letters, digits and _ (got '$DB')" ;; esac

# psql over TCP as the superuser, never prompting for a password (CI has no stdin).
sql() {
  local db=$1
  shift
  PGPASSWORD="$password" PGCONNECT_TIMEOUT=5 PGOPTIONS="-c client_min_messages=warning" psql -X -w -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" \
    -U "$ROLE" -d "$db" "$@" </dev/null
}

tcp_open() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

apt_install() {
  [ "$(id -u)" = 0 ] || die "installing $* needs root"
  log "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # Installing `postgresql` creates the main cluster in the environment's locale: without this, as root in CI with
  # no LANG, that would be C with SQL_ASCII encoding, and the test databases could not hold Chinese text.
  export LANG=C.UTF-8 LC_ALL=C.UTF-8
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null </dev/null
}

# pg_isready: 0 accepting, 1 rejecting (e.g. starting up), 2 no response, 3 bad parameters.
pg_state() {
  local rc=0
  pg_isready -q -h "$HOST" -p "$PORT" -t 3 || rc=$?
  echo "$rc"
}

wait_accepting() {
  local i
  for i in $(seq 1 60); do
    [ "$(pg_state)" = 0 ] && return 0
    sleep 1
  done
  return 1
}

# --- 1. a server accepting connections on 127.0.0.1:5432 ---------------------------------------------------------

if ! command -v psql >/dev/null 2>&1 || ! command -v pg_isready >/dev/null 2>&1; then
  if tcp_open; then
    apt_install postgresql-client
  else
    apt_install postgresql
  fi
fi

started_here=0
state=$(pg_state)
if [ "$state" = 1 ]; then
  log "the server on $HOST:$PORT is not accepting connections yet; waiting"
  wait_accepting || die "the server on $HOST:$PORT still rejects connections after 60 s"
  state=0
fi
if [ "$state" = 0 ]; then
  log "a PostgreSQL server is already accepting connections on $HOST:$PORT"
else
  [ "$(id -u)" = 0 ] || die "nothing answers on $HOST:$PORT, and installing or starting PostgreSQL needs root"
  log "nothing answers on $HOST:$PORT"
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || apt_install postgresql
  version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
  if [ ! -f "/etc/postgresql/$version/$CLUSTER/postgresql.conf" ]; then
    log "creating cluster $version/$CLUSTER"
    pg_createcluster --locale C.UTF-8 --port "$PORT" "$version" "$CLUSTER" >&2
  fi
  log "starting cluster $version/$CLUSTER"
  # The package's own start during apt-get install fails in containers without an init system; that is fine.
  pg_ctlcluster --skip-systemctl-redirect "$version" "$CLUSTER" start >&2 || true
  wait_accepting \
    || die "PostgreSQL $version/$CLUSTER did not start; see /var/log/postgresql/postgresql-$version-$CLUSTER.log"
  started_here=1
fi

# Log in as postgres over TCP without a password (trust, as on the CI machines), or give it a password.
if ! sql postgres -Atc "select 1" >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
    log "the postgres role needs a password over TCP; setting a random one through the local socket"
    password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres \
      -c "ALTER ROLE postgres PASSWORD '$password'" >/dev/null </dev/null
    sql postgres -Atc "select 1" >/dev/null || die "cannot log in to $HOST:$PORT as postgres even with a password"
  else
    die "cannot log in to $HOST:$PORT as postgres without a password (started here: $started_here)"
  fi
fi
log "server $(sql postgres -Atc 'show server_version')"

# --- 2. template1: UTF-8, with pg_trgm ----------------------------------------------------------------------------

# pytest-django creates test_<name> (test_<name>_gw0, _gw1 under xdist) from template1, so it must be UTF-8.
read -r t1_encoding t1_ctype < <(sql postgres -AtF ' ' -c \
  "select pg_encoding_to_char(encoding), datctype from pg_database where datname = 'template1'")
shopt -s nocasematch
if [[ "$t1_encoding" == UTF8 && "$t1_ctype" =~ \.utf-?8$ ]]; then
  log "template1 is $t1_encoding with LC_CTYPE $t1_ctype"
else
  die "template1 is $t1_encoding with LC_CTYPE '$t1_ctype', so the test databases would not be UTF-8.
  Either re-create template1 on this server from template0 with ENCODING 'UTF8' and a UTF-8 locale, or set
  DATABASES['default']['TEST'] = {'TEMPLATE': 'template0', 'CHARSET': 'UTF8'} in jianguan/settings.py
  (then pg_trgm must be created by a migration, since template0 cannot be changed)."
fi
shopt -u nocasematch

sql postgres -Atc "select count(*) from pg_available_extensions where name = 'pg_trgm'" | grep -qx 1 \
  || die "the pg_trgm extension is not available on this server (on Debian it ships in postgresql-<version>)"
# Harmless on a CI server: every database created from template1 from now on (the test databases) has pg_trgm.
sql template1 -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" >/dev/null

# --- 3. a fresh UTF-8 database ------------------------------------------------------------------------------------

sql postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
# Test databases left behind by an interrupted run (pytest-django would replace them anyway).
for leftover in $(sql postgres -Atc "select datname from pg_database where datname ~ '^test_${DB}(_gw[0-9]+)?\$'"); do
  log "dropping leftover $leftover"
  sql postgres -c "DROP DATABASE IF EXISTS $leftover WITH (FORCE)" >/dev/null
done

# The first UTF-8 locale the server's machine has; C.UTF-8 normally (code-point order, the same everywhere).
created=""
for locale in C.UTF-8 C.utf8 en_US.UTF-8 en_US.utf8 "$t1_ctype"; do
  if sql postgres -c "CREATE DATABASE $DB ENCODING 'UTF8' LC_COLLATE '$locale' LC_CTYPE '$locale' TEMPLATE template0" \
    >/dev/null 2>&1; then
    created=$locale
    break
  fi
done
[ -n "$created" ] || die "could not create database $DB with a UTF-8 locale (tried C.UTF-8, en_US.UTF-8, $t1_ctype)"
sql "$DB" -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" >/dev/null
log "created database $DB (UTF8, $created) with pg_trgm"

if [ -n "$password" ]; then
  echo "postgres://$ROLE:$password@$HOST:$PORT/$DB"
else
  echo "postgres://$ROLE@$HOST:$PORT/$DB"
fi
