using System.Globalization;
using System.Reflection;

namespace NodeAgent.Pipeline;

/// <summary>
/// What was built: the version (from packaging/debian/changelog, its one home), the commit the SDK's source link
/// stamped into the informational version, and the build date taken from SOURCE_DATE_EPOCH.
/// </summary>
public static class AgentVersion
{
    private static readonly Assembly Self = typeof(AgentVersion).Assembly;

    private static readonly string Informational =
        Self.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The version without the commit suffix.</summary>
    public static string Current { get; } = Informational.Split('+')[0];

    /// <summary>The commit's hash, or null when the tree was built outside git.</summary>
    public static string? Commit { get; } = Informational.Contains('+', StringComparison.Ordinal) ? Informational.Split('+')[1] : null;

    /// <summary>When the commit was made (build.sh exports it as SOURCE_DATE_EPOCH); null for a bare `dotnet build`.</summary>
    public static DateTimeOffset? BuildDate { get; } = ReadBuildDate();

    /// <summary>The `--version` line: `nodeagent 0.2.0 (commit 69b737c1a2b3, built 2026-12-02T00:46:10Z)`.</summary>
    public static string Describe()
    {
        var commit = Commit is null ? "commit unknown" : $"commit {Commit[..Math.Min(12, Commit.Length)]}";
        var built = BuildDate is { } date
            ? $"built {date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}"
            : "build date unknown";
        return $"nodeagent {Current} ({commit}, {built})";
    }

    private static DateTimeOffset? ReadBuildDate()
    {
        var epoch = Self.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "NodeAgentBuildEpoch")?.Value;
        return long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
    }
}
