#!/usr/bin/env bash
# NodeAgent build entry point. Verbs: build, test, e2e, publish, package, demo, bench, format.
set -euo pipefail
cd "$(dirname "$0")"

configuration=${CONFIGURATION:-Release}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The build date stamped into `nodeagent --version` and the packages: the commit's time, so rebuilding one commit
# gives the same bytes.
if [[ -z "${SOURCE_DATE_EPOCH:-}" ]]; then
  # Outside git (a source tarball), the changelog's own date.
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || dpkg-parsechangelog -l packaging/debian/changelog -S Timestamp)
fi
export SOURCE_DATE_EPOCH

usage() {
  cat <<'USAGE'
usage: ./build.sh VERB
  build     compile everything (warnings are errors)
  test      package, then unit + integration + packaging tests (needs dockerd and moto_server; .ci/run starts them)
  publish   Native AOT executables -> artifacts/linux-x64/nodeagent, artifacts/linux-arm64/nodeagent
  e2e       the .deb on a booted systemd host (tests/e2e/run.sh; needs dockerd, moto_server, debootstrap)
  package   publish, then artifacts/nodeagent_VERSION_amd64.deb and _arm64.deb (dpkg-buildpackage, debhelper)
  demo      render the sample sources into a sandbox root and verify against a local moto_server
  bench     every performance figure, whole process, side by side -> bench/results.md, bench/results.json
  format    dotnet format (verify only with CHECK=1)
USAGE
}

build() { dotnet build NodeAgent.sln -c "$configuration" -nologo -clp:NoSummary; }

run_tests() {
  build
  # The packaging tests read both .deb files and both binaries, so they are built first, every time.
  package
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
  # CI keeps only the tail of the log: name each failure again here, under the tally, with its first message line.
  if [[ "$failed" -gt 0 ]] && command -v python3 >/dev/null; then
    python3 - "$1"/*.trx <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for trx in sys.argv[1:]:
    for result in ET.parse(trx).getroot().iterfind(".//t:UnitTestResult", ns):
        if result.get("outcome") in ("Failed", "Error"):
            message = (result.findtext(".//t:Message", "", ns) or "").strip()
            stack = (result.findtext(".//t:StackTrace", "", ns) or "").strip().splitlines()
            print(f"FAILED {result.get('testName')}")
            for line in message.splitlines()[:8] + stack[:3]:
                print(f"    {line[:300]}")
PY
  fi
  # Docker and root tests skip when their prerequisite is missing on a developer's machine; in CI .ci/run provides
  # both, so a skip there means a broken set-up that would otherwise pass silently.
  if [[ "${CI:-}" == true && "$skipped" -gt 0 ]]; then
    echo "ci: $skipped test(s) were skipped; CI must run every test (is dockerd up, are we root?)" >&2
    return 1
  fi
}

publish_rid() {
  local rid=$1 objcopy=$2
  shift 2
  # UseSystemZlib: link the distribution's libz.so.1 instead of embedding a copy (Debian policy; lintian checks it).
  dotnet publish src/NodeAgent/NodeAgent.csproj -c Release -r "$rid" -nologo -clp:NoSummary -o "artifacts/$rid" \
    -p:UseSystemZlib=true "$@"
  rm -f "artifacts/$rid"/*.dbg
  # The linker's compiler-version notes (.comment) are all that stripping leaves: drop them here, so the binary the
  # tests run is byte for byte the one the package ships.
  "$objcopy" --remove-section=.comment "artifacts/$rid/nodeagent"
  echo "published: artifacts/$rid/nodeagent"
}

publish() {
  publish_rid linux-x64 objcopy
  command -v aarch64-linux-gnu-gcc >/dev/null || {
    echo "publish: linux-arm64 needs the cross linker; fix: apt-get install gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu" >&2
    return 1
  }
  publish_rid linux-arm64 aarch64-linux-gnu-objcopy -p:CppCompilerAndLinker=aarch64-linux-gnu-gcc -p:ObjCopyName=aarch64-linux-gnu-objcopy
}

package() {
  [[ "${NO_PUBLISH:-0}" == 1 ]] || publish
  bash packaging/build-deb.sh amd64 artifacts/linux-x64/nodeagent
  bash packaging/build-deb.sh arm64 artifacts/linux-arm64/nodeagent
}

case "${1:-}" in
  build) build ;;
  test) run_tests ;;
  publish) publish ;;
  package) package ;;
  e2e) exec bash tests/e2e/run.sh ;;
  demo) shift; exec bash deployment/demo.sh "$@" ;;
  bench) publish_rid linux-x64 objcopy >/dev/null; exec bash bench/run.sh ;;
  format)
    if [[ "${CHECK:-0}" == 1 ]]; then dotnet format NodeAgent.sln --verify-no-changes; else dotnet format NodeAgent.sln; fi ;;
  -h|--help|help|"") usage ;;
  *) usage; exit 64 ;;
esac
