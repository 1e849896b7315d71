#!/usr/bin/env bash
# Runs a local XmppUpload cluster on this machine, on a fresh Debian machine with the .NET SDK: PostgreSQL (the shared
# ledger), an object store emulator (s3rver, or Azurite with XMPPUPLOAD_BLOB_STORE=AzureBlob), a private Prosody with
# the upload component and two demo accounts, three nodes, and haproxy in front of them, all on 127.0.0.1. Installs
# what is missing, keeps every part's data and log under one directory, runs in the foreground and stops everything it
# started on Ctrl-C. The nodes run from the same settings files a systemd unit would read (infra/cluster/).
#
# Environment (defaults in brackets):
#   XMPPUPLOAD_CLUSTER_DATA  data and logs of every part [./data-cluster]
#   XMPPUPLOAD_BLOB_STORE    S3 (s3rver) or AzureBlob (Azurite) [S3]; the ledger in a data directory names the files
#                            of one object store, so give each store its own XMPPUPLOAD_CLUSTER_DATA
#   XMPPUPLOAD_HTTP_PORT     haproxy's port, where every file URL points [5080]; the nodes listen on the next three
#   XMPPUPLOAD_C2S_PORT      Prosody's client port [5222]
#   XMPPUPLOAD_COMPONENT_PORT, XMPPUPLOAD_POSTGRES_PORT, XMPPUPLOAD_STATS_PORT, XMPPUPLOAD_OBJECT_STORE_PORT
#                            [5347, 5433, 8404, 4569 for s3rver or 10000 for Azurite]
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

data_dir="$(realpath -m "${XMPPUPLOAD_CLUSTER_DATA:-./data-cluster}")"
blob_store="${XMPPUPLOAD_BLOB_STORE:-S3}"
http_port="${XMPPUPLOAD_HTTP_PORT:-5080}"
c2s_port="${XMPPUPLOAD_C2S_PORT:-5222}"
component_port="${XMPPUPLOAD_COMPONENT_PORT:-5347}"
postgres_port="${XMPPUPLOAD_POSTGRES_PORT:-5433}"
stats_port="${XMPPUPLOAD_STATS_PORT:-8404}"
node_count=3
domain="localhost"
component="upload.$domain"
postgres_bin=/usr/lib/postgresql/15/bin

case "$blob_store" in
  S3) object_store_port="${XMPPUPLOAD_OBJECT_STORE_PORT:-4569}" ;;
  AzureBlob) object_store_port="${XMPPUPLOAD_OBJECT_STORE_PORT:-10000}" ;;
  *) echo "XMPPUPLOAD_BLOB_STORE '$blob_store' is not a blob store: use S3 or AzureBlob." >&2; exit 2 ;;
esac

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres -- "$@"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits until "$@" succeeds, for at most $1 seconds; $2 says what for.
wait_for() {
  local seconds="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "Gave up after ${seconds}s waiting for $what; see the logs in $data_dir/logs." >&2
      return 1
    fi
    sleep 0.2
  done
}

# --- What is missing gets installed (Debian packages, the emulators from npm into tests/.npm) ---
packages=(postgresql haproxy prosody lua-unbound openssl curl)
# This cluster runs its own instances; the installer keeps the packages' system services from taking the ports.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
bash "$repo/infra/install-debian-packages.sh" "${packages[@]}"
npm_bin="$repo/tests/.npm/node_modules/.bin"
if [ ! -x "$npm_bin/s3rver" ] || [ ! -x "$npm_bin/azurite-blob" ]; then
  echo "Installing s3rver and Azurite into tests/.npm..."
  npm install --prefix tests/.npm --no-audit --no-fund --loglevel=error azurite@3.37.0 s3rver@3.7.1
fi

for port in "$http_port" $((http_port + 1)) $((http_port + 2)) $((http_port + 3)) "$c2s_port" "$component_port" "$postgres_port" "$stats_port" "$object_store_port"; do
  if port_in_use "$port"; then
    echo "Port $port on 127.0.0.1 is in use (another cluster, the system's Prosody or PostgreSQL?): stop that or choose other ports (see the top of $0)." >&2
    exit 2
  fi
done

echo "Building the node..."
dotnet build src/XmppUpload.Node -c Release -nologo -v quiet >/dev/null
node_dll="$repo/src/XmppUpload.Node/bin/Release/net10.0/XmppUpload.Node.dll"

mkdir -p "$data_dir/logs"
chmod 711 "$data_dir"
logs="$data_dir/logs"

