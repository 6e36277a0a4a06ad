#!/usr/bin/env bash
# ./build.sh demo — the main job on an embedded default: the sample sources in deployment/sample-sources are
# validated and rendered into a sandbox root (.sandbox/demo), exactly as on a host, then verified.
set -euo pipefail
cd "$(dirname "$0")/.."

sandbox=${DEMO_ROOT:-$PWD/.sandbox/demo}
rm -rf "$sandbox"
mkdir -p "$sandbox"

echo "== building nodeagent"
dotnet build src/NodeAgent/NodeAgent.csproj -c Release -nologo -clp:NoSummary -v quiet >/dev/null
nodeagent=(src/NodeAgent/bin/Release/net10.0/nodeagent)

run() { echo; echo "\$ nodeagent $*"; "${nodeagent[@]}" "$@"; }

run apply --root "$sandbox" --sources deployment/sample-sources --dry-run --no-restart
run apply --root "$sandbox" --sources deployment/sample-sources --no-restart
echo; echo "\$ ls -ln of the sandbox targets"
find "$sandbox" -type f -not -path '*/var/lib/*' -printf '%M %u:%g %p\n' | sed "s#$sandbox##" | sort -k3
run apply --root "$sandbox" --sources deployment/sample-sources --no-restart
echo
echo "demo: sandbox left in $sandbox"
