namespace NodeAgent.Sources;

/// <summary>
/// The AWS identity the probes and the rotation gate act as. A closed set: each way a host can hold its identity is
/// one nested subtype, and Aws/AwsClientFactory turns each into SDK credentials: static keys (the sources' keys, or
/// the ones read back from the placed credentials file), or the EC2 instance role, whose temporary keys IMDSv2 hands
/// out (<see cref="InstanceProfile"/> until they are fetched, <see cref="InstanceRole"/> once they are).
/// </summary>
public abstract record CredentialSource
{
    // Closed: only the nested subtypes below can derive.
    private CredentialSource()
    {
    }

    /// <summary>How this identity is named in messages, secrets masked (the access key id as AKIA…WXYZ).</summary>
    public abstract string Masked { get; }

    /// <summary>Every value that must be masked wherever text derived from this identity is shown.</summary>
    public abstract IReadOnlyList<Secret> Secrets { get; }

    /// <summary>Tells two identities apart without holding a secret (the rotation gate remembers verdicts by it).</summary>
    public abstract string Fingerprint { get; }

    /// <summary>An access key pair, with a session token for temporary (ASIA…) keys.</summary>
    public sealed record StaticKeys(AwsCredentials Keys) : CredentialSource
    {
        public override string Masked => Keys.AccessKeyId.Masked;

        public override IReadOnlyList<Secret> Secrets => Keys.Secrets;

        public override string Fingerprint =>
            Keys.AccessKeyId.Fingerprint + Keys.SecretAccessKey.Fingerprint + (Keys.SessionToken?.Fingerprint ?? "-");
    }

    /// <summary>
    /// The host's EC2 instance role, before its keys are fetched: what a set without static keys stands for. Probes
    /// fetch the role's keys through IMDSv2 first (<see cref="InstanceRole"/>); nothing signs with this itself.
    /// </summary>
    public sealed record InstanceProfile : CredentialSource
    {
        public override string Masked => "the instance profile";

        public override IReadOnlyList<Secret> Secrets => [];

        public override string Fingerprint => "instance-profile";
    }

    /// <summary>The temporary keys IMDSv2 handed out for the instance role <paramref name="RoleName"/>, valid until <paramref name="Expiration"/>.</summary>
    public sealed record InstanceRole(string RoleName, AwsCredentials Keys, DateTimeOffset Expiration) : CredentialSource
    {
        public override string Masked => $"instance role {RoleName}, key {Keys.AccessKeyId.Masked}";

        public override IReadOnlyList<Secret> Secrets => Keys.Secrets;

        public override string Fingerprint => "instance-role:" + RoleName;
    }
}
