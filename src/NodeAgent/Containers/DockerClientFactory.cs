using Docker.DotNet;

using NodeAgent.Configuration;

namespace NodeAgent.Containers;

/// <summary>
/// Builds Docker Engine API clients for the configured endpoint and proves the daemon answers before anyone
/// relies on it. DOCKER_HOST wins over <see cref="ContainersOptions.DockerHost"/>, exactly like the docker CLI,
/// so an operator's shell and the agent talk to the same daemon.
/// </summary>
public sealed class DockerClientFactory
{
    /// <summary>Every request is bounded: a daemon that accepts the connection but never answers must not hang apply.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The first request (ping) gets less: it only proves the daemon is there.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly string? _endpointText;

    public DockerClientFactory(
        ContainersOptions options,
        Func<string, string?>? getEnvironmentVariable = null,
        TimeSpan? requestTimeout = null,
        TimeSpan? connectTimeout = null)
    {
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;
        var fromEnvironment = getEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            _endpointText = fromEnvironment.Trim();
            EndpointSource = "DOCKER_HOST";
        }
        else
        {
            _endpointText = options.DockerHost;
            EndpointSource = "containers.docker_host";
        }

        RequestTimeout = requestTimeout ?? DefaultRequestTimeout;
        ConnectTimeout = connectTimeout ?? (RequestTimeout < DefaultConnectTimeout ? RequestTimeout : DefaultConnectTimeout);
    }

    /// <summary>The endpoint as configured (it holds no secret: a socket path or tcp://host:port).</summary>
    public string Endpoint => _endpointText ?? "";

    /// <summary>Where <see cref="Endpoint"/> came from, named so an operator knows what to fix.</summary>
    public string EndpointSource { get; }

    public TimeSpan RequestTimeout { get; }

    public TimeSpan ConnectTimeout { get; }

    /// <summary>
    /// A client whose daemon has just answered a ping. Throws <see cref="DockerUnavailableException"/> (reason + fix,
    /// no stack trace meant for operators) when the endpoint is malformed, missing, refusing or silent.
    /// </summary>
    public async Task<DockerClient> ConnectAsync(CancellationToken ct)
    {
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) ||
            (uri.Scheme != "unix" && uri.Scheme != "tcp" && uri.Scheme != "http" && uri.Scheme != "https"))
        {
            throw new DockerUnavailableException(
                $"Docker endpoint '{Endpoint}' from {EndpointSource} is not a unix:// or tcp:// address",
                DockerFailureDescriber.EndpointFix(EndpointSource));
        }

        DockerClient client;
        try
        {
            client = new DockerClientBuilder().WithEndpoint(uri).WithTimeout(RequestTimeout).Build();
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw DockerFailureDescriber.Unavailable(e, this);
        }

        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bounded.CancelAfter(ConnectTimeout);
            await client.System.PingAsync(bounded.Token).ConfigureAwait(false);
            return client;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            client.Dispose();
            throw DockerFailureDescriber.Unavailable(e, this, ConnectTimeout);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
