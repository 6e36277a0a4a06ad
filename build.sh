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
  rm -rf "$results"   # stale .trx files would be counted below
  mkdir -p "$results"
  local status=0
  for project in tests/NodeAgent.Tests tests/NodeAgent.IntegrationTests; do
    dotnet test "$project" -c "$configuration" --no-build -nologo \
      --logger "trx;LogFileName=$(basename "$project").trx" --results-directory "$results" \
      --logger "console;verbosity=normal" || status=$?
  done
  summarize "$results" || status=1
  return "$status"
}

# One closing line over both suites, from the .trx counters: "tests: N passed, N failed, N skipped".
summarize() {
  local passed=0 failed=0 skipped=0 counters
  for trx in "$1"/*.trx; do
    [[ -f "$trx" ]] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx")
    passed=$((passed + $(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")))
    failed=$((failed + $(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters") + $(sed -E 's/.* error="([0-9]+)".*/\1/' <<<"$counters")))
    skipped=$((skipped + $(sed -E 's/.* notExecuted="([0-9]+)".*/\1/' <<<"$counters")))
  done
  echo "tests: $passed passed, $failed failed, $skipped skipped"
  # Docker and root tests skip when their prerequisite is missing on a developer's machine; in CI .ci/run provides
  # both, so a skip there means a broken set-up that would otherwise pass silently.
  if [[ "${CI:-}" == true && "$skipped" -gt 0 ]]; then
    echo "ci: $skipped test(s) were skipped; CI must run every test (is dockerd up, are we root?)" >&2
    return 1
  fi
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
