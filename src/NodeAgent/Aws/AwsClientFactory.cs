using System.Diagnostics;

using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SecurityToken;

using NodeAgent.Configuration;
using NodeAgent.Sources;

namespace NodeAgent.Aws;

/// <summary>Where one service's requests go: a custom URL (S3-compatible store, emulator) or AWS itself.</summary>
/// <param name="Url">The custom endpoint, or null for AWS.</param>
/// <param name="Source">Which setting chose it, for messages: "s3.endpoint", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL" or "aws".</param>
public sealed record AwsEndpoint(string? Url, string Source)
{
    public bool IsCustom => Url is not null;

    /// <summary>The host a request reaches, for error messages.</summary>
    public string Describe(string service, string region) => Url ?? $"https://{service}.{region}.amazonaws.com";

    /// <summary>
    /// The configured setting, then the service's variable, then AWS_ENDPOINT_URL, then AWS itself. Config wins because
    /// it is what an operator wrote for this agent on purpose; an environment variable may be inherited.
    /// </summary>
    public static AwsEndpoint Resolve(string? configured, string configKey, string serviceVariable, Func<string, string?> environment)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new(configured.Trim(), configKey);
        }

        foreach (var variable in new[] { serviceVariable, "AWS_ENDPOINT_URL" })
        {
            if (environment(variable) is { } value && !string.IsNullOrWhiteSpace(value))
            {
                return new(value.Trim(), variable);
            }
        }

        return new(null, "aws");
    }
}

/// <summary>
/// Builds the AWS clients NodeAgent uses, always from the <see cref="CredentialSource"/> it is given: never from the
/// agent's own environment (AWS_ACCESS_KEY_ID…), profile files or instance role, because the point is to test the
/// credentials the sources hold, not whatever the agent happens to run as.
/// <para>
/// Endpoint precedence, per service: the explicit setting in nodeagent.yaml (s3.endpoint / sts.endpoint) wins, then
/// AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL, then AWS itself. Config wins because it is what
/// an operator wrote for this agent on purpose; an environment variable may be inherited from a shell or unit file.
/// The SDK's own reading of endpoint variables and ~/.aws/config is switched off so this order is the only one.
/// </para>
/// <para>
/// Every client has a bounded timeout and at most one retry: the SDK defaults (100 s per attempt, several retries)
/// leave a probe hanging for minutes on a silent endpoint.
/// </para>
/// </summary>
public sealed class AwsClientFactory
{
    /// <summary>At most one retry: one transient error is forgiven, a broken endpoint is reported within the probe timeout.</summary>
    public const int MaxErrorRetry = 1;

    private readonly Func<string, string?> _environment;

    public AwsClientFactory(AgentOptions options, TimeSpan requestTimeout, Func<string, string?>? environment = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(requestTimeout, TimeSpan.Zero);
        RequestTimeout = requestTimeout;
        _environment = environment ?? Environment.GetEnvironmentVariable;
        S3Endpoint = AwsEndpoint.Resolve(options.S3.Endpoint, "s3.endpoint", "AWS_ENDPOINT_URL_S3", _environment);
        StsEndpoint = AwsEndpoint.Resolve(options.Sts.Endpoint, "sts.endpoint", "AWS_ENDPOINT_URL_STS", _environment);
    }

    public TimeSpan RequestTimeout { get; }

    public AwsEndpoint S3Endpoint { get; }

    public AwsEndpoint StsEndpoint { get; }

    /// <summary>
    /// Why the identity check cannot run, or null when it can. With a custom S3 endpoint and STS left on AWS, the
    /// keys belong to the S3-compatible store: asking AWS STS about them would report a false failure.
    /// </summary>
    public string? IdentitySkipReason => S3Endpoint.IsCustom && !StsEndpoint.IsCustom
        ? $"S3 goes to the custom endpoint {S3Endpoint.Url} ({S3Endpoint.Source}) and no STS endpoint is set, so the " +
          "keys are not AWS keys; set sts.endpoint (or AWS_ENDPOINT_URL_STS) if that store has an STS API"
        : null;

    /// <summary>
    /// The SDK credential object for a source. Static keys: a session token makes them temporary (ASIA…) credentials.
    /// An instance role's keys are the ones IMDSv2 handed out, always temporary; they are signed with as they are
    /// (not through the SDK's own instance-profile provider), so the probes test exactly what IMDS answered.
    /// <see cref="CredentialSource.InstanceProfile"/> has no keys yet: fetching them is the caller's step.
    /// </summary>
    public static AWSCredentials ToSdkCredentials(CredentialSource source) => source switch
    {
        CredentialSource.StaticKeys { Keys: var keys } => FromKeys(keys),
        CredentialSource.InstanceRole { Keys: var keys } => FromKeys(keys),
        _ => throw new UnreachableException($"no SDK credentials for {source.GetType().Name}"),
    };

    public AmazonS3Client CreateS3Client(CredentialSource credentials, string region)
    {
        var config = new AmazonS3Config
        {
            // S3-compatible stores mishandle the SDK's default flexible checksums (and the trailers they need).
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        Bound(config, S3Endpoint, region);
        if (S3Endpoint.IsCustom)
        {
            // Custom stores rarely have wildcard DNS for bucket.host virtual-hosted addressing.
            config.ForcePathStyle = true;
        }

        return new AmazonS3Client(ToSdkCredentials(credentials), config);
    }

    public AmazonSecurityTokenServiceClient CreateStsClient(CredentialSource credentials, string region)
    {
        var config = new AmazonSecurityTokenServiceConfig();
        Bound(config, StsEndpoint, region);
        return new AmazonSecurityTokenServiceClient(ToSdkCredentials(credentials), config);
    }

    /// <summary>Endpoint, signing region, a bounded timeout and at most one retry: shared by every client the agent builds.</summary>
    internal static void Bound(ClientConfig config, AwsEndpoint endpoint, string region, TimeSpan timeout)
    {
        config.IgnoreConfiguredEndpointUrls = true;
        config.Timeout = timeout;
        config.ConnectTimeout = timeout;
        config.MaxErrorRetry = MaxErrorRetry;
        if (endpoint.Url is { } url)
        {
            // ServiceURL and RegionEndpoint exclude each other; the signing region must still be the configured one.
            config.ServiceURL = url;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
    }

    private static AWSCredentials FromKeys(AwsCredentials keys) => keys.SessionToken is { } token
        ? new SessionAWSCredentials(keys.AccessKeyId.Reveal(), keys.SecretAccessKey.Reveal(), token.Reveal())
        : new BasicAWSCredentials(keys.AccessKeyId.Reveal(), keys.SecretAccessKey.Reveal());

    private void Bound(ClientConfig config, AwsEndpoint endpoint, string region) => Bound(config, endpoint, region, RequestTimeout);
}
