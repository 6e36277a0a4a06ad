using System.Net;
using System.Net.Sockets;

using Docker.DotNet;

using static NodeAgent.Failures.ExceptionChain;

namespace NodeAgent.Containers;

/// <summary>
/// Turns whatever the Docker client threw into one sentence an operator can act on (what, why) and a fix.
/// Exception messages of the transport never carry credential values; Docker API bodies are trimmed to one line.
/// </summary>
internal static class DockerFailureDescriber
{
    public const string StartDockerFix = "start dockerd: systemctl start docker";

    public static string EndpointFix(string endpointSource) =>
        endpointSource == "DOCKER_HOST"
            ? "is DOCKER_HOST right? unset it to use /var/run/docker.sock, or point it at a running daemon"
            : "is containers.docker_host right? it should be unix:///var/run/docker.sock or tcp://HOST:PORT of a running daemon";

    public static DockerUnavailableException Unavailable(Exception e, DockerClientFactory factory, TimeSpan? waited = null)
    {
        var endpoint = $"{factory.Endpoint} (from {factory.EndpointSource})";
        if (e is DockerUnavailableException already)
        {
            return already;
        }

        if (Find<SocketException>(e) is { } socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.AccessDenied => new(
                    $"permission denied connecting to Docker at {endpoint}",
                    "run nodeagent as root, or add its user to the docker group (usermod -aG docker USER)", e),
                SocketError.ConnectionRefused => new(
                    $"nothing is listening on Docker endpoint {endpoint}: the daemon is down",
                    $"{StartDockerFix}; {EndpointFix(factory.EndpointSource)}", e),
                SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported => new(
                    $"no Docker socket at {endpoint}",
                    $"{StartDockerFix}; {EndpointFix(factory.EndpointSource)}", e),
                SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable => new(
                    $"Docker host of {endpoint} cannot be reached",
                    EndpointFix(factory.EndpointSource), e),
                _ => new(
                    $"cannot connect to Docker at {endpoint}: {OneLine(socket.Message)}",
                    $"{StartDockerFix}; {EndpointFix(factory.EndpointSource)}", e),
            };
        }

        if (e is OperationCanceledException or TimeoutException || Find<TimeoutException>(e) is not null)
        {
            var after = waited is { } w ? $" within {w.TotalSeconds:0.#} s" : "";
            return new(
                $"Docker at {endpoint} accepted the connection but did not answer{after}",
                $"check the daemon: systemctl status docker, journalctl -u docker; {EndpointFix(factory.EndpointSource)}", e);
        }

        if (e is DockerApiException api)
        {
            return new(
                $"Docker at {endpoint} refused the request: HTTP {(int)api.StatusCode} {ApiMessage(api)}",
                "check the daemon: journalctl -u docker; the agent needs Docker Engine API 1.41 or later", e);
        }

        return new(
            $"cannot use Docker at {endpoint}: {OneLine(Innermost(e).Message)}",
            $"{StartDockerFix}; {EndpointFix(factory.EndpointSource)}", e);
    }

    /// <summary>Reason text for a failure of one request on an otherwise reachable daemon.</summary>
    public static string Describe(Exception e) => e switch
    {
        DockerApiException api => $"Docker answered HTTP {(int)api.StatusCode}: {ApiMessage(api)}",
        OperationCanceledException or TimeoutException => "Docker did not answer in time",
        _ when Find<SocketException>(e) is { } s => $"lost the connection to Docker: {OneLine(s.Message)}",
        _ => OneLine(Innermost(e).Message),
    };

    /// <summary>True when the daemon itself went away mid-run (as opposed to one request being refused).</summary>
    public static bool IsConnectionFailure(Exception e) =>
        Find<SocketException>(e) is not null || Find<HttpRequestException>(e) is { StatusCode: null };

    public static bool IsNotFound(Exception e) =>
        e is DockerContainerNotFoundException || (e is DockerApiException { StatusCode: HttpStatusCode.NotFound });

    private static string ApiMessage(DockerApiException api)
    {
        // Docker bodies are {"message":"..."}; show the message, not the JSON.
        var body = api.ResponseBody ?? "";
        const string marker = "\"message\":\"";
        var start = body.IndexOf(marker, StringComparison.Ordinal);
        if (start >= 0)
        {
            start += marker.Length;
            var end = body.IndexOf('"', start);
            body = end > start ? body[start..end] : body[start..];
        }

        return OneLine(body.Length > 0 ? body : api.Message);
    }

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length > 240 ? line[..240] + "…" : line;
    }
}
