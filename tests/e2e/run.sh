#!/usr/bin/env bash
# tests/e2e/run.sh (./build.sh e2e) — NodeAgent as an operator meets it, on a booted host:
#   a Debian host with systemd as PID 1, sshd and its own dockerd (tests/e2e/host-image.sh) runs the consumers from
#   their compose files, installs the .deb exactly as deployment/cloud-init.yaml says, and is then driven only the
#   operator's way: scp of the sources, ssh for nodeagent verify, systemctl and journalctl. AWS is the machine's
#   moto_server (signatures and IAM policies checked), reached from inside through the host container's gateway.
# Prints a transcript of what the operator ran and saw. Needs: dockerd, moto_server, debootstrap, zstd, openssh-client.
# Everything it starts is removed on exit (E2E_KEEP=1 keeps the host for a look).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

name=nodeagent-e2e-$$
volume=$name-docker
tmp=$(mktemp -d /tmp/nodeagent-e2e.XXXXXX)
started=$(date +%s)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
operator() { printf '\033[2m$ %s\033[0m\n' "$*"; }
die() {
  printf '\ne2e: FAILED: %s\n' "$*" >&2
  if docker inspect "$name" >/dev/null 2>&1; then
    echo "--- journalctl -u nodeagent (last 40 lines)" >&2
    docker exec "$name" journalctl -u nodeagent --no-pager -n 40 >&2 || true
    echo "--- systemctl status nodeagent" >&2
    docker exec "$name" systemctl status nodeagent --no-pager >&2 || true
  fi
  exit 1
}
cleanup() {
  declare -f moto_stop >/dev/null && moto_stop
  if [[ "${E2E_KEEP:-0}" == 1 ]]; then
    echo "e2e: kept $name (ssh: ssh -i $tmp/id -p $ssh_port root@127.0.0.1); remove: docker rm -f -v $name; docker volume rm $volume"
    return
  fi
  docker rm -f -v "$name" >/dev/null 2>&1 || true
  docker volume rm "$volume" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# Waits up to $1 seconds for the command after it to succeed.
within() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$(($(date +%s) + seconds))
  until "$@" >/dev/null 2>&1; do
    (($(date +%s) < deadline)) || die "$what (waited ${seconds}s)"
    sleep 0.5
  done
}

for tool in docker moto_server debootstrap zstd ssh scp ssh-keygen; do
  command -v "$tool" >/dev/null || die "$tool is missing; fix: apt-get install docker.io debootstrap zstd openssh-client, pip install 'moto[server]'"
done
version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
deb=artifacts/nodeagent_${version}_amd64.deb
[[ -f "$deb" ]] || ./build.sh package
[[ -f "$deb" ]] || die "$deb was not built"

say "the host image (built once per recipe, then cached)"
image=$(bash tests/e2e/host-image.sh)
echo "$image"

