namespace NodeAgent.Probes;

public enum ProbeStatus
{
    Ok,
    Failed,
    Skipped,

    /// <summary>Works now, but will not for long or hurts something else (credentials about to expire, an identity clash): does not fail the run.</summary>
    Warning,
}

/// <summary>A check against the outside world. Implementations report failures as results; they do not throw for them.</summary>
public interface IProbe
{
    /// <summary>The probe kind plus what it targets, e.g. "bucket raw"; used when the probe itself fails or times out.</summary>
    string Name { get; }

    Task<IReadOnlyList<ProbeResult>> RunAsync(CancellationToken ct);
}

/// <summary>
/// One checked fact. <paramref name="Probe"/> names the kind of check ("identity", "bucket"),
/// <paramref name="Target"/> what was checked ("sts", "raw:expanso-raw:s3:PutObject"). A failure always says
/// why in <paramref name="Detail"/> and what to do in <paramref name="Fix"/>; neither ever holds a secret.
/// <paramref name="Failure"/> says what kind of AWS failure a failed AWS probe met, so a rotation can tell keys AWS
/// rejected from an AWS it could not reach; it is not part of the stored report.
/// </summary>
public sealed record ProbeResult(string Probe, string Target, ProbeStatus Status, string Detail, string? Fix, TimeSpan Duration,
    AwsFailureKind? Failure = null);
