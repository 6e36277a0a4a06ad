using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace NodeAgent.IntegrationTests.Daemon;

/// <summary>
/// A real sd_notify endpoint: a unix datagram socket bound where NOTIFY_SOCKET points, as systemd binds it. Every
/// datagram (READY=1, STATUS=…, WATCHDOG=1, STOPPING=1) is kept with the time it arrived.
/// </summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<(TimeSpan At, string Text)> _received = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly string _directory;

    public NotifySocket()
    {
        _directory = Directory.CreateTempSubdirectory("nodeagent-notify-").FullName;
        Path = System.IO.Path.Combine(_directory, "notify.sock");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
        _ = ReceiveForeverAsync();
    }

    public string Path { get; }

    public IReadOnlyList<(TimeSpan At, string Text)> Received
    {
        get
        {
            lock (_received)
            {
                return _received.ToList();
            }
        }
    }

    /// <summary>The STATUS= values, in order.</summary>
    public IReadOnlyList<string> Statuses => Received
        .SelectMany(d => d.Text.Split('\n'))
        .Where(l => l.StartsWith("STATUS=", StringComparison.Ordinal))
        .Select(l => l["STATUS=".Length..])
        .ToList();

    public int Count(string assignment) => Received.Count(d => d.Text.Split('\n').Contains(assignment));

    public async Task<string> WaitForAsync(Func<string, bool> datagram, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (Received.FirstOrDefault(d => datagram(d.Text)) is { Text: { } text })
            {
                return text;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no datagram {what} within {within.TotalSeconds} s; got:\n{string.Join("\n", Received.Select(d => $"{d.At.TotalSeconds:0.00} {d.Text}"))}");
    }

    /// <summary>Waits for a STATUS= line that satisfies <paramref name="status"/> and arrived after <paramref name="after"/> datagrams.</summary>
    public Task<string> WaitForStatusAsync(Func<string, bool> status, TimeSpan within, string what, int after = 0) =>
        WaitForAsync(d => Received.Skip(after).Any(r => r.Text == d) && d.Split('\n').Any(l => l.StartsWith("STATUS=", StringComparison.Ordinal) && status(l[7..])),
            within, what);

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task ReceiveForeverAsync()
    {
        var buffer = new byte[65536];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                lock (_received)
                {
                    _received.Add((_clock.Elapsed, Encoding.UTF8.GetString(buffer, 0, n)));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }
}
