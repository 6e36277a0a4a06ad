#!/usr/bin/env bash
# The reference for figure 1: what the old setup-aws-credentials.sh did to check a host (the seed guide's
# "Verification"): the caller identity twice, then a listing of each bucket, one call after another, with whatever
# AWS CLI this machine has. Exit status is the old script's: the first failing call ends it.
#
# Keys come from the environment the way the old script had them (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# AWS_DEFAULT_REGION), never from argv. The old script listed with `--max-items 1`, which `aws s3 ls` in CLI v1 does
# not accept (every bucket then looked inaccessible); set LEGACY_MAX_ITEMS=1 to reproduce that form exactly.
# usage: legacy-verify.sh ENDPOINT BUCKET...
set -euo pipefail
endpoint=$1
shift
aws=${AWS_CLI:-aws}
extra=()
[[ -n "${LEGACY_MAX_ITEMS:-}" ]] && extra=(--max-items "$LEGACY_MAX_ITEMS")
"$aws" sts get-caller-identity --endpoint-url "$endpoint" >/dev/null
"$aws" sts get-caller-identity --endpoint-url "$endpoint" >/dev/null
for bucket in "$@"; do
  "$aws" s3 ls "s3://$bucket" --endpoint-url "$endpoint" "${extra[@]}" >/dev/null
done
