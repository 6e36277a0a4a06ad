using System.Diagnostics;

using NodeAgent.IntegrationTests.Fixtures;
using NodeAgent.Sources;

namespace NodeAgent.IntegrationTests.Fleet;

/// <summary>
/// One `nodeagent` command as its own process, so the agent's own identity comes from the default chain of ITS
/// environment (a moto user's keys, region and S3 endpoint), never from variables set in the test host.
/// </summary>
internal static class AgentProcess
{
    public static async Task<CliRun> RunAsync(MotoServerFixture moto, AwsCredentials identity, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "nodeagent.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet, ["exec", dll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) && k != "AWS_EC2_METADATA_DISABLED").ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = identity.AccessKeyId.Reveal();
        start.Environment["AWS_SECRET_ACCESS_KEY"] = identity.SecretAccessKey.Reveal();
        start.Environment["AWS_REGION"] = MotoServerFixture.Region;
        start.Environment["AWS_ENDPOINT_URL_S3"] = moto.Endpoint;
        start.Environment["HOME"] = Path.GetTempPath(); // no ~/.aws of the machine's
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(deadline.Token);
        var run = new CliRun(process.ExitCode, await output, await error);
        Assert.DoesNotContain(identity.SecretAccessKey.Reveal(), run.Output + run.Error, StringComparison.Ordinal);
        return run;
    }
}
