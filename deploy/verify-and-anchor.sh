#!/usr/bin/env bash
# verify_audit --files, against the heads anchored before (when there are any), then append today's head.
# Copy the anchor file off the machine as well (with the backups): an anchor kept only beside the database proves
# little against someone who can rewrite both.
set -euo pipefail
anchor=$1
cd "$(dirname "$0")/.."
args=(--files)
[ -s "$anchor" ] && args+=(--anchor "$anchor")
out=$(.venv/bin/python manage.py verify_audit "${args[@]}")
printf '%s\n' "$out"
printf '%s %s\n' "$(date -u +%FT%TZ)" "$(printf '%s\n' "$out" | tail -n1)" >> "$anchor"