# --- Everything started below is stopped on exit, newest first ---
started_pids=()
postgres_data="$data_dir/postgres"
cleanup() {
  trap - EXIT INT TERM
  echo
  echo "Stopping the cluster..."
  local i
  for ((i = ${#started_pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${started_pids[i]}" 2>/dev/null || true
  done
  # PostgreSQL's fast shutdown: sessions end, the data is checkpointed.
  if [ -s "$postgres_data/postmaster.pid" ]; then
    kill -INT "$(head -n 1 "$postgres_data/postmaster.pid")" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  echo "Stopped. Data and logs are kept in $data_dir."
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Secrets are made once and kept with the cluster's data.
secret_of() {
  local file="$data_dir/$1"
  [ -s "$file" ] || (umask 077; openssl rand -hex 24 >"$file")
  cat "$file"
}
component_secret="$(secret_of component-secret)"
ledger_password="$(secret_of ledger-password)"

# --- PostgreSQL: its own cluster in the data directory, run as the postgres user, with infra/cluster/postgresql.conf ---
if [ ! -s "$postgres_data/PG_VERSION" ]; then
  echo "Creating the PostgreSQL cluster..."
  "${sudo_cmd[@]}" install -d -o postgres -g postgres -m 700 "$postgres_data"
  # Local socket connections by the postgres user (peer); TCP connections with a password (SCRAM), as in production.
  as_postgres "$postgres_bin/initdb" -D "$postgres_data" --username=postgres --auth-local=peer --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C >"$logs/initdb.log"
  printf "\ninclude 'xmppupload.conf'\n" | as_postgres tee -a "$postgres_data/postgresql.conf" >/dev/null
  fresh_postgres=1
else
  fresh_postgres=0
fi
# The settings of infra/cluster/postgresql.conf, as an operator includes them (refreshed at every start).
"${sudo_cmd[@]}" install -o postgres -g postgres -m 644 infra/cluster/postgresql.conf "$postgres_data/xmppupload.conf"
"${sudo_cmd[@]}" install -d -o postgres -g postgres -m 755 "$data_dir/postgres-socket"
as_postgres "$postgres_bin/postgres" -D "$postgres_data" -k "$data_dir/postgres-socket" -p "$postgres_port" \
  -c listen_addresses=127.0.0.1 >"$logs/postgres.log" 2>&1 &
wait_for 60 "PostgreSQL" as_postgres "$postgres_bin/pg_isready" -q -h "$data_dir/postgres-socket" -p "$postgres_port"
if [ "$fresh_postgres" -eq 1 ]; then
  # The nodes' role owns their database; the schema is created by the first node that starts.
  # On standard input, so that the password shows in no process list.
  as_postgres psql -q -h "$data_dir/postgres-socket" -p "$postgres_port" -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE ROLE xmppupload LOGIN PASSWORD '$ledger_password';
CREATE DATABASE xmppupload OWNER xmppupload;
SQL
fi

# --- The object store emulator ---
case "$blob_store" in
  S3)
    mkdir -p "$data_dir/s3"
    # s3rver's ListObjectsV2 continuation tokens need Node's OpenSSL legacy provider (DES).
    NODE_OPTIONS=--openssl-legacy-provider "$npm_bin/s3rver" --directory "$data_dir/s3" --address 127.0.0.1 \
      --port "$object_store_port" --no-vhost-buckets --configure-bucket uploads >"$logs/s3rver.log" 2>&1 &
    started_pids+=($!)
    object_store_settings=(
      "BlobStore__Provider=S3"
      "BlobStore__S3__ServiceUrl=http://127.0.0.1:$object_store_port"
      "BlobStore__S3__Bucket=uploads"
      "BlobStore__S3__AccessKey=S3RVER"
      "BlobStore__S3__SecretKey=S3RVER"
    )
    ;;
  AzureBlob)
    mkdir -p "$data_dir/azurite"
    "$npm_bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$object_store_port" --location "$data_dir/azurite" \
      --skipApiVersionCheck --loose --disableTelemetry >"$logs/azurite.log" 2>&1 &
    started_pids+=($!)
    # Azurite's well-known development account, as UseDevelopmentStorage=true names it.
    object_store_settings=(
      "BlobStore__Provider=AzureBlob"
      "ConnectionStrings__BlobStore=\"UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://127.0.0.1:$object_store_port\""
      "BlobStore__Container=uploads"
    )
    ;;
esac
wait_for 30 "the object store" port_in_use "$object_store_port"

# --- Prosody: a private instance with the upload component, a certificate for localhost and two demo accounts ---
prosody_dir="$data_dir/prosody"
mkdir -p "$prosody_dir/data" "$prosody_dir/certs"
if [ ! -s "$prosody_dir/certs/$domain.crt" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$domain" \
    -addext "subjectAltName=DNS:$domain,DNS:$component" \
    -keyout "$prosody_dir/certs/$domain.key" -out "$prosody_dir/certs/$domain.crt" 2>/dev/null
fi
# The operators' snippet, filled in as README "Attaching to an XMPP server" says.
sed -e "s/upload\.example\.org/$component/g" -e "s/change-me-to-a-long-random-secret/$component_secret/" \
  -e "s/{ 5347 }/{ $component_port }/" infra/prosody/xmppupload.cfg.lua >"$prosody_dir/xmppupload.cfg.lua"
prosody_config="$(cat infra/prosody/prosody.test.cfg.lua.template)"
for pair in "PID_FILE=$prosody_dir/prosody.pid" "DATA_PATH=$prosody_dir/data" "CERTIFICATES_PATH=$prosody_dir/certs" \
  "LOG_LEVEL=info" "C2S_PORT=$c2s_port" "DOMAIN=$domain" "UPLOAD_COMPONENT_CONFIG=$prosody_dir/xmppupload.cfg.lua" \
  "EXTRA_GLOBAL_BLOCK=" "EXTRA_VIRTUALHOST_BLOCK="; do
  prosody_config="${prosody_config//"{{${pair%%=*}}}"/${pair#*=}}"
done
printf '%s\n' "$prosody_config" >"$prosody_dir/prosody.cfg.lua"
accounts_file="$data_dir/demo-accounts.txt"
if [ ! -s "$accounts_file" ]; then
  : >"$accounts_file"
  chmod 600 "$accounts_file"
  for user in alice bob; do
    password="$(openssl rand -hex 8)"
    prosodyctl --config "$prosody_dir/prosody.cfg.lua" register "$user" "$domain" "$password" >/dev/null
    echo "$user@$domain $password" >>"$accounts_file"
  done
fi
prosody --config "$prosody_dir/prosody.cfg.lua" -F >"$logs/prosody.log" 2>&1 &
started_pids+=($!)
wait_for 30 "Prosody" port_in_use "$component_port"

# --- The nodes, from settings files in the format of a systemd EnvironmentFile (infra/cluster/*.env.example) ---
{
  echo "# Shared by every node of this cluster (written by infra/run-cluster.sh)."
  echo "Xmpp__Server=127.0.0.1:$component_port"
  echo "Xmpp__Domain=$component"
  echo "Xmpp__Secret=$component_secret"
  echo "Http__PublicUrl=http://localhost:$http_port/"
  echo "Ledger__Provider=Postgres"
  echo "ConnectionStrings__Ledger=\"Host=127.0.0.1;Port=$postgres_port;Database=xmppupload;Username=xmppupload;Password=$ledger_password;Maximum Pool Size=80\""
  echo "WebDav__Enabled=false"
  printf '%s\n' "${object_store_settings[@]}"
} >"$data_dir/cluster.env"
chmod 600 "$data_dir/cluster.env"
for ((i = 1; i <= node_count; i++)); do
  mkdir -p "$data_dir/node$i"
  cat >"$data_dir/node$i.env" <<EOF
# This node's own settings (written by infra/run-cluster.sh).
Ledger__NodeId=node$i
Storage__Path=$data_dir/node$i
Kestrel__Endpoints__Http__Url=http://127.0.0.1:$((http_port + i))
EOF
  (
    set -a
    # shellcheck disable=SC1090,SC1091
    . "$data_dir/cluster.env"
    # shellcheck disable=SC1090
    . "$data_dir/node$i.env"
    set +a
    cd "$data_dir/node$i"
    exec dotnet "$node_dll"
  ) >"$logs/node$i.log" 2>&1 &
  started_pids+=($!)
done
for ((i = 1; i <= node_count; i++)); do
  wait_for 90 "node$i to be ready" curl -fsS "http://127.0.0.1:$((http_port + i))/health/ready"
done

# --- haproxy in front of the nodes, from infra/cluster/haproxy.cfg ---
haproxy_config="$(cat infra/cluster/haproxy.cfg)"
servers=""
for ((i = 1; i <= node_count; i++)); do
  servers+="    server node$i 127.0.0.1:$((http_port + i))"$'\n'
done
for pair in "GLOBAL_BLOCK=    log stdout format raw local0" "FRONTEND_BIND=127.0.0.1:$http_port" \
  "STATS_BIND=127.0.0.1:$stats_port" "CHECK_INTERVAL=2s" "SERVERS_BLOCK=$servers"; do
  haproxy_config="${haproxy_config//"{{${pair%%=*}}}"/${pair#*=}}"
done
printf '%s\n' "$haproxy_config" >"$data_dir/haproxy.cfg"
haproxy -db -f "$data_dir/haproxy.cfg" >"$logs/haproxy.log" 2>&1 &
started_pids+=($!)
wait_for 30 "haproxy" curl -fsS "http://127.0.0.1:$http_port/health/ready"
wait_for 60 "a node to attach to Prosody" grep -q "is authenticated" "$logs"/node*.log

echo
echo "The cluster runs: $node_count nodes on PostgreSQL (127.0.0.1:$postgres_port) and $blob_store (127.0.0.1:$object_store_port),"
echo "behind haproxy at http://localhost:$http_port/ (statistics: http://127.0.0.1:$stats_port/stats)."
echo "Demo accounts (also in $accounts_file):"
sed 's/^/  /' "$accounts_file"
echo "Log in with any XMPP client (server 127.0.0.1:$c2s_port, self-signed certificate) and share a file;"
echo "the upload service is $component. Logs: $logs. Ctrl-C stops everything."

# Runs until Ctrl-C, or until one of the parts exits on its own. The nodes handle Ctrl-C themselves too and may exit
# before this shell sees it, so the interruption is noted rather than acted on inside the wait.
interrupted=0
trap 'interrupted=1' INT TERM
wait -n "${started_pids[@]}" || true
if [ "$interrupted" -eq 1 ]; then
  exit 130
fi
echo "A part of the cluster exited; see $logs." >&2
exit 1
