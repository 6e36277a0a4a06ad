using System.Globalization;

using NodeAgent.Pipeline;

namespace NodeAgent.Probes;

/// <summary>The age on this host of the key in use, as a report row and as a number for the metrics.</summary>
/// <param name="Key">The masked access key id (AKIA…WXYZ).</param>
/// <param name="Age">Now minus its first placement here; null when this host has no record of it yet.</param>
public sealed record KeyAge(string Key, TimeSpan? Age, ProbeResult Row);

/// <summary>
/// Turns a <see cref="KeyAgeEntry"/> into the "key-age" row: ok while the key is younger than
/// rotation.max_key_age_days, a warning past it (AWS Security Hub IAM.3 asks for 90 days). A warning, not a failure:
/// the key still works, and an old key is a reason to rotate, not to stop the host's uploads.
/// </summary>
public static class KeyAgeRow
{
    public const string ProbeName = "key-age";

    public static KeyAge For(string maskedKey, KeyAgeEntry? entry, DateTimeOffset now, int maxKeyAgeDays)
    {
        if (entry is null)
        {
            // A key the old script (or a person) placed: its first placement here happened before NodeAgent looked.
            return new KeyAge(maskedKey, null, Row(ProbeStatus.Ok, maskedKey,
                "no age yet: NodeAgent has not placed this key on this host (its first apply will record it)", null));
        }

        var age = now - entry.FirstPlaced;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero; // a clock stepped back must not make a key look as if it came from the future
        }

        var days = (int)age.TotalDays;
        var when = days switch { 0 => "today", 1 => "1 day ago", _ => $"{days} days ago" };
        var detail = $"first placed on this host {when} ({entry.FirstPlaced.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})";
        if (days < maxKeyAgeDays)
        {
            return new KeyAge(maskedKey, age, Row(ProbeStatus.Ok, maskedKey, detail, null));
        }

        return new KeyAge(maskedKey, age, Row(ProbeStatus.Warning, maskedKey,
            $"{detail}: older than rotation.max_key_age_days ({maxKeyAgeDays}; AWS Security Hub IAM.3)",
            "rotate it: create a new access key for its IAM user, put it into the sources (NodeAgent verifies it before the swap), " +
            $"then deactivate and delete {maskedKey} in IAM"));
    }

    /// <summary>The ledger could not be read or written: the age is unknown, or would look too young, which the operator should know.</summary>
    public static KeyAge Unknown(string maskedKey, string problem) =>
        new(maskedKey, null, Row(ProbeStatus.Warning, maskedKey, $"its first placement on this host could not be read or recorded: {problem}",
            "make the state directory writable by root (rotation.max_key_age_days is judged from it)"));

    private static ProbeResult Row(ProbeStatus status, string key, string detail, string? fix) =>
        new(ProbeName, key, status, detail, fix, TimeSpan.Zero);
}
