using System.Globalization;
using System.Net.Sockets;

using Amazon.Runtime;

using NodeAgent.Sources;

using static NodeAgent.Failures.ExceptionChain;

namespace NodeAgent.Probes;

/// <summary>What kind of failure an AWS call met; decides whether the rest of a probe is worth attempting.</summary>
public enum AwsFailureKind
{
    /// <summary>The key, secret or token was rejected: every further call would fail the same way.</summary>
    Credentials,

    /// <summary>The principal lacks one IAM action: other actions may still work.</summary>
    AccessDenied,

    NoSuchBucket,

    /// <summary>The bucket lives in another region than the one configured.</summary>
    WrongRegion,

    /// <summary>No connection (refused, DNS, TLS): every further call would fail the same way.</summary>
    Unreachable,

    /// <summary>Connected or not, no answer in time: every further call would wait just as long.</summary>
    Timeout,

    Other,
}

/// <summary>An AWS error turned into what an operator reads: what happened and the fix. Never holds a secret.</summary>
public sealed record AwsFailure(AwsFailureKind Kind, string Detail, string Fix)
{
    /// <summary>Kinds after which the remaining calls of a probe are skipped rather than repeated.</summary>
    public bool StopsProbe => Kind is AwsFailureKind.Credentials or AwsFailureKind.Unreachable or AwsFailureKind.Timeout
        or AwsFailureKind.NoSuchBucket;

    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";

    /// <summary>
    /// Classifies an exception from one AWS call. <paramref name="iamAction"/> and <paramref name="resourceArn"/>
    /// name the permission the call needs, so AccessDenied can say exactly which statement is missing.
    /// </summary>
    public static AwsFailure Classify(
        Exception e, AwsCallContext call, string iamAction, string resourceArn)
    {
        if (IsTimeout(e))
        {
            return new(AwsFailureKind.Timeout, $"no answer from {call.Endpoint} within {Seconds(call.Timeout)}",
                $"check that this host reaches {call.Endpoint} (DNS, proxy, security group or NACL egress on 443); " +
                "a silent endpoint usually means packets are dropped, not refused");
        }

        if (Find<AmazonServiceException>(e) is { ErrorCode: { Length: > 0 } code } service)
        {
            return FromErrorCode(code, service, call, iamAction, resourceArn);
        }

        if (Find<SocketException>(e) is { } socket)
        {
            return Unreachable(call, socket.SocketErrorCode.ToString());
        }

        if (Find<HttpRequestException>(e) is { } http)
        {
            return Unreachable(call, http.Message);
        }

        if (Find<AmazonServiceException>(e) is { } status && (int)status.StatusCode >= 500)
        {
            return new(AwsFailureKind.Other, $"{call.Endpoint} answered HTTP {(int)status.StatusCode}",
                "the service had an internal error: retry; if it persists, check the AWS Health Dashboard or the S3-compatible store's logs");
        }

        return new(AwsFailureKind.Other, $"{iamAction} failed: {e.GetType().Name}: {e.Message}",
            "unexpected error: check the endpoint and credentials; report it if it persists");
    }

    private static AwsFailure FromErrorCode(
        string code, AmazonServiceException e, AwsCallContext call, string iamAction, string resourceArn)
    {
        var key = call.Credentials.Masked;
        switch (code)
        {
            case "InvalidAccessKeyId" or "InvalidClientTokenId" or "UnrecognizedClientException":
                return new(AwsFailureKind.Credentials, $"access key {key} is not known to AWS ({code})",
                    "the key was deleted, deactivated, mistyped or belongs to another partition: put an active key's " +
                    "aws_access_key_id into expanso-s3-credentials (IAM console → Users → Security credentials)");
            case "SignatureDoesNotMatch":
                return new(AwsFailureKind.Credentials, $"the secret access key does not belong to access key {key} ({code})",
                    "put the matching aws_secret_access_key into expanso-s3-credentials (look for a truncated copy or " +
                    "stray characters); if the key pair is right, check that the host clock is synchronised");
            case "ExpiredToken" or "ExpiredTokenException" or "TokenRefreshRequired" or "InvalidToken":
                return new(AwsFailureKind.Credentials, $"the session token of access key {key} is expired or invalid ({code})",
                    "temporary (ASIA…) credentials expire: issue fresh ones with their aws_session_token, or use a " +
                    "long-lived IAM user key");
            case "RequestTimeTooSkewed" or "SignatureExpired" or "RequestExpired":
                return new(AwsFailureKind.Credentials, $"the request time was rejected ({code}): the host clock is off",
                    "synchronise the host clock (timedatectl set-ntp true; chronyc tracking)");
            case "AccessDenied" or "AccessDeniedException" or "AllAccessDisabled":
                return new(AwsFailureKind.AccessDenied, $"access denied: missing {iamAction} on {resourceArn}",
                    $"allow {iamAction} on {resourceArn} in the IAM policy of the user owning access key {key} " +
                    "(and check that no bucket policy, SCP or permissions boundary denies it)");
            case "NoSuchBucket":
                return new(AwsFailureKind.NoSuchBucket, $"bucket '{call.Bucket}' does not exist",
                    $"create bucket '{call.Bucket}' in {call.Region}, or correct the bucket name in expanso-s3-config.json");
            case "PermanentRedirect" or "AuthorizationHeaderMalformed" or "IllegalLocationConstraintException":
                return new(AwsFailureKind.WrongRegion,
                    $"bucket '{call.Bucket}' is not in the configured region {call.Region} ({code})",
                    "set the bucket's region in expanso-s3-config.json (aws s3api get-bucket-location --bucket " +
                    $"{call.Bucket} tells it), or use a bucket in {call.Region}");
            default:
                return new(AwsFailureKind.Other, $"{iamAction} failed: {code}: {e.Message}",
                    $"see the AWS error code {code}; check the endpoint {call.Endpoint} and the credentials");
        }
    }

    private static AwsFailure Unreachable(AwsCallContext call, string why) =>
        new(AwsFailureKind.Unreachable, $"cannot connect to {call.Endpoint}: {why}",
            $"check that {call.Endpoint} is the right endpoint and reachable from this host (DNS, proxy, security " +
            "group egress); for a local S3-compatible store, that it is running");

    private static bool IsTimeout(Exception e) =>
        Find<TimeoutException>(e) is not null || Find<OperationCanceledException>(e) is not null;
}

/// <summary>Where a call went and as whom, for error messages (the key only ever appears masked).</summary>
public sealed record AwsCallContext(string Endpoint, string Region, CredentialSource Credentials, TimeSpan Timeout, string? Bucket = null);
