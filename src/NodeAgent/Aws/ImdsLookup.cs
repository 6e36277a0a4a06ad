using NodeAgent.Sources;

namespace NodeAgent.Aws;

/// <summary>Why IMDSv2 gave no usable instance role.</summary>
public enum ImdsFailure
{
    /// <summary>AWS_EC2_METADATA_DISABLED=true: nothing was asked.</summary>
    Disabled,

    /// <summary>No answer: connection refused, no route, timed out, the connection dropped.</summary>
    Unreachable,

    /// <summary>The session-token PUT (or the token itself) was refused: IMDSv2 is off or a PUT does not get through.</summary>
    TokenRefused,

    /// <summary>IMDS answers, but no instance profile is attached (404 on the role listing).</summary>
    NoRole,

    /// <summary>Something answered, but not as IMDSv2 does: an unexpected status, an oversized or unparsable body, a bad role name, a Code other than Success.</summary>
    BadAnswer,
}

/// <summary>One failed IMDS lookup: what happened (one line, naming the endpoint) and the operator's fix. Never holds a secret.</summary>
public sealed record ImdsProblem(ImdsFailure Kind, string Detail, string Fix);

/// <summary>
/// What one IMDSv2 lookup found: the instance role and its keys, or the problem. Exactly one of
/// <paramref name="Role"/> and <paramref name="Problem"/> is set.
/// </summary>
public sealed record ImdsLookup(CredentialSource.InstanceRole? Role, ImdsProblem? Problem, TimeSpan Elapsed)
{
    /// <summary>The endpoint that was asked, for the report row (null only for a lookup made up without one).</summary>
    public ImdsEndpoint? Endpoint { get; init; }
}
