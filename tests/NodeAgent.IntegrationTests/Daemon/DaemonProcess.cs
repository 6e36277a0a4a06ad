using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NodeAgent.IntegrationTests.Daemon;

/// <summary>
/// `nodeagent run` as its own process, the way systemd runs it: NOTIFY_SOCKET (and WATCHDOG_USEC) set, stdout and
/// stderr captured, signals sent by PID. Disposing kills it if a test left it running.
/// </summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private DaemonProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_output, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_error, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Output => Read(_output);

    public string Error => Read(_error);

    public bool HasExited => _process.HasExited;

    public static DaemonProcess Start(NotifySocket notify, IReadOnlyList<string> args, TimeSpan? watchdog = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "nodeagent.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet, ["exec", dll, "run", .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("DOCKER_HOST");
        start.Environment.Remove("JOURNAL_STREAM");
        start.Environment["NOTIFY_SOCKET"] = notify.Path;
        if (watchdog is { } limit)
        {
            start.Environment["WATCHDOG_USEC"] = ((long)limit.TotalMicroseconds).ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new DaemonProcess(Process.Start(start)!);
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", Id.ToString(CultureInfo.InvariantCulture)]))!;
        kill.WaitForExit();
    }

    /// <summary>SIGTERM, as `systemctl stop` sends it, then the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan within)
    {
        Signal("TERM");
        using var deadline = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(deadline.Token);
        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    /// <summary>Waits for the process to end by itself.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(deadline.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Lines of stderr (the journal's view under systemd) that contain <paramref name="text"/>.</summary>
    public int ErrorLinesContaining(string text) =>
        Error.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    public async Task WaitForErrorAsync(Func<string, bool> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition(Error))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"stderr never showed {what} within {within.TotalSeconds} s:\n{Error}");
            }

            await Task.Delay(50);
        }
    }

    public override string ToString() => $"pid {Id}\nstdout:\n{Output}\nstderr:\n{Error}";

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder b, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (b)
        {
            b.AppendLine(line);
        }
    }

    private static string Read(StringBuilder b)
    {
        lock (b)
        {
            return b.ToString();
        }
    }
}
