#!/usr/bin/env bash
# ./build.sh demo — NodeAgent's main job on an embedded default, start to finish, on one machine:
#   * a local moto_server plays AWS (S3, STS, IAM with signature and policy checks on),
#   * dockerd (when available) runs the two consumers, made the way compose makes them,
#   * a sandbox root (.sandbox/demo) holds the host layout the old bash script left behind
#     (world-readable secret, stale keys in the containers),
# then nodeagent apply --dry-run --diff, apply, apply again (nothing to do), verify and status; then the daemon
# (nodeagent run, as systemd runs it: a real NOTIFY_SOCKET, journal-style lines) through a key rotation and a drift.
# Everything it starts is stopped again on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

sandbox=${DEMO_ROOT:-$repo/.sandbox/demo}
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

command -v dotnet >/dev/null || die "the .NET 10 SDK is needed: https://learn.microsoft.com/dotnet/core/install/linux-debian"
if ! command -v moto_server >/dev/null; then
  say "installing moto_server (pip install 'moto[server]')"
  pip install -q 'moto[server]>=5.2,<5.3' || die "moto_server is missing and pip could not install it; fix: pip install 'moto[server]'"
fi

# shellcheck source=../.ci/lib/moto.sh
source .ci/lib/moto.sh
daemon_pid=""
listener_pid=""
demo_containers=()
cleanup() {
  [[ -n "$daemon_pid" ]] && kill "$daemon_pid" 2>/dev/null || true
  [[ -n "$listener_pid" ]] && kill "$listener_pid" 2>/dev/null || true
  if ((${#demo_containers[@]})); then docker rm -f "${demo_containers[@]}" >/dev/null 2>&1 || true; fi
  moto_stop
  declare -F dockerd_stop >/dev/null && dockerd_stop
  return 0
}
trap cleanup EXIT

say "building nodeagent"
dotnet build src/NodeAgent/NodeAgent.csproj -c Release -nologo -clp:NoSummary -v quiet >/dev/null
nodeagent=("$repo/src/NodeAgent/bin/Release/net10.0/nodeagent")
[[ -x artifacts/linux-x64/nodeagent ]] && nodeagent=("$repo/artifacts/linux-x64/nodeagent")

docker_ok=0
if command -v docker >/dev/null && command -v dockerd >/dev/null; then
  # shellcheck source=../.ci/lib/dockerd.sh
  source .ci/lib/dockerd.sh
  if dockerd_start && busybox_image; then docker_ok=1; fi
fi
((docker_ok)) || echo "demo: no usable Docker here (apt-get install docker.io busybox-static); the container steps are skipped"

say "starting moto_server (S3, STS, IAM; signatures and IAM policies checked after bootstrap)"
# moto through the launcher that mends its SigV4 check of queries holding "/" (ListBucket with the probe prefix).
MOTO_LOG=${TMPDIR:-/tmp}/nodeagent-demo-moto.log moto_start || die "moto_server did not start"
endpoint=$MOTO_ENDPOINT

# The IAM policy from the setup guide, for a current and a retired (legacy) key.
policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:ListBucket","s3:DeleteObject","s3:GetBucketLocation"],"Resource":["arn:aws:s3:::expanso-databricks-*","arn:aws:s3:::expanso-databricks-*/*"]}]}'
buckets='[{"name":"expanso-databricks-raw-us-west-2","region":"us-west-2"},{"name":"expanso-databricks-schematized-us-west-2","region":"us-west-2"},{"name":"expanso-databricks-filtered-us-west-2","region":"us-west-2"},{"name":"expanso-databricks-emergency-us-west-2","region":"us-west-2"}]'
keys=$(python3 tests/NodeAgent.IntegrationTests/Fixtures/moto_admin.py <<<"{\"endpoint\":\"$endpoint\",\"bootstrap\":true,\"users\":[{\"name\":\"sensor-node\",\"policy\":$policy},{\"name\":\"legacy-node\",\"policy\":$policy}],\"buckets\":$buckets}")
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['users'][sys.argv[1]][sys.argv[2]])" "$1" "$2" <<<"$keys"; }
key=$(field sensor-node accessKeyId); secret=$(field sensor-node secretAccessKey)
old_key=$(field legacy-node accessKeyId); old_secret=$(field legacy-node secretAccessKey)

say "sandbox $sandbox: the sources the deployer uploaded, and what the old bash script left behind"
rm -rf "$sandbox"
sources="$sandbox/opt/deployment/etc/aws/credentials"
mkdir -p "$sources" "$sandbox/etc/nodeagent" "$sandbox/root/.aws" "$sandbox/home/ubuntu/.aws" "$sandbox/opt/sensor/config"
for f in deployment/sample-sources/*; do
  sed -e "s#AKIAEXAMPLENODEAGENT#$key#g" -e "s#nodeagentEXAMPLEsecretKEY/doNotUse+00000#$secret#g" "$f" >"$sources/$(basename "$f")"
done
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\nregion = us-west-2\n' "$old_key" "$old_secret" >"$sandbox/root/.aws/credentials"
printf 'AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\nAWS_DEFAULT_REGION=us-west-2\n' "$old_key" "$old_secret" >"$sandbox/opt/sensor/docker.env"
chmod 644 "$sandbox/root/.aws/credentials" "$sandbox/opt/sensor/docker.env"   # the legacy script's world-readable secret
names="[sensor-simulators, compute]"; ((docker_ok)) || names="[]"
cat >"$sandbox/etc/nodeagent/nodeagent.yaml" <<YAML
# Demo: the standard layout (re-rooted by --root), AWS played by a local moto_server.
s3:
  endpoint: $endpoint
sts:
  endpoint: $endpoint
containers:
  names: $names
YAML
ls -l "$sandbox/root/.aws/credentials" "$sandbox/opt/sensor/docker.env" | sed "s#$sandbox##"

if ((docker_ok)); then
  say "consumers, created the way compose creates them (project nodeagent-demo), still on the legacy key"
  mapfile -t legacy_env < <(grep -v '^#' "$sandbox/opt/sensor/docker.env")
  env_args=(); for e in "${legacy_env[@]}"; do env_args+=(-e "$e"); done
  for service in sensor-simulators compute; do
    docker rm -f "nodeagent-demo-$service-1" >/dev/null 2>&1 || true
  done
  docker run -d --name nodeagent-demo-sensor-simulators-1 --restart unless-stopped \
    -l com.docker.compose.project=nodeagent-demo -l com.docker.compose.service=sensor-simulators \
    -v "$sandbox/root/.aws:/root/.aws:ro" -v "$sandbox/home/ubuntu/.aws:/home/app/.aws:ro" "${env_args[@]}" \
    nodeagent-test/busybox:1 sh -c "trap 'exit 0' TERM; while true; do sleep 1; done" >/dev/null
  docker run -d --name nodeagent-demo-compute-1 --restart unless-stopped \
    -l com.docker.compose.project=nodeagent-demo -l com.docker.compose.service=compute \
    -v "$sandbox/root/.aws:/root/.aws:ro" -v "$sandbox/home/ubuntu/.aws:/home/bacalhau/.aws:ro" \
    nodeagent-test/busybox:1 sh -c "trap 'exit 0' TERM; while true; do sleep 1; done" >/dev/null
  demo_containers=(nodeagent-demo-sensor-simulators-1 nodeagent-demo-compute-1)
  docker ps --filter label=com.docker.compose.project=nodeagent-demo --format 'table {{.Names}}\t{{.Status}}'
fi

run() { say "nodeagent $*"; "${nodeagent[@]}" "$@" --root "$sandbox"; }
run apply --dry-run --diff
run apply
run apply
set +e
run verify
verify_status=$?
set -e
run status >/dev/null && echo "(status reads back the report verify just wrote)"

say "nodeagent run: the daemon, with systemd's notify socket played by a small listener"
notify_dir=$(mktemp -d)
python3 - "$notify_dir/notify.sock" >"$notify_dir/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
while True:
    print(s.recv(65536).decode().replace("\n", " | "), flush=True)
PY
listener_pid=$!
cat >>"$sandbox/etc/nodeagent/nodeagent.yaml" <<YAML
daemon:
  settle_seconds: 1
  drift_interval_seconds: 2
YAML
for _ in $(seq 50); do [[ -S "$notify_dir/notify.sock" ]] && break; sleep 0.1; done
NOTIFY_SOCKET="$notify_dir/notify.sock" JOURNAL_STREAM=demo "${nodeagent[@]}" run --root "$sandbox" 2>"$notify_dir/journal.log" &
daemon_pid=$!
wait_for() { for _ in $(seq 200); do grep -q "$1" "$2" && return 0; sleep 0.1; done; echo "demo: gave up waiting for '$1' in $2" >&2; return 1; }
wait_for READY=1 "$notify_dir/notify.log"
echo "sd_notify: $(grep -m1 READY=1 "$notify_dir/notify.log")"

say "rotate: the deployer uploads a new key (scp-style: temp name, then rename)"
admin=$(python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)['admin']))" <<<"$keys")
new_keys=$(python3 tests/NodeAgent.IntegrationTests/Fixtures/moto_admin.py <<<"{\"endpoint\":\"$endpoint\",\"admin\":$admin,\"users\":[{\"name\":\"sensor-node-2\",\"policy\":$policy}]}" 2>/dev/null) || new_keys=""
if [[ -n "$new_keys" ]]; then
  new_key=$(python3 -c "import json,sys; print(json.load(sys.stdin)['users']['sensor-node-2']['accessKeyId'])" <<<"$new_keys")
  new_secret=$(python3 -c "import json,sys; print(json.load(sys.stdin)['users']['sensor-node-2']['secretAccessKey'])" <<<"$new_keys")
  for f in "$sources"/*; do
    sed -e "s#$key#$new_key#g" -e "s#$secret#$new_secret#g" "$f" >"$f.upload" && mv "$f.upload" "$f"
  done
  wait_for "targets re-rendered" "$notify_dir/journal.log"
  grep -m1 "after verifying the new key" "$notify_dir/journal.log"
else
  echo "(the demo's admin key cannot create users on this moto; skipping the rotation)"
fi

say "drift: someone loosens a secret file; the next drift check repairs it"
chmod 644 "$sandbox/opt/sensor/.env"
wait_for "drift: " "$notify_dir/journal.log"
ls -l "$sandbox/opt/sensor/.env" | sed "s#$sandbox##"
sleep 1

say "the daemon's STATUS= lines (what systemctl status shows)"
grep -o 'STATUS=[^|]*' "$notify_dir/notify.log" | tail -n 4
say "journal-style lines (<N> is the syslog priority journalctl -p filters on)"
grep -E '^<[0-9]>' "$notify_dir/journal.log" | grep -v 'probe: ' | tail -n 12 | sed "s#$sandbox##g"
kill -TERM "$daemon_pid"; wait "$daemon_pid" && echo "daemon stopped on SIGTERM, exit 0"; daemon_pid=""
grep -q STOPPING=1 "$notify_dir/notify.log" && echo "sd_notify: STOPPING=1"
run status >/dev/null && echo "(status now shows the daemon's last cycle)"
rm -rf "$notify_dir"
say "done: verify exited $verify_status; the sandbox stays in $sandbox for a look around"
exit "$verify_status"
