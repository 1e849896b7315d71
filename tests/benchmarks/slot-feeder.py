#!/usr/bin/python3
"""XEP-0363 upload slots on demand for the side-by-side HTTP benchmark (python3-slixmpp).

A peer whose upload URLs can only come from a real slot request (Prosody's mod_http_file_share, ejabberd's
mod_http_upload) gets them from this one long-lived process, so the run pays for the logins once. It logs in
--connections accounts (<prefix>0@domain, <prefix>1@domain, ...), prints READY, then reads requests on stdin, one a
line: "<count> <size>". For each it requests <count> slots for new files of <size> bytes from --service, --inflight at a
time spread over the sessions, and writes one JSON object a line per slot, in the order the answers came:
{"put": url, "get": url, "headers": {name: value}} (the PUT headers the slot names, XEP-0363 section 4), or
{"error": {...}} for a refused request; then the line "END <count>". An empty line or the end of stdin ends it.
Exit codes: 0 done, 1 infrastructure failure (connect, TLS, auth, an IQ without answer; one JSON object
{"failure": ...} on stdout), 2 usage.
"""

import argparse
import asyncio
import json
import sys
import xml.etree.ElementTree as ET

from bench_sessions import add_session_arguments, parse_session_arguments, sessions
from upload import NS_UPLOAD, Failure, error_json


class Feeder:
    def __init__(self, args, clients):
        self.args = args
        self.clients = clients
        self.next_index = 0

    async def batch(self, count, size):
        remaining = [count]
        lines = []

        async def worker(client):
            while remaining[0] > 0:
                remaining[0] -= 1
                index = self.next_index
                self.next_index += 1
                request = ET.Element('{%s}request' % NS_UPLOAD, {
                    'filename': 'bench-%d.bin' % index, 'size': str(size), 'content-type': 'application/octet-stream'})
                kind, xml = await client.iq(self.args.service, 'get', [request], self.args.iq_timeout)
                lines.append(json.dumps(slot_json(kind, xml)))

        workers = [worker(self.clients[i % len(self.clients)]) for i in range(min(self.args.inflight, count))]
        await asyncio.gather(*workers)
        lines.append('END %d' % count)
        sys.stdout.write('\n'.join(lines) + '\n')
        sys.stdout.flush()


def slot_json(kind, xml):
    if kind == 'error':
        return {'error': error_json(xml)}
    slot = xml.find('{%s}slot' % NS_UPLOAD)
    put = slot.find('{%s}put' % NS_UPLOAD) if slot is not None else None
    get = slot.find('{%s}get' % NS_UPLOAD) if slot is not None else None
    if put is None or get is None:
        return {'error': {'condition': None, 'text': 'a result without <slot/>, <put/> or <get/>'}}
    headers = {h.get('name'): (h.text or '') for h in put.findall('{%s}header' % NS_UPLOAD)}
    return {'put': put.get('url'), 'get': get.get('url'), 'headers': headers}


async def run(args):
    async with sessions(args) as clients:
        feeder = Feeder(args, clients)
        print('READY', flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line.strip():
                return
            fields = line.split()
            if len(fields) != 2 or not fields[0].isdigit() or not fields[1].isdigit() or int(fields[0]) < 1:
                raise Failure('a request line is "<count> <size>", not %r' % line.strip())
            await feeder.batch(int(fields[0]), int(fields[1]))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_session_arguments(parser, connections=4, inflight=64, iq_timeout=60)
    args = parse_session_arguments(parser, argv)
    if args.inflight < 1 or args.connections < 1:
        parser.error('need --connections and --inflight of at least 1')
    try:
        asyncio.run(run(args))
    except Failure as failure:
        print(json.dumps({'failure': str(failure)}), flush=True)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
