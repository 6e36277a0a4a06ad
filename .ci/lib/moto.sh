# shellcheck shell=bash
# moto_server for the benches and the demo: source this file from the repository root, then moto_start / moto_stop.
#
#   moto_start [NO_AUTH_COUNT]  start moto_server on a free port of $MOTO_HOST (default 127.0.0.1) through the test fixture's launcher (it
#                   mends moto 5.2's SigV4 check of queries holding '/', as ListBucket with the probe prefix sends),
#                   with INITIAL_NO_AUTH_ACTION_COUNT=NO_AUTH_COUNT (default 3: iam create-user, create-access-key,
#                   put-user-policy; every later request is signature- and policy-checked). Sets MOTO_PORT,
#                   MOTO_ENDPOINT and MOTO_PID; waits until the port accepts (~10 s max). Log: $MOTO_LOG.
#   moto_stop       stop only the moto_server moto_start started, by PID.
#
# Needs: moto_server on PATH (pip install 'moto[server]>=5.2,<5.3').

MOTO_LOG=${MOTO_LOG:-${TMPDIR:-/tmp}/nodeagent-moto-$$.log}
MOTO_PORT=""
MOTO_ENDPOINT=""
MOTO_PID=""

_moto_launcher=tests/NodeAgent.IntegrationTests/Fixtures/moto_server_signed_query.py

moto_start() {
  local no_auth=${1:-3}
  if ! command -v moto_server >/dev/null 2>&1; then
    echo "moto: moto_server is missing; fix: pip install 'moto[server]>=5.2,<5.3'" >&2
    return 1
  fi
  if [[ ! -f "$_moto_launcher" ]]; then
    echo "moto: $_moto_launcher not found; source .ci/lib/moto.sh from the repository root" >&2
    return 1
  fi
  local host=${MOTO_HOST:-127.0.0.1}
  MOTO_PORT=$(python3 -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1],0)); print(s.getsockname()[1])' "$host")
  MOTO_ENDPOINT="http://$host:$MOTO_PORT"
  INITIAL_NO_AUTH_ACTION_COUNT=$no_auth python3 "$_moto_launcher" -H "$host" -p "$MOTO_PORT" >"$MOTO_LOG" 2>&1 &
  MOTO_PID=$!
  local waited=0
  until (exec 3<>"/dev/tcp/$host/$MOTO_PORT") 2>/dev/null; do
    if ! kill -0 "$MOTO_PID" 2>/dev/null || ((waited >= 100)); then
      echo "moto: moto_server did not listen on port $MOTO_PORT; last log lines:" >&2
      tail -n 20 "$MOTO_LOG" >&2
      moto_stop
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

moto_stop() {
  [[ -n "$MOTO_PID" ]] || return 0
  kill "$MOTO_PID" 2>/dev/null || true
  wait "$MOTO_PID" 2>/dev/null || true
  MOTO_PID=""
}
