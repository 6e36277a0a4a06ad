using System.Net.Sockets;
using System.Text.RegularExpressions;

using Amazon.Runtime;

using NodeAgent.Probes;
using NodeAgent.Sources;

using static NodeAgent.Failures.ExceptionChain;

namespace NodeAgent.Aws;

/// <summary>Where one GetParameter went, for messages.</summary>
public sealed record SsmCall(string Name, string Region, string Endpoint, TimeSpan Timeout);

/// <summary>
/// A failed read of the sources parameter as a <see cref="SourceError"/> naming the parameter: what happened and what
/// the operator does about it. AWS messages name principals and actions, never parameter values, so nothing secret
/// can come through here; the text is scrubbed like every source error all the same.
/// </summary>
public static partial class SsmFailure
{
    public const string SecretsManagerPrefix = "/aws/reference/secretsmanager/";

    private const string IdentityFix =
        "the agent reads the parameter with its own identity (the SDK's default chain), not with the keys it places: " +
        "attach an IAM role to the instance (EC2 → Actions → Security → Modify IAM role) whose policy allows it, or give " +
        "the service AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (systemctl edit nodeagent: Environment=…)";

    public static SourceError NoIdentity(string name, AmazonClientException e) => new(Where(name), null,
        $"the agent has no AWS identity of its own to read the parameter with ({FirstSentence(e.Message)})", IdentityFix);

    public static SourceError NoRegion(string name) => new(Where(name), null,
        "no region to read the parameter in: sources.ssm.region is not set and the SDK's default chain names none",
        "set sources.ssm.region in nodeagent.yaml (for example us-west-2), or AWS_REGION in the service's environment");

    public static SourceError Classify(Exception e, SsmCall call)
    {
        if (Find<TimeoutException>(e) is not null || Find<OperationCanceledException>(e) is not null)
        {
            return new(Where(call.Name), null, $"no answer from {call.Endpoint} within {AwsFailure.Seconds(call.Timeout)}",
                $"check that this host reaches {call.Endpoint} (DNS, proxy, security group egress on 443; in a private subnet, an " +
                "ssm VPC endpoint); the placed credentials stay until the parameter can be read");
        }

        if (Find<AmazonServiceException>(e) is { ErrorCode: { Length: > 0 } code } service)
        {
            return FromErrorCode(code, service, call);
        }

        var why = Find<SocketException>(e)?.SocketErrorCode.ToString() ?? Find<HttpRequestException>(e)?.Message;
        if (why is not null)
        {
            return new(Where(call.Name), null, $"cannot connect to {call.Endpoint}: {why}",
                $"check that {call.Endpoint} is the right endpoint (sources.ssm.endpoint, AWS_ENDPOINT_URL_SSM) and reachable from this host; " +
                "the placed credentials stay until the parameter can be read");
        }

        return new(Where(call.Name), null, $"ssm:GetParameter failed: {e.GetType().Name}: {FirstSentence(e.Message)}",
            $"check the endpoint {call.Endpoint} and the agent's identity; report it if it persists");
    }

    /// <summary>arn:aws:ssm:REGION:ACCOUNT:parameter/NAME (the name's leading slash is not repeated), or the name itself when it is an ARN.</summary>
    public static string ParameterArn(string name, string region, string? account) =>
        name.StartsWith("arn:", StringComparison.Ordinal) ? name : $"arn:aws:ssm:{region}:{account ?? "ACCOUNT_ID"}:parameter/{name.TrimStart('/')}";

    /// <summary>The account of the principal AWS names in an AccessDenied message ("User: arn:aws:iam::123456789012:user/x is not authorized …").</summary>
    public static string? AccountOf(string message) => PrincipalArn().Match(message) is { Success: true } m ? m.Groups["account"].Value : null;

    private static SourceError FromErrorCode(string code, AmazonServiceException e, SsmCall call)
    {
        var name = call.Name;
        var secret = name.StartsWith(SecretsManagerPrefix, StringComparison.Ordinal) ? name[SecretsManagerPrefix.Length..] : null;
        switch (code)
        {
            case "ParameterNotFound" or "ResourceNotFoundException":
                return new(Where(name), null,
                    secret is null ? $"the parameter does not exist in {call.Region}" : $"the Secrets Manager secret {secret} does not exist in {call.Region}",
                    secret is null
                        ? $"create it from the expanso-s3-config.json document: aws ssm put-parameter --name {name} --type SecureString --value file://expanso-s3-config.json --region {call.Region} (or correct sources.ssm.parameter / sources.ssm.region)"
                        : $"create it: aws secretsmanager create-secret --name {secret} --secret-string file://expanso-s3-config.json --region {call.Region} (or correct sources.ssm.parameter)");
            case "AccessDenied" or "AccessDeniedException" or "KMSAccessDeniedException" or "InvalidKeyId":
                var principal = PrincipalArn().Match(e.Message) is { Success: true } m ? $" ({m.Value})" : string.Empty;
                var arn = ParameterArn(name, call.Region, AccountOf(e.Message));
                var kms = secret is null
                    ? "kms:Decrypt on the parameter's KMS key (needed when the SecureString uses a customer managed key; the default aws/ssm key needs no grant)"
                    : $"secretsmanager:GetSecretValue on arn:aws:secretsmanager:{call.Region}:{AccountOf(e.Message) ?? "ACCOUNT_ID"}:secret:{secret}-* and kms:Decrypt on its key";
                return new(Where(name), null,
                    $"access denied ({code}): the agent's identity{principal} may not ssm:GetParameter on {arn}",
                    $"allow ssm:GetParameter on {arn} and {kms} in the policy of the agent's own role (the instance profile), and check that no SCP or permissions boundary denies it");
            case "UnrecognizedClientException" or "InvalidClientTokenId" or "InvalidSignatureException" or "SignatureDoesNotMatch"
                or "ExpiredTokenException" or "ExpiredToken" or "IncompleteSignature":
                return new(Where(name), null, $"the agent's own credentials were rejected by SSM ({code})", IdentityFix);
            case "ThrottlingException" or "TooManyUpdates" or "RequestLimitExceeded":
                return new(Where(name), null, $"SSM throttled GetParameter ({code}): the account's GetParameter throughput in {call.Region} is used up",
                    "raise sources.ssm.poll_seconds across the fleet, or enable SSM's higher throughput setting (aws ssm update-service-setting " +
                    "--setting-id /ssm/parameter-store/high-throughput-enabled --setting-value true); the placed credentials stay meanwhile");
            default:
                return (int)e.StatusCode >= 500
                    ? new(Where(name), null, $"{call.Endpoint} answered HTTP {(int)e.StatusCode} ({code})",
                        "the service had an internal error: it is retried; if it persists, check the AWS Health Dashboard")
                    : new(Where(name), null, $"ssm:GetParameter failed: {code}: {FirstSentence(e.Message)}",
                        $"see the AWS error code {code}; check sources.ssm.parameter, the endpoint {call.Endpoint} and the agent's identity");
        }
    }

    private static string Where(string name) => $"ssm:{name}";

    private static string FirstSentence(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length <= 200 ? line : line[..200] + "…";
    }

    [GeneratedRegex(@"arn:aws[\w-]*:(iam|sts)::(?<account>\d{12}):[\w+=,.@/:-]+")]
    private static partial Regex PrincipalArn();
}
