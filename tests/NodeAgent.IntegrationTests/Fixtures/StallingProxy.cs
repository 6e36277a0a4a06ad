using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NodeAgent.IntegrationTests.Fixtures;

/// <summary>
/// A TCP proxy in front of a real server that lets requests through except those whose request line matches a rule,
/// which it holds without ever answering — a server that stalls on one operation. moto answers every request with
/// "Connection: close", so each request arrives on its own connection and one peek at its first line decides.
/// </summary>
public sealed class StallingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly Func<string, int, bool> _stall;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IDisposable> _held = [];
    private readonly Dictionary<string, int> _seenPerMethod = [];

    /// <param name="stall">Given a request line ("DELETE /bucket/key HTTP/1.1") and how many earlier requests had the
    /// same method, true to stall it.</param>
    public StallingProxy(int upstreamPort, Func<string, int, bool> stall)
    {
        _upstreamPort = upstreamPort;
        _stall = stall;
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _ = AcceptForeverAsync();
    }

    public string Url { get; }

    /// <summary>Request lines that were stalled, for asserting the rule really fired.</summary>
    public List<string> Stalled { get; } = [];

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_held)
        {
            _held.ForEach(c => c.Dispose());
        }

        _stop.Dispose();
    }

    private async Task AcceptForeverAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = HandleAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        try
        {
            var inbound = client.GetStream();
            var head = new byte[8192];
            var read = 0;
            int newline;
            do
            {
                var n = await inbound.ReadAsync(head.AsMemory(read), _stop.Token);
                if (n == 0)
                {
                    client.Dispose();
                    return;
                }

                read += n;
                newline = Array.IndexOf(head, (byte)'\n', 0, read);
            }
            while (newline < 0 && read < head.Length);

            var requestLine = Encoding.ASCII.GetString(head, 0, Math.Max(newline, 0)).TrimEnd('\r');
            var method = requestLine.Split(' ')[0];
            bool stall;
            lock (Stalled)
            {
                var earlier = _seenPerMethod.GetValueOrDefault(method);
                _seenPerMethod[method] = earlier + 1;
                stall = _stall(requestLine, earlier);
                if (stall)
                {
                    Stalled.Add(requestLine);
                }
            }

            if (stall)
            {
                lock (_held)
                {
                    _held.Add(client);
                }

                return;
            }

            using var upstream = new TcpClient();
            await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
            var outbound = upstream.GetStream();
            await outbound.WriteAsync(head.AsMemory(0, read), _stop.Token);
            _ = inbound.CopyToAsync(outbound, _stop.Token);
            await outbound.CopyToAsync(inbound, _stop.Token);
            client.Dispose();
        }
        catch (Exception)
        {
            client.Dispose();
        }
    }
}
