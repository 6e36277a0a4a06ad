#!/usr/bin/env bash
# The reference for figure 3: the file steps of the old setup-aws-credentials.sh (the seed guide's "Credential
# Deployment Flow"), under a sandbox root: copy the credentials to both homes, chmod 600, copy the S3 config, write
# the .env. It rewrites everything on every run (it could not tell what changed), restarts nothing and checks no
# owner, mode or link: the figure compares time only, not what the two do.
# usage: legacy-apply.sh ROOT
set -euo pipefail
root=$1
src=$root/opt/deployment/etc/aws/credentials
mkdir -p "$root/root/.aws" "$root/home/ubuntu/.aws" "$root/opt/sensor/config"
cp "$src/expanso-s3-credentials" "$root/root/.aws/credentials"
chmod 600 "$root/root/.aws/credentials"
cp "$src/expanso-s3-credentials" "$root/home/ubuntu/.aws/credentials"
chmod 600 "$root/home/ubuntu/.aws/credentials"
cp "$src/expanso-s3-config.json" "$root/opt/sensor/config/s3-config.json"
cp "$src/expanso-production.env" "$root/opt/sensor/.env"
cp "$src/expanso-production.env" "$root/opt/sensor/docker.env"
