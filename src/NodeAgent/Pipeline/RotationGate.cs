using NodeAgent.Configuration;
using NodeAgent.Failures;
using NodeAgent.Probes;
using NodeAgent.Sources;

namespace NodeAgent.Pipeline;

public enum RotationVerdict
{
    /// <summary>The sources hold the keys that are placed.</summary>
    NoChange,

    /// <summary>Nothing usable is placed yet: there is no working key to protect, so the new one is written and then probed.</summary>
    FirstPlacement,

    /// <summary>rotation.verify_before_swap is off.</summary>
    Unchecked,

    Verified,

    /// <summary>AWS could not be reached; applied because rotation.when_unverifiable is apply.</summary>
    UnverifiableApplied,

    /// <summary>AWS could not be reached; nothing changed because rotation.when_unverifiable is keep.</summary>
    UnverifiableKept,

    /// <summary>AWS rejected the new keys (unknown key, wrong secret, expired token, access denied): nothing changed.</summary>
    Rejected,
}

/// <param name="Message">One line for the report, STATUS and the journal; keys only ever masked.</param>
/// <param name="Proof">The failed checks of the new keys, for the report.</param>
public sealed record RotationCheck(RotationVerdict Verdict, string Message, IReadOnlyList<ProbeResult> Proof)
{
    public bool Swaps => Verdict is not (RotationVerdict.Rejected or RotationVerdict.UnverifiableKept);

    public bool ChangesKeys => Verdict is not RotationVerdict.NoChange;
}

/// <summary>
/// Verified rotation: when the sources carry other keys than the placed ones, the new keys must prove themselves
/// (STS identity, ListBucket and GetBucketLocation on every bucket) before any target or container is touched, so a
/// typo or a revoked key in an upload never replaces a working one. A verdict is remembered for the same pair of
/// keys until <paramref name="recheckAfter"/> passes, so the daemon's drift cycles do not ask AWS every minute.
/// </summary>
public sealed class RotationGate(ProbeSuite probes, RotationOptions options, TimeProvider clock, TimeSpan recheckAfter)
{
    private (string Pair, RotationCheck Check, DateTimeOffset At)? _remembered;

    public async Task<RotationCheck> CheckAsync(CredentialSet set, TimeSpan timeout, CancellationToken ct)
    {
        var placed = probes.PlacedIdentity();
        var fresh = set.Identity;
        if (placed is null)
        {
            // On the instance profile no credentials file is the state aimed for, not a first placement: calling it
            // one would make every daemon cycle a key change, and so a full probe run with S3 writes.
            return fresh is CredentialSource.InstanceProfile
                ? new RotationCheck(RotationVerdict.NoChange, $"using {fresh.Masked}", [])
                : new RotationCheck(RotationVerdict.FirstPlacement, $"first placement of {fresh.Masked}", []);
        }

        if (placed.Equals(fresh))
        {
            return new RotationCheck(RotationVerdict.NoChange, $"using {placed.Masked}", []);
        }

        if (!options.VerifyBeforeSwap)
        {
            return new RotationCheck(RotationVerdict.Unchecked,
                $"rotating {placed.Masked} → {fresh.Masked} unverified (rotation.verify_before_swap: false)", []);
        }

        var pair = placed.Fingerprint + fresh.Fingerprint;
        if (_remembered is { } r && r.Pair == pair && clock.GetUtcNow() - r.At < recheckAfter)
        {
            return r.Check;
        }

        var check = Judge(placed, fresh, await probes.ProveAsync(set, timeout, ct).ConfigureAwait(false));
        _remembered = (pair, check, clock.GetUtcNow());
        return check;
    }

    private RotationCheck Judge(CredentialSource placed, CredentialSource fresh, IReadOnlyList<ProbeResult> proof)
    {
        var failed = proof.Where(p => p.Status == ProbeStatus.Failed).ToList();
        var rejected = failed.FirstOrDefault(p => p.Failure is AwsFailureKind.Credentials or AwsFailureKind.AccessDenied);
        var stillUsing = $"still using {placed.Masked}";
        if (rejected is not null)
        {
            return new RotationCheck(RotationVerdict.Rejected, $"new credentials rejected: {rejected.Detail}; {stillUsing}", failed);
        }

        var unreachable = failed.FirstOrDefault(p => p.Failure is AwsFailureKind.Unreachable or AwsFailureKind.Timeout);
        if (unreachable is not null)
        {
            return options.WhenUnverifiable == UnverifiableRotation.Keep
                ? new RotationCheck(RotationVerdict.UnverifiableKept,
                    $"new credentials {fresh.Masked} could not be verified: {unreachable.Detail}; {stillUsing} (rotation.when_unverifiable: keep)", failed)
                : new RotationCheck(RotationVerdict.UnverifiableApplied,
                    $"new credentials {fresh.Masked} could not be verified ({unreachable.Detail}); applied anyway, since the old key may be the revoked one (rotation.when_unverifiable: apply)", failed);
        }

        return new RotationCheck(RotationVerdict.Verified, $"rotated {placed.Masked} → {fresh.Masked} after verifying the new key", []);
    }
}

/// <summary>The sources' new keys were not swapped in (rejected, or unverifiable with `keep`): nothing was changed.</summary>
public sealed class CredentialsNotSwappedException(RotationCheck check) : AgentException(check.Message)
{
    public RotationCheck Check { get; } = check;

    public override int ExitCode => Cli.ExitCodes.RotationRejected;

    public override string Phase => "rotation";

    public override IReadOnlyList<AgentProblem> Problems =>
    [
        new AgentProblem("rotation", Check.Message, Check.Proof.FirstOrDefault(p => p.Probe == InstanceMetadataRows.ProbeName)?.Fix is { } roleFix
            // A switch to the instance profile was refused: what is wrong is the role or IMDS, not a key in the sources.
            ? $"{roleFix}; the placed keys keep working meanwhile"
            : Check.Verdict == RotationVerdict.Rejected
                ? "put a working key into the sources (or grant the missing permission to its IAM user); the placed key keeps working meanwhile"
                : "restore the network path to AWS and the rotation happens on the next cycle; or set rotation.when_unverifiable: apply"),
    ];

    public override string? Closing(bool writes) => "nodeagent: the new credentials were not placed; nothing was changed.";
}
