#!/usr/bin/env bash
# What the side-by-side HTTP run needs besides the test dependencies: nginx from Debian (its core DAV module takes
# the PUTs), wrk and curl as the clients, and the peers whose upload modules it measures with the URLs they grant
# over XMPP: Prosody (mod_http_file_share, 0.12 or later), ejabberd (mod_http_upload) and python3-slixmpp for the
# slot requests (tests/benchmarks/slot-feeder.py). Not part of the test installer: nothing in the test suite uses
# nginx or wrk. Idempotent; needs root (or sudo) on Debian 12.
set -euo pipefail
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
# The same packages infra/install-test-deps.sh installs for the interop tests (lua-unbound: Prosody's resolver).
for package in prosody lua-unbound ejabberd python3-slixmpp; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  # The runs start private servers on free ports; keep the packages' own services from starting while they install.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo_cmd[@]}" chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ "$created_policy" -eq 1 ]; then
    "${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d
  fi
fi
# Debian enables the package's own nginx service; the runs start their own on a free port and need no other.
if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then "${sudo_cmd[@]}" systemctl stop nginx || true; fi
nginx -V 2>&1 | grep -q -- '--with-http_dav_module' || { echo "this nginx has no DAV module" >&2; exit 1; }
