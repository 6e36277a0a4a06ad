#!/usr/bin/env bash
# bench/verify.sh — how long `nodeagent verify` takes as a whole process, next to the checks it replaces, in one run
# against one local moto_server (S3, STS, IAM; signatures and IAM policies checked):
#   * nodeagent verify: the Native AOT binary (./build.sh publish), a sandbox root set up by apply, two running
#     consumers (sensor-simulators, compute) made the way compose makes them;
#   * the old script's checks: `aws sts get-caller-identity` twice and `aws s3 ls s3://BUCKET` for the four buckets.
# Prints both medians and their ratio. Uses hyperfine when installed (apt-get install -y hyperfine), else a loop.
# Not a test: timings depend on the machine. RUNS (default 10) and WARMUP (default 2) tune it.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=${RUNS:-10}
warmup=${WARMUP:-2}
sandbox=${BENCH_ROOT:-$repo/.sandbox/bench}
project=nodeagent-bench
say() { printf '\n== %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

command -v moto_server >/dev/null || die "moto_server is missing; fix: pip install 'moto[server]>=5.2,<5.3'"
command -v docker >/dev/null && docker version >/dev/null 2>&1 || die "dockerd does not answer; fix: source .ci/lib/dockerd.sh && dockerd_start"
aws=$(command -v aws || true)
if [[ -z "$aws" ]]; then
  echo "bench: no aws CLI here; trying: apt-get install -y awscli"
  apt-get install -y -q awscli >/dev/null 2>&1 || true
  aws=$(command -v aws || true)
fi
[[ -n "$aws" ]] || echo "bench: the aws CLI is not available (apt-get install -y awscli failed): only nodeagent verify is timed"
nodeagent=$repo/artifacts/linux-x64/nodeagent
[[ -x "$nodeagent" ]] || { say "publishing the Native AOT binary (./build.sh publish)"; ./build.sh publish >/dev/null; }

tmp=$(mktemp -d)
# shellcheck source=../.ci/lib/moto.sh
source .ci/lib/moto.sh
cleanup() {
  docker rm -f "$project-sensor-simulators-1" "$project-compute-1" >/dev/null 2>&1 || true
  moto_stop
  rm -rf "$tmp"
}
trap cleanup EXIT

say "moto_server (through the fixture's launcher that mends moto's SigV4 check of queries holding '/')"
MOTO_LOG=$tmp/moto.log moto_start || die "moto_server did not start"
endpoint=$MOTO_ENDPOINT
policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:ListBucket","s3:DeleteObject","s3:GetBucketLocation"],"Resource":["arn:aws:s3:::expanso-databricks-*","arn:aws:s3:::expanso-databricks-*/*"]}]}'
bucket_names=(expanso-databricks-raw-us-west-2 expanso-databricks-schematized-us-west-2 expanso-databricks-filtered-us-west-2 expanso-databricks-emergency-us-west-2)
buckets=$(printf '{"name":"%s","region":"us-west-2"},' "${bucket_names[@]}")
keys=$(python3 tests/NodeAgent.IntegrationTests/Fixtures/moto_admin.py <<<"{\"endpoint\":\"$endpoint\",\"bootstrap\":true,\"users\":[{\"name\":\"sensor-node\",\"policy\":$policy}],\"buckets\":[${buckets%,}]}")
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['users']['sensor-node'][sys.argv[1]])" "$1" <<<"$keys"; }
key=$(field accessKeyId); secret=$(field secretAccessKey)

say "sandbox $sandbox, set up by nodeagent apply, with two running consumers"
rm -rf "$sandbox"
sources="$sandbox/opt/deployment/etc/aws/credentials"
mkdir -p "$sources" "$sandbox/etc/nodeagent" "$sandbox/root/.aws" "$sandbox/home/ubuntu/.aws" "$sandbox/opt/sensor/config"
for f in deployment/sample-sources/*; do
  sed -e "s#AKIAEXAMPLENODEAGENT#$key#g" -e "s#nodeagentEXAMPLEsecretKEY/doNotUse+00000#$secret#g" "$f" >"$sources/$(basename "$f")"
done
printf 's3:\n  endpoint: %s\nsts:\n  endpoint: %s\ncontainers:\n  names: [sensor-simulators, compute]\n' "$endpoint" "$endpoint" >"$sandbox/etc/nodeagent/nodeagent.yaml"
"$nodeagent" apply --root "$sandbox" --no-restart >/dev/null
mapfile -t env_args < <(grep -v '^#' "$sandbox/opt/sensor/docker.env" | sed 's/^/--env=/')
docker rm -f "$project-sensor-simulators-1" "$project-compute-1" >/dev/null 2>&1 || true
docker run -d --name "$project-sensor-simulators-1" --restart unless-stopped \
  -l com.docker.compose.project=$project -l com.docker.compose.service=sensor-simulators \
  -v "$sandbox/root/.aws:/root/.aws:ro" "${env_args[@]}" \
  nodeagent-test/busybox:1 sh -c "trap 'exit 0' TERM; while true; do sleep 1; done" >/dev/null
docker run -d --name "$project-compute-1" --restart unless-stopped \
  -l com.docker.compose.project=$project -l com.docker.compose.service=compute \
  -v "$sandbox/root/.aws:/root/.aws:ro" -v "$sandbox/home/ubuntu/.aws:/home/bacalhau/.aws:ro" \
  nodeagent-test/busybox:1 sh -c "trap 'exit 0' TERM; while true; do sleep 1; done" >/dev/null
# Consumers that have run longer than the stability window (2 s) are judged from one inspect, as on a settled host.
sleep 2.5
"$nodeagent" verify --root "$sandbox" || die "verify is not all ok on the bench sandbox; nothing to time"

cat >"$tmp/old-checks.sh" <<OLD
#!/usr/bin/env bash
# The checks of setup-aws-credentials.sh: identity twice, then a listing of every bucket.
set -e
export AWS_ACCESS_KEY_ID='$key' AWS_SECRET_ACCESS_KEY='$secret' AWS_DEFAULT_REGION=us-west-2
"$aws" sts get-caller-identity --endpoint-url "$endpoint" >/dev/null
"$aws" sts get-caller-identity --endpoint-url "$endpoint" >/dev/null
$(for b in "${bucket_names[@]}"; do printf '"%s" s3 ls "s3://%s" --endpoint-url "%s" >/dev/null\n' "$aws" "$b" "$endpoint"; done)
OLD
chmod 700 "$tmp/old-checks.sh"
verify_cmd="$nodeagent verify --root $sandbox"
old_cmd="bash $tmp/old-checks.sh"

median_of() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
# Other engineers build on this machine: a slow minute must not land on one command only. So the runs are
# interleaved, ROUNDS rounds of every command in turn, and the medians are taken over all rounds.
rounds=${ROUNDS:-5}
per_round=$(( (runs + rounds - 1) / rounds )); (( per_round >= 2 )) || per_round=2
labels=("nodeagent verify (2 consumers)"); commands=("$verify_cmd")
[[ -n "$aws" ]] && { labels+=("old checks (6 aws CLI calls)"); commands+=("$old_cmd"); }
# BASELINE=other/nodeagent times a second binary in the same rounds, for a before/after ratio that shares the noise.
[[ -n "${BASELINE:-}" ]] && { labels+=("baseline verify ($BASELINE)"); commands+=("$BASELINE verify --root $sandbox"); }
if command -v hyperfine >/dev/null; then
  say "hyperfine: $rounds interleaved rounds of $per_round runs per command, after $warmup warm-up"
  args=(); for i in "${!commands[@]}"; do args+=(-n "${labels[$i]}" "${commands[$i]}"); done
  for ((r = 0; r < rounds; r++)); do
    hyperfine -N --style none --warmup "$([[ $r == 0 ]] && echo "$warmup" || echo 1)" --runs "$per_round" \
      --export-json "$tmp/round-$r.json" "${args[@]}" >/dev/null
  done
  mapfile -t medians < <(python3 -c '
import glob, json, statistics, sys
times = {}
for f in sorted(glob.glob(sys.argv[1] + "/round-*.json")):
    for r in json.load(open(f))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
for name in sys.argv[2:]:
    print(statistics.median(times[name]))' "$tmp" "${labels[@]}")
else
  say "no hyperfine (apt-get install -y hyperfine): $rounds interleaved rounds of $per_round runs per command"
  declare -A all_times
  for ((r = 0; r < rounds; r++)); do
    for i in "${!commands[@]}"; do
      for ((n = 0; n < (r == 0 ? warmup : 0); n++)); do ${commands[$i]} >/dev/null 2>&1; done
      for ((n = 0; n < per_round; n++)); do
        start=$(date +%s%N); ${commands[$i]} >/dev/null 2>&1
        all_times[$i]+="$(( $(date +%s%N) - start ))e-9 "
      done
    done
  done
  medians=(); for i in "${!commands[@]}"; do read -ra t <<<"${all_times[$i]}"; medians+=("$(median_of "${t[@]}")"); done
fi
verify_median=${medians[0]}
old_median=""; [[ -n "$aws" ]] && old_median=${medians[1]}

say "moto's own floor for the same calls"
# The AWS calls of one verify (STS once; per bucket List, Location, Delete-check, Put, Get, Delete: 25 calls behind
# the 21 probe rows), from one warm boto3 process with a thread pool, so no process start and no client set-up.
floor=$(AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_DEFAULT_REGION=us-west-2 RUNS=$runs \
  python3 bench/moto_floor.py "$endpoint" "${bucket_names[@]}")
# moto is one Python process: its GIL serialises the requests, so its CPU time per verify is a floor no client
# concurrency can go below.
moto_cpu=$(python3 - "$MOTO_PID" "$runs" $verify_cmd <<'PY'
import os, statistics, subprocess, sys
pid, runs, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
tick = os.sysconf("SC_CLK_TCK")
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tick
spent = []
for _ in range(runs):
    before = cpu(); subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); spent.append(cpu() - before)
print(statistics.median(spent))
PY
)

say "result"
ms() { python3 -c "print(f'{$1 * 1000:.0f}')"; }
printf 'nodeagent verify (2 consumers): median %s ms\n' "$(ms "$verify_median")"
if [[ -n "$old_median" ]]; then
  printf 'old checks (6 aws CLI calls):   median %s ms\n' "$(ms "$old_median")"
  printf 'ratio of medians: nodeagent verify is %.1fx faster\n' "$(python3 -c "print($old_median / $verify_median)")"
else
  echo "old checks: not timed (no aws CLI on this machine)"
fi
if [[ -n "${BASELINE:-}" ]]; then
  printf 'baseline verify:                median %s ms (this binary / baseline: %.3f)\n' "$(ms "${medians[-1]}")" \
    "$(python3 -c "print($verify_median / ${medians[-1]})")"
fi
python3 - "$floor" "$verify_median" "$moto_cpu" <<'PY'
import json, sys
floor = json.loads(sys.argv[1]); verify = float(sys.argv[2]) * 1000; cpu = float(sys.argv[3]) * 1000
parallel, sequential = floor["parallel"], floor["sequential"]
print(f"moto floor, {parallel['calls']} calls (boto3, warm, parallel as verify): median {parallel['median_ms']:.0f} ms; "
      f"sequential {sequential['median_ms']:.0f} ms")
print(f"moto CPU per nodeagent verify: median {cpu:.0f} ms (moto serialises requests: no client gets below this)")
print(f"verify is {verify - parallel['median_ms']:+.0f} ms from the parallel floor, {verify - cpu:+.0f} ms from moto's CPU")
PY
