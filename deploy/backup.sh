#!/usr/bin/env bash
# One backup a day into $BACKUP_ROOT/jianguan-YYYY-MM-DD (manage.py backup), then remove those older than
# $BACKUP_KEEP_DAYS. Copying them off the machine (rsync to another host, offline media) is the site's own step:
# a backup on the same disk as the database is no backup.
set -euo pipefail
root=${BACKUP_ROOT:-/srv/backup}
keep=${BACKUP_KEEP_DAYS:-30}
cd "$(dirname "$0")/.."
target="$root/jianguan-$(date +%F)"
if [ -e "$target" ]; then target="$target-$(date +%H%M%S)"; fi
.venv/bin/python manage.py backup "$target"
find "$root" -maxdepth 1 -name 'jianguan-*' -type d -mtime +"$keep" -exec rm -rf {} +
