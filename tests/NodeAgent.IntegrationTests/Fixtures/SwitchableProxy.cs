using System.Net;
using System.Net.Sockets;

namespace NodeAgent.IntegrationTests.Fixtures;

/// <summary>
/// A TCP forwarder in front of a real server that can be cut: while <see cref="Down"/>, every connection is accepted
/// and dropped at once, which an AWS client sees as a connection that died — the network outage a host meets, with
/// the real server (and its state) still behind it for when the link comes back.
/// </summary>
public sealed class SwitchableProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();

    private volatile bool _down;

    public SwitchableProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _ = AcceptForeverAsync();
    }

    public string Url { get; }

    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptForeverAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                if (Down)
                {
                    client.Client.LingerState = new LingerOption(true, 0); // RST, as a dropped path does
                    client.Dispose();
                    continue;
                }

                _ = ForwardAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
                var down = client.GetStream().CopyToAsync(upstream.GetStream(), _stop.Token);
                var up = upstream.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
                await Task.WhenAny(down, up);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }
}
