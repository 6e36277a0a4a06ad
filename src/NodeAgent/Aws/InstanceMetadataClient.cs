using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

using NodeAgent.Sources;

namespace NodeAgent.Aws;

/// <summary>
/// Asks IMDSv2 for the instance role and its temporary keys: a session-token PUT, the role listing, the role's
/// credentials. Only IMDSv2: v1 (no token) is what SSRF attacks reach, and hosts should run with http-tokens required.
/// <para>
/// Every answer is untrusted input (anything may listen on the endpoint, or sit between): no redirect is followed,
/// every request is bounded by the timeout, every body is read up to <see cref="MaxAnswerBytes"/> only, the role name
/// is checked before it goes into a URL, and nothing an answer holds is echoed into a message except a checked role
/// name and a short Code. Expected failures come back as an <see cref="ImdsProblem"/>, never as an exception.
/// </para>
/// </summary>
public sealed partial class InstanceMetadataClient : IDisposable
{
    /// <summary>The longest session IMDSv2 grants (6 h): one token serves every request of a lookup and then some.</summary>
    public const int TokenTtlSeconds = 21600;

    /// <summary>Real answers are a few hundred bytes; anything near this is not IMDS.</summary>
    public const int MaxAnswerBytes = 64 * 1024;

    private const string TokenPath = "/latest/api/token";
    private const string RolesPath = "/latest/meta-data/iam/security-credentials/";
    private const string InstanceIdPath = "/latest/meta-data/instance-id";
    private const string TtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
    private const string TokenHeader = "X-aws-ec2-metadata-token";
    private const int MaxTokenLength = 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ImdsEndpoint _endpoint;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _clock;
    private readonly HttpClient _http;

