#!/usr/bin/env bash
# Refresh the front-end files the browser app serves itself (no CDN): each comes from its npm
# package, pinned by version and checked against the registry's sha512 integrity, and is copied
# with its licence into src/painpath/web/ui/static/vendor/. Needs npm. Run after changing a pin,
# then update VENDORED.md in that folder.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/painpath/web/ui/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# package@version | folder | files to copy out of the package
packages=(
  "htmx.org@2.0.11|htmx|dist/htmx.min.js LICENSE"
  "chart.js@4.6.1|chartjs|dist/chart.umd.min.js LICENSE.md"
  "chartjs-plugin-annotation@3.1.0|chartjs-plugin-annotation|dist/chartjs-plugin-annotation.min.js LICENSE.md"
)
for entry in "${packages[@]}"; do
  IFS='|' read -r spec folder files <<<"$entry"
  expected=$(npm view "$spec" dist.integrity 2>/dev/null)
  tarball=$(cd "$work" && npm pack --silent "$spec" 2>/dev/null | tail -1)
  actual="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | base64 -w0)"
  if [ "$actual" != "$expected" ]; then
    echo "vendor: $spec does not match the registry's integrity ($actual != $expected)" >&2
    exit 1
  fi
  mkdir -p "$work/$folder" "$dest/$folder"
  tar xzf "$work/$tarball" -C "$work/$folder"
  for f in $files; do cp "$work/$folder/package/$f" "$dest/$folder/"; done
  echo "vendor: $spec -> $dest/$folder ($expected)"
done
