using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

using NodeAgent.Sources;

namespace NodeAgent.IntegrationTests.Imds;

/// <summary>One request the responder saw, with the status it answered.</summary>
public sealed record SeenRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, int Status)
{
    public bool HadToken => Headers.ContainsKey(ImdsResponder.TokenHeader);
}

/// <summary>
/// An IMDSv2 stand-in on 127.0.0.1 (an ephemeral port). No local IMDS server exists (moto covers STS and IAM, not the
/// instance metadata service), so this small HTTP/1.1 responder on a TcpListener answers the three requests an IMDSv2
/// client makes, the way IMDSv2 answers them:
/// <list type="bullet">
/// <item>PUT /latest/api/token needs X-aws-ec2-metadata-token-ttl-seconds (400 without it, 400 outside 1..21600) and
/// returns a fresh random token;</item>
/// <item>every GET needs X-aws-ec2-metadata-token holding a token it issued (401 without one or with a wrong one);</item>
/// <item>GET /latest/meta-data/iam/security-credentials/ lists the role; …/ROLE returns the credentials JSON
/// (Code, LastUpdated, Type, AccessKeyId, SecretAccessKey, Token, Expiration); anything else is 404.</item>
/// </list>
/// Switches make it misbehave the ways a host does: refuse tokens (403 on the PUT, as with the endpoint disabled), no
/// role (404 on the listing), other credentials or Code, an oversized or garbage answer, a redirect, and down (the
/// port closed).
/// It records every request, so a test can check the client's requests and that a GET without a token was refused.
/// </summary>
public sealed class ImdsResponder : IDisposable
{
    public const string TokenHeader = "X-aws-ec2-metadata-token";
    public const string TtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
    public const string DefaultRole = "nodeagent-fleet-role";
    public const string ListingPath = "/latest/meta-data/iam/security-credentials/";
    public const string InstanceIdPath = "/latest/meta-data/instance-id";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<SeenRequest> _seen = [];
    private readonly HashSet<string> _tokens = [];
    private byte[]? _listingAnswer;
    private byte[]? _credentialsAnswer;
    private bool _stopped;

    public ImdsResponder()
    {
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        Keys = new AwsCredentials(Secret.AccessKeyId(TestData.SessionKeyId), Secret.Of(TestData.SecretKey), Secret.Of(TestData.SessionToken));
        var now = DateTimeOffset.UtcNow;
        KeysExpire = now.AddHours(6).AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        _ = AcceptForeverAsync();
    }

    public string Url { get; }

    public string RoleName { get; set; } = DefaultRole;

    /// <summary>What GET /latest/meta-data/instance-id answers (any text, to test the client's check).</summary>
    public string InstanceId { get; set; } = "i-0123456789abcdef0";

    /// <summary>403 on every token PUT, as IMDS answers with its HTTP endpoint disabled.</summary>
    public bool RefuseTokens { get; set; }

    /// <summary>404 on the role listing: no instance profile attached.</summary>
    public bool NoRole { get; set; }

    /// <summary>Answer the role listing with a 307 to this URL (a hijacked or misconfigured endpoint); null: no redirect.</summary>
    public string? RedirectListingTo { get; set; }

    /// <summary>The Code of the credentials answer; IMDS says something other than Success when it could not get the role's keys.</summary>
    public string AnswerCode { get; set; } = "Success";

    public AwsCredentials Keys { get; private set; }

    public DateTimeOffset KeysExpire { get; private set; }

