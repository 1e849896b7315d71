#!/usr/bin/python3
"""XEP-0050 (Ad-Hoc Commands) test client for the interop tests (python3-slixmpp from Debian).

Logs in to a real XMPP server, finds the upload service (disco, or --service), runs one subcommand against its
ad-hoc commands and prints exactly one JSON object on stdout:

  list-commands  disco#items on the node http://jabber.org/protocol/commands: the commands offered to this account.
  usage          executes 'usage' (one stage) and reports the result table, one row per purpose bucket.
  files          executes 'files' (one stage) and reports the result table, one row per stored file.
  delete         executes 'delete' (two stages): picks the option whose label is --name or starts with
                 '--name (' (labels are "name (size)"), then submits it with action 'complete'.

Every command result carries 'status', 'sessionid', 'notes' ([{type, text}]) and, when the answer had a data form,
'form' ({type, title, instructions, rows, fields}); IQ errors are reported like upload.py does ('error').

Exit codes: 0 success; 1 infrastructure failure (connect, TLS, auth, timeout); 2 usage; 3 the command failed (an IQ
error, or a completed command with a note of type 'error'); 5 delete found no file labelled --name (the session is
canceled). Logs go to stderr (--debug for the whole XML stream).
"""

import argparse
import asyncio
import json
import logging
import sys
import xml.etree.ElementTree as ET

# The connection, TLS options, error decoding and service discovery are upload.py's, so both clients behave alike.
from upload import (EXIT_INFRA, EXIT_IQ_ERROR, EXIT_OK, NS_DATA, NS_DISCO_ITEMS, Client, Failure, error_json,
                    service_info, tostring)

NS_COMMANDS = 'http://jabber.org/protocol/commands'

EXIT_NO_MATCH = 5


def form_json(form):
    """A XEP-0004 form: its table (reported/item) as rows of var -> value, and its fields with options."""
    rows = [
        {field.get('var'): (field.findtext('{%s}value' % NS_DATA) or '')
         for field in item.findall('{%s}field' % NS_DATA)}
        for item in form.findall('{%s}item' % NS_DATA)
    ]
    fields = []
    for field in form.findall('{%s}field' % NS_DATA):
        fields.append({
            'var': field.get('var'),
            'type': field.get('type'),
            'label': field.get('label'),
            'required': field.find('{%s}required' % NS_DATA) is not None,
            'values': [value.text or '' for value in field.findall('{%s}value' % NS_DATA)],
            'options': [{'label': option.get('label'), 'value': option.findtext('{%s}value' % NS_DATA)}
                        for option in field.findall('{%s}option' % NS_DATA)],
        })
    return {
        'type': form.get('type'),
        'title': form.findtext('{%s}title' % NS_DATA),
        'instructions': form.findtext('{%s}instructions' % NS_DATA),
        'reported': [field.get('var') for field in form.findall('{%s}reported/{%s}field' % (NS_DATA, NS_DATA))],
        'rows': rows,
        'fields': fields,
    }


def command_json(iq_xml):
    command = iq_xml.find('{%s}command' % NS_COMMANDS)
    if command is None:
        raise Failure('command response without <command/>: %s' % tostring(iq_xml))
    actions = command.find('{%s}actions' % NS_COMMANDS)
    form = command.find('{%s}x' % NS_DATA)
    return {
        'node': command.get('node'),
        'sessionid': command.get('sessionid'),
        'status': command.get('status'),
        'actions': None if actions is None else {
            'execute': actions.get('execute'),
            'allowed': [child.tag.rpartition('}')[2] for child in actions],
        },
        'notes': [{'type': note.get('type', 'info'), 'text': note.text or ''}
                  for note in command.findall('{%s}note' % NS_COMMANDS)],
        'form': None if form is None else form_json(form),
        'xml': tostring(command),
    }


def command_element(node, action=None, sessionid=None, values=None):
    command = ET.Element('{%s}command' % NS_COMMANDS, {'node': node})
    if action:
        command.set('action', action)
    if sessionid:
        command.set('sessionid', sessionid)
    if values is not None:
        form = ET.SubElement(command, '{%s}x' % NS_DATA, {'type': 'submit'})
        for var, value in values.items():
            field = ET.SubElement(form, '{%s}field' % NS_DATA, {'var': var})
            ET.SubElement(field, '{%s}value' % NS_DATA).text = value
    return command


