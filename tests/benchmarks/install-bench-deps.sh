#!/usr/bin/env bash
# What the side-by-side HTTP run needs besides the test dependencies: nginx from Debian (its core DAV module takes
# the PUTs), wrk and curl as the clients. Not part of the test installer: nothing in the test suite uses them.
set -euo pipefail
missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian enables the package's own nginx service; the runs start their own on a free port and need no other.
if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then systemctl stop nginx || true; fi
nginx -V 2>&1 | grep -q -- '--with-http_dav_module' || { echo "this nginx has no DAV module" >&2; exit 1; }
