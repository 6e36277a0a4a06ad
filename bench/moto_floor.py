#!/usr/bin/env python3
"""moto's own floor for the AWS calls one `nodeagent verify` makes, timed inside one warm Python process (no process
start, clients and connections built once), so ./build.sh bench (figure 2) can say how far above the server verify is.

The calls, in verify's shape: STS GetCallerIdentity, and per bucket one chain of ListObjectsV2 (probe prefix, 1 key),
GetBucketLocation, DeleteObject (the not-yet-written key), PutObject, GetObject, DeleteObject; the identity call
and the bucket chains run side by side in a thread pool, each chain in order (every step depends on the one before).

Keys come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), never from argv, so `ps` never shows them.
usage: moto_floor.py ENDPOINT BUCKET... ; RUNS (default 20) and WARMUP (default 3) tune it. Prints JSON.
"""
import json
import os
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

endpoint, buckets = sys.argv[1], sys.argv[2:]
runs = int(os.environ.get("RUNS", "20"))
warmup = int(os.environ.get("WARMUP", "3"))
region = os.environ.get("AWS_DEFAULT_REGION", "us-west-2")
config = Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}, max_pool_connections=len(buckets) + 1,
                request_checksum_calculation="when_required", response_checksum_validation="when_required")
session = boto3.session.Session(region_name=region)
sts = session.client("sts", endpoint_url=endpoint, config=config)
s3 = session.client("s3", endpoint_url=endpoint, config=config)
prefix = "_nodeagent/probes/bench/"


def identity():
    sts.get_caller_identity()
    return 1


def bucket_chain(bucket):
    key = f"{prefix}{uuid.uuid4().hex}.txt"
    s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1)
    s3.get_bucket_location(Bucket=bucket)
    s3.delete_object(Bucket=bucket, Key=key)
    s3.put_object(Bucket=bucket, Key=key, Body=b"nodeagent probe\n", ContentType="text/plain")
    s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    s3.delete_object(Bucket=bucket, Key=key)
    return 6


def one_run(pool, parallel):
    started = time.perf_counter()
    if parallel:
        futures = [pool.submit(identity)] + [pool.submit(bucket_chain, b) for b in buckets]
        calls = sum(f.result() for f in futures)
    else:
        calls = identity() + sum(bucket_chain(b) for b in buckets)
    return (time.perf_counter() - started) * 1000, calls


result = {}
with ThreadPoolExecutor(max_workers=len(buckets) + 1) as pool:
    for name, parallel in (("parallel", True), ("sequential", False)):
        for _ in range(warmup):
            one_run(pool, parallel)
        times = []
        for _ in range(runs):
            ms, calls = one_run(pool, parallel)
            times.append(ms)
        result[name] = {"calls": calls, "median_ms": round(statistics.median(times), 1), "times_ms": times,
                        "min_ms": round(min(times), 1), "per_call_ms": round(statistics.median(times) / calls, 2)}
print(json.dumps(result))
