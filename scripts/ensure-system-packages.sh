#!/usr/bin/env bash
# Makes sure the Debian packages some tests need are installed: `ensure-system-packages.sh postgresql`.
# Missing packages are installed when we are root; otherwise we print the one apt-get line and
# carry on (exit 0): the tests that need them then skip with the same advice (in CI they fail).
set -euo pipefail

if [ "$#" -eq 0 ]; then
  exit 0
fi

missing=()
for p in "$@"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "painpath: installing ${missing[*]} (apt-get install -y ${missing[*]})"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
  echo "painpath: some tests need Debian packages; as root run: apt-get install -y ${missing[*]}" >&2
fi
