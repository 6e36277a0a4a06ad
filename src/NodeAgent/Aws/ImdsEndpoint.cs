using NodeAgent.Configuration;

namespace NodeAgent.Aws;

/// <summary>Where IMDSv2 is asked, and which setting chose it.</summary>
/// <param name="Url">The metadata service's base URL without a trailing '/', or null when IMDS is switched off.</param>
/// <param name="Source">Which setting chose it, for messages: "imds.endpoint", "AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT" or "default".</param>
public sealed record ImdsEndpoint(string? Url, string Source)
{
    /// <summary>The link-local address IMDS answers on in every EC2 instance (IPv4; the IPv6 one must be enabled per instance).</summary>
    public const string DefaultUrl = "http://169.254.169.254";

    public bool IsDisabled => Url is null;

    /// <summary>
    /// The configured endpoint wins, since an operator wrote it for this agent on purpose; then the SDK's own
    /// variables in the order the SDK reads them: AWS_EC2_METADATA_DISABLED=true turns IMDS off before any endpoint
    /// variable is looked at, so a host that says "no IMDS" is never probed on an inherited endpoint.
    /// </summary>
    public static ImdsEndpoint Resolve(ImdsOptions options, Func<string, string?> environment)
    {
        if (!string.IsNullOrWhiteSpace(options.Endpoint))
        {
            return new(Normalise(options.Endpoint), "imds.endpoint");
        }

        if (string.Equals(environment("AWS_EC2_METADATA_DISABLED")?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return new(null, "AWS_EC2_METADATA_DISABLED");
        }

        if (environment("AWS_EC2_METADATA_SERVICE_ENDPOINT") is { } variable && !string.IsNullOrWhiteSpace(variable))
        {
            return new(Normalise(variable), "AWS_EC2_METADATA_SERVICE_ENDPOINT");
        }

        return new(DefaultUrl, "default");
    }

    private static string Normalise(string url) => url.Trim().TrimEnd('/');
}