    /// <param name="endpoint">Where to ask; a disabled one makes every lookup a <see cref="ImdsFailure.Disabled"/> without a request.</param>
    /// <param name="timeout">Per request (connect included).</param>
    /// <param name="clock">Bounds the requests and measures the lookup.</param>
    /// <param name="handler">A handler to send through instead of the agent's own (not disposed here); null: no proxy, no redirects.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The agent's own handler is handed to the HttpClient with disposeHandler: true, which disposes it with itself.")]
    public InstanceMetadataClient(ImdsEndpoint endpoint, TimeSpan timeout, TimeProvider clock, HttpMessageHandler? handler = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _endpoint = endpoint;
        _timeout = timeout;
        _clock = clock;
        _http = handler is null ? new HttpClient(NewHandler(timeout), disposeHandler: true) : new HttpClient(handler, disposeHandler: false);

        // Each request is bounded by its own token on the clock, so HttpClient's own (wall-clock) timeout is off.
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    private string Url => _endpoint.Url ?? "(disabled)";

    private string Seconds => _timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    public void Dispose() => _http.Dispose();

    /// <summary>The instance role and its keys, or why there are none. Throws only <see cref="OperationCanceledException"/>, when <paramref name="ct"/> is cancelled.</summary>
    public async Task<ImdsLookup> GetRoleAsync(CancellationToken ct)
    {
        var started = _clock.GetTimestamp();
        var (role, problem) = await LookUpAsync(ct).ConfigureAwait(false);
        return new ImdsLookup(role, problem, _clock.GetElapsedTime(started)) { Endpoint = _endpoint };
    }

    /// <summary>
    /// The instance id (i-0123456789abcdef0), or null when IMDS is off, unreachable or answers anything else; the
    /// reports name the host by it. Bounded like every request; throws only when <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task<string?> GetInstanceIdAsync(CancellationToken ct)
    {
        if (_endpoint.IsDisabled || !Uri.TryCreate(Url + TokenPath, UriKind.Absolute, out var tokenUri) || tokenUri.Scheme is not ("http" or "https"))
        {
            return null;
        }

        var token = await SendAsync(HttpMethod.Put, TokenPath, TtlHeader, TokenTtlSeconds.ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
        if (token.Problem is not null || token.Status != HttpStatusCode.OK || !IsUsableToken(token.Body.Trim()))
        {
            return null;
        }

        var answer = await SendAsync(HttpMethod.Get, InstanceIdPath, TokenHeader, token.Body.Trim(), ct).ConfigureAwait(false);
        var id = answer.Body.Trim();

        // It becomes an S3 key: EC2's own shape only, so nothing an impostor answers can move it.
        return answer.Problem is null && answer.Status == HttpStatusCode.OK && InstanceId().IsMatch(id) ? id : null;
    }

    private static SocketsHttpHandler NewHandler(TimeSpan timeout) => new()
    {
        // A redirect would take the token (and the keys' request) to wherever the answer says.
        AllowAutoRedirect = false,

        // IMDS is link-local: a proxy (HTTP_PROXY inherited from a shell) can never reach it on the host's behalf.
        UseProxy = false,
        ConnectTimeout = timeout,
        MaxResponseHeadersLength = 16,
    };

    private static bool IsUsableToken(string token) =>
        token.Length is > 0 and <= MaxTokenLength && token.All(c => c is > ' ' and <= '~');

    private static Answer Failed(ImdsProblem problem) => new(0, "", problem);

    // Named here, not by HttpStatusCode.ToString(): the enum has aliases (307 prints as RedirectKeepVerb), and the
    // answer's own reason phrase is untrusted text.
    private static string Status(HttpStatusCode status) => (int)status switch
    {
        301 => "HTTP 301 Moved Permanently",
        302 => "HTTP 302 Found",
        307 => "HTTP 307 Temporary Redirect",
        308 => "HTTP 308 Permanent Redirect",
        400 => "HTTP 400 Bad Request",
        401 => "HTTP 401 Unauthorized",
        403 => "HTTP 403 Forbidden",
        404 => "HTTP 404 Not Found",
        405 => "HTTP 405 Method Not Allowed",
        429 => "HTTP 429 Too Many Requests",
        500 => "HTTP 500 Internal Server Error",
        502 => "HTTP 502 Bad Gateway",
        503 => "HTTP 503 Service Unavailable",
        504 => "HTTP 504 Gateway Timeout",
        var code => string.Create(CultureInfo.InvariantCulture, $"HTTP {code}"),
    };

    // The role name goes into the next request's path: IAM's own character set and length, nothing else (ASCII: \w would
    // also take any Unicode letter or combining mark).
    [GeneratedRegex(@"^[A-Za-z0-9+=,.@_-]{1,128}$")]
    private static partial Regex RoleName();

    [GeneratedRegex("^i-[0-9a-f]{8,17}$")]
    private static partial Regex InstanceId();

    private async Task<(CredentialSource.InstanceRole? Role, ImdsProblem? Problem)> LookUpAsync(CancellationToken ct)
    {
        if (_endpoint.IsDisabled)
        {
            return (null, new(ImdsFailure.Disabled,
                $"IMDS is switched off by {_endpoint.Source}=true, so the instance role was not asked for",
                "remove AWS_EC2_METADATA_DISABLED from the agent's environment (systemctl edit nodeagent) to use the " +
                "instance profile, or set credentials.mode: static and upload keys"));
        }

        // A mistyped imds.endpoint would make HttpClient throw before any request: report it like any other problem.
        if (!Uri.TryCreate(Url + TokenPath, UriKind.Absolute, out var tokenUri) || tokenUri.Scheme is not ("http" or "https"))
        {
            return (null, new(ImdsFailure.Unreachable,
                $"IMDS endpoint {Url} (set by {_endpoint.Source}) is not an http:// URL, so nothing was asked",
                $"set {_endpoint.Source} to the metadata service's URL, or leave it unset for {ImdsEndpoint.DefaultUrl}"));
        }

        var token = await SendAsync(HttpMethod.Put, TokenPath, TtlHeader, TokenTtlSeconds.ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
        if (token.Problem is { } unreachable)
        {
            return (null, unreachable);
        }

        if (token.Status != HttpStatusCode.OK)
        {
            return (null, (int)token.Status is >= 400 and < 500
                ? TokenRefused($"PUT {TokenPath} answered {Status(token.Status)}: no IMDSv2 session token")
                : BadAnswer($"PUT {TokenPath} answered {Status(token.Status)}"));
        }

        var session = token.Body.Trim();
        if (!IsUsableToken(session))
        {
            return (null, BadAnswer($"PUT {TokenPath} answered a token that is not 1 to {MaxTokenLength} printable ASCII characters"));
        }

        var listing = await SendAsync(HttpMethod.Get, RolesPath, TokenHeader, session, ct).ConfigureAwait(false);
        if (Unexpected(listing, RolesPath) is { } listingProblem)
        {
            return (null, listingProblem);
        }

        var role = listing.Body.Split('\n', 2)[0].Trim();
        if (!RoleName().IsMatch(role))
        {
            return (null, role.Length == 0
                ? NoRole($"GET {RolesPath} listed no role")
                : BadAnswer($"GET {RolesPath} answered a first line that is not an IAM role name ({role.Length} characters, not 1 to 128 of A-Z a-z 0-9 +=,.@_-)"));
        }

        var credentials = await SendAsync(HttpMethod.Get, RolesPath + role, TokenHeader, session, ct).ConfigureAwait(false);
        if (Unexpected(credentials, RolesPath + role) is { } credentialsProblem)
        {
            return (null, credentialsProblem);
        }

        return Parse(role, credentials.Body);
    }

    private ImdsProblem? Unexpected(Answer answer, string path) => answer switch
    {
        { Problem: { } problem } => problem,
        { Status: HttpStatusCode.OK } => null,
        { Status: HttpStatusCode.NotFound } => NoRole($"GET {path} answered {Status(answer.Status)}: no instance role is attached"),
        { Status: HttpStatusCode.Unauthorized } => TokenRefused($"GET {path} answered {Status(answer.Status)}: the session token it just issued was refused"),
        _ => BadAnswer($"GET {path} answered {Status(answer.Status)}"),
    };

    private (CredentialSource.InstanceRole? Role, ImdsProblem? Problem) Parse(string role, string body)
    {
        var what = $"GET {RolesPath}{role}";
        return RoleCredentialsJson.Parse(role, body) switch
        {
            { Role: { } found } => (found, null),
            { NotSuccess: true, Wrong: var wrong } => (null, new(ImdsFailure.BadAnswer, $"IMDS at {Url}: {what} {wrong}",
                $"IMDS could not get keys for role {role}: check the role still exists and its trust policy lets " +
                $"ec2.amazonaws.com assume it (aws iam get-role --role-name {role}); then wait a minute for IMDS to retry")),
            { Wrong: var wrong } => (null, BadAnswer($"{what} {wrong}")),
        };
    }

    private async Task<Answer> SendAsync(HttpMethod method, string path, string header, string value, CancellationToken ct)
    {
        var step = $"{method} {path}";
        using var timer = new CancellationTokenSource(_timeout, _clock);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            using var request = new HttpRequestMessage(method, Url + path);
            request.Headers.Add(header, value);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bounded.Token).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength > MaxAnswerBytes)
            {
                return new(response.StatusCode, "", Oversized(step));
            }

            var stream = await response.Content.ReadAsStreamAsync(bounded.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[MaxAnswerBytes + 1];
                var total = 0;
                int read;
                while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), bounded.Token).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }

