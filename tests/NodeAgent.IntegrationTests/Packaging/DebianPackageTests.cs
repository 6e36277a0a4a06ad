using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

using NodeAgent.Configuration;

namespace NodeAgent.IntegrationTests.Packaging;

/// <summary>
/// The .deb files `./build.sh package` makes, read with Debian's own tools (dpkg-deb, lintian, man): what is in them,
/// with which modes, which files are conffiles, and that the same inputs give the same bytes.
/// </summary>
public sealed partial class DebianPackageTests
{
    public static TheoryData<string> Architectures => new(PackageArtifacts.Architectures);

    [PackageTheory]
    [MemberData(nameof(Architectures))]
    public async Task Control_fields_name_the_version_from_the_changelog_the_architecture_and_every_library_loaded(string architecture)
    {
        var fields = await FieldsAsync(architecture);

        Assert.Equal("nodeagent", fields["Package"]);
        Assert.Equal(PackageArtifacts.Version, fields["Version"]);
        Assert.Equal(architecture, fields["Architecture"]);
        Assert.Equal("admin", fields["Section"]);
        // libc and zlib come from dpkg-shlibdeps; OpenSSL is loaded with dlopen, so it is declared by hand.
        Assert.Matches(@"(^|, )libc6 \(>= [0-9.]+\)", fields["Depends"]);
        Assert.Matches(@"(^|, )zlib1g \(>= [^)]+\)", fields["Depends"]);
        Assert.Contains("libssl3 | libssl1.1", fields["Depends"], StringComparison.Ordinal);
        Assert.DoesNotContain("Requires", fields.Keys);
        Assert.StartsWith("keeps a sensor host's AWS credentials", fields["Description"], StringComparison.Ordinal);
    }

