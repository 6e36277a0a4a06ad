using System.Text.RegularExpressions;

using NodeAgent.Cli;

namespace NodeAgent.Tests.Planning;

/// <summary>
/// `apply --dry-run --diff` of a key rotation (new key, secret, region and buckets, pass-through variables added) for
/// every target, compared with golden diffs: each secret, old and new, is masked, and every line without one is shown
/// as it is. Regenerate after an intended change with NODEAGENT_UPDATE_GOLDEN=1 and review the diff of the goldens.
/// </summary>
public sealed partial class ApplyDiffGoldenTests
{
    private const string OldKey = "AKIAOLDOLDNODEAG001X";
    private const string OldSecret = "OlDsEcReToLdSeCrEtOlDsEcReToLdSeCrEt0001";
    private const string NewKey = "AKIANEWNEWNODEAG002Y";
    private const string NewSecret = "NeWsEcReTnEwSeCrEtNeWsEcReTnEwSeCrEt0002";
    private const string PassThrough = "DATABRICKS_WAREHOUSE=warehouse-7f3a9c\nUPLOAD_INTERVAL=30\n";

    public static TheoryData<string, string> Targets => new()
    {
        { "/root/.aws/credentials", "root-credentials.diff" },
        { "/root/.aws/config", "root-config.diff" },
        { "/home/ubuntu/.aws/credentials", "ubuntu-credentials.diff" },
        { "/home/ubuntu/.aws/config", "ubuntu-config.diff" },
        { "/opt/sensor/config/s3-config.json", "s3-config.json.diff" },
        { "/opt/sensor/config/databricks-storage-config.yaml", "databricks-storage-config.yaml.diff" },
        { "/opt/sensor/.env", "dotenv.diff" },
        { "/opt/sensor/docker.env", "docker.env.diff" },
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task The_diff_of_each_target_masks_exactly_its_secrets(string target, string golden)
    {
        using var sandbox = new Sandbox();
        sandbox.WriteSources(OldKey, OldSecret, "us-east-1", ["old-raw", "old-schematized", "old-filtered", "old-emergency"]);
        Assert.Equal(ExitCodes.Ok, (await sandbox.ApplyAsync()).ExitCode);
        sandbox.WriteSources(NewKey, NewSecret);
        File.AppendAllText(Path.Combine(sandbox.Sources, "expanso-production.env"), PassThrough);

        var run = await sandbox.ApplyAsync("--dry-run", "--diff");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        foreach (var secret in new[] { OldKey, OldSecret, NewKey, NewSecret, "warehouse-7f3a9c" })
        {
            Assert.DoesNotContain(secret, run.Output, StringComparison.Ordinal);
        }

        var diff = DiffOf(run.Output.Replace(sandbox.Root, "ROOT", StringComparison.Ordinal), "ROOT" + target);
        var path = Path.Combine(AppContext.BaseDirectory, "Planning", "golden-diff", golden);
        if (Environment.GetEnvironmentVariable("NODEAGENT_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(RepositoryFiles.Root(), "tests", "NodeAgent.Tests", "Planning", "golden-diff", golden), diff);
        }
        else
        {
            Assert.Equal(File.ReadAllText(path), diff);
        }
    }

    [GeneratedRegex(@"^--- (?:/dev/null|(?<path>\S+))$", RegexOptions.Multiline)]
    private static partial Regex DiffStart();

    /// <summary>One file's diff: from its "--- " line (the next "+++ " names it) to the next file's.</summary>
    private static string DiffOf(string output, string target)
    {
        var starts = DiffStart().Matches(output).Select(m => m.Index).Append(output.Length).ToList();
        for (var i = 0; i < starts.Count - 1; i++)
        {
            var diff = output[starts[i]..starts[i + 1]];
            if (diff.Contains($"\n+++ {target}\n", StringComparison.Ordinal))
            {
                return diff;
            }
        }

        throw new Xunit.Sdk.XunitException($"no diff of {target} in:\n{output}");
    }
}
