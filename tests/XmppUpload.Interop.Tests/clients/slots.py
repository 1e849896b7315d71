#!/usr/bin/python3
"""Many XEP-0363 slot requests at once from one account (python3-slixmpp from Debian), for the cluster tests.

Logs in once, finds the upload service (disco, or --service), then for every --file at the same time: requests a slot
(its name, its size, --purpose, --content-type) and, unless --slot-only, PUTs the file with the slot's headers. The PUT
of the i-th file goes to the i-th --put-base (cycling), which replaces the scheme, host and port of the slot's PUT URL:
that is how a test sends uploads to chosen nodes behind a load balancer. Without --put-base the slot's URL is used.

Prints exactly one JSON object on stdout:
  {"service": jid, "granted": n, "refused": n, "stored": n,
   "slots": [{"file", "name", "size", "granted", "error" (as upload.py reports it), "put_url", "get_url",
              "put_headers", "put_target", "put_status", "put_body", "put_error"}, ...]}  (in --file order)

Exit codes: 0 every request was answered (granted or refused) and every granted slot's PUT was answered (any status);
1 infrastructure failure (connect, TLS, auth, an IQ without answer, a PUT that got no HTTP answer); 2 usage.
The test judges the outcome from the JSON.
"""

import argparse
import asyncio
import concurrent.futures
import http.client
import json
import logging
import os
import sys
import urllib.parse
import xml.etree.ElementTree as ET

# Connection, TLS, error decoding and discovery are upload.py's, so every client of the suite behaves alike.
from upload import NS_PURPOSE, NS_UPLOAD, Client, Failure, error_json, http_request, service_info, tostring

EXIT_OK = 0
EXIT_INFRA = 1


def request_element(args, name, size):
    request = ET.Element('{%s}request' % NS_UPLOAD, {'filename': name, 'size': str(size)})
    if args.content_type:
        request.set('content-type', args.content_type)
    if args.purpose:
        ET.SubElement(request, '{%s}%s' % (NS_PURPOSE, args.purpose))
    return request


def retarget(url, base):
    """The URL with the scheme, host and port of base (its path kept), so that the PUT reaches a chosen node."""
    if not base:
        return url
    target = urllib.parse.urlsplit(base)
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((target.scheme, target.netloc, parts.path, parts.query, parts.fragment))


async def one(client, args, service, executor, index, path):
    with open(path, 'rb') as stream:
        content = stream.read()
    name = os.path.basename(path)
    entry = {'file': path, 'name': name, 'size': len(content), 'granted': False}
    kind, slot_xml = await client.iq(service, 'get', [request_element(args, name, len(content))], args.iq_timeout)
    if kind == 'error':
        entry['error'] = error_json(slot_xml)
        return entry
    slot = slot_xml.find('{%s}slot' % NS_UPLOAD)
    if slot is None:
        raise Failure('slot response without <slot/>: %s' % tostring(slot_xml))
    put = slot.find('{%s}put' % NS_UPLOAD)
    get = slot.find('{%s}get' % NS_UPLOAD)
    headers = {h.get('name'): (h.text or '') for h in put.findall('{%s}header' % NS_UPLOAD)}
    entry.update({'granted': True, 'put_url': put.get('url'), 'get_url': get.get('url'), 'put_headers': headers})
    if args.slot_only:
        return entry

    bases = args.put_base or [None]
    target = retarget(entry['put_url'], bases[index % len(bases)])
    entry['put_target'] = target
    request_headers = dict(headers)
    request_headers['Content-Length'] = str(len(content))
    if args.content_type:
        request_headers['Content-Type'] = args.content_type
    loop = asyncio.get_running_loop()
    try:
        status, _, body = await loop.run_in_executor(executor, http_request, args, 'PUT', target, request_headers, content)
    except (OSError, http.client.HTTPException) as error:
        entry['put_error'] = '%s: %s' % (type(error).__name__, error)
        return entry
    entry.update({'put_status': status, 'put_body': body.decode('utf-8', 'replace')})
    return entry


async def run(args):
    client = Client(args)
    client.connect((args.host, args.port), force_starttls=not args.plain, disable_starttls=args.plain)
    try:
        await asyncio.wait_for(client.ready, args.login_timeout)
        service = args.service or (await service_info(client, args))['jid']
        # One thread per upload, so that every PUT is on the wire at once rather than a handful at a time.
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(args.file))) as executor:
            slots = await asyncio.gather(*(one(client, args, service, executor, i, path) for i, path in enumerate(args.file)))
        result = {
            'service': service,
            'granted': sum(1 for s in slots if s['granted']),
            'refused': sum(1 for s in slots if not s['granted']),
            'stored': sum(1 for s in slots if s.get('put_status') == 201),
            'slots': list(slots),
        }
        failed_puts = [s for s in slots if 'put_error' in s]
        return (EXIT_INFRA if failed_puts else EXIT_OK), result
    except asyncio.TimeoutError as error:
        raise Failure('no session within %s s' % args.login_timeout) from error
    finally:
        client.cancel_connection_attempt()
        await client.disconnect(wait=2.0)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--jid', required=True, help='bare or full JID to log in as')
    parser.add_argument('--password', required=True)
    parser.add_argument('--host', default='127.0.0.1', help='address to connect to (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=5222)
    parser.add_argument('--ca-file', help='PEM file trusted for STARTTLS and HTTPS')
    parser.add_argument('--insecure', action='store_true', help='do not verify TLS certificates')
    parser.add_argument('--plain', action='store_true', help='no STARTTLS (only if the server allows it)')
    parser.add_argument('--login-timeout', type=float, default=30)
    parser.add_argument('--iq-timeout', type=float, default=60)
    parser.add_argument('--debug', action='store_true', help='log the XML stream to stderr')
    parser.add_argument('--service', help='upload service JID; default: discover through disco#items')
    parser.add_argument('--file', action='append', required=True, help='a file to request a slot for (repeat)')
    parser.add_argument('--purpose', choices=['message', 'profile', 'ephemeral', 'permanent'])
    parser.add_argument('--content-type', help='content-type of every request and PUT (omitted when not given)')
    parser.add_argument('--put-base', action='append', help='base URL to send the PUTs to, in turn (repeat)')
    parser.add_argument('--slot-only', action='store_true', help='request the slots, PUT nothing')
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    sys.stdout.reconfigure(encoding='utf-8')
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.debug else logging.ERROR,
                        format='%(levelname)-8s %(name)s %(message)s')
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        code, result = loop.run_until_complete(run(args))
        result = dict(result, ok=code == EXIT_OK)
    except Failure as failure:
        code, result = EXIT_INFRA, {'ok': False, 'failure': str(failure)}
    finally:
        # slixmpp leaves its filter task running after a disconnect; end it so asyncio does not complain.
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write('\n')
    sys.stdout.flush()
    return code


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
