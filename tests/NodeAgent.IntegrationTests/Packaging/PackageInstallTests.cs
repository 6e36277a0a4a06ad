using System.Globalization;
using System.Text.RegularExpressions;

namespace NodeAgent.IntegrationTests.Packaging;

/// <summary>
/// The amd64 package installed on this machine with dpkg, reinstalled as an upgrade, removed and purged: what each
/// step leaves behind. Outside a booted systemd (CI here) postinst must enable the unit and not start it; the
/// booted-host start is the end-to-end test's. The machine is left as it was found.
/// </summary>
public sealed partial class PackageInstallTests
{
    private const string Unit = "/lib/systemd/system/nodeagent.service";
    private const string Enabled = "/etc/systemd/system/multi-user.target.wants/nodeagent.service";
    private const string Conffile = "/etc/nodeagent/nodeagent.yaml";
    private const string PolicyRcD = "/usr/sbin/policy-rc.d";
    private static readonly string[] TmpfilesDirectories = ["/opt/sensor", "/root/.aws"];
    private static readonly string[] ExplainedSettings =
        ["User=root", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "PrivateUsers=no", "PrivateNetwork=no", "AF_UNIX", "IPAddressDeny", "ProtectHome=no"];

    [PackageFact]
    public async Task Install_enables_the_unit_upgrade_keeps_an_edited_conffile_and_purge_removes_only_the_agent_own_state()
    {
        // Installed, or removed with its configuration kept ("rc"): either way the final purge would take the
        // operator's files, so the test refuses to run.
        var already = await Tool.RunAsync("dpkg-query", "-W", "-f=${db:Status-Abbrev}", "nodeagent");
        Assert.True(already.ExitCode != 0 || already.Output.Trim() is "" or "un" or "pn",
            $"nodeagent is on this machine ({already.Output.Trim()}) and this test would replace and purge it; remove it first: dpkg -P nodeagent");
        var placed = new Sentinel("/opt/sensor/config/nodeagent-install-test.placed");
        var source = new Sentinel("/opt/deployment/etc/aws/credentials/nodeagent-install-test.source");
        // tmpfiles.d makes these two when missing, and purge rightly keeps them: the test removes them if it made them.
        var madeByPackage = TmpfilesDirectories.Where(dir => !Directory.Exists(dir)).ToList();
        var rootAwsMode = Directory.Exists("/root/.aws") ? File.GetUnixFileMode("/root/.aws") : (UnixFileMode?)null;
        // Where systemd runs, postinst would start the real agent, which writes /root/.aws and restarts containers
        // on a developer's machine: a policy-rc.d that refuses every start keeps it from doing so, as Debian intends.
        var blockStart = Directory.Exists("/run/systemd/system") && !File.Exists(PolicyRcD);
        if (blockStart)
        {
            File.WriteAllText(PolicyRcD, "#!/bin/sh\nexit 101\n");
            File.SetUnixFileMode(PolicyRcD, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        try
        {
            await DpkgAsync("-i", PackageArtifacts.Deb("amd64"));

            Assert.StartsWith($"nodeagent {PackageArtifacts.Version} (", await Tool.OutputOfAsync("/usr/bin/nodeagent", "--version"), StringComparison.Ordinal);
            Assert.Equal(Conffile, (await Tool.OutputOfAsync("dpkg-query", "-W", "-f=${Conffiles}", "nodeagent")).Trim().Split(' ')[0]);
            Assert.Equal(Unit, File.ResolveLinkTarget(Enabled, returnFinalTarget: false)?.FullName);
            // The tmpfiles entry ran: the unit binds /root/.aws into an empty /root, so it must exist before start.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode("/root/.aws"));
            Assert.True(Directory.Exists("/opt/sensor"));
            // Outside systemd postinst enables without starting; under systemd policy-rc.d refused the start. The
            // start on a booted host is the end-to-end test's (tests/e2e).
            Assert.False(AgentIsRunning(), "postinst started the agent although no start was allowed here");

            // The unit as installed: systemd-analyze finds the binary and the man page it names.
            var verify = await Tool.RunAsync("systemd-analyze", "verify", Unit);
            Assert.True(verify.ExitCode == 0 && verify.Output.Length == 0 && verify.Error.Length == 0, verify.ToString());

            // A reinstall keeps the operator's edit of the conffile without asking (the shipped one did not change),
            // and postinst restarts a running service after the new files are in place instead of stopping it first.
            File.AppendAllText(Conffile, "\nstatus:\n  stale_after_seconds: 600\n");
            var edited = File.ReadAllText(Conffile);
            await DpkgAsync("-i", PackageArtifacts.Deb("amd64"));
            Assert.Equal(edited, File.ReadAllText(Conffile));
            var postinst = File.ReadAllText("/var/lib/dpkg/info/nodeagent.postinst");
            Assert.Contains("_dh_action=restart", postinst, StringComparison.Ordinal);
            Assert.Contains("if [ -d /run/systemd/system ]", postinst, StringComparison.Ordinal);

            Directory.CreateDirectory("/var/lib/nodeagent");
            File.WriteAllText("/var/lib/nodeagent/last-report.json", "{}");
            Directory.CreateDirectory("/var/log/nodeagent");
            File.WriteAllText("/var/log/nodeagent/nodeagent-20261202.log", "line\n");
            placed.Create();
            source.Create();

            await DpkgAsync("-r", "nodeagent");
            Assert.False(File.Exists("/usr/bin/nodeagent"));
            Assert.False(File.Exists(Unit));
            Assert.True(File.Exists(Conffile), "remove (without purge) must keep the configuration");
            Assert.True(File.Exists("/var/lib/nodeagent/last-report.json"));

            await DpkgAsync("-P", "nodeagent");
            Assert.False(Directory.Exists("/etc/nodeagent"));
            Assert.False(Directory.Exists("/var/lib/nodeagent"));
            Assert.False(Directory.Exists("/var/log/nodeagent"));
            Assert.Null(new FileInfo(Enabled).LinkTarget);
            // What NodeAgent placed and what the deployer uploaded belong to the host: purge never touches them.
            Assert.True(File.Exists(placed.Path) && File.Exists(source.Path) && Directory.Exists("/root/.aws"));
        }
        finally
        {
            await Tool.RunAsync("dpkg", "-P", "nodeagent");
            placed.Remove();
            source.Remove();
            madeByPackage.Where(dir => Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any()).ToList().ForEach(Directory.Delete);
            if (rootAwsMode is { } mode && Directory.Exists("/root/.aws"))
            {
                File.SetUnixFileMode("/root/.aws", mode);
            }

            if (blockStart)
            {
                File.Delete(PolicyRcD);
            }
        }
    }

    [Fact]
    public async Task The_unit_scores_at_most_2_5_exposure_and_says_why_for_every_setting_left_above_2_0()
    {
        var run = await Tool.RunAsync("systemd-analyze", "security", "--offline=true", RepositoryFiles.PathOf("systemd/nodeagent.service"));
        var score = ExposureScore().Match(run.Output);
        Assert.True(score.Success, run.ToString());
        Assert.InRange(double.Parse(score.Groups[1].Value, CultureInfo.InvariantCulture), 0, 2.5);

        var unit = File.ReadAllText(RepositoryFiles.PathOf("systemd/nodeagent.service"));
        foreach (var kept in ExplainedSettings)
        {
            Assert.Matches($@"(?m)^#.*{Regex.Escape(kept)}", unit);
        }

        // The service's contract with systemd and the package.
        Assert.Matches(@"(?m)^Type=notify$", unit);
        Assert.Matches(@"(?m)^ExecStart=/usr/bin/nodeagent run$", unit);
        Assert.Matches(@"(?m)^ExecReload=/bin/kill -HUP \$MAINPID$", unit);
        Assert.Matches(@"(?m)^RestartPreventExitStatus=2$", unit);
        Assert.Matches(@"(?m)^Restart=on-failure$", unit);
        Assert.Matches(@"(?m)^MemoryDenyWriteExecute=yes$", unit);
        Assert.Matches(@"(?m)^Wants=.*docker\.service", unit);
        Assert.DoesNotMatch(@"(?m)^Requires=", unit);
        // Ordered after cloud-init's own stages, `systemctl enable --now` from runcmd would wait for itself.
        Assert.DoesNotMatch(@"(?m)^(After|Requires|Wants)=.*(cloud-final|cloud-config|multi-user)", unit);
    }

    private static bool AgentIsRunning() =>
        Directory.EnumerateDirectories("/proc").Any(dir =>
            File.Exists(Path.Combine(dir, "exe")) && TryReadLink(Path.Combine(dir, "exe")) == "/usr/bin/nodeagent");

    private static string? TryReadLink(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, false)?.FullName;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task DpkgAsync(params string[] args)
    {
        var run = await Tool.RunAsync("dpkg", args, environment: new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" });
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [GeneratedRegex(@"Overall exposure level for nodeagent\.service: ([0-9.]+)")]
    private static partial Regex ExposureScore();

    /// <summary>A file the test puts on the host, removed afterwards with the directories it had to create.</summary>
    private sealed class Sentinel(string path)
    {
        private readonly List<string> _made = [];

        public string Path { get; } = path;

        public void Create()
        {
            for (var dir = System.IO.Path.GetDirectoryName(Path); dir is not null && !Directory.Exists(dir); dir = System.IO.Path.GetDirectoryName(dir))
            {
                _made.Add(dir);
            }

            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            File.WriteAllText(Path, "sentinel\n");
        }

        public void Remove()
        {
            File.Delete(Path);
            _made.ForEach(dir => Directory.Delete(dir));
        }
    }
}
