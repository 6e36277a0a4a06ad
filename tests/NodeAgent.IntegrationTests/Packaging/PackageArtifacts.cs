using System.Text.RegularExpressions;

namespace NodeAgent.IntegrationTests.Packaging;

/// <summary>A [Fact] that needs the packages built (./build.sh package; CI always builds them, so a skip fails CI).</summary>
public sealed class PackageFactAttribute : FactAttribute
{
    public PackageFactAttribute()
    {
        Skip = PackageArtifacts.Missing();
    }
}

/// <summary>A [Theory] over the architectures that needs the packages built.</summary>
public sealed class PackageTheoryAttribute : TheoryAttribute
{
    public PackageTheoryAttribute()
    {
        Skip = PackageArtifacts.Missing();
    }
}

/// <summary>The outputs of `./build.sh package`: both .deb files and both published binaries.</summary>
internal static partial class PackageArtifacts
{
    public static readonly string[] Architectures = ["amd64", "arm64"];

    /// <summary>The version, from its one home: the first entry of packaging/debian/changelog.</summary>
    public static string Version { get; } =
        ChangelogVersion().Match(File.ReadAllText(RepositoryFiles.PathOf("packaging/debian/changelog"))).Groups[1].Value;

    public static string Deb(string architecture) =>
        RepositoryFiles.PathOf($"artifacts/nodeagent_{Version}_{architecture}.deb");

    public static string Binary(string architecture) =>
        RepositoryFiles.PathOf($"artifacts/{(architecture == "amd64" ? "linux-x64" : "linux-arm64")}/nodeagent");

    /// <summary>Null when every artifact and tool the packaging tests read is here.</summary>
    public static string? Missing()
    {
        foreach (var architecture in Architectures)
        {
            if (!File.Exists(Deb(architecture)) || !File.Exists(Binary(architecture)))
            {
                return $"{Deb(architecture)} or its binary is missing; run ./build.sh package";
            }
        }

        var tools = new[] { "dpkg-deb", "lintian", "systemd-analyze", "qemu-aarch64-static", "cloud-init", "dh" };
        return tools.FirstOrDefault(tool => !Tool.IsOnPath(tool)) is { } absent
            ? $"{absent} is not installed; .ci/run installs the packaging tools (see its apt-get list)"
            : null;
    }

    [GeneratedRegex(@"^nodeagent \(([^)]+)\)")]
    private static partial Regex ChangelogVersion();
}
