#!/usr/bin/env bash
# The node against its peers and nginx on the HTTP byte path, same machine, same clients (curl, wrk), median of N runs.
# Usage: tests/benchmarks/http-side-by-side.sh [runs, default 3] [--quick] [--targets node,nginx,...]
# --targets picks servers by name (default: every one this machine can run; an unknown name lists the known ones).
# --quick is a smoke run (small sizes, short wrk runs): its figures are not the node's performance.
# Writes artifacts/http/side-by-side-<time>.json and .md and prints the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/benchmarks/install-bench-deps.sh
dotnet build tests/XmppUpload.Benchmarks -c Release -warnaserror -v quiet -nologo
exec dotnet tests/XmppUpload.Benchmarks/bin/Release/net10.0/XmppUpload.Benchmarks.dll http "${@}"
