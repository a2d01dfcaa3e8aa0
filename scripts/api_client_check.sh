#!/usr/bin/env bash
# The API as an integrator meets it: generate a Python client from the platform's OpenAPI schema with
# openapi-python-client (warnings fail), install it in a scratch virtualenv that holds nothing of the platform, and run
# scripts/api_client_smoke.py through it against a real server on the demo district (list, page, detail, a ledger
# transition, a stale version, the public search).
#
#   bash scripts/api_client_check.sh            (CI runs it; needs .venv from scripts/bootstrap.sh and PyPI)
#
# Work directory: $API_CLIENT_DIR (default a fresh temporary directory, removed afterwards unless KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/.."

GENERATOR_VERSION=0.29.1
PY=.venv/bin/python
WORK=${API_CLIENT_DIR:-$(mktemp -d -t jianguan-api-client.XXXXXX)}
PORT=${API_CLIENT_PORT:-$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
server=""

log() { echo "api_client_check: $*" >&2; }
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" != 1 ] && [ -z "${API_CLIENT_DIR:-}" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

mkdir -p "$WORK"
log "work directory $WORK"
# The server's own settings, apart from any the caller's environment holds.
export DATABASE_URL="sqlite:///$WORK/db.sqlite3" JIANGUAN_MEDIA_ROOT="$WORK/media" JIANGUAN_DEBUG=0 \
  JIANGUAN_MANIFEST_STATIC=0 JIANGUAN_LOG_FORMAT=text JIANGUAN_LOG_LEVEL=WARNING
unset JIANGUAN_REDIS_URL DATABASE_REPLICA_URL

log "exporting the OpenAPI schema"
"$PY" manage.py export_openapi_schema --api jianguan.api.api --output "$WORK/openapi.json"

log "installing openapi-python-client $GENERATOR_VERSION into a scratch virtualenv"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install -q --disable-pip-version-check "openapi-python-client==$GENERATOR_VERSION"

log "generating the client"
printf 'project_name_override: jianguan-api-client\npackage_name_override: jianguan_api_client\npost_hooks: []\n' \
  >"$WORK/config.yaml"
"$WORK/venv/bin/openapi-python-client" generate --path "$WORK/openapi.json" --config "$WORK/config.yaml" \
  --meta setup --output-path "$WORK/client" --fail-on-warning --overwrite
"$WORK/venv/bin/python" -m pip install -q --disable-pip-version-check "$WORK/client"

log "loading the demo district into a fresh database"
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py load_demo >"$WORK/load_demo.log"
token=$("$PY" manage.py shell -c '
from jianguan.accounts.models import User
from jianguan.accounts.services import api_token_create
_token, raw = api_token_create(actor=User.objects.get(username="lead"), name="接口客户端检查", days=30)
print(raw)' | tail -n1)

log "serving on 127.0.0.1:$PORT"
.venv/bin/gunicorn jianguan.wsgi --bind "127.0.0.1:$PORT" --workers 2 --log-level warning >"$WORK/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  if "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=2)" 2>/dev/null; then break; fi
  sleep 0.2
done

log "running scripts/api_client_smoke.py through the generated client"
# Only the scratch virtualenv's packages: the platform's own code is not importable there.
(cd "$WORK" && venv/bin/python "$OLDPWD/scripts/api_client_smoke.py" "http://127.0.0.1:$PORT" "$token")
