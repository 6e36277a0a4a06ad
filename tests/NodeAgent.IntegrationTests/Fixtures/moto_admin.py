#!/usr/bin/env python3
"""Administers a moto_server for the integration tests (moto ships boto3; no IAM SDK for .NET is on the mirror).

Reads one JSON request on stdin and prints one JSON answer on stdout:
  {"endpoint": URL,
   "bootstrap": true,                      # spend the server's unauthenticated requests on an admin user
   "admin": {"accessKeyId", "secretAccessKey"},   # otherwise: act as this admin (every request is signed)
   "users": [{"name", "policy": {...}}],   # IAM users with one inline policy each, and an access key
   "roles": [{"name", "policy": {...}}],   # IAM roles with one inline policy each, assumed once by the admin
   "buckets": [{"name", "region"}],
   "parameters": [{"name", "value"}],      # SSM SecureString parameters, put (overwritten) in us-east-1
   "secrets": [{"name", "value"}]}         # Secrets Manager secrets, created or given a new value
Answer: {"admin": {...}, "users": {name: {"accessKeyId", "secretAccessKey"}}, "parameters": {name: version},
         "roles": {name: {"roleArn", "accessKeyId", "secretAccessKey", "sessionToken", "expiration"}}}

Bootstrap spends exactly three unauthenticated requests (CreateUser, CreateAccessKey, PutUserPolicy): the fixture
starts moto_server with INITIAL_NO_AUTH_ACTION_COUNT=3, so from the fourth request on every call is SigV4-checked
and IAM-policy-checked, including the ones this script makes as the admin.
"""
import json
import sys

import boto3
from botocore.config import Config

ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def client(service, endpoint, region, creds):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=creds["accessKeyId"],
        aws_secret_access_key=creds["secretAccessKey"],
        config=Config(retries={"max_attempts": 1}),
    )


def create_user(iam, name, policy):
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    iam.put_user_policy(UserName=name, PolicyName=name + "-policy", PolicyDocument=json.dumps(policy))
    return {"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}


def create_role(iam, sts, name, policy):
    # What an instance profile's role looks like (EC2 may assume it), and the admin may too, so it can assume the role
    # here the way EC2 does for IMDS: moto checks the trust policy's AWS principal against the caller's exact ARN.
    admin_arn = sts.get_caller_identity()["Arn"]
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com", "AWS": admin_arn},
        "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName=name + "-policy", PolicyDocument=json.dumps(policy))
    # EC2 names the role session after the instance id.
    keys = sts.assume_role(RoleArn=arn, RoleSessionName="i-0123456789abcdef0")["Credentials"]
    return {
        "roleArn": arn,
        "accessKeyId": keys["AccessKeyId"],
        "secretAccessKey": keys["SecretAccessKey"],
        "sessionToken": keys["SessionToken"],
        "expiration": keys["Expiration"].isoformat(),
    }


def main():
    request = json.load(sys.stdin)
    endpoint = request["endpoint"]
    answer = {"users": {}, "roles": {}, "parameters": {}}
    if request.get("bootstrap"):
        # Unsigned-but-accepted requests while the server's no-auth budget lasts; any placeholder key works.
        placeholder = {"accessKeyId": "AKIAIOSFODNN7EXAMPLE", "secretAccessKey": "bootstrap"}
        admin = create_user(client("iam", endpoint, "us-east-1", placeholder), "nodeagent-test-admin", ADMIN_POLICY)
    else:
        admin = request["admin"]
    answer["admin"] = admin
    iam = client("iam", endpoint, "us-east-1", admin)
    for user in request.get("users", []):
        answer["users"][user["name"]] = create_user(iam, user["name"], user["policy"])
    if request.get("roles"):
        sts = client("sts", endpoint, "us-east-1", admin)
        for role in request["roles"]:
            answer["roles"][role["name"]] = create_role(iam, sts, role["name"], role["policy"])
    for bucket in request.get("buckets", []):
        region = bucket.get("region", "us-east-1")
        s3 = client("s3", endpoint, region, admin)
        if region == "us-east-1":
            s3.create_bucket(Bucket=bucket["name"])
        else:
            s3.create_bucket(Bucket=bucket["name"], CreateBucketConfiguration={"LocationConstraint": region})
    if request.get("parameters"):
        ssm = client("ssm", endpoint, "us-east-1", admin)
        for parameter in request["parameters"]:
            put = ssm.put_parameter(Name=parameter["name"], Value=parameter["value"], Type="SecureString", Overwrite=True)
            answer["parameters"][parameter["name"]] = put["Version"]
    if request.get("secrets"):
        secrets = client("secretsmanager", endpoint, "us-east-1", admin)
        for secret in request["secrets"]:
            try:
                secrets.create_secret(Name=secret["name"], SecretString=secret["value"])
            except secrets.exceptions.ResourceExistsException:
                secrets.put_secret_value(SecretId=secret["name"], SecretString=secret["value"])
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
