#!/usr/bin/env bash
# Installs everything the test suite talks to: the XMPP servers and clients from Debian. Idempotent; needs root
# (or sudo) on Debian 12 with the .NET SDK already installed.
set -euo pipefail

packages=(
  prosody          # XMPP server the node attaches to as a component (interop tests, local run)
  lua-unbound      # Prosody's DNS resolver; without it Prosody 0.12 logs errors at start
  ejabberd         # second XMPP server for interop tests
  python3-slixmpp  # XMPP client library used by the interop client scripts
  go-sendxmpp      # real command-line XMPP client that sends files with HTTP upload
  litmus           # WebDAV (RFC 4918) conformance suite for the XEP-0129 endpoint
  postgresql       # the cluster ledger; tests run private instances in temporary directories
  haproxy          # the load balancer in front of the cluster tests' three nodes (infra/cluster/haproxy.cfg)
  curl             # the benchmark scripts drive HTTP with it
  openssl          # self-signed certificates for the test servers
  ca-certificates
  procps           # kill (a test stops its confirming client with SIGTERM) and ps
)

bash "$(dirname "$0")/install-debian-packages.sh" "${packages[@]}"

# Azurite (Azure Blob Storage) and s3rver (S3) from npm, into tests/.npm (not tracked by git).
cd "$(dirname "$0")/.."
command -v npm >/dev/null 2>&1 || bash infra/install-debian-packages.sh nodejs npm
if [ ! -x tests/.npm/node_modules/.bin/azurite-blob ] || [ ! -x tests/.npm/node_modules/.bin/s3rver ]; then
  npm install --prefix tests/.npm --no-audit --no-fund --loglevel=error azurite@3.37.0 s3rver@3.7.1
fi
