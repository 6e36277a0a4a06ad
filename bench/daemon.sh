#!/usr/bin/env bash
# The daemon's figures, whole process, on the Native AOT binary: start -> READY, idle RSS and CPU, RSS growth over
# many cycles. Not part of the tests. IDLE (s), CYCLES and STARTS tune it; defaults are the issue's 60 s and 10,000.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x artifacts/linux-x64/nodeagent ]] || ./build.sh publish >/dev/null
echo "machine: $(nproc) cores, $(uname -r), $(date -u +%FT%TZ)"
python3 bench/daemon.py artifacts/linux-x64/nodeagent deployment/sample-sources
