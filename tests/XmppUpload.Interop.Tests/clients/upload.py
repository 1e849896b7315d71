#!/usr/bin/python3
"""XEP-0363 test client for the interop tests (python3-slixmpp from Debian).

Logs in to a real XMPP server, then runs one subcommand and prints exactly one JSON object on stdout:

  disco    disco#items of the server, disco#info of every item; reports which item offers
           urn:xmpp:http:upload:0 and what it advertises (identities, features, XEP-0128 forms).
  upload   discovers the service (or uses --service), requests a slot (optionally with a XEP-0363
           section 5 purpose), PUTs the file with the slot's headers, GETs it back and compares bytes.
  raw-iq   sends an arbitrary IQ payload (one or more XML elements) and reports the raw response,
           so malformed requests can be tested through a real server.
  slot-stream
           requests a slot from --service every --interval seconds for --seconds, each request on its own (a
           slow answer does not hold the next one up), and reports each on stderr as it happens:
           "SENT n" before request n goes out, then "SLOT n ok", "SLOT n error <condition>" or "SLOT n timeout".

Exit codes: 0 success; 1 infrastructure failure (connect, TLS, auth, timeout); 2 usage;
3 the IQ that mattered came back as an error (upload: slot request; disco: --require-service
and none found); 4 the HTTP part failed (PUT/GET status or bytes differ).
Logs go to stderr (--debug for the whole XML stream).
"""

import argparse
import asyncio
import http.client
import json
import logging
import os
import ssl
import sys
import urllib.parse
import xml.etree.ElementTree as ET

from slixmpp import ClientXMPP
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.xmlstream import tostring

NS_UPLOAD = 'urn:xmpp:http:upload:0'
NS_PURPOSE = 'urn:xmpp:http:upload:purpose:0'
NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info'
NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items'
NS_DATA = 'jabber:x:data'
NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'

EXIT_OK = 0
EXIT_INFRA = 1
EXIT_IQ_ERROR = 3
EXIT_HTTP = 4


class Failure(Exception):
    """An infrastructure failure: reported as {"ok": false, "failure": ...} with exit code 1."""


def split_tag(tag):
    if tag.startswith('{'):
        ns, _, local = tag[1:].partition('}')
        return ns, local
    return '', tag


def element_json(element):
    ns, local = split_tag(element.tag)
    return {
        'name': local,
        'ns': ns,
        'attrs': dict(element.attrib),
        'text': (element.text or '').strip() or None,
        'children': [element_json(child) for child in element],
        'xml': tostring(element),
    }


def error_json(iq_xml):
    """Describes the <error/> of an IQ error response: type, condition, text and application children."""
    error = iq_xml.find('{jabber:client}error')
    if error is None:
        return {'type': None, 'condition': None, 'text': None, 'children': [], 'xml': None}
    condition = None
    text = None
    children = []
    for child in error:
        ns, local = split_tag(child.tag)
        if ns == NS_STANZAS and local == 'text':
            text = child.text
        elif ns == NS_STANZAS and condition is None:
            condition = local
        else:
            children.append(element_json(child))
    result = {
        'type': error.get('type'),
        'condition': condition,
        'text': text,
        'children': children,
        'xml': tostring(error),
        'max_file_size': None,
        'retry_stamp': None,
    }
    too_large = error.find('{%s}file-too-large' % NS_UPLOAD)
    if too_large is not None:
        max_size = too_large.find('{%s}max-file-size' % NS_UPLOAD)
        if max_size is not None and max_size.text:
            result['max_file_size'] = int(max_size.text.strip())
    retry = error.find('{%s}retry' % NS_UPLOAD)
    if retry is not None:
        result['retry_stamp'] = retry.get('stamp')
    return result


def forms_json(query):
    forms = []
    for form in query.findall('{%s}x' % NS_DATA):
        fields = {}
        for field in form.findall('{%s}field' % NS_DATA):
            fields[field.get('var')] = [value.text or '' for value in field.findall('{%s}value' % NS_DATA)]
        form_type = fields.pop('FORM_TYPE', [None])
        forms.append({'type': form.get('type'), 'form_type': form_type[0] if form_type else None, 'fields': fields})
    return forms


def disco_info_json(jid, iq_xml):
    query = iq_xml.find('{%s}query' % NS_DISCO_INFO)
    if query is None:
        return {'jid': jid, 'identities': [], 'features': [], 'forms': [], 'max_file_size': None}
    identities = [
        {'category': i.get('category'), 'type': i.get('type'), 'name': i.get('name')}
        for i in query.findall('{%s}identity' % NS_DISCO_INFO)
    ]
    features = [f.get('var') for f in query.findall('{%s}feature' % NS_DISCO_INFO)]
    forms = forms_json(query)
    max_file_size = None
    for form in forms:
        if form['form_type'] == NS_UPLOAD and form['fields'].get('max-file-size'):
            max_file_size = int(form['fields']['max-file-size'][0])
    return {
        'jid': jid,
        'identities': identities,
        'features': features,
        'forms': forms,
        'max_file_size': max_file_size,
        'xml': tostring(query),
    }


