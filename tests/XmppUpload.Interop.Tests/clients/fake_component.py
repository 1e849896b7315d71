#!/usr/bin/python3
"""A stand-in XEP-0114 component, only to smoke-test the server configs in infra/ (not the real service).

Connects to a server's component port and answers like a minimal XEP-0363 service:
disco#info (identity store/file, feature urn:xmpp:http:upload:0, XEP-0128 form with max-file-size),
disco#items (empty), slot requests (a fake slot, or file-too-large above --max-file-size),
and service-unavailable for anything else. Prints the line READY once the handshake succeeded,
then runs until killed (exit code 1 if the server drops the link).
"""

import argparse
import asyncio
import logging
import sys
import uuid
import xml.etree.ElementTree as ET

from slixmpp.componentxmpp import ComponentXMPP
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

NS_UPLOAD = 'urn:xmpp:http:upload:0'
NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info'
NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items'
NS_DATA = 'jabber:x:data'
NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'


class FakeUpload(ComponentXMPP):
    def __init__(self, args):
        super().__init__(args.jid, args.secret, args.host, args.port)
        self.args = args
        self.register_handler(Callback('any iq', MatchXPath('{%s}iq' % self.default_ns), self._on_iq))
        self.add_event_handler('session_start', self._on_ready)
        self.add_event_handler('disconnected', lambda _: self._stop('disconnected'))
        self.add_event_handler('connection_failed', lambda e: self._stop('connection failed: %s' % e))
        self.add_event_handler('stream_error', lambda e: self._stop('stream error: %s' % e))
        self.done = asyncio.get_event_loop().create_future()

    def _on_ready(self, _):
        print('READY', flush=True)

    def _stop(self, reason):
        print('STOPPED %s' % reason, flush=True)
        if not self.done.done():
            self.done.set_result(reason)

    def _on_iq(self, iq):
        if iq['type'] not in ('get', 'set'):
            return
        payload = list(iq.xml)
        child = payload[0] if payload else None
        reply = iq.reply(clear=True)
        if child is not None and child.tag == '{%s}query' % NS_DISCO_INFO and iq['type'] == 'get':
            reply.append(self._disco_info())
        elif child is not None and child.tag == '{%s}query' % NS_DISCO_ITEMS and iq['type'] == 'get':
            reply.append(ET.Element('{%s}query' % NS_DISCO_ITEMS))
        elif child is not None and child.tag == '{%s}request' % NS_UPLOAD and iq['type'] == 'get':
            size = int(child.get('size', '0'))
            if size > self.args.max_file_size:
                reply['type'] = 'error'
                reply.append(self._too_large())
            else:
                reply.append(self._slot(child.get('filename', 'file')))
        else:
            reply['type'] = 'error'
            error = ET.Element('{%s}error' % self.default_ns, {'type': 'cancel'})
            ET.SubElement(error, '{%s}service-unavailable' % NS_STANZAS)
            reply.append(error)
        reply.send()

    def _disco_info(self):
        query = ET.Element('{%s}query' % NS_DISCO_INFO)
        ET.SubElement(query, '{%s}identity' % NS_DISCO_INFO,
                      {'category': 'store', 'type': 'file', 'name': 'Fake HTTP File Upload'})
        for feature in (NS_DISCO_INFO, NS_UPLOAD):
            ET.SubElement(query, '{%s}feature' % NS_DISCO_INFO, {'var': feature})
        form = ET.SubElement(query, '{%s}x' % NS_DATA, {'type': 'result'})
        for var, value, hidden in (('FORM_TYPE', NS_UPLOAD, True), ('max-file-size', str(self.args.max_file_size), False)):
            field = ET.SubElement(form, '{%s}field' % NS_DATA, {'var': var})
            if hidden:
                field.set('type', 'hidden')
            ET.SubElement(field, '{%s}value' % NS_DATA).text = value
        return query

    def _too_large(self):
        error = ET.Element('{%s}error' % self.default_ns, {'type': 'modify'})
        ET.SubElement(error, '{%s}not-acceptable' % NS_STANZAS)
        ET.SubElement(error, '{%s}text' % NS_STANZAS).text = 'File too large'
        too_large = ET.SubElement(error, '{%s}file-too-large' % NS_UPLOAD)
        ET.SubElement(too_large, '{%s}max-file-size' % NS_UPLOAD).text = str(self.args.max_file_size)
        return error

    def _slot(self, filename):
        url = '%s/%s/%s' % (self.args.base_url.rstrip('/'), uuid.uuid4().hex, filename)
        slot = ET.Element('{%s}slot' % NS_UPLOAD)
        put = ET.SubElement(slot, '{%s}put' % NS_UPLOAD, {'url': url})
        ET.SubElement(put, '{%s}header' % NS_UPLOAD, {'name': 'Authorization'}).text = 'Bearer fake'
        ET.SubElement(slot, '{%s}get' % NS_UPLOAD, {'url': url})
        return slot


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--jid', required=True, help='component domain, e.g. upload.localhost')
    parser.add_argument('--secret', required=True)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--max-file-size', type=int, default=1048576)
    parser.add_argument('--base-url', default='http://127.0.0.1:9/upload')
    parser.add_argument('--debug', action='store_true')
    args = parser.parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.debug else logging.ERROR,
                        format='%(levelname)-8s %(name)s %(message)s')
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    component = FakeUpload(args)
    component.connect()
    loop.run_until_complete(component.done)
    return 1


if __name__ == '__main__':
    sys.exit(main())
