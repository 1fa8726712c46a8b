#!/usr/bin/env bash
# Checks that the Python we were given can build Painpath's virtual environment.
# On Debian, `python3 -m venv` needs the python3-venv package: installed here when we are root,
# otherwise we print the one apt-get line and stop.
set -euo pipefail
py="${1:-python3}"

if ! command -v "$py" >/dev/null 2>&1; then
  echo "painpath: '$py' was not found; install Python 3.11 or newer (apt-get install -y python3)" >&2
  exit 1
fi

if ! "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "painpath: Python 3.11 or newer is required; '$py' is $("$py" -c 'import sys; print(sys.version.split()[0])')" >&2
  exit 1
fi

if "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  exit 0
fi

line="apt-get install -y python3-venv"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "painpath: installing python3-venv ($line)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive $line -qq
else
  echo "painpath: Python cannot create virtual environments here; as root run: $line" >&2
  exit 1
fi