class Client(ClientXMPP):
    def __init__(self, args):
        super().__init__(args.jid, args.password)
        self.args = args
        self.ready = asyncio.get_event_loop().create_future()
        if args.ca_file:
            self.ca_certs = args.ca_file
        if args.insecure:
            self.ssl_context.check_hostname = False
            self.ssl_context.verify_mode = ssl.CERT_NONE
        self.add_event_handler('session_start', self._on_session_start)
        self.add_event_handler('failed_all_auth', lambda _: self._fail('authentication failed'))
        self.add_event_handler('connection_failed', lambda e: self._fail('connection failed: %s' % e))
        self.add_event_handler('ssl_invalid_chain', lambda e: self._fail('TLS certificate not trusted: %s' % e))
        self.add_event_handler('stream_error', lambda e: self._fail('stream error: %s' % e))
        self.add_event_handler('disconnected', lambda _: self._fail('disconnected before the session started'))

    def _on_session_start(self, _):
        if not self.ready.done():
            self.ready.set_result(True)

    def _fail(self, message):
        if not self.ready.done():
            self.ready.set_exception(Failure(message))

    async def iq(self, to, iq_type, payload_elements, timeout):
        """Sends an IQ and returns (type, response element); an error response is a result here, not an exception."""
        iq = self.Iq()
        iq['to'] = to
        iq['type'] = iq_type
        for element in payload_elements:
            iq.append(element)
        try:
            response = await iq.send(timeout=timeout)
        except IqError as error:
            response = error.iq
        except IqTimeout as error:
            raise Failure('no answer from %s within %s s' % (to, timeout)) from error
        return response['type'], response.xml


async def disco(client, args):
    domain = client.boundjid.domain
    kind, items_xml = await client.iq(domain, 'get', [ET.Element('{%s}query' % NS_DISCO_ITEMS)], args.iq_timeout)
    if kind == 'error':
        raise Failure('disco#items of %s failed: %s' % (domain, json.dumps(error_json(items_xml))))
    items = [
        {'jid': item.get('jid'), 'name': item.get('name'), 'node': item.get('node')}
        for item in items_xml.iter('{%s}item' % NS_DISCO_ITEMS)
    ]
    infos = []
    service = None
    for item in items:
        kind, info_xml = await client.iq(item['jid'], 'get', [ET.Element('{%s}query' % NS_DISCO_INFO)], args.iq_timeout)
        if kind == 'error':
            infos.append({'jid': item['jid'], 'error': error_json(info_xml)})
            continue
        info = disco_info_json(item['jid'], info_xml)
        infos.append(info)
        if service is None and NS_UPLOAD in info['features']:
            service = info
    return {'domain': domain, 'items': items, 'infos': infos, 'service': service}


async def service_info(client, args):
    if getattr(args, 'service', None):
        kind, info_xml = await client.iq(args.service, 'get', [ET.Element('{%s}query' % NS_DISCO_INFO)], args.iq_timeout)
        if kind == 'error':
            raise Failure('disco#info of %s failed: %s' % (args.service, json.dumps(error_json(info_xml))))
        return disco_info_json(args.service, info_xml)
    found = await disco(client, args)
    if found['service'] is None:
        raise Failure('no item of %s advertises %s: %s' % (found['domain'], NS_UPLOAD, json.dumps(found)))
    return found['service']


def request_element(args, size):
    request = ET.Element('{%s}request' % NS_UPLOAD, {'filename': args.name, 'size': str(size)})
    if args.content_type:
        request.set('content-type', args.content_type)
    if args.purpose:
        purpose = ET.SubElement(request, '{%s}%s' % (NS_PURPOSE, args.purpose))
        if args.expire_before:
            purpose.set('expire-before', args.expire_before)
    return request


def http_context(args):
    context = ssl.create_default_context(cafile=args.ca_file) if args.ca_file else ssl.create_default_context()
    if args.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def http_request(args, method, url, headers, body=None):
    """One HTTP exchange without redirects; returns (status, headers, body bytes)."""
    parts = urllib.parse.urlsplit(url)
    # A conforming service sends percent-encoded URLs (the test asserts on put_url/get_url itself);
    # quote anything else so http.client can still put it on the request line.
    path = urllib.parse.quote(parts.path or '/', safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += '?' + parts.query
    if parts.scheme == 'https':
        connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=args.iq_timeout,
                                                 context=http_context(args))
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=args.iq_timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        connection.close()


