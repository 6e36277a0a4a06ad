using System.Globalization;

using NodeAgent.Aws;

namespace NodeAgent.Probes;

/// <summary>The report row of one IMDSv2 lookup: the instance role and how long its keys last, or why there is none.</summary>
public static class InstanceMetadataRows
{
    public const string ProbeName = "imds";

    public const string Target = "imdsv2";

    /// <summary>
    /// IMDS hands out new role keys at least five minutes before the old ones expire (usually hours before), so keys
    /// this close to expiry mean the refresh is not happening, or the host clock is off.
    /// </summary>
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromMinutes(15);

    private const string ExpiryFix =
        "IMDS refreshes role credentials well before they expire: one this close to expiry was not refreshed; check " +
        "the instance profile is still attached and the host clock (chronyc tracking)";

    public static ProbeResult For(ImdsLookup lookup, DateTimeOffset now)
    {
        if (lookup.Role is not { } role)
        {
            var problem = lookup.Problem ?? new ImdsProblem(ImdsFailure.BadAnswer, "IMDS gave neither a role nor a reason", "report this as a bug");
            var status = problem.Kind == ImdsFailure.Disabled ? ProbeStatus.Skipped : ProbeStatus.Failed;
            return new ProbeResult(ProbeName, Target, status, problem.Detail, problem.Fix, lookup.Elapsed);
        }

        var where = lookup.Endpoint?.Url is { } url ? $"IMDSv2 answers at {url}" : "IMDSv2 answers";
        var expires = role.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var left = role.Expiration - now;
        var lead = $"{where} (token PUT ok); role {role.RoleName}; credentials";
        var key = $"key {role.Keys.AccessKeyId.Masked}";
        if (left <= TimeSpan.Zero)
        {
            return new ProbeResult(ProbeName, Target, ProbeStatus.Warning,
                $"{lead} expired {Span(-left)} ago ({expires}), and IMDS still hands them out; {key}", ExpiryFix, lookup.Elapsed);
        }

        if (left < ExpiryWarning)
        {
            return new ProbeResult(ProbeName, Target, ProbeStatus.Warning,
                $"{lead} expire in {Span(left)} ({expires}), within {ExpiryWarning.TotalMinutes:0} min of now; {key}", ExpiryFix, lookup.Elapsed);
        }

        return new ProbeResult(ProbeName, Target, ProbeStatus.Ok, $"{lead} expire in {Span(left)} ({expires}); {key}", null, lookup.Elapsed);
    }

    /// <summary>5 h 58 min, 12 min, 40 s: whole units, rounded down, as an operator reads them.</summary>
    private static string Span(TimeSpan span) => span switch
    {
        { TotalHours: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes} min"),
        { TotalMinutes: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalSeconds} s"),
    };
}
