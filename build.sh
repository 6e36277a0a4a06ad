#!/usr/bin/env bash
# NodeAgent build entry point. Verbs: build, test, publish, demo, format.
set -euo pipefail
cd "$(dirname "$0")"

configuration=${CONFIGURATION:-Release}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

usage() {
  cat <<'USAGE'
usage: ./build.sh VERB
  build     compile everything (warnings are errors)
  test      unit + integration tests (needs dockerd and moto_server; .ci/run starts them)
  publish   Native AOT executable -> artifacts/linux-x64/nodeagent
  demo      render the sample sources into a sandbox root and verify against a local moto_server
  format    dotnet format (verify only with CHECK=1)
USAGE
}

build() { dotnet build NodeAgent.sln -c "$configuration" -nologo -clp:NoSummary; }

run_tests() {
  build
  local results=artifacts/test-results
  mkdir -p "$results"
  local status=0
  for project in tests/NodeAgent.Tests tests/NodeAgent.IntegrationTests; do
    dotnet test "$project" -c "$configuration" --no-build -nologo \
      --logger "trx;LogFileName=$(basename "$project").trx" --results-directory "$results" \
      --logger "console;verbosity=normal" || status=$?
  done
  return "$status"
}

publish() {
  dotnet publish src/NodeAgent/NodeAgent.csproj -c Release -r linux-x64 -nologo -o artifacts/linux-x64
  rm -f artifacts/linux-x64/*.dbg
  echo "published: artifacts/linux-x64/nodeagent"
}

case "${1:-}" in
  build) build ;;
  test) run_tests ;;
  publish) publish ;;
  demo) shift; exec bash deployment/demo.sh "$@" ;;
  format)
    if [[ "${CHECK:-0}" == 1 ]]; then dotnet format NodeAgent.sln --verify-no-changes; else dotnet format NodeAgent.sln; fi ;;
  -h|--help|help|"") usage ;;
  *) usage; exit 64 ;;
esac
