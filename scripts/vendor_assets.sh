#!/usr/bin/env bash
# Refreshes jianguan/static/vendor from the npm registry. Needs npm; runtime and CI never do (the files are committed).
set -euo pipefail
cd "$(dirname "$0")/.."
V=jianguan/static/vendor
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent bootstrap@5.3.9 htmx.org@2.0.11 echarts@6.1.0 quill@2.0.3 >/dev/null)
for f in "$tmp"/*.tgz; do d="${f%.tgz}"; mkdir -p "$d"; tar xzf "$f" -C "$d"; done
mkdir -p $V/bootstrap $V/htmx $V/echarts $V/quill
b="$tmp/bootstrap-5.3.9/package"; h="$tmp/htmx.org-2.0.11/package"; e="$tmp/echarts-6.1.0/package"
q="$tmp/quill-2.0.3/package"
cp "$b"/dist/css/bootstrap.min.css{,.map} "$b"/dist/js/bootstrap.bundle.min.js{,.map} "$b/LICENSE" $V/bootstrap/
cp "$h/dist/htmx.min.js" "$h/LICENSE" $V/htmx/
cp "$e/dist/echarts.min.js" "$e/i18n/langZH.js" "$e/LICENSE" "$e/NOTICE" $V/echarts/
# quill.js is minified already; its .map files are kept because the manifest storage follows sourceMappingURL.
cp "$q"/dist/quill.js{,.map,.LICENSE.txt} "$q"/dist/quill.snow.css{,.map} "$q/LICENSE" $V/quill/
# axe-core is for the browser tests only (tests/support/browser.py injects it into every page they open).
(cd "$tmp" && npm pack --silent axe-core@4.14.1 >/dev/null && mkdir -p axe && tar xzf axe-core-4.14.1.tgz -C axe)
mkdir -p tests/support/vendor/axe-core
cp "$tmp/axe/package/axe.min.js" "$tmp/axe/package/LICENSE" tests/support/vendor/axe-core/
echo "vendored into $V and tests/support/vendor"
