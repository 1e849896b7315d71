#!/usr/bin/env bash
# Runs one XmppUpload node attached to the local Prosody, on a fresh Debian machine with the .NET SDK.
# Installs and configures Prosody when it is missing, creates two demo accounts, then runs the node in the
# foreground (Ctrl-C stops it). Log in as alice@localhost or bob@localhost with any XMPP client and share a file.
#
# Environment: XMPPUPLOAD_DATA (default ./data), XMPPUPLOAD_HTTP_PORT (default 5050).
set -euo pipefail
cd "$(dirname "$0")/.."

data_dir="$(realpath -m "${XMPPUPLOAD_DATA:-./data}")"
http_port="${XMPPUPLOAD_HTTP_PORT:-5050}"
domain="localhost"
component="upload.localhost"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

mkdir -p "$data_dir"
chmod 700 "$data_dir"

if ! command -v prosody >/dev/null 2>&1; then
  echo "Installing Prosody..."
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq prosody lua-unbound openssl
fi

# The component secret is made once and kept with the node's data.
secret_file="$data_dir/component-secret"
if [ ! -s "$secret_file" ]; then
  (umask 077; openssl rand -hex 24 >"$secret_file")
fi
secret="$(cat "$secret_file")"

# Prosody's c2s requires TLS; Debian's package ships no certificate for "localhost" when it cannot make one.
certs=/etc/prosody/certs
if [ ! -s "$certs/$domain.crt" ]; then
  echo "Making a self-signed certificate for $domain..."
  "${sudo_cmd[@]}" openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$domain" \
    -addext "subjectAltName=DNS:$domain,DNS:$component" \
    -keyout "$certs/$domain.key" -out "$certs/$domain.crt" 2>/dev/null
  "${sudo_cmd[@]}" chown root:prosody "$certs/$domain.key" "$certs/$domain.crt"
  "${sudo_cmd[@]}" chmod 640 "$certs/$domain.key"
fi

# The snippet in infra/prosody/xmppupload.cfg.lua, filled in for this machine.
sed -e "s/upload\.example\.org/$component/g" -e "s/change-me-to-a-long-random-secret/$secret/" \
  infra/prosody/xmppupload.cfg.lua | "${sudo_cmd[@]}" tee /etc/prosody/conf.d/xmppupload.cfg.lua >/dev/null

echo "Restarting Prosody..."
if [ -d /run/systemd/system ]; then
  "${sudo_cmd[@]}" systemctl restart prosody
else
  # Without systemd nobody makes Prosody's runtime directory (systemd's RuntimeDirectory= does).
  "${sudo_cmd[@]}" install -d -o prosody -g prosody /run/prosody
  "${sudo_cmd[@]}" prosodyctl restart >/dev/null || "${sudo_cmd[@]}" prosodyctl start
fi

accounts_file="$data_dir/demo-accounts.txt"
if [ ! -s "$accounts_file" ]; then
  : >"$accounts_file"
  chmod 600 "$accounts_file"
  for user in alice bob; do
    password="$(openssl rand -hex 8)"
    "${sudo_cmd[@]}" prosodyctl register "$user" "$domain" "$password"
    echo "$user@$domain $password" >>"$accounts_file"
  done
fi

echo
echo "Demo accounts (also in $accounts_file):"
sed 's/^/  /' "$accounts_file"
echo "Log in with any XMPP client (server 127.0.0.1:5222, self-signed certificate) and share a file;"
echo "the upload service is $component, files are served from http://localhost:$http_port/."
echo

# Plain HTTP is for this local demonstration only; see README "HTTPS" for a certificate.
exec dotnet run --project src/XmppUpload.Node -c Release -- \
  --Xmpp:Server=127.0.0.1:5347 \
  --Xmpp:Domain="$component" \
  --Xmpp:Secret="$secret" \
  --Storage:Path="$data_dir" \
  --Http:PublicUrl="http://localhost:$http_port/" \
  --Kestrel:Endpoints:Http:Url="http://127.0.0.1:$http_port"
