#!/usr/bin/python3
"""XEP-0363 slot requests as fast as a server answers them, for the side-by-side slot benchmark (python3-slixmpp).

Logs in --connections accounts (<prefix>0@domain, <prefix>1@domain, ...; one session each, so that no server
processes every request of the run through one session's queue), then keeps --inflight requests outstanding in all,
spread evenly over the sessions, each request for a new file name of --size bytes, to --service. The first --warmup
requests are not measured. It prints the line MEASURING when the measured requests start, and at the end one JSON
object: {"requests", "errors", "first_error", "seconds", "per_second", "p50_ms", "p99_ms"}. A run stops after --count
measured requests or --seconds, whichever comes first. Exit codes: 0 measured (errors are counted, not fatal),
1 infrastructure failure (connect, TLS, auth, an IQ without answer), 2 usage.
"""

import argparse
import asyncio
import json
import sys
import time
import xml.etree.ElementTree as ET

from bench_sessions import add_session_arguments, parse_session_arguments, sessions
from upload import NS_UPLOAD, Failure, error_json


def request_element(index, size):
    return ET.Element('{%s}request' % NS_UPLOAD, {
        'filename': 'bench-%d.bin' % index, 'size': str(size), 'content-type': 'application/octet-stream'})


class Run:
    def __init__(self, args):
        self.args = args
        self.next_index = 0
        self.measured_from = None
        self.latencies = []
        self.errors = 0
        self.first_error = None
        self.deadline = None

    def take(self):
        """The next request's index, or None when the run is over."""
        args = self.args
        if self.next_index >= args.warmup + args.count:
            return None
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            return None
        index = self.next_index
        self.next_index += 1
        if index == args.warmup:
            self.measured_from = time.perf_counter()
            self.deadline = self.measured_from + args.seconds
            print('MEASURING', flush=True)
        return index

    async def worker(self, client):
        args = self.args
        while True:
            index = self.take()
            if index is None:
                return
            started = time.perf_counter()
            kind, xml = await client.iq(args.service, 'get', [request_element(index, args.size)], args.iq_timeout)
            if index < args.warmup:
                continue
            self.latencies.append(time.perf_counter() - started)
            if kind == 'error':
                self.errors += 1
                if self.first_error is None:
                    self.first_error = error_json(xml)


async def run(args):
    async with sessions(args) as clients:
        state = Run(args)
        workers = [state.worker(clients[i % len(clients)]) for i in range(args.inflight)]
        await asyncio.gather(*workers)
        ended = time.perf_counter()
        if state.measured_from is None:
            raise Failure('no measured request (warmup %d, count %d)' % (args.warmup, args.count))
        seconds = ended - state.measured_from
        ordered = sorted(state.latencies)

        def percentile(p):
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0

        return {
            'requests': len(ordered), 'errors': state.errors, 'first_error': state.first_error,
            'seconds': seconds, 'per_second': len(ordered) / seconds if seconds > 0 else 0,
            'p50_ms': percentile(0.50), 'p99_ms': percentile(0.99),
        }


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_session_arguments(parser, connections=1, inflight=1, iq_timeout=30)
    parser.add_argument('--count', type=int, default=20000, help='measured requests at most')
    parser.add_argument('--seconds', type=float, default=10, help='measured seconds at most')
    parser.add_argument('--warmup', type=int, default=200)
    parser.add_argument('--size', type=int, default=1024)
    args = parse_session_arguments(parser, argv)
    if args.inflight < 1 or args.connections < 1 or args.connections > args.inflight:
        parser.error('need 1 <= --connections <= --inflight')
    try:
        result = asyncio.run(run(args))
    except Failure as failure:
        print(json.dumps({'failure': str(failure)}), flush=True)
        return 1
    print(json.dumps(result), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
