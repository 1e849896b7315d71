#!/usr/bin/env bash
# XEP-0363 slot requests through one XMPP server at a time: the node attached as a component against the server's
# own upload module, through Prosody (mod_http_file_share), then through ejabberd (mod_http_upload) when it is
# installed; same client (slot-load.py, python3-slixmpp), 1/16/64 in flight, median of N runs.
# Usage: tests/benchmarks/slots-side-by-side.sh [runs, default 3] [--quick]   (about 2 minutes per run and server)
# Writes artifacts/xmpp/slots-<time>.json and .md and prints the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash infra/install-test-deps.sh
dotnet build tests/XmppUpload.Benchmarks -c Release -warnaserror -v quiet -nologo
exec dotnet tests/XmppUpload.Benchmarks/bin/Release/net10.0/XmppUpload.Benchmarks.dll slots "${@}"
