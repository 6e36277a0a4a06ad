#!/usr/bin/env python3
"""moto's own floor for what `nodeagent fleet` asks of S3: list the prefix, then GET every object under it, from one
warm boto3 process (no process start, client built once), one call at a time and with 64 in flight (fleet's bound).
moto serves one request at a time, so the faster of the two is the floor; fleet as a whole process is measured
against it.

Keys come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), never argv.
usage: fleet_floor.py ENDPOINT BUCKET PREFIX ; RUNS (default 3). Prints JSON.
"""
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

endpoint, bucket, prefix = sys.argv[1:4]
runs = int(os.environ.get("RUNS", "3"))
s3 = boto3.session.Session(region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1")).client(
    "s3", endpoint_url=endpoint,
    config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}, max_pool_connections=64,
                  response_checksum_validation="when_required"))


def keys():
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
        found.extend(o["Key"] for o in page.get("Contents", []))
    return found


def get(key):
    return len(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def one_run(pool):
    started = time.perf_counter()
    listed = keys()
    if pool is None:
        size = sum(get(k) for k in listed)
    else:
        size = sum(pool.map(get, listed))
    return (time.perf_counter() - started) * 1000, len(listed), size


result = {}
with ThreadPoolExecutor(max_workers=64) as pool:
    for name, use in (("sequential", None), ("parallel_64", pool)):
        one_run(use)  # warm-up: connections, first-call set-up
        times, objects = [], 0
        for _ in range(runs):
            ms, objects, _ = one_run(use)
            times.append(ms)
        result[name] = {"objects": objects, "median_ms": round(statistics.median(times), 1), "times_ms": times}
print(json.dumps(result))