async def upload(client, args):
    with open(args.file, 'rb') as stream:
        content = stream.read()
    if args.name is None:
        args.name = os.path.basename(args.file)
    size = args.size if args.size is not None else len(content)
    result = {'service': None, 'name': args.name, 'size': size}
    info = await service_info(client, args)
    result['service'] = info
    kind, slot_xml = await client.iq(info['jid'], 'get', [request_element(args, size)], args.iq_timeout)
    if kind == 'error':
        result['error'] = error_json(slot_xml)
        return EXIT_IQ_ERROR, result
    slot = slot_xml.find('{%s}slot' % NS_UPLOAD)
    if slot is None:
        raise Failure('slot response without <slot/>: %s' % tostring(slot_xml))
    put = slot.find('{%s}put' % NS_UPLOAD)
    get = slot.find('{%s}get' % NS_UPLOAD)
    put_headers = {h.get('name'): (h.text or '') for h in put.findall('{%s}header' % NS_UPLOAD)} if put is not None else {}
    result.update({
        'put_url': put.get('url') if put is not None else None,
        'get_url': get.get('url') if get is not None else None,
        'put_headers': put_headers,
        'slot_xml': tostring(slot),
    })
    if args.slot_only:
        return EXIT_OK, result

    headers = dict(put_headers)
    headers['Content-Length'] = str(len(content))
    content_type = args.put_content_type or args.content_type
    if content_type:
        headers['Content-Type'] = content_type
    loop = asyncio.get_running_loop()
    try:
        status, response_headers, body = await loop.run_in_executor(
            None, http_request, args, 'PUT', result['put_url'], headers, content)
    except (OSError, http.client.HTTPException) as error:
        result['put_error'] = '%s: %s' % (type(error).__name__, error)
        return EXIT_HTTP, result
    result.update({'put_status': status, 'put_response_headers': response_headers,
                   'put_body': body.decode('utf-8', 'replace')})
    if status not in (200, 201):
        return EXIT_HTTP, result

    try:
        status, response_headers, body = await loop.run_in_executor(
            None, http_request, args, 'GET', result['get_url'], {})
    except (OSError, http.client.HTTPException) as error:
        result['get_error'] = '%s: %s' % (type(error).__name__, error)
        return EXIT_HTTP, result
    result.update({'get_status': status, 'get_headers': response_headers, 'bytes_equal': body == content})
    return (EXIT_OK if status == 200 and body == content else EXIT_HTTP), result


async def raw_iq(client, args):
    try:
        wrapper = ET.fromstring('<wrapper>%s</wrapper>' % args.payload)
    except ET.ParseError as error:
        raise Failure('--payload is not well-formed XML: %s' % error) from error
    to = args.to
    if to is None:
        to = (await service_info(client, args))['jid']
    kind, response = await client.iq(to, args.type, list(wrapper), args.iq_timeout)
    result = {'to': to, 'response_type': kind, 'response_xml': tostring(response),
              'children': [element_json(child) for child in response if split_tag(child.tag)[1] != 'error']}
    if kind == 'error':
        result['error'] = error_json(response)
    return EXIT_OK, result


async def receive(client, args):
    """Waits for one chat or normal message and reports its body and XEP-0066 out-of-band URL."""
    arrived = asyncio.get_event_loop().create_future()

    def on_message(message):
        if message['type'] in ('chat', 'normal') and message['body'] and not arrived.done():
            oob = message.xml.find('{jabber:x:oob}x/{jabber:x:oob}url')
            arrived.set_result({'from': str(message['from']), 'body': message['body'],
                                'oob_url': oob.text.strip() if oob is not None and oob.text else None})

    client.add_event_handler('message', on_message)
    # Available presence, so that the server routes messages to a bare JID to this resource at once.
    client.send_presence()
    print('READY', file=sys.stderr, flush=True)
    try:
        return EXIT_OK, {'message': await asyncio.wait_for(arrived, args.wait)}
    except asyncio.TimeoutError as error:
        raise Failure('no message within %s s' % args.wait) from error


