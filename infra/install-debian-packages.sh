#!/usr/bin/env bash
# Installs those of the named Debian packages that are not installed yet, without starting their system services:
# the tests, benchmarks and local clusters run private instances on ports of their own, and a package's service would
# take the default ports. Idempotent; needs root (or sudo). Usage: install-debian-packages.sh package...
set -euo pipefail
missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -gt 0 ] || exit 0

echo "Installing ${missing[*]}..."
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${sudo_cmd[@]}" chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
status=0
"${sudo_cmd[@]}" apt-get update -qq || status=$?
if [ "$status" -eq 0 ]; then
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" || status=$?
fi
[ "$created_policy" -eq 0 ] || "${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d
exit "$status"
