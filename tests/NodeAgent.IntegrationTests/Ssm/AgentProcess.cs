using System.Diagnostics;

namespace NodeAgent.IntegrationTests.Ssm;

/// <summary>
/// One `nodeagent` verb as its own process: the agent's own AWS identity is the SDK's default chain, i.e. the
/// process environment, which the tests must set for the child only and never for the test host.
/// </summary>
internal static class AgentProcess
{
    public static async Task<CliRun> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "nodeagent.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet, ["exec", dll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("DOCKER_HOST");
        start.Environment.Remove("JOURNAL_STREAM");
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return new CliRun(process.ExitCode, await output, await error);
    }
}