async def slot_stream(client, args):
    counts = {'ok': 0, 'error': 0, 'timeout': 0}

    async def one(number):
        request = ET.Element('{%s}request' % NS_UPLOAD, {'filename': 'stream-%d.bin' % number, 'size': '10'})
        try:
            kind, response = await client.iq(args.service, 'get', [request], args.iq_timeout)
        except Failure:
            counts['timeout'] += 1
            print('SLOT %d timeout' % number, file=sys.stderr, flush=True)
            return
        if kind == 'error':
            counts['error'] += 1
            condition = error_json(response).get('condition')
            print('SLOT %d error %s' % (number, condition), file=sys.stderr, flush=True)
        else:
            counts['ok'] += 1
            print('SLOT %d ok' % number, file=sys.stderr, flush=True)

    print('READY', file=sys.stderr, flush=True)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + args.seconds
    requests = []
    number = 0
    while loop.time() < deadline:
        number += 1
        print('SENT %d' % number, file=sys.stderr, flush=True)
        requests.append(asyncio.ensure_future(one(number)))
        await asyncio.sleep(args.interval)
    await asyncio.gather(*requests)
    return EXIT_OK, {'sent': number, 'counts': counts}


async def run(args):
    client = Client(args)
    client.connect((args.host, args.port), force_starttls=not args.plain, disable_starttls=args.plain)
    try:
        await asyncio.wait_for(client.ready, args.login_timeout)
        if args.command == 'disco':
            found = await disco(client, args)
            code = EXIT_IQ_ERROR if args.require_service and found['service'] is None else EXIT_OK
            return code, found
        if args.command == 'upload':
            return await upload(client, args)
        if args.command == 'receive':
            return await receive(client, args)
        if args.command == 'slot-stream':
            return await slot_stream(client, args)
        return await raw_iq(client, args)
    except asyncio.TimeoutError as error:
        raise Failure('no session within %s s' % args.login_timeout) from error
    finally:
        # A clean </stream:stream> so the server logs a normal logout; bounded so a dead server cannot hang us.
        client.cancel_connection_attempt()
        await client.disconnect(wait=2.0)


def parse_args(argv):
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--jid', required=True, help='bare or full JID to log in as')
    common.add_argument('--password', required=True)
    common.add_argument('--host', default='127.0.0.1', help='address to connect to (default 127.0.0.1)')
    common.add_argument('--port', type=int, default=5222)
    common.add_argument('--ca-file', help='PEM file trusted for STARTTLS and HTTPS')
    common.add_argument('--insecure', action='store_true', help='do not verify TLS certificates')
    common.add_argument('--plain', action='store_true', help='no STARTTLS (only if the server allows it)')
    common.add_argument('--login-timeout', type=float, default=30)
    common.add_argument('--iq-timeout', type=float, default=30)
    common.add_argument('--debug', action='store_true', help='log the XML stream to stderr')

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest='command', required=True)

    disco_parser = commands.add_parser('disco', parents=[common], help='discover the upload service')
    disco_parser.add_argument('--require-service', action='store_true', help='exit 3 when no item offers upload')

    upload_parser = commands.add_parser('upload', parents=[common], help='request a slot, PUT, GET')
    upload_parser.add_argument('--service', help='upload service JID; default: discover through disco#items')
    upload_parser.add_argument('--file', required=True, help='local file to upload')
    upload_parser.add_argument('--name', help='file name in the request (default: the local name); any Unicode')
    upload_parser.add_argument('--size', type=int, help='size in the request (default: the real size)')
    upload_parser.add_argument('--content-type', help='content-type in the request (omitted when not given)')
    upload_parser.add_argument('--put-content-type', help='Content-Type of the PUT (default: --content-type)')
    upload_parser.add_argument('--purpose', choices=['message', 'profile', 'ephemeral', 'permanent'])
    upload_parser.add_argument('--expire-before', help='XEP-0082 DateTime for the ephemeral purpose')
    upload_parser.add_argument('--slot-only', action='store_true', help='stop after the slot request')

    receive_parser = commands.add_parser('receive', parents=[common], help='wait for one message, print it')
    receive_parser.add_argument('--wait', type=float, default=60, help='seconds to wait for the message')

    stream_parser = commands.add_parser('slot-stream', parents=[common], help='request slots at a steady pace')
    stream_parser.add_argument('--service', required=True, help='upload service JID (no discovery: it may be away)')
    stream_parser.add_argument('--interval', type=float, default=0.25, help='seconds between requests')
    stream_parser.add_argument('--seconds', type=float, default=60, help='how long to keep requesting')

    raw_parser = commands.add_parser('raw-iq', parents=[common], help='send any IQ payload, print the answer')
    raw_parser.add_argument('--to', help='recipient (default: the discovered upload service)')
    raw_parser.add_argument('--type', choices=['get', 'set'], default='get')
    raw_parser.add_argument('--payload', required=True, help='XML of the IQ children (may be several, or empty)')
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
        result = dict(result, ok=code == EXIT_OK, command=args.command)
    except Failure as failure:
        code, result = EXIT_INFRA, {'ok': False, 'command': args.command, 'failure': str(failure)}
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