                return total > MaxAnswerBytes
                    ? new(response.StatusCode, "", Oversized(step))
                    : new(response.StatusCode, StrictUtf8.GetString(buffer, 0, total), null);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return Failed(Unreachable($"{step} timed out after {Seconds} s"));
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.InvalidResponse)
        {
            return Failed(BadAnswer($"{step} was answered with something that is not HTTP"));
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
        {
            return Failed(BadAnswer($"{step} was answered with headers over 16 KiB, which no IMDS answer has"));
        }
        catch (HttpRequestException e)
        {
            return Failed(Unreachable($"{step}: {WhatHappened(e)}"));
        }
        catch (IOException)
        {
            return Failed(Unreachable($"{step}: the connection dropped while the answer was read"));
        }
        catch (DecoderFallbackException)
        {
            return Failed(BadAnswer($"{step} answered bytes that are not UTF-8 text"));
        }
    }

    private string WhatHappened(HttpRequestException e) => e.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException { SocketErrorCode: SocketError.HostUnreachable or SocketError.NetworkUnreachable } => "no route to the host",
        SocketException socket => $"could not connect ({socket.SocketErrorCode})",
        TimeoutException or OperationCanceledException => $"timed out after {Seconds} s (connect)",
        _ => e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "the host name does not resolve",
            HttpRequestError.ResponseEnded => "the connection closed without an answer",
            var other => $"the request failed ({other})",
        },
    };

    private ImdsProblem Oversized(string step) => BadAnswer($"{step} answered more than {MaxAnswerBytes / 1024} KiB, which no IMDS answer is (not read further)");

    private ImdsProblem Unreachable(string what) => new(ImdsFailure.Unreachable, $"IMDS at {Url}: {what}",
        $"this host does not reach IMDS at {Url}{FromSetting()}: on EC2 check the instance's metadata options " +
        "(aws ec2 modify-instance-metadata-options --instance-id <id> --http-endpoint enabled; from inside a container " +
        "also --http-put-response-hop-limit 2); off EC2 set credentials.mode: static");

    private ImdsProblem TokenRefused(string what) => new(ImdsFailure.TokenRefused, $"IMDS at {Url}: {what}",
        "IMDSv2 hands out keys only after a PUT to /latest/api/token: allow that PUT through any proxy or firewall in " +
        "between, and check the instance's metadata options (aws ec2 modify-instance-metadata-options --instance-id <id> " +
        "--http-endpoint enabled --http-tokens required)");

    private ImdsProblem NoRole(string what) => new(ImdsFailure.NoRole, $"IMDS at {Url}: {what}",
        "attach an instance profile with the S3 policy (aws ec2 associate-iam-instance-profile --instance-id <id> " +
        "--iam-instance-profile Name=<profile>), or set credentials.mode: static and upload keys");

    private ImdsProblem BadAnswer(string what) => new(ImdsFailure.BadAnswer, $"IMDS at {Url}: {what}",
        $"what answers at {Url}{FromSetting()} is not the instance metadata service: point imds.endpoint (or " +
        $"AWS_EC2_METADATA_SERVICE_ENDPOINT) at it, or leave both unset for {ImdsEndpoint.DefaultUrl}");

    private string FromSetting() => _endpoint.Source == "default" ? "" : $" (set by {_endpoint.Source})";

    private sealed record Answer(HttpStatusCode Status, string Body, ImdsProblem? Problem);
}
