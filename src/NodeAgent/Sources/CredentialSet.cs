namespace NodeAgent.Sources;

/// <summary>Static AWS credentials as the sources give them.</summary>
public sealed record AwsCredentials(Secret AccessKeyId, Secret SecretAccessKey, Secret? SessionToken)
{
    /// <summary>Every value of these credentials that must be masked wherever text derived from them is shown.</summary>
    public IReadOnlyList<Secret> Secrets =>
        SessionToken is { } token ? [AccessKeyId, SecretAccessKey, token] : [AccessKeyId, SecretAccessKey];
}

/// <summary>One bucket role (raw, schematized, …) and the bucket that serves it.</summary>
public sealed record BucketAssignment(string Role, string Name)
{
    /// <summary>The variable name in .env files: S3_BUCKET_RAW for role "raw".</summary>
    public string EnvironmentVariable => "S3_BUCKET_" + Role.ToUpperInvariant().Replace('-', '_');
}

/// <summary>Which way the host holds its identity, and why that way was picked (shown by apply --dry-run and verify).</summary>
public sealed record CredentialsChoice(bool InstanceProfile, string Reason)
{
    public string Name => InstanceProfile ? "instance-profile" : "static";
}

/// <summary>
/// The one validated model of truth. After the sources are read, nothing re-reads a source file:
/// rendering, planning, restarting and probing all take this.
/// <see cref="Credentials"/> are the keys the targets are rendered from, null in instance-profile mode (no key is
/// written anywhere); <see cref="Identity"/> is who the probes and the rotation gate act as.
/// </summary>
public sealed record CredentialSet(
    AwsCredentials? Credentials,
    string Region,
    IReadOnlyList<BucketAssignment> Buckets,
    IReadOnlyList<KeyValuePair<string, string>> PassThroughEnvironment)
{
    public CredentialsChoice Choice { get; init; } = new(false, "the sources hold keys");

    public bool IsInstanceProfile => Credentials is null;

    public CredentialSource Identity => Credentials is { } keys
        ? new CredentialSource.StaticKeys(keys)
        : new CredentialSource.InstanceProfile();

    /// <summary>Every secret the set holds (none in instance-profile mode).</summary>
    public IReadOnlyList<Secret> Secrets => Credentials?.Secrets ?? [];
}