    public IReadOnlyList<SeenRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _seen];
            }
        }
    }

    public IReadOnlyList<string> IssuedTokens
    {
        get
        {
            lock (_gate)
            {
                return [.. _tokens];
            }
        }
    }

    /// <summary>The credentials the role's GET hands out from now on.</summary>
    public void HandOut(AwsCredentials keys, DateTimeOffset expiration)
    {
        Keys = keys;
        KeysExpire = expiration;
    }

    /// <summary>Answer the (token-checked) role listing with these bytes instead.</summary>
    public void AnswerListingWith(byte[] body) => _listingAnswer = body;

    /// <summary>Answer the (token-checked) credentials GET with these bytes instead.</summary>
    public void AnswerCredentialsWith(byte[] body) => _credentialsAnswer = body;

    /// <summary>Down: the port is closed, so connecting is refused.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
        }

        _stop.Cancel();
        _listener.Stop();
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }

    private static async Task<(string Method, string Path, Dictionary<string, string> Headers)?> ReadRequestAsync(Stream stream, CancellationToken ct)
    {
        // Headers only, byte by byte up to the blank line: the agent's requests carry no body (PUT sends Content-Length: 0).
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 16 * 1024)
        {
            if (await stream.ReadAsync(one, ct) == 0)
            {
                return null;
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                break;
            }
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal)))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        return (requestLine[0], requestLine.Length > 1 ? requestLine[1] : "", headers);
    }

    private static async Task WriteAsync(Stream stream, int status, byte[] body, bool withLength, CancellationToken ct)
    {
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {(HttpStatusCode)status}\r\n")
            .Append("Server: EC2ws\r\nContent-Type: text/plain\r\nConnection: close\r\n");
        if (status == 307)
        {
            // The body of a redirect answer is where it points.
            head.Append(CultureInfo.InvariantCulture, $"Location: {Encoding.UTF8.GetString(body)}\r\n");
        }

        if (withLength)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()), ct);
        await stream.WriteAsync(body, ct);
    }

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private async Task AcceptForeverAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                if (await ReadRequestAsync(stream, _stop.Token) is not { } request)
                {
                    return;
                }

                var (status, body) = Answer(request.Method, request.Path, request.Headers);
                lock (_gate)
                {
                    _seen.Add(new SeenRequest(request.Method, request.Path, request.Headers, status));
                }

                // An oversized answer is sent without a length, read until the connection closes, so it is the
                // client's own cap that bounds it, not a Content-Length it could check first.
                await WriteAsync(stream, status, body, withLength: body.Length <= 64 * 1024, _stop.Token);
            }
            catch (IOException)
            {
                // The client stopped reading (an oversized answer it capped): that is what the test wants.
            }
            catch (OperationCanceledException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private (int Status, byte[] Body) Answer(string method, string path, Dictionary<string, string> headers)
    {
        if (method == "PUT" && path == "/latest/api/token")
        {
            return Token(headers);
        }

        if (method != "GET")
        {
            return (405, []);
        }

        bool valid;
        lock (_gate)
        {
            valid = headers.TryGetValue(TokenHeader, out var token) && _tokens.Contains(token);
        }

        if (!valid)
        {
            return (401, []);
        }

        if (path == ListingPath && RedirectListingTo is { } elsewhere)
        {
            return (307, Text(elsewhere));
        }

        if (path == ListingPath)
        {
            return NoRole ? (404, Text("Not Found")) : (200, _listingAnswer ?? Text(RoleName));
        }

        if (path == InstanceIdPath)
        {
            return (200, Text(InstanceId));
        }

        if (path == ListingPath + RoleName && !NoRole)
        {
            return (200, _credentialsAnswer ?? Text(CredentialsJson()));
        }

        return (404, Text("Not Found"));
    }

    private (int Status, byte[] Body) Token(Dictionary<string, string> headers)
    {
        if (RefuseTokens)
        {
            return (403, Text("Forbidden"));
        }

        if (!headers.TryGetValue(TtlHeader, out var ttl)
            || !int.TryParse(ttl, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds is < 1 or > 21600)
        {
            return (400, Text("Bad Request"));
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(42));
        lock (_gate)
        {
            _tokens.Add(token);
        }

        return (200, Text(token));
    }

    private string CredentialsJson() => new JsonObject
    {
        ["Code"] = AnswerCode,
        ["LastUpdated"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["Type"] = "AWS-HMAC",
        ["AccessKeyId"] = Keys.AccessKeyId.Reveal(),
        ["SecretAccessKey"] = Keys.SecretAccessKey.Reveal(),
        ["Token"] = Keys.SessionToken?.Reveal() ?? "",
        ["Expiration"] = KeysExpire.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    }.ToJsonString();
}
