#!/usr/bin/env bash
# ./build.sh bench — every performance figure, whole process, in one run: bench/results.md and bench/results.json.
# Not part of ./build.sh test. Installs what it needs (hyperfine, the AWS CLI, GNU time, Docker, debhelper) with apt
# when missing, builds the amd64 package when the binary build.sh published is newer, and the two other
# shipping forms figure 6 compares (framework-dependent; self-contained ReadyToRun single file), starts moto_server
# (signatures and IAM policies checked) and, when none answers, dockerd; stops what it started.
# ROUNDS (5), IDLE (60 s), CYCLES (10000) and FIGURES ("1 2 3 4 5 6 7") tune it; see bench/bench.py.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '== %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
started=$SECONDS

command -v moto_server >/dev/null || die "moto_server is missing; fix: pip install 'moto[server]>=5.2,<5.3'"
need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v aws >/dev/null || need+=(awscli)
[[ -x /usr/bin/time ]] || need+=(time)
command -v dockerd >/dev/null || need+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
for package in debhelper dpkg-dev man-db groff-base; do dpkg -s "$package" >/dev/null 2>&1 || need+=("$package"); done
if ((${#need[@]})); then
  say "apt-get install ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# ./build.sh bench has just published it (build.sh's publish_rid: the shipped binary, byte for byte).
binary=artifacts/linux-x64/nodeagent
[[ -x "$binary" ]] || die "$binary is missing; run the bench as ./build.sh bench, which publishes it first"
stale() { [[ ! -e "$1" ]] || [[ -n "$(find src Directory.Build.props Directory.Packages.props -newer "$1" -type f -print -quit)" ]]; }
deb=$(ls -t artifacts/nodeagent_*_amd64.deb 2>/dev/null | head -1 || true)
if [[ -z "$deb" || "$binary" -nt "$deb" ]]; then
  say "building the amd64 package"
  bash packaging/build-deb.sh amd64 "$binary" >/dev/null
fi
for form in framework-dependent readytorun-single-file; do
  out=artifacts/bench/$form
  if stale "$out/nodeagent"; then
    say "publishing the $form build (figure 6)"
    args=(-p:PublishAot=false --self-contained false)
    [[ $form == readytorun-single-file ]] && args=(-p:PublishAot=false --self-contained true -p:PublishSingleFile=true -p:PublishReadyToRun=true)
    rm -rf "$out"
    dotnet publish src/NodeAgent/NodeAgent.csproj -c Release -r linux-x64 -nologo -clp:NoSummary -v quiet -o "$out" \
      "${args[@]}" >/dev/null
  fi
done
say "builds ready after $((SECONDS - started)) s"

# shellcheck source=../.ci/lib/dockerd.sh
source .ci/lib/dockerd.sh
# shellcheck source=../.ci/lib/moto.sh
source .ci/lib/moto.sh
trap 'moto_stop; dockerd_stop' EXIT
dockerd_start
busybox_image
MOTO_LOG=${TMPDIR:-/tmp}/nodeagent-bench-moto.log moto_start || die "moto_server did not start"

MOTO_ENDPOINT=$MOTO_ENDPOINT MOTO_PID=$MOTO_PID BENCH_AOT=$PWD/$binary \
  BENCH_VARIANTS="framework-dependent=$PWD/artifacts/bench/framework-dependent/nodeagent readytorun-single-file=$PWD/artifacts/bench/readytorun-single-file/nodeagent" \
  python3 bench/bench.py
say "bench: done in $((SECONDS - started)) s"
