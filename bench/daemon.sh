#!/usr/bin/env bash
# The daemon's figures, whole process, on the Native AOT binary: start -> READY, idle RSS and CPU, RSS growth over
# many cycles. Not part of the tests. IDLE (s), CYCLES and STARTS tune it; defaults are the issue's 60 s and 10,000.
# AWS is a real local moto_server (signatures and IAM policies checked) holding the sample sources' buckets and a key
# that works, so every probe passes and the idle daemon wakes only for its timers: a closed port would keep it in
# backoff retries and the idle figures would measure the retries.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x artifacts/linux-x64/nodeagent ]] || ./build.sh publish >/dev/null
# shellcheck source=../.ci/lib/moto.sh
source .ci/lib/moto.sh
trap moto_stop EXIT
moto_start || exit 1
policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:ListBucket","s3:DeleteObject","s3:GetBucketLocation"],"Resource":["arn:aws:s3:::expanso-databricks-*","arn:aws:s3:::expanso-databricks-*/*"]}]}'
buckets=$(printf '{"name":"expanso-databricks-%s-us-west-2","region":"us-west-2"},' raw schematized filtered emergency)
keys=$(python3 tests/NodeAgent.IntegrationTests/Fixtures/moto_admin.py <<<"{\"endpoint\":\"$MOTO_ENDPOINT\",\"bootstrap\":true,\"users\":[{\"name\":\"sensor-node\",\"policy\":$policy}],\"buckets\":[${buckets%,}]}")
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['users']['sensor-node'][sys.argv[1]])" "$1" <<<"$keys"; }
echo "machine: $(nproc) cores, $(uname -r), $(date -u +%FT%TZ); moto_server pid $MOTO_PID on $MOTO_ENDPOINT"
# The key reaches daemon.py through its environment, never its command line (ps would show it).
BENCH_AWS_ENDPOINT=$MOTO_ENDPOINT BENCH_AWS_KEY=$(field accessKeyId) BENCH_AWS_SECRET=$(field secretAccessKey) \
  python3 bench/daemon.py "${NODEAGENT:-artifacts/linux-x64/nodeagent}" deployment/sample-sources
