using NodeAgent.Cli;
using NodeAgent.Planning;
using NodeAgent.Tests.FileSystem;

namespace NodeAgent.Tests.Hardening;

/// <summary>Issue 9, break 3: --diff on a large target changed in every line took gigabytes and ended in exit 70.</summary>
public sealed class LargeDiffTests
{
    [RootFact]
    public async Task A_large_env_changed_in_every_line_is_applied_with_exit_0_and_its_diff_omitted()
    {
        using var host = new UserHost();
        var envSource = Path.Combine(host.Sandbox.Sources, "expanso-production.env");
        var original = File.ReadAllText(envSource);
        File.WriteAllText(envSource, original + string.Concat(Enumerable.Range(0, 60_000).Select(i => $"V{i:D5}=a\n")));
        Assert.Equal(ExitCodes.Ok, (await host.ApplyAsync()).ExitCode);
        File.WriteAllText(envSource, original + string.Concat(Enumerable.Range(0, 60_000).Select(i => $"W{i:D5}=a\n")));

        var run = await host.ApplyAsync("--diff");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString()[..Math.Min(2000, run.ToString().Length)]);
        Assert.Contains("diff omitted: 60000 lines changed", run.Output, StringComparison.Ordinal);
        Assert.Contains("W59999=a", File.ReadAllText(host.Target("/opt/sensor/.env")), StringComparison.Ordinal);
    }

    [Fact]
    public void One_changed_line_in_a_100k_line_file_is_diffed_in_linear_time_with_its_context()
    {
        var lines = Enumerable.Range(0, 100_000).Select(i => $"L{i}").ToArray();
        var old = string.Join('\n', lines) + "\n";
        lines[50_000] = "changed";

        var diff = UnifiedDiff.Render("f", "f", old, string.Join('\n', lines) + "\n");

        Assert.Equal("--- f\n+++ f\n@@ -49998,7 +49998,7 @@\n L49997\n L49998\n L49999\n-L50000\n+changed\n L50001\n L50002\n L50003\n", diff);
    }

    [Fact]
    public void Too_many_changed_lines_are_summarised_not_diffed()
    {
        var old = string.Concat(Enumerable.Range(0, 100_000).Select(i => $"a{i}\n"));
        var now = string.Concat(Enumerable.Range(0, 100_000).Select(i => $"b{i}\n"));
        Assert.Equal("--- f\n+++ f\ndiff omitted: 100000 lines changed (100000 old, 100000 new lines differ; too many to diff)\n", UnifiedDiff.Render("f", "f", old, now));
    }
}
