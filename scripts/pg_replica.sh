#!/usr/bin/env bash
# Starts a real streaming replica (hot standby) of the local PostgreSQL on another port, for the routing tests and
# `make bench`, and prints its URL on the last line of stdout.
#
#   url=$(scripts/pg_replica.sh "$DATABASE_URL" | tail -n1)     # start (or reuse) the replica
#   scripts/pg_replica.sh stop                                   # stop it and remove its files
#
# The primary is the first argument (a postgres:// URL, as scripts/ci_postgres.sh prints it), else $DATABASE_URL,
# else postgres://postgres@127.0.0.1:${CI_PG_PORT:-5432}/${CI_PG_DB:-jianguan_ci}; PG_PRIMARY_HOST, PG_PRIMARY_PORT,
# PG_PRIMARY_USER, PG_PRIMARY_PASSWORD and PG_PRIMARY_DB override its parts. The replica listens on 127.0.0.1 at
# PG_REPLICA_PORT (default 5433) with its data in PG_REPLICA_DIR (default /tmp/jianguan-pg-replica); the URL printed
# names the same database as the primary's (PG_REPLICA_DB to name another).
#
# 1. The primary must accept a physical replication connection from 127.0.0.1. When it does not, and this runs as
#    root, a `host replication all 127.0.0.1/32 trust` line (scram-sha-256 when the primary was given a password) is
#    put at the top of the file `SHOW hba_file` names and the configuration reloaded; otherwise the command to run
#    is printed and the script fails.
# 2. pg_basebackup -R (standby.signal and primary_conninfo) with a replication slot, run as the postgres OS user
#    when root (PostgreSQL refuses to run as root), with the server binaries of the primary's major version from
#    /usr/lib/postgresql/<major>/bin (Debian) or the PATH.
# 3. A replica already answering on the port and in recovery is reused; stale files are rebuilt.
#
# Progress goes to stderr; only the URL goes to stdout.
set -euo pipefail

log() { echo "pg_replica: $*" >&2; }
die() {
  echo "pg_replica: ERROR: $*" >&2
  exit 1
}

REPLICA_PORT=${PG_REPLICA_PORT:-5433}
REPLICA_DIR=${PG_REPLICA_DIR:-/tmp/jianguan-pg-replica}
REPLICA_HOST=127.0.0.1
SLOT="jianguan_replica_${REPLICA_PORT}"
MARK="# added by jianguan scripts/pg_replica.sh"

action=start
if [ "${1:-}" = stop ] || [ "${1:-}" = start ]; then
  action=$1
  shift
fi

# --- the primary --------------------------------------------------------------------------------------------------