    [PackageTheory]
    [MemberData(nameof(Architectures))]
    public async Task The_package_holds_exactly_the_agent_its_unit_conffile_tmpfiles_entry_man_page_and_docs_with_their_modes(string architecture)
    {
        var contents = await Tool.OutputOfAsync("dpkg-deb", "--contents", PackageArtifacts.Deb(architecture));
        var files = ContentLine().Matches(contents)
            .Where(m => !m.Groups["mode"].Value.StartsWith('d'))
            .ToDictionary(m => m.Groups["path"].Value, m => (Mode: m.Groups["mode"].Value, Owner: m.Groups["owner"].Value));

        var expected = new Dictionary<string, string>
        {
            ["/usr/bin/nodeagent"] = "-rwxr-xr-x",
            ["/lib/systemd/system/nodeagent.service"] = "-rw-r--r--",
            ["/etc/nodeagent/nodeagent.yaml"] = "-rw-r--r--",
            ["/usr/lib/tmpfiles.d/nodeagent.conf"] = "-rw-r--r--",
            ["/usr/share/man/man8/nodeagent.8.gz"] = "-rw-r--r--",
            ["/usr/share/doc/nodeagent/README.md"] = "-rw-r--r--",
            ["/usr/share/doc/nodeagent/deployment-README.md"] = "-rw-r--r--",
            ["/usr/share/doc/nodeagent/changelog.gz"] = "-rw-r--r--",
            ["/usr/share/doc/nodeagent/copyright"] = "-rw-r--r--",
            ["/usr/share/lintian/overrides/nodeagent"] = "-rw-r--r--",
        };
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), files.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, mode) in expected)
        {
            Assert.Equal((mode, "root/root"), files[path]);
        }

        var conffiles = await ControlFileAsync(architecture, "conffiles");
        Assert.Equal(["/etc/nodeagent/nodeagent.yaml"], conffiles.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [PackageTheory]
    [MemberData(nameof(Architectures))]
    public async Task The_binary_inside_is_built_for_the_package_architecture(string architecture)
    {
        using var extracted = await ExtractAsync(architecture);
        var elf = File.ReadAllBytes(Path.Combine(extracted.Path, "usr/bin/nodeagent"));

        // ELF e_machine at offset 18: 62 is x86-64, 183 is AArch64.
        Assert.Equal("\u007fELF"u8.ToArray(), elf[..4]);
        Assert.Equal(architecture == "amd64" ? 62 : 183, BitConverter.ToUInt16(elf, 18));
        Assert.Equal(File.ReadAllBytes(PackageArtifacts.Binary(architecture)), elf);
    }

    [PackageFact]
    public async Task The_conffile_holds_every_default_commented_out_and_parses_to_the_built_in_defaults()
    {
        using var extracted = await ExtractAsync("amd64");
        var conffile = Path.Combine(extracted.Path, "etc/nodeagent/nodeagent.yaml");
        var lines = File.ReadAllLines(conffile);

        Assert.All(lines, line => Assert.True(line.Length == 0 || line.TrimStart().StartsWith('#'), $"not commented out: {line}"));
        // Uncommenting gives back deployment/nodeagent.yaml's keys and values, which a test holds equal to the defaults.
        var documented = File.ReadAllLines(RepositoryFiles.PathOf("deployment/nodeagent.yaml")).Where(IsSetting).ToList();
        var uncommented = lines.Where(l => l.StartsWith('#')).Select(l => l[1..]).Where(IsSetting).ToList();
        Assert.Equal(documented, uncommented);
        Assert.Contains("systemctl reload nodeagent", File.ReadAllText(conffile), StringComparison.Ordinal);

        var loaded = AgentOptionsLoader.Load(conffile, mustExist: true);
        Assert.Equal(new AgentOptions().StateDirectory, loaded.StateDirectory);
        Assert.Equal(new AgentOptions().Sources.Directory, loaded.Sources.Directory);
    }

    [PackageFact]
    public async Task The_man_page_is_generated_from_the_CLI_help_and_lists_every_command_and_option()
    {
        using var extracted = await ExtractAsync("amd64");
        using var gz = new GZipStream(File.OpenRead(Path.Combine(extracted.Path, "usr/share/man/man8/nodeagent.8.gz")), CompressionMode.Decompress);
        var page = new StreamReader(gz, Encoding.UTF8).ReadToEnd();
        Assert.StartsWith(".TH NODEAGENT 8 ", page, StringComparison.Ordinal);
        Assert.Contains($"\"nodeagent {PackageArtifacts.Version}\"", page, StringComparison.Ordinal);

        // groff with every warning on: the page renders cleanly.
        var manPath = Path.Combine(extracted.Path, "nodeagent.8");
        File.WriteAllText(manPath, page);
        var render = await Tool.RunAsync("groff", "-man", "-Tutf8", "-ww", "-z", manPath);
        Assert.True(render.ExitCode == 0 && render.Error.Length == 0, render.ToString());

        var rendered = (await Tool.OutputOfAsync("man", "-l", "-P", "cat", manPath)).Replace("\u2010", "-", StringComparison.Ordinal);
        var flat = WhiteSpace().Replace(rendered, " ");
        var help = await Tool.OutputOfAsync(PackageArtifacts.Binary("amd64"), "--help");
        var commands = HelpCommand().Matches(help[help.IndexOf("Commands:", StringComparison.Ordinal)..]).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["apply", "verify", "status", "run", "fleet"], commands);
        foreach (var command in commands)
        {
            Assert.Contains($"nodeagent {command} [options]", flat, StringComparison.Ordinal);
            var commandHelp = await Tool.OutputOfAsync(PackageArtifacts.Binary("amd64"), command, "--help");
            foreach (var option in HelpOption().Matches(commandHelp).Select(m => m.Groups[1].Value))
            {
                Assert.Contains(option, flat, StringComparison.Ordinal);
            }
        }
    }

    [PackageFact]
    public async Task Lintian_finds_no_error_or_warning_and_every_remaining_tag_is_overridden_with_a_reason()
    {
        foreach (var architecture in PackageArtifacts.Architectures)
        {
            var run = await Tool.RunAsync("lintian", "--pedantic", "--display-info", "--fail-on", "error,warning", PackageArtifacts.Deb(architecture));
            var tags = run.Output.Split('\n').Where(l => Regex.IsMatch(l, "^[EWIPX]: ")).ToList();
            Assert.True(run.ExitCode == 0 && tags.Count == 0, run.ToString());
        }

        // Each override carries its reason on the comment lines above it.
        var overrides = File.ReadAllLines(RepositoryFiles.PathOf("packaging/debian/nodeagent.lintian-overrides"));
        for (var i = 0; i < overrides.Length; i++)
        {
            if (overrides[i].StartsWith("nodeagent:", StringComparison.Ordinal))
            {
                Assert.True(i > 0 && overrides[i - 1].StartsWith("# ", StringComparison.Ordinal), $"override without a reason: {overrides[i]}");
            }
        }
    }

    [PackageFact]
    public async Task The_same_inputs_give_the_same_deb_bytes()
    {
        var second = Directory.CreateTempSubdirectory("nodeagent-deb-again-").FullName;
        try
        {
            var run = await Tool.RunAsync("bash", ["packaging/build-deb.sh", "amd64", PackageArtifacts.Binary("amd64")],
                environment: new Dictionary<string, string> { ["NODEAGENT_DEB_OUT"] = second, ["SOURCE_DATE_EPOCH"] = await BuildEpochAsync() });
            Assert.True(run.ExitCode == 0, run.ToString());
            var again = Path.Combine(second, Path.GetFileName(PackageArtifacts.Deb("amd64")));
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(PackageArtifacts.Deb("amd64")))),
                Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(again))));
        }
        finally
        {
            Directory.Delete(second, recursive: true);
        }
    }

    [PackageFact]
    public async Task Version_prints_the_changelog_version_the_commit_and_the_build_date()
    {
        var line = (await Tool.OutputOfAsync(PackageArtifacts.Binary("amd64"), "--version")).Trim();
        Assert.Matches($@"^nodeagent {Regex.Escape(PackageArtifacts.Version)} \(commit [0-9a-f]{{12}}, built \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$", line);
        var built = DateTimeOffset.FromUnixTimeSeconds(long.Parse(await BuildEpochAsync(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(built.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
    }

    /// <summary>The build date the artifacts carry: the package's own file dates are SOURCE_DATE_EPOCH.</summary>
    private static async Task<string> BuildEpochAsync()
    {
        var contents = await Tool.OutputOfAsync("dpkg-deb", "--contents", PackageArtifacts.Deb("amd64"));
        var line = contents.Split('\n').First(l => l.EndsWith("./usr/bin/nodeagent", StringComparison.Ordinal));
        var stamp = DateTime.ParseExact(ContentLine().Match(line).Groups["date"].Value, "yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        using var extracted = await ExtractAsync("amd64");
        var mtime = File.GetLastWriteTimeUtc(Path.Combine(extracted.Path, "usr/bin/nodeagent"));
        Assert.Equal(stamp.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), mtime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        return new DateTimeOffset(mtime, TimeSpan.Zero).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool IsSetting(string line) => Regex.IsMatch(line, @"^\s*[a-z_]+:|^\s*- ");

    private static async Task<Dictionary<string, string>> FieldsAsync(string architecture)
    {
        var control = await ControlFileAsync(architecture, "control");
        return Regex.Matches(control, @"^(?<name>[A-Za-z-]+): (?<value>.*)$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);
    }

    private static Task<string> ControlFileAsync(string architecture, string name) =>
        Tool.OutputOfAsync("dpkg-deb", "--info", PackageArtifacts.Deb(architecture), name);

    private static async Task<TempDirectory> ExtractAsync(string architecture)
    {
        var directory = new TempDirectory();
        await Tool.OutputOfAsync("dpkg-deb", "-x", PackageArtifacts.Deb(architecture), directory.Path);
        return directory;
    }

    [GeneratedRegex(@"^(?<mode>[-dlrwxs]{10}) (?<owner>\S+)\s+\d+ (?<date>\d{4}-\d\d-\d\d \d\d:\d\d) \.(?<path>/\S*)$", RegexOptions.Multiline)]
    private static partial Regex ContentLine();

    [GeneratedRegex(@"^  ([a-z]+)\s{2,}", RegexOptions.Multiline)]
    private static partial Regex HelpCommand();

    [GeneratedRegex(@"^  (?:-\?, -h, )?(--[a-z-]+)", RegexOptions.Multiline)]
    private static partial Regex HelpOption();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}

internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("nodeagent-pkg-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