async def execute(client, args, service, node, **kwargs):
    """One command request; returns (exit code, result dict)."""
    kind, response = await client.iq(service, 'set', [command_element(node, **kwargs)], args.iq_timeout)
    if kind == 'error':
        return EXIT_IQ_ERROR, {'error': error_json(response)}
    result = command_json(response)
    failed = any(note['type'] == 'error' for note in result['notes'])
    return (EXIT_IQ_ERROR if failed else EXIT_OK), result


async def list_commands(client, args, service):
    query = ET.Element('{%s}query' % NS_DISCO_ITEMS, {'node': NS_COMMANDS})
    kind, response = await client.iq(service, 'get', [query], args.iq_timeout)
    if kind == 'error':
        return EXIT_IQ_ERROR, {'error': error_json(response)}
    commands = [{'jid': item.get('jid'), 'node': item.get('node'), 'name': item.get('name')}
                for item in response.iter('{%s}item' % NS_DISCO_ITEMS)]
    return EXIT_OK, {'commands': commands}


def label_matches(label, name):
    return label == name or (label or '').startswith(name + ' (')


async def delete(client, args, service):
    code, first = await execute(client, args, service, 'delete')
    result = {'first': first}
    if code != EXIT_OK or first.get('status') != 'executing':
        # An error, or completed at once (no files: a note says so).
        return (code if code != EXIT_OK else EXIT_NO_MATCH), result
    field = next((f for f in (first['form'] or {}).get('fields', []) if f['type'] == 'list-single'), None)
    options = field['options'] if field else []
    result['options'] = options
    chosen = next((o for o in options if label_matches(o['label'], args.name)), None)
    if chosen is None:
        _, canceled = await execute(client, args, service, 'delete', action='cancel', sessionid=first['sessionid'])
        result['canceled'] = canceled
        return EXIT_NO_MATCH, result
    result['chosen'] = chosen
    code, second = await execute(client, args, service, 'delete', action='complete', sessionid=first['sessionid'],
                                 values={field['var']: chosen['value']})
    result['second'] = second
    result['status'] = second.get('status')
    result['notes'] = second.get('notes', [])
    return code, result


async def run(args):
    client = Client(args)
    client.connect((args.host, args.port), force_starttls=not args.plain, disable_starttls=args.plain)
    try:
        await asyncio.wait_for(client.ready, args.login_timeout)
        service = (await service_info(client, args))['jid']
        if args.command == 'list-commands':
            code, result = await list_commands(client, args, service)
        elif args.command == 'delete':
            code, result = await delete(client, args, service)
        else:
            code, result = await execute(client, args, service, args.command)
        return code, dict(result, service=service)
    except asyncio.TimeoutError as error:
        raise Failure('no session within %s s' % args.login_timeout) from error
    finally:
        client.cancel_connection_attempt()
        await client.disconnect(wait=2.0)


def parse_args(argv):
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--jid', required=True, help='bare or full JID to log in as')
    common.add_argument('--password', required=True)
    common.add_argument('--host', default='127.0.0.1', help='address to connect to (default 127.0.0.1)')
    common.add_argument('--port', type=int, default=5222)
    common.add_argument('--ca-file', help='PEM file trusted for STARTTLS')
    common.add_argument('--insecure', action='store_true', help='do not verify TLS certificates')
    common.add_argument('--plain', action='store_true', help='no STARTTLS (only if the server allows it)')
    common.add_argument('--login-timeout', type=float, default=30)
    common.add_argument('--iq-timeout', type=float, default=30)
    common.add_argument('--service', help='upload service JID; default: discover through disco#items')
    common.add_argument('--debug', action='store_true', help='log the XML stream to stderr')

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest='command', required=True)
    commands.add_parser('list-commands', parents=[common], help='list the ad-hoc commands offered to this account')
    commands.add_parser('usage', parents=[common], help='show the usage of each purpose bucket')
    commands.add_parser('files', parents=[common], help='list the stored files')
    delete_parser = commands.add_parser('delete', parents=[common], help='delete one file, chosen by name')
    delete_parser.add_argument('--name', required=True, help='file name as uploaded (the label is "name (size)")')
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
