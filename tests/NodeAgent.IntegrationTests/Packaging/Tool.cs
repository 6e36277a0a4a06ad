using System.Diagnostics;

namespace NodeAgent.IntegrationTests.Packaging;

/// <summary>One run of a real command-line tool (dpkg-deb, lintian, systemd-analyze, qemu) with its output.</summary>
internal sealed record ToolRun(string Command, int ExitCode, string Output, string Error)
{
    public override string ToString() => $"{Command} exited {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

internal static class Tool
{
    public static async Task<ToolRun> RunAsync(string file, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, IEnumerable<string>? unset = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? RepositoryFiles.Root(),
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var name in unset ?? [])
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new ToolRun($"{file} {string.Join(' ', start.ArgumentList)}", process.ExitCode, await output, await error);
    }

    public static Task<ToolRun> RunAsync(string file, params string[] args) => RunAsync(file, (IEnumerable<string>)args);

    /// <summary>Runs it and fails the test, with everything it printed, unless it exits 0.</summary>
    public static async Task<string> OutputOfAsync(string file, params string[] args)
    {
        var run = await RunAsync(file, args);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Output;
    }

    public static bool IsOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, name)));
}