say "moto_server on the Docker bridge's gateway, where the host under test reaches it"
gateway=$(docker network inspect bridge -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}')
# Docker 28 leaves Gateway out of the default bridge's IPAM data; the bridge interface holds the address.
[[ -n "$gateway" ]] || gateway=$(ip -4 -o addr show docker0 | awk '{print $4}' | cut -d/ -f1 | head -n 1)
[[ -n "$gateway" ]] || die "no address for the Docker bridge (docker0)"
# shellcheck source=../../.ci/lib/moto.sh
source .ci/lib/moto.sh
MOTO_HOST=$gateway MOTO_LOG=$tmp/moto.log moto_start || die "moto_server did not start"
endpoint=$MOTO_ENDPOINT
buckets=(expanso-databricks-raw-us-west-2 expanso-databricks-schematized-us-west-2 expanso-databricks-filtered-us-west-2 expanso-databricks-emergency-us-west-2)
policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:ListBucket","s3:DeleteObject","s3:GetBucketLocation"],"Resource":["arn:aws:s3:::expanso-databricks-*","arn:aws:s3:::expanso-databricks-*/*"]}]}'
bucket_json=$(printf '{"name":"%s","region":"us-west-2"},' "${buckets[@]}")
python3 tests/NodeAgent.IntegrationTests/Fixtures/moto_admin.py >"$tmp/keys.json" <<<"{\"endpoint\":\"$endpoint\",\"bootstrap\":true,\"users\":[{\"name\":\"sensor-node\",\"policy\":$policy},{\"name\":\"sensor-node-rotated\",\"policy\":$policy}],\"buckets\":[${bucket_json%,}]}" ||
  die "could not create the moto users: $(tail -n 5 "$tmp/moto.log")"
key() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['users'][sys.argv[2]][sys.argv[3]])" "$tmp/keys.json" "$1" "$2"; }
first_id=$(key sensor-node accessKeyId); first_secret=$(key sensor-node secretAccessKey)
second_id=$(key sensor-node-rotated accessKeyId); second_secret=$(key sensor-node-rotated secretAccessKey)
rejected_id=AKIAE2EREJECTEDKEY00; rejected_secret=e2eRejectedSecretKeyNotKnownToMoto000000
mask() { printf '%s…%s' "${1:0:4}" "${1: -4}"; }

# The three sources, as the deployer writes them (from the sample sources, with the key swapped in).
sources_for() {
  local dir=$tmp/sources-$1
  mkdir -p "$dir"
  for f in deployment/sample-sources/*; do
    sed -e "s#AKIAEXAMPLENODEAGENT#$2#g" -e "s#nodeagentEXAMPLEsecretKEY/doNotUse+00000#$3#g" "$f" >"$dir/$(basename "$f")"
  done
  echo "$dir"
}

say "boot the host: systemd as PID 1, its own network namespace, its own dockerd on a fresh volume"
ssh-keygen -q -t ed25519 -N '' -C nodeagent-e2e -f "$tmp/id"
docker volume create "$volume" >/dev/null
docker create --name "$name" --hostname ip-10-0-0-10 \
  --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
  --cgroupns=private --tmpfs /run --tmpfs /run/lock --stop-signal SIGRTMIN+3 \
  -v "$volume:/var/lib/docker" -p 127.0.0.1::22 "$image" /sbin/init >/dev/null
docker cp "$tmp/id.pub" "$name:/root/.ssh/authorized_keys"
docker start "$name" >/dev/null
ssh_port=$(docker port "$name" 22/tcp | head -n 1 | sed 's/.*://')
ssh_opts=(-i "$tmp/id" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
  -o ControlMaster=auto -o "ControlPath=$tmp/ssh-%C" -o ControlPersist=120)
host() { ssh "${ssh_opts[@]}" -p "$ssh_port" root@127.0.0.1 "$@"; }
upload() { scp -q "${ssh_opts[@]}" -P "$ssh_port" "$@"; }
# What the test waits for, each asked the operator's way.
booted() { docker exec "$name" systemctl is-system-running --wait | grep -Eq 'running|degraded'; }
service_active() { [[ "$(host systemctl is-active nodeagent)" == active ]]; }
status_text() { host systemctl show -p StatusText --value nodeagent; }
status_says() { status_text | grep -Eq "$1"; }
mode_is() { [[ "$(host stat -c %a "$1")" == "$2" ]]; }
compute_started_at() { host 'docker inspect -f "{{.State.StartedAt}}" $(docker ps -q --filter label=com.docker.compose.service=compute)'; }
compute_restarted_since() { [[ "$(compute_started_at)" != "$1" ]]; }
reloads() { host journalctl -u nodeagent --no-pager -o cat | grep -c 'configuration .* reloaded' || true; }
more_reloads_than() { (($(reloads) > $1)); }
within 60 "the host did not boot to a running system" booted
within 30 "sshd did not answer" host true
within 60 "the host's dockerd did not start" host docker info
# The consumers' image: the host's static busybox with relative applet links (no registry is reachable).
host 'mkdir -p /tmp/bb/bin && cp /bin/busybox /tmp/bb/bin/ &&
      for applet in $(/bin/busybox --list); do [ -e /tmp/bb/bin/$applet ] || ln -s busybox /tmp/bb/bin/$applet; done &&
      tar -C /tmp/bb -c . | docker import -c "ENV PATH=/bin" - local/busybox:1 >/dev/null && rm -rf /tmp/bb'

say "1. the consumers start as the original deployment starts them, then cloud-init's commands install NodeAgent"
# The host as the old script left it: a world-readable docker.env holding a key that is no longer valid.
host 'mkdir -p /opt/sensor /opt/bacalhau /opt/deployment/packages &&
      printf "AWS_ACCESS_KEY_ID=AKIAOLDSCRIPTKEY0000\nAWS_SECRET_ACCESS_KEY=oldScriptSecretThatNoLongerWorks00000000\nAWS_DEFAULT_REGION=us-west-2\n" >/opt/sensor/docker.env &&
      chmod 644 /opt/sensor/docker.env'
upload tests/e2e/host/opt/sensor/docker-compose.yml "root@127.0.0.1:/opt/sensor/docker-compose.yml"
upload tests/e2e/host/opt/bacalhau/docker-compose.yml "root@127.0.0.1:/opt/bacalhau/docker-compose.yml"
operator "cd /opt/sensor && docker-compose up -d; cd /opt/bacalhau && docker-compose up -d"
host 'cd /opt/sensor && docker-compose up -d 2>&1 && cd /opt/bacalhau && docker-compose up -d 2>&1' | sed 's/^/  /'
consumers_running() { [[ "$(host 'docker ps --filter status=running --filter label=com.docker.compose.project -q | wc -l')" == 2 ]]; }
within 30 "the two consumers are not running" consumers_running
upload "$deb" "root@127.0.0.1:/opt/deployment/packages/"
# cloud-init's own modules for write_files and runcmd, replayed from deployment/cloud-init.yaml.
python3 - deployment/cloud-init.yaml >"$tmp/cloud-init.sh" <<'PY'
import shlex, sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
print("set -e")
for f in config.get("write_files", []):
    print(f"install -D -m {f.get('permissions', '0644')} -o {f.get('owner', 'root:root').split(':')[0]} /dev/null {shlex.quote(f['path'])}")
    print(f"cat >{shlex.quote(f['path'])} <<'CLOUD_INIT_FILE'\n{f['content']}CLOUD_INIT_FILE")
for command in config.get("runcmd", []):
    print(" ".join(shlex.quote(part) for part in command) if isinstance(command, list) else command)
PY
operator "(cloud-init) write_files + runcmd from deployment/cloud-init.yaml"
host bash -s <"$tmp/cloud-init.sh" 2>&1 | grep -E 'nodeagent-install|Setting up nodeagent' | sed 's/^/  /'
within 30 "nodeagent.service is not active after the install" service_active
# Point the installed configuration at moto, with intervals an operator would not use but a test can wait for.
host 'cat >>/etc/nodeagent/nodeagent.yaml' <<EOF

# e2e: AWS is the test machine's moto_server
s3:
  endpoint: $endpoint
sts:
  endpoint: $endpoint
daemon:
  settle_seconds: 1
  drift_interval_seconds: 3
containers:
  restart_timeout_seconds: 30
EOF
operator "systemctl reload nodeagent"
host systemctl reload nodeagent
operator "systemctl is-active nodeagent"
host systemctl is-active nodeagent | sed 's/^/  /'
operator "nodeagent status"
status=$(host nodeagent status 2>&1 || true)
echo "$status" | sed 's/^/  /'
grep -q "does not exist yet: waiting for the deployer's upload" <<<"$status" || die "nodeagent status does not say it is waiting for the sources"

say "2. the deployer uploads the three sources over SSH"
first=$(sources_for first "$first_id" "$first_secret")
operator "scp expanso-s3-credentials expanso-s3-config.json expanso-production.env root@host:/opt/deployment/etc/aws/credentials/"
host mkdir -p /opt/deployment/etc/aws/credentials
upload "$first"/* root@127.0.0.1:/opt/deployment/etc/aws/credentials/
placed_key() { host "grep -q '$1' /root/.aws/credentials && grep -q '$1' /home/ubuntu/.aws/credentials && grep -q '$1' /opt/sensor/docker.env"; }
sensor_key() { host "docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' \$(docker ps -q --filter label=com.docker.compose.service=sensor-simulators) | grep -qx 'AWS_ACCESS_KEY_ID=$1'"; }
within 30 "the targets do not hold the uploaded key" placed_key "$first_id"
within 60 "sensor-simulators was not recreated with the uploaded key" sensor_key "$first_id"
operator "stat -c '%a %U:%G %n' /root/.aws/* /home/ubuntu/.aws/* /opt/sensor/config/* /opt/sensor/.env /opt/sensor/docker.env"
modes=$(host "stat -c '%a %U:%G %n' /root/.aws/credentials /root/.aws/config /home/ubuntu/.aws/credentials /home/ubuntu/.aws/config /opt/sensor/config/s3-config.json /opt/sensor/config/databricks-storage-config.yaml /opt/sensor/.env /opt/sensor/docker.env")
echo "$modes" | sed 's/^/  /'
expected_modes="600 root:root /root/.aws/credentials
600 root:root /root/.aws/config
600 ubuntu:ubuntu /home/ubuntu/.aws/credentials
600 ubuntu:ubuntu /home/ubuntu/.aws/config
600 ubuntu:ubuntu /opt/sensor/config/s3-config.json
644 ubuntu:ubuntu /opt/sensor/config/databricks-storage-config.yaml
600 ubuntu:ubuntu /opt/sensor/.env
600 ubuntu:ubuntu /opt/sensor/docker.env"
[[ "$modes" == "$expected_modes" ]] || die "modes and owners differ from:
$expected_modes"

say "3. the operator checks the host"
verify() { host nodeagent verify; }
within 30 "nodeagent verify is not green" verify
operator "ssh root@host nodeagent verify"
verify | sed 's/^/  /'

say "4. rotation: new keys uploaded; files, consumers and compose follow"
compute_started=$(compute_started_at)
second=$(sources_for second "$second_id" "$second_secret")
operator "scp (new keys) root@host:/opt/deployment/etc/aws/credentials/"
upload "$second"/* root@127.0.0.1:/opt/deployment/etc/aws/credentials/
within 30 "the targets do not hold the rotated key" placed_key "$second_id"
within 60 "sensor-simulators is not on the rotated key" sensor_key "$second_id"
within 60 "compute was not restarted" compute_restarted_since "$compute_started"
within 30 "verify is not green after the rotation" verify
operator "cd /opt/sensor && docker-compose ps"
host 'cd /opt/sensor && docker-compose ps' | sed 's/^/  /'
host 'cd /opt/sensor && docker-compose ps --services --filter status=running' | grep -qx sensor-simulators ||
  die "compose no longer manages sensor-simulators"
operator "cd /opt/sensor && docker-compose up -d"
host 'cd /opt/sensor && docker-compose up -d 2>&1' | sed 's/^/  /'
sensor_key "$second_id" || die "after docker-compose up -d sensor-simulators is not on the rotated key"

say "5. a rotation AWS rejects changes nothing"
rejected=$(sources_for rejected "$rejected_id" "$rejected_secret")
before=$(host 'sha256sum /root/.aws/credentials /home/ubuntu/.aws/credentials /opt/sensor/docker.env /opt/sensor/.env')
upload "$rejected"/* root@127.0.0.1:/opt/deployment/etc/aws/credentials/
within 30 "STATUS does not say the new credentials were rejected" status_says 'new credentials rejected'
operator "systemctl status nodeagent"
host systemctl status nodeagent --no-pager 2>&1 | head -n 12 | sed 's/^/  /'
[[ "$(host 'sha256sum /root/.aws/credentials /home/ubuntu/.aws/credentials /opt/sensor/docker.env /opt/sensor/.env')" == "$before" ]] ||
  die "a rejected rotation changed a target"
sensor_key "$second_id" || die "a rejected rotation changed sensor-simulators' key"
# The operator puts the working keys back.
upload "$second"/* root@127.0.0.1:/opt/deployment/etc/aws/credentials/
within 30 "STATUS did not recover after the working keys came back" status_says '^[0-9]+/[0-9]+ files ok'

say "6. drift is repaired and logged; reload re-reads the configuration"
operator "chmod 644 /home/ubuntu/.aws/credentials"
host chmod 644 /home/ubuntu/.aws/credentials
within 20 "the drifted mode was not repaired" mode_is /home/ubuntu/.aws/credentials 600
operator "journalctl -u nodeagent -p warning"
warnings=$(host journalctl -u nodeagent -p warning --no-pager -o cat)
grep -i 'drift' <<<"$warnings" | tail -n 3 | sed 's/^/  /'
grep -q 'drift: /home/ubuntu/.aws/credentials' <<<"$warnings" || die "journalctl -p warning does not show the drift of /home/ubuntu/.aws/credentials"
reloads_before=$(reloads)
operator "systemctl reload nodeagent"
host systemctl reload nodeagent
within 20 "the reload was not logged" more_reloads_than "$reloads_before"
[[ "$(host systemctl is-active nodeagent)" == active ]] || die "nodeagent is not active after the reload"

say "6b. a deleted credentials folder and a restarted dockerd are repaired without restarting the agent"
operator "rm -rf /root/.aws"
host rm -rf /root/.aws
root_aws_back() { host "test -s /root/.aws/credentials && [ \$(stat -c %a /root/.aws/credentials) = 600 ]"; }
within 20 "/root/.aws was not recreated" root_aws_back
pid_before_docker=$(host systemctl show -p MainPID --value nodeagent)
operator "systemctl restart docker"
host systemctl restart docker
within 60 "verify is not green after dockerd restarted" verify
[[ "$(host systemctl show -p MainPID --value nodeagent)" == "$pid_before_docker" ]] || die "the agent restarted along with dockerd"
echo "  /root/.aws recreated (0600); verify green after the dockerd restart, same agent process"

say "7. no secret in the journal"
journal=$(host journalctl --no-pager -o cat)
for secret in "$first_secret" "$second_secret" "$rejected_secret" "$first_id" "$second_id" "$rejected_id"; do
  if grep -qF -- "$secret" <<<"$journal"; then die "the journal holds a secret ($(mask "$secret"))"; fi
done
echo "  journal: $(wc -l <<<"$journal") lines, none holding any of the 6 keys and secrets used"

say "8. reboot: the agent comes back and the host is green"
operator "reboot (docker restart of the host)"
docker restart "$name" >/dev/null
ssh -O exit "${ssh_opts[@]}" -p "$ssh_port" root@127.0.0.1 2>/dev/null || true
ssh_port=$(docker port "$name" 22/tcp | head -n 1 | sed 's/.*://')
within 60 "sshd did not come back" host true
within 60 "nodeagent is not active after the reboot" service_active
within 60 "verify is not green after the reboot" verify
within 60 "STATUS is not clean after the reboot" status_says '^[0-9]+/[0-9]+ files ok'
operator "systemctl status nodeagent"
host systemctl status nodeagent --no-pager 2>&1 | sed -n '1,8p' | sed 's/^/  /'

say "8b. upgrade: installing the package again restarts the running agent (SIGTERM, then the new binary)"
main_pid() { host systemctl show -p MainPID --value nodeagent; }
pid_before=$(main_pid)
operator "dpkg -i nodeagent_${version}_amd64.deb (the same package again, as an upgrade)"
host "DEBIAN_FRONTEND=noninteractive dpkg -i /opt/deployment/packages/$(basename "$deb")" 2>&1 | grep -E '^(Unpacking|Setting up)' | sed 's/^/  /'
pid_changed() { local now; now=$(main_pid); [[ "$now" != 0 && "$now" != "$pid_before" ]]; }
within 30 "the upgrade did not restart the agent" pid_changed
within 30 "nodeagent is not active after the upgrade" service_active
within 60 "verify is not green after the upgrade" verify
echo "  MainPID $pid_before -> $(main_pid); verify green"

say "9. stop and purge"
operator "systemctl stop nodeagent"
stop_start=$(date +%s%N)
host systemctl stop nodeagent
echo "  stopped in $(( ($(date +%s%N) - stop_start) / 1000000 )) ms"
operator "dpkg -P nodeagent"
host dpkg -P nodeagent 2>&1 | sed 's/^/  /'
host '! test -e /usr/bin/nodeagent && ! test -e /var/lib/nodeagent && ! test -e /var/log/nodeagent && ! test -e /etc/nodeagent' ||
  die "purge left the agent or its state behind"
host 'test -s /root/.aws/credentials && test -s /home/ubuntu/.aws/credentials && test -s /opt/sensor/docker.env && test -s /opt/deployment/etc/aws/credentials/expanso-s3-credentials' ||
  die "purge removed placed credentials or sources"
echo "  the agent and its state are gone; the placed credentials and the sources stay"

say "e2e: passed in $(($(date +%s) - started)) s"
