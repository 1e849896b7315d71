#!/usr/bin/env bash
# What the side-by-side HTTP run needs besides the test dependencies: nginx from Debian (its core DAV module takes
# the PUTs), wrk and curl as the clients, and the peers whose upload modules it measures with the URLs they grant
# over XMPP: Prosody (mod_http_file_share, 0.12 or later), ejabberd (mod_http_upload) and python3-slixmpp for the
# slot requests (tests/benchmarks/slot-feeder.py). Not part of the test installer: nothing in the test suite uses
# nginx or wrk. Idempotent; needs root (or sudo) on Debian 12.
set -euo pipefail
packages=(prosody lua-unbound ejabberd python3-slixmpp)  # as infra/install-test-deps.sh (lua-unbound: Prosody's resolver)
command -v nginx >/dev/null || packages+=(nginx-light)
command -v wrk >/dev/null || packages+=(wrk)
command -v curl >/dev/null || packages+=(curl)
# The runs start private servers on free ports; the installer keeps the packages' own services from starting.
bash "$(dirname "$0")/../../infra/install-debian-packages.sh" "${packages[@]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
# Debian enables the package's own nginx service; the runs start their own on a free port and need no other.
if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then "${sudo_cmd[@]}" systemctl stop nginx || true; fi
nginx -V 2>&1 | grep -q -- '--with-http_dav_module' || { echo "this nginx has no DAV module" >&2; exit 1; }
