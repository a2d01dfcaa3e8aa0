#!/usr/bin/env bash
# Sets up a fresh machine for Jianguan: Debian packages (as root) and the .venv with pinned Python dependencies.
# Usage: scripts/bootstrap.sh [--browser] [--office]
#   --browser  also installs Chromium for the browser tests
#   --office   also installs LibreOffice Calc (headless), which CI uses to prove the Excel exports open
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
want_office=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    --office) want_office=1 ;;
    *) echo "bootstrap: unknown option $arg" >&2; exit 2 ;;
  esac
done

# WeasyPrint needs pango and harfbuzz-subset; documents need a CJK font; the browser tests need Chromium.
debs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext poppler-utils)
[ $want_browser = 1 ] && debs+=(chromium)
[ $want_office = 1 ] && debs+=(libreoffice-calc-nogui)

missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: these Debian packages are missing: ${missing[*]}" >&2
    echo "bootstrap: run this once as root, then try again:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

py=${PYTHON:-python3}
if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "bootstrap: Python 3.11 or newer is needed ($py is $("$py" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  "$py" -m venv .venv
fi
# Reinstall only when pyproject.toml changed since the last successful install.
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "bootstrap: installing Python dependencies (about a minute on a fresh machine; pip's full output in .venv/pip.log)"
  # Progress as it happens: one line per package fetched, then how many were installed. Some machines' pip
  # configuration names local mirrors that may be absent; those warnings, and pip's download bars, stay in the log.
  progress() {
    awk '
      /^(Collecting|Processing) / { n++; name = $2; sub(/.*\//, "", name); sub(/-[0-9].*$/, "", name); sub(/[=<>\[].*$/, "", name);
                                    printf "bootstrap:   %3d %s\n", n, name; fflush() }
      /^Successfully installed/ { printf "bootstrap:   installed %d packages\n", NF - 2; fflush() }
      /^ERROR/ { print; fflush() }
    '
  }
  if ! { .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip \
      && .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off -e '.[dev]'; } 2>&1 \
      | tee .venv/pip.log | progress; then
    echo "bootstrap: pip failed; its output is in .venv/pip.log" >&2
    exit 1
  fi
  rm -f .venv/.installed-*
  touch "$stamp"
fi
