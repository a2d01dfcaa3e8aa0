#!/usr/bin/env bash
# Makes a Redis server ready for the CI run and prints the URL the tests use (JIANGUAN_TEST_REDIS_URL) on the last
# line of stdout:
#
#   url=$(scripts/ci_redis.sh | tail -n1)
#
# Uses the server already answering on 127.0.0.1:6379 when there is one; otherwise installs Debian's `redis-server`
# (as root, with apt-get) when needed and starts a throwaway one on 127.0.0.1:6390 that keeps nothing on disk.
# The tests use database 15 and delete only the keys they made. Progress goes to stderr.
set -euo pipefail

log() { echo "ci_redis: $*" >&2; }
die() { echo "ci_redis: ERROR: $*" >&2; exit 1; }

ping() { # host port → 0 when a Redis answers PONG
  local reply
  reply=$( (exec 3<>"/dev/tcp/$1/$2" && printf 'PING\r\n' >&3 && timeout 2 head -c 7 <&3) 2>/dev/null || true)
  case "$reply" in +PONG*) return 0 ;; *) return 1 ;; esac
}

if ping 127.0.0.1 6379; then
  log "using the Redis on 127.0.0.1:6379"
  echo "redis://127.0.0.1:6379/15"
  exit 0
fi
if ! command -v redis-server >/dev/null; then
  [ "$(id -u)" = 0 ] || die "no Redis answers on 127.0.0.1:6379 and installing redis-server needs root"
  log "installing redis-server with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends redis-server >/dev/null </dev/null
fi
PORT=6390
if ! ping 127.0.0.1 "$PORT"; then
  log "starting redis-server on 127.0.0.1:$PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no \
    --dir /tmp --logfile /tmp/jianguan-ci-redis.log >/dev/null
  for _ in $(seq 1 50); do ping 127.0.0.1 "$PORT" && break; sleep 0.1; done
  ping 127.0.0.1 "$PORT" || die "redis-server did not answer on 127.0.0.1:$PORT (see /tmp/jianguan-ci-redis.log)"
fi
echo "redis://127.0.0.1:$PORT/15"
