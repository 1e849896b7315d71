#!/usr/bin/env bash
# PUTs and GETs a 1 GiB file through one node attached to a private Prosody on loopback, three times, and prints
# the median MB/s of each and the node's peak RSS (which must stay under 200 MiB: the bytes stream).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash infra/install-test-deps.sh
command -v curl >/dev/null || { apt-get install -y -qq curl; }
dotnet build tests/XmppUpload.Benchmarks -c Release -warnaserror -v quiet -nologo
exec dotnet tests/XmppUpload.Benchmarks/bin/Release/net10.0/XmppUpload.Benchmarks.dll put-get "${1:-1024}" "${2:-3}"
