namespace NodeAgent.Sources;

/// <summary>
/// The AWS identity the probes and the rotation gate act as. A closed set: each way a host can hold its identity is
/// one nested subtype, and Aws/AwsClientFactory turns each into SDK credentials. Today there are only static
/// keys (the sources' keys, or the ones read back from the placed credentials file); a host without keys, on its
/// instance profile through IMDSv2, will be one more subtype here and one more arm in the factory.
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
}