url=${1:-${DATABASE_URL:-postgres://postgres@127.0.0.1:${CI_PG_PORT:-5432}/${CI_PG_DB:-jianguan_ci}}}
urldecode() { printf '%b' "${1//%/\\x}"; }
re='^postgres(ql)?://(([^:@/]*)(:([^@/]*))?@)?([^:/?]*)(:([0-9]+))?(/([^?]*))?'
[[ "$url" =~ $re ]] || die "not a postgres:// URL: $url"
P_USER=${PG_PRIMARY_USER:-$(urldecode "${BASH_REMATCH[3]:-postgres}")}
P_PASSWORD=${PG_PRIMARY_PASSWORD:-$(urldecode "${BASH_REMATCH[5]:-}")}
P_HOST=${PG_PRIMARY_HOST:-${BASH_REMATCH[6]:-127.0.0.1}}
P_PORT=${PG_PRIMARY_PORT:-${BASH_REMATCH[8]:-5432}}
P_DB=${PG_PRIMARY_DB:-${BASH_REMATCH[10]:-postgres}}
[ -n "$P_USER" ] || P_USER=postgres
[ -n "$P_HOST" ] || P_HOST=127.0.0.1
[ -n "$P_DB" ] || P_DB=postgres
R_DB=${PG_REPLICA_DB:-$P_DB}
[ "$REPLICA_PORT" != "$P_PORT" ] || die "the replica's port ($REPLICA_PORT) is the primary's"

as_root() { [ "$(id -u)" = 0 ]; }
# The server's programs run as the postgres OS user when this script runs as root.
as_owner() {
  if as_root; then
    runuser -u postgres -- env PGPASSWORD="$P_PASSWORD" "$@"
  else
    env PGPASSWORD="$P_PASSWORD" "$@"
  fi
}

# psql as the primary's superuser over TCP, never prompting (CI has no stdin).
primary_sql() {
  PGPASSWORD="$P_PASSWORD" PGCONNECT_TIMEOUT=5 PGOPTIONS="-c client_min_messages=warning" \
    psql -X -w -q -At -v ON_ERROR_STOP=1 -h "$P_HOST" -p "$P_PORT" -U "$P_USER" -d postgres "$@" </dev/null
}
replica_sql() {
  PGPASSWORD="$P_PASSWORD" PGCONNECT_TIMEOUT=3 psql -X -w -q -At -h "$REPLICA_HOST" -p "$REPLICA_PORT" \
    -U "$P_USER" -d postgres "$@" </dev/null
}

command -v psql >/dev/null 2>&1 || die "psql is missing (run scripts/ci_postgres.sh first, or install postgresql)"

bindir() {
  local major=$1
  if [ -x "/usr/lib/postgresql/$major/bin/pg_ctl" ]; then
    echo "/usr/lib/postgresql/$major/bin"
  elif command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
  else
    return 1
  fi
}

replica_in_recovery() { [ "$(replica_sql -c 'select pg_is_in_recovery()' 2>/dev/null)" = t ]; }

print_url() {
  local auth=$P_USER
  [ -z "$P_PASSWORD" ] || auth="$P_USER:$P_PASSWORD"
  echo "postgres://$auth@$REPLICA_HOST:$REPLICA_PORT/$R_DB"
}

# --- stop ---------------------------------------------------------------------------------------------------------

if [ "$action" = stop ]; then
  if [ -f "$REPLICA_DIR/PG_VERSION" ]; then
    BIN=$(bindir "$(cat "$REPLICA_DIR/PG_VERSION")") || die "no pg_ctl for PostgreSQL $(cat "$REPLICA_DIR/PG_VERSION")"
    if [ -f "$REPLICA_DIR/postmaster.pid" ]; then
      log "stopping the replica on port $REPLICA_PORT"
      as_owner "$BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >&2 || log "pg_ctl stop failed; removing anyway"
    fi
  fi
  if [ -d "$REPLICA_DIR" ]; then
    log "removing $REPLICA_DIR"
    rm -rf "$REPLICA_DIR"
  fi
  if primary_sql -c "select 1" >/dev/null 2>&1; then
    # The walsender lets go of the slot a moment after the replica stops.
    for _ in $(seq 1 20); do
      [ "$(primary_sql -c "select count(*) from pg_replication_slots where slot_name = '$SLOT' and active")" = 0 ] \
        && break
      sleep 0.25
    done
    primary_sql -c "select pg_drop_replication_slot(slot_name) from pg_replication_slots
                    where slot_name = '$SLOT' and not active" >/dev/null
  fi
  log "stopped"
  exit 0
fi

# --- start --------------------------------------------------------------------------------------------------------

primary_sql -c "select 1" >/dev/null || die "cannot connect to the primary at $P_HOST:$P_PORT as $P_USER"
[ "$(primary_sql -c 'select pg_is_in_recovery()')" = f ] || die "$P_HOST:$P_PORT is itself a standby"

if replica_in_recovery; then
  log "a replica is already streaming on $REPLICA_HOST:$REPLICA_PORT; reusing it"
  print_url
  exit 0
fi
if (exec 3<>"/dev/tcp/$REPLICA_HOST/$REPLICA_PORT") 2>/dev/null && [ ! -f "$REPLICA_DIR/postmaster.pid" ]; then
  die "something else listens on $REPLICA_HOST:$REPLICA_PORT (not a replica of ours); set PG_REPLICA_PORT"
fi

major=$(($(primary_sql -c 'show server_version_num') / 10000))
BIN=$(bindir "$major") || die "no PostgreSQL $major server binaries (apt-get install postgresql-$major)"
log "primary $P_HOST:$P_PORT is PostgreSQL $major; binaries in $BIN"

wal_level=$(primary_sql -c 'show wal_level')
senders=$(primary_sql -c 'show max_wal_senders')
if [ "$wal_level" = minimal ] || [ "$senders" = 0 ]; then
  die "the primary has wal_level=$wal_level and max_wal_senders=$senders: set wal_level=replica and max_wal_senders=10
  in its postgresql.conf and restart it"
fi

# 1. replication connections from 127.0.0.1 -----------------------------------------------------------------------
can_replicate() {
  PGPASSWORD="$P_PASSWORD" PGCONNECT_TIMEOUT=5 psql -X -w -q -At \
    "host=$P_HOST port=$P_PORT user=$P_USER replication=true dbname=replication" -c "IDENTIFY_SYSTEM" \
    </dev/null >/dev/null 2>&1
}
if can_replicate; then
  log "the primary accepts replication connections from $P_HOST"
else
  method=trust
  [ -z "$P_PASSWORD" ] || method=scram-sha-256
  hba=$(primary_sql -c 'show hba_file')
  line="host replication all $P_HOST/32 $method"
  case "$P_HOST" in 127.0.0.1 | localhost) line="host replication all 127.0.0.1/32 $method" ;; esac
  if as_root && [ -w "$hba" ]; then
    log "adding '$line' at the top of $hba and reloading"
    tmp=$(mktemp)
    { printf '%s\n%s\n' "$MARK" "$line"; cat "$hba"; } >"$tmp"
    cat "$tmp" >"$hba" # keeps the file's owner and mode
    rm -f "$tmp"
    primary_sql -c "select pg_reload_conf()" >/dev/null
    ok=0
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      if can_replicate; then
        ok=1
        break
      fi
      sleep 0.5
    done
    [ "$ok" = 1 ] || die "the primary still refuses replication connections after editing $hba"
  else
    die "the primary refuses replication connections from $P_HOST. As root, run:
  sed -i '1i $line' $hba && psql -h $P_HOST -p $P_PORT -U $P_USER -c 'select pg_reload_conf()'"
  fi
fi

# 2. the replica's data directory ----------------------------------------------------------------------------------
start_replica() {
  as_owner "$BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_DIR/replica.log" -w -t 60 \
    -o "-p $REPLICA_PORT -k $REPLICA_DIR -c listen_addresses=$REPLICA_HOST" start >&2
}

if [ -f "$REPLICA_DIR/standby.signal" ] && [ "$(cat "$REPLICA_DIR/PG_VERSION" 2>/dev/null)" = "$major" ]; then
  log "starting the existing replica in $REPLICA_DIR"
  if start_replica && replica_in_recovery; then
    print_url
    exit 0
  fi
  log "it did not come up as a standby; rebuilding it"
  as_owner "$BIN/pg_ctl" -D "$REPLICA_DIR" -m immediate -w stop >&2 2>/dev/null || true
fi

rm -rf "$REPLICA_DIR"
mkdir -p "$REPLICA_DIR"
chmod 700 "$REPLICA_DIR"
if as_root; then
  id postgres >/dev/null 2>&1 || die "running as root needs a postgres OS user to run the replica as"
  chown postgres: "$REPLICA_DIR"
fi

# A slot keeps the WAL the replica has not received yet; one left behind by a replica that is gone is dropped.
primary_sql -c "select pg_drop_replication_slot(slot_name) from pg_replication_slots
                where slot_name = '$SLOT' and not active" >/dev/null
log "copying the primary with pg_basebackup (slot $SLOT)"
as_owner "$BIN/pg_basebackup" -h "$P_HOST" -p "$P_PORT" -U "$P_USER" -w -D "$REPLICA_DIR" \
  -R -X stream -C -S "$SLOT" -c fast >&2 \
  || die "pg_basebackup failed"
[ -f "$REPLICA_DIR/standby.signal" ] || die "pg_basebackup -R wrote no standby.signal"

# Debian keeps postgresql.conf and pg_hba.conf in /etc, outside the data directory that was copied: the replica gets
# its own (or overrides at the end of a copied one). Its logins match the primary's: trust, or the same passwords.
method=trust
[ -z "$P_PASSWORD" ] || method=scram-sha-256
{
  echo "$MARK"
  echo "listen_addresses = '$REPLICA_HOST'"
  echo "port = $REPLICA_PORT"
  echo "unix_socket_directories = '$REPLICA_DIR'"
  echo "hot_standby = on"
  echo "hot_standby_feedback = on"
  echo "max_connections = 100"
  echo "wal_level = replica"
  echo "hba_file = '$REPLICA_DIR/pg_hba.conf'"
  echo "ident_file = '$REPLICA_DIR/pg_ident.conf'"
  echo "data_directory = '$REPLICA_DIR'"
  echo "external_pid_file = ''"
  echo "cluster_name = 'jianguan-replica'"
  echo "logging_collector = off"
} >>"$REPLICA_DIR/postgresql.conf"
printf '%s\nlocal all all trust\nhost all all 127.0.0.1/32 %s\n' "$MARK" "$method" >"$REPLICA_DIR/pg_hba.conf"
: >"$REPLICA_DIR/pg_ident.conf"
# Settings copied from the primary's `conf.d` includes would not exist here.
sed -i -E 's/^(\s*include(_dir|_if_exists)?\s)/# \1/' "$REPLICA_DIR/postgresql.conf"
if as_root; then
  chown postgres: "$REPLICA_DIR/postgresql.conf" "$REPLICA_DIR/pg_hba.conf" "$REPLICA_DIR/pg_ident.conf"
fi

log "starting the replica on $REPLICA_HOST:$REPLICA_PORT (log: $REPLICA_DIR/replica.log)"
start_replica || die "the replica did not start; see $REPLICA_DIR/replica.log"

# 3. streaming -----------------------------------------------------------------------------------------------------
for _ in $(seq 1 60); do
  if replica_in_recovery && [ "$(primary_sql -c "select count(*) from pg_stat_replication
                                                  where state = 'streaming'")" -ge 1 ]; then
    log "the replica is streaming from $P_HOST:$P_PORT"
    print_url
    exit 0
  fi
  sleep 0.5
done
die "the replica started but is not streaming after 30 s; see $REPLICA_DIR/replica.log"
