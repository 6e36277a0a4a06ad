using System.Globalization;

using Microsoft.Extensions.Hosting.Systemd;

namespace NodeAgent.Daemon;

/// <summary>
/// sd_notify through Microsoft.Extensions.Hosting.Systemd's <see cref="SystemdNotifier"/>, which writes to
/// NOTIFY_SOCKET wherever it is set. The library's own lifetime is not used: it activates only when the parent is
/// systemd, would send READY=1 before the first reconcile, and never sends WATCHDOG=1 or STATUS=. Sending them here
/// means a test outside systemd receives exactly the datagrams systemd would.
/// </summary>
public sealed class ServiceNotifier
{
    private readonly ISystemdNotifier? _notifier;

    public ServiceNotifier(ISystemdNotifier? notifier) => _notifier = notifier;

    public bool IsEnabled => _notifier is not null;

    public static ServiceNotifier FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        return new ServiceNotifier(string.IsNullOrEmpty(environment("NOTIFY_SOCKET")) ? null : new SystemdNotifier());
    }

    /// <summary>
    /// Half of WATCHDOG_USEC (as sd_watchdog_enabled advises), or null when no watchdog is asked for or it is meant
    /// for another process (WATCHDOG_PID).
    /// </summary>
    public static TimeSpan? WatchdogInterval(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (!long.TryParse(environment("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec <= 0)
        {
            return null;
        }

        if (environment("WATCHDOG_PID") is { Length: > 0 } pid && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(usec);
    }

    public void Ready(string status) => Send($"READY=1\nSTATUS={OneLine(status)}");

    public void Status(string status) => Send($"STATUS={OneLine(status)}");

    public void Watchdog() => Send("WATCHDOG=1");

    public void Stopping(string status) => Send($"STOPPING=1\nSTATUS={OneLine(status)}");

    /// <summary>A newline would end the STATUS= assignment and start a forged one.</summary>
    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private void Send(string state) => _notifier?.Notify(new ServiceState(state));
}
