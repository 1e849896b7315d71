#!/usr/bin/env bash
# The node against its peers and nginx on the HTTP byte path, same machine, same clients (curl, wrk), median of N runs.
# Usage: tests/benchmarks/http-side-by-side.sh [runs, default 3] [--quick] [--targets node,nginx,...]
# --targets picks servers by name: node, node-https, nginx, nginx-https, prosody (mod_http_file_share), ejabberd
# (mod_http_upload); default: every one this machine can run (the run says which it left out and why).
# The peers' upload URLs come from real XEP-0363 slot requests over XMPP, asked for in batches through one
# long-lived slot-feeder.py (python3-slixmpp); their stored files are deleted from their storage directories.
# --quick is a smoke run (small sizes, short wrk runs): its figures are not the node's performance.
# Time, 3 runs on 2 cores (an estimate from the rates of quick runs on a loaded machine; each turn's seconds are in
# the JSON): a target's turn is 50 s of wrk, about 6 GiB of PUTs and 1 GiB of GET, and preparing the small-PUT URLs
# it needs at the rate it last reached: about 20 minutes for node, node-https, nginx and nginx-https, 10 more for
# ejabberd, and about 50 more for prosody, whose module takes PUTs at about 3 MB/s here (two 1 GiB PUTs a turn).
# A run stops itself after 150 minutes (per 3 runs): by then the machine is too busy for the figures to mean
# anything. --quick with all six targets: about 8 minutes.
# Writes artifacts/http/side-by-side-<time>.json and .md and prints the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/benchmarks/install-bench-deps.sh
dotnet build tests/XmppUpload.Benchmarks -c Release -warnaserror -v quiet -nologo
exec dotnet tests/XmppUpload.Benchmarks/bin/Release/net10.0/XmppUpload.Benchmarks.dll http "${@}"
