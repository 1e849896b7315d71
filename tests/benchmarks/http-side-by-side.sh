#!/usr/bin/env bash
# The node against its peers and nginx on the HTTP byte path, same machine, same clients (curl, wrk), median of N runs.
# Usage: tests/benchmarks/http-side-by-side.sh [runs, default 3] [--quick] [--targets node,nginx,...]
# --targets picks servers by name (default: every one this machine can run; an unknown name lists the known ones).
# --quick is a smoke run (small sizes, short wrk runs): its figures are not the node's performance.
# Time, 3 runs on 2 cores (an estimate from the rates of quick runs on a loaded machine; each turn's seconds are in
# the JSON): a target's turn is 50 s of wrk, about 6 GiB of PUTs and 1 GiB of GET, and preparing the small-PUT URLs
# it needs at the rate it last reached (no longer a fixed 60,000, which took the node longer than the measure): about
# 20 minutes for node, node-https, nginx and nginx-https, and about 35 with prosody and ejabberd if their turns take
# as long as node-https's. A run stops itself after 90 minutes (per 3 runs): by then the machine is too busy for the
# figures to mean anything. --quick with all four targets: about 3 minutes.
# Writes artifacts/http/side-by-side-<time>.json and .md and prints the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/benchmarks/install-bench-deps.sh
dotnet build tests/XmppUpload.Benchmarks -c Release -warnaserror -v quiet -nologo
exec dotnet tests/XmppUpload.Benchmarks/bin/Release/net10.0/XmppUpload.Benchmarks.dll http "${@}"
