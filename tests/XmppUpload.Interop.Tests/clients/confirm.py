#!/usr/bin/python3
"""XEP-0070 test client for the interop tests (python3-slixmpp from Debian).

Logs in to a real XMPP server with a resource, sends available presence (so that messages to the bare JID reach
it), prints READY to stderr, and answers the XEP-0070 confirmation requests it receives, by IQ (to the full JID) or
by message (to the bare JID):

  --accept ID      confirm requests whose transaction id is ID (repeatable): an IQ result, or a message that
                   mirrors the thread and the <confirm/> element (XEP-0070 section 4.2)
  --accept-any     confirm every request (a Digest client's cnonce, the transaction id, is random)
  --deny-others    deny every other request: an IQ error, or a message of type error with the <confirm/>, both
                   with not-authorized; without it, other requests are left unanswered
  --reply-ok       answer message requests as a client that does not know XEP-0070 would: a plain "OK" body in
                   the same thread (and "No" to deny), without the <confirm/> element

On SIGTERM or SIGINT, or after --max-seconds, prints exactly one JSON object on stdout and exits 0:
  {"ok": true, "jid": ..., "requests": [{"id", "method", "url", "via": "iq"|"message", "from", "thread",
   "answer": "confirmed"|"denied"|"ignored"}, ...]}

Exit codes: 0 success; 1 infrastructure failure (connect, TLS, auth, timeout); 2 usage.
Logs go to stderr (--debug for the whole XML stream).
"""

import argparse
import asyncio
import copy
import json
import logging
import signal
import ssl
import sys

from slixmpp import JID, ClientXMPP

NS_HTTP_AUTH = 'http://jabber.org/protocol/http-auth'

EXIT_OK = 0
EXIT_INFRA = 1


class Failure(Exception):
    """An infrastructure failure: reported as {"ok": false, "failure": ...} with exit code 1."""


class Client(ClientXMPP):
    def __init__(self, args):
        jid = JID(args.jid)
        if not jid.resource:
            jid.resource = args.resource
        super().__init__(jid, args.password)
        self.args = args
        self.accept = set(args.accept or [])
        self.requests = []
        self.ready = asyncio.get_event_loop().create_future()
        if args.ca_file:
            self.ca_certs = args.ca_file
        if args.insecure:
            self.ssl_context.check_hostname = False
            self.ssl_context.verify_mode = ssl.CERT_NONE
        # xep_0070 registers the <confirm/> stanza plugin, its handlers and the disco#info feature.
        self.register_plugin('xep_0030')
        self.register_plugin('xep_0070')
        self.add_event_handler('http_confirm_iq', self._on_iq)
        self.add_event_handler('http_confirm_message', self._on_message)
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

    def _decide(self, transaction_id):
        if self.args.accept_any or transaction_id in self.accept:
            return 'confirmed'
        return 'denied' if self.args.deny_others else 'ignored'

    def _record(self, stanza, via, answer):
        confirm = stanza['confirm']
        entry = {
            'id': confirm['id'],
            'method': confirm['method'],
            'url': confirm['url'],
            'via': via,
            'from': str(stanza['from']),
            'thread': stanza['thread'] if via == 'message' else None,
            'answer': answer,
        }
        self.requests.append(entry)
        logging.getLogger('confirm').info('request %s', json.dumps(entry))

    def _on_iq(self, iq):
        answer = self._decide(iq['confirm']['id'])
        self._record(iq, 'iq', answer)
        if answer == 'confirmed':
            iq.reply(clear=True).send()
        elif answer == 'denied':
            # XEP-0070 section 4.2, "XMPP Client Denies Request via IQ": the confirm element and not-authorized.
            reply = iq.reply(clear=False)
            reply['type'] = 'error'
            reply['error']['type'] = 'auth'
            reply['error']['condition'] = 'not-authorized'
            reply.send()
        # 'ignored': no answer at all, so that the requester's timeout is what ends it.

    def _on_message(self, message):
        if message['type'] in ('error', 'groupchat'):
            return
        answer = self._decide(message['confirm']['id'])
        self._record(message, 'message', answer)
        if answer == 'ignored':
            return
        reply = self.make_message(mto=message['from'], mtype='normal')
        if message['thread']:
            reply['thread'] = message['thread']
        if self.args.reply_ok:
            # XEP-0070 section 4.2: a client that does not support the protocol answers the human-readable body.
            reply['body'] = 'OK' if answer == 'confirmed' else 'No'
        else:
            reply.append(copy.deepcopy(message['confirm'].xml))
            if answer == 'denied':
                reply['type'] = 'error'
                reply['error']['type'] = 'auth'
                reply['error']['condition'] = 'not-authorized'
        reply.send()


async def run(args):
    client = Client(args)
    client.connect((args.host, args.port), force_starttls=not args.plain, disable_starttls=args.plain)
    loop = asyncio.get_event_loop()
    stop = loop.create_future()

    def request_stop():
        if not stop.done():
            stop.set_result(True)

    loop.add_signal_handler(signal.SIGTERM, request_stop)
    loop.add_signal_handler(signal.SIGINT, request_stop)
    try:
        try:
            await asyncio.wait_for(client.ready, args.login_timeout)
        except asyncio.TimeoutError as error:
            raise Failure('no session within %s s' % args.login_timeout) from error
        # Available presence, so that the server routes messages to the bare JID to this resource at once.
        client.send_presence()
        print('READY', file=sys.stderr, flush=True)
        try:
            await asyncio.wait_for(asyncio.shield(stop), args.max_seconds)
        except asyncio.TimeoutError:
            pass
        return EXIT_OK, {'jid': str(client.boundjid), 'requests': client.requests}
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        loop.remove_signal_handler(signal.SIGINT)
        # A clean </stream:stream> so the server logs a normal logout; bounded so a dead server cannot hang us.
        client.cancel_connection_attempt()
        await client.disconnect(wait=2.0)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--jid', required=True, help='bare or full JID to log in as')
    parser.add_argument('--password', required=True)
    parser.add_argument('--resource', default='confirm', help='resource when --jid has none (default confirm)')
    parser.add_argument('--host', default='127.0.0.1', help='address to connect to (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=5222)
    parser.add_argument('--ca-file', help='PEM file trusted for STARTTLS')
    parser.add_argument('--insecure', action='store_true', help='do not verify TLS certificates')
    parser.add_argument('--plain', action='store_true', help='no STARTTLS (only if the server allows it)')
    parser.add_argument('--login-timeout', type=float, default=30)
    parser.add_argument('--max-seconds', type=float, default=None,
                        help='stop after this many seconds (default: run until SIGTERM)')
    parser.add_argument('--accept', action='append', metavar='ID', help='transaction id to confirm (repeatable)')
    parser.add_argument('--accept-any', action='store_true',
                        help='confirm every request (for clients such as litmus whose Digest cnonce, the transaction '
                             'id, is random)')
    parser.add_argument('--deny-others', action='store_true', help='deny requests not accepted (default: ignore)')
    parser.add_argument('--reply-ok', action='store_true',
                        help='answer message requests with a plain "OK" (or "No") body instead of <confirm/>')
    parser.add_argument('--debug', action='store_true', help='log the XML stream to stderr')
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
