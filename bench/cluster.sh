#!/usr/bin/env bash
# Runs three chatgate instances on one PostgreSQL database behind a local
# round-robin nginx, and measures what running several instances must give:
# how fast a rule, a block and an unblock saved on one instance reach the
# others, chat events across instances (both ways), a blocked chat going
# quiet, a file downloaded through another instance, failover (an instance
# killed -9 under an open stream: events lost and repeated), and database
# statements per second at idle with 100 open visitor streams.
#
#   bench/cluster.sh
#   REPS=20 IDLE_SECS=60 bench/cluster.sh
#   CHATGATE_BIN=target/release/chatgate bench/cluster.sh   # skips the build
#   KEEP=1 bench/cluster.sh        # keeps the logs, the database and the temp dir
#   ONLY=chat,failover bench/cluster.sh   # some of: rules,blocks,chat,files,idle,failover
#   RULES=1000000 ONLY=rulecpu bench/cluster.sh   # CPU on the others of a rule saved, at scale
#   PG_LOG=none bench/cluster.sh   # idle: count transactions, not the server's log
#
# Loopback only. The instances listen on BASE_PORT+1..+3 (default 18181-18183),
# nginx on BASE_PORT (18180). The database CLUSTER_DB (chatgate_cluster) on
# PG_URL is dropped and created anew. nginx comes from Debian's nginx-light,
# installed when missing. The measurements are in bench/cluster.py (Python 3,
# standard library only); the README ("Several instances", under
# Performance) says what each figure means.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=${CLUSTER_DB:-chatgate_cluster}
BASE_PORT=${BASE_PORT:-18180}
PASSWORD="bench password 123"
PORTS="$((BASE_PORT + 1)),$((BASE_PORT + 2)),$((BASE_PORT + 3))"
pg() { PGOPTIONS="-c client_min_messages=warning" psql "$PG_URL/postgres" -q "$@"; }

if [ -z "${CHATGATE_BIN:-}" ]; then
  cargo build --release --quiet
  CHATGATE_BIN=$PWD/target/release/chatgate
fi
[ -x "$CHATGATE_BIN" ] || { echo "no chatgate binary at $CHATGATE_BIN" >&2; exit 1; }
NGINX=/usr/sbin/nginx
if [ ! -x "$NGINX" ]; then
  echo "== installing nginx-light from Debian"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx-light >/dev/null
fi
command -v psql >/dev/null || { echo "psql is needed: apt-get install -y postgresql-client" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }
pg_isready -q -d "$PG_URL/postgres" || { echo "PostgreSQL is not reachable at $PG_URL" >&2; exit 1; }
for p in "$BASE_PORT" ${PORTS//,/ }; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "port $p is in use; set BASE_PORT to another" >&2; exit 1
  fi
done

tmp=$(mktemp -d /tmp/chatgate-cluster.XXXXXX)
nginx_pid="" py_pid=""
cleanup() {
  local rc=$?
  # Only the processes this run started, by their ids: the driver, the
  # instances (bench/cluster.py keeps their pid files up to date), nginx.
  [ -n "$py_pid" ] && kill "$py_pid" 2>/dev/null || true
  for f in "$tmp"/instance-*.pid; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true
  done
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then
    echo "kept: $tmp (instance logs, nginx.conf) and the database $DB"
  else
    pg -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    if [ "$rc" != 0 ]; then
      echo "== failed ($rc); the instances' logs:" >&2
      tail -n 20 "$tmp"/instance-*.log >&2 2>/dev/null || true
    fi
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== database $DB on $PG_URL (dropped and created anew)"
pg -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
openssl rand -hex 32 > "$tmp/master.key"
chmod 600 "$tmp/master.key"

# Round robin over the three; streams unbuffered and held open well past
# the servers' 15-second keep-alive ping; a refused connection (a killed
# instance) goes on to the next server.
upstream=""
for p in ${PORTS//,/ }; do upstream+="    server 127.0.0.1:$p max_fails=1 fail_timeout=2s;"$'\n'; done
temp=""
for t in client_body proxy fastcgi uwsgi scgi; do temp+="  ${t}_temp_path $tmp/nginx_$t;"$'\n'; done
cat > "$tmp/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
$temp  upstream chatgate {
$upstream  }
  server {
    listen 127.0.0.1:$BASE_PORT;
    location / {
      proxy_pass http://chatgate;
      proxy_http_version 1.1;
      proxy_set_header Host \$http_host;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 1h;
      proxy_connect_timeout 1s;
      proxy_next_upstream error timeout;
      client_max_body_size 60m;
    }
  }
}
EOF
"$NGINX" -p "$tmp" -e "$tmp/nginx-error.log" -c "$tmp/nginx.conf" &
nginx_pid=$!
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$BASE_PORT") 2>/dev/null && break; sleep 0.1; done
(exec 3<>"/dev/tcp/127.0.0.1/$BASE_PORT") 2>/dev/null || { cat "$tmp/nginx-error.log" >&2; exit 1; }

export DATABASE_URL="$PG_URL/$DB" CHATGATE_MASTER_KEY_FILE=$tmp/master.key
export CHATGATE_TRUSTED_PROXIES=127.0.0.1/32 CHATGATE_DEMO_PASSWORD=$PASSWORD
export CHATGATE_DB_POOL_SIZE=${CHATGATE_DB_POOL_SIZE:-8} RUST_LOG=${RUST_LOG:-warn}
export CHATGATE_BIN CLUSTER_TMP=$tmp CLUSTER_PORTS=$PORTS CLUSTER_PROXY_PORT=$BASE_PORT
export CLUSTER_PG_URL=$PG_URL CLUSTER_DB=$DB CLUSTER_PASSWORD=$PASSWORD PYTHONDONTWRITEBYTECODE=1
# A run takes a few minutes; 20 minutes means something hangs. In the
# background, so that a signal to this script stops it at once.
timeout 1200 python3 -u bench/cluster.py &
py_pid=$!
wait "$py_pid"
