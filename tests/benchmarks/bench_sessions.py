"""What the benchmark's slixmpp scripts share: their XMPP session arguments and the sessions themselves.

slot-load.py (the slot benchmark) and slot-feeder.py (upload URLs for the HTTP benchmark's XMPP peers) both log in
--connections accounts <prefix>0@domain, <prefix>1@domain, ... with one password, over STARTTLS, through the
interoperability tests' upload client (tests/XmppUpload.Interop.Tests/clients/upload.py).
"""

import argparse
import asyncio
import contextlib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'XmppUpload.Interop.Tests', 'clients'))
from upload import Client, Failure  # noqa: E402


def add_session_arguments(parser, connections, inflight, iq_timeout):
    parser.add_argument('--prefix', required=True, help='account names are <prefix>0, <prefix>1, ...')
    parser.add_argument('--domain', required=True)
    parser.add_argument('--password', required=True, help='the same for every account')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=5222)
    parser.add_argument('--ca-file', help='PEM file trusted for STARTTLS')
    parser.add_argument('--service', required=True, help='the upload service JID')
    parser.add_argument('--connections', type=int, default=connections)
    parser.add_argument('--inflight', type=int, default=inflight)
    parser.add_argument('--login-timeout', type=float, default=30)
    parser.add_argument('--iq-timeout', type=float, default=iq_timeout)


def parse_session_arguments(parser, argv):
    """The arguments, with the upload client's options these scripts never change."""
    args = parser.parse_args(argv)
    args.insecure = False
    args.plain = False
    args.debug = False
    return args


@contextlib.asynccontextmanager
async def sessions(args):
    """Every account logged in (or Failure after --login-timeout); all disconnected on the way out."""
    clients = []
    for number in range(args.connections):
        client_args = argparse.Namespace(**vars(args))
        client_args.jid = '%s%d@%s' % (args.prefix, number, args.domain)
        client = Client(client_args)
        client.connect((args.host, args.port), force_starttls=True)
        clients.append(client)
    try:
        try:
            await asyncio.wait_for(asyncio.gather(*(c.ready for c in clients)), args.login_timeout)
        except asyncio.TimeoutError as error:
            raise Failure('no session within %s s' % args.login_timeout) from error
        yield clients
    finally:
        for client in clients:
            client.cancel_connection_attempt()
        await asyncio.gather(*(c.disconnect(wait=2.0) for c in clients), return_exceptions=True)
