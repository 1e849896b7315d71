#!/bin/sh
# Sends a file with go-sendxmpp's XEP-0363 HTTP upload, the way XmppUpload.Testing.GoSendxmpp does,
# for reproducing an interop test by hand against a test server.
#
#   go_sendxmpp_upload.sh JID PASSWORD PORT CA_FILE FILE RECIPIENT
#   e.g. go_sendxmpp_upload.sh alice@localhost alice-pw 40123 /tmp/xmppupload-prosody-.../tls/ca.crt photo.jpg bob@localhost
#
# go-sendxmpp (Debian 0.5.6) connects with STARTTLS to 127.0.0.1:PORT and verifies the server certificate
# for the JID's domain; Go takes the trusted CAs from SSL_CERT_FILE, which also covers the HTTPS PUT.
# HOME points at an empty directory so no ~/.config/go-sendxmpp/sendxmpprc is read.
# --debug prints the XML stream, including the <slot/> with the PUT and GET URLs.
set -eu
if [ "$#" -ne 6 ]; then
    echo "usage: $0 JID PASSWORD PORT CA_FILE FILE RECIPIENT" >&2
    exit 2
fi
jid=$1 password=$2 port=$3 ca_file=$4 file=$5 recipient=$6
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
HOME=$home SSL_CERT_FILE=$ca_file SSL_CERT_DIR=$home \
    /usr/bin/go-sendxmpp --debug --username "$jid" --password "$password" --jserver "127.0.0.1:$port" \
    --timeout 30 --http-upload "$file" "$recipient"
