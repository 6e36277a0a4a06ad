using Docker.DotNet;
using Docker.DotNet.Models;

using NodeAgent.Configuration;

namespace NodeAgent.Containers;

/// <summary>One container that belongs to a configured consumer (several replicas give several of these).</summary>
/// <param name="Consumer">The configured consumer name it matched (sensor-simulators, compute).</param>
/// <param name="Name">Container name without Docker's leading slash.</param>
/// <param name="MatchedBy">"name", "compose name" or "compose label": why it counts as this consumer.</param>
/// <param name="State">Docker's state word: running, exited, restarting, created, paused, dead.</param>
public sealed record ConsumerContainer(string Consumer, string Id, string Name, string MatchedBy, string State)
{
    public bool IsRunning => State is "running" or "restarting";
}

/// <summary>
/// Finds the containers of each configured consumer: exact name, compose's PROJECT-SERVICE-N name, or the
/// com.docker.compose.service label. Stopped containers are listed too: a stopped consumer still holds a stale
/// environment that would come back on its next start.
/// </summary>
public sealed class ConsumerFinder
{
    public const string ComposeServiceLabel = "com.docker.compose.service";

    /// <summary>A recreate parks the previous container under this suffix until the new one runs.</summary>
    public const string ParkedSuffix = "-nodeagent-old";

    private readonly DockerClientFactory _factory;
    private readonly IReadOnlyList<string> _names;

    public ConsumerFinder(DockerClientFactory factory, ContainersOptions options)
    {
        _factory = factory;
        _names = options.Names;
    }

    public IReadOnlyList<string> ConsumerNames => _names;

    /// <summary>All consumer containers, grouped in configured-name order. Throws <see cref="DockerUnavailableException"/>.</summary>
    public async Task<IReadOnlyList<ConsumerContainer>> FindAsync(CancellationToken ct)
    {
        using var client = await _factory.ConnectAsync(ct).ConfigureAwait(false);
        return await FindAsync(client, ct).ConfigureAwait(false);
    }

    /// <summary>Why a consumer has no container, in the words apply and verify both print.</summary>
    internal static string NotFoundReason(string consumer) =>
        $"no container named {consumer}, named PROJECT-{consumer}-N by compose, or labelled {ComposeServiceLabel}={consumer}";

    internal static string NotFoundFix(string consumer) =>
        $"if {consumer} should run on this host, start it (docker compose up -d {consumer}); otherwise remove it from containers.names";

    internal static string? MatchedBy(string consumer, string name, IDictionary<string, string>? labels)
    {
        if (name == consumer)
        {
            return "name";
        }

        if (IsComposeName(consumer, name))
        {
            return "compose name";
        }

        if (labels is not null && labels.TryGetValue(ComposeServiceLabel, out var service) && service == consumer)
        {
            return "compose label";
        }

        return null;
    }

    internal async Task<IReadOnlyList<ConsumerContainer>> FindAsync(IDockerClient client, CancellationToken ct)
    {
        // One unfiltered listing (All = include stopped) matched in code: Docker's name filter is a substring
        // regex and cannot express "exact name or PROJECT-NAME-N" on its own.
        var listed = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, ct)
            .ConfigureAwait(false);

        var found = new List<ConsumerContainer>();
        foreach (var consumer in _names)
        {
            foreach (var container in listed.OrderBy(c => PrimaryName(c), StringComparer.Ordinal))
            {
                var name = PrimaryName(container);
                if (name.EndsWith(ParkedSuffix, StringComparison.Ordinal))
                {
                    // The parked original of an interrupted recreate is not a consumer to update again.
                    continue;
                }

                if (MatchedBy(consumer, name, container.Labels) is { } how)
                {
                    found.Add(new ConsumerContainer(consumer, container.ID, name, how, container.State ?? "unknown"));
                }
            }
        }

        return found;
    }

    private static string PrimaryName(ContainerListResponse c) =>
        c.Names is { Count: > 0 } names ? names[0].TrimStart('/') : c.ID;

    // Compose v2 names containers PROJECT-SERVICE-N (v1 used underscores). Matching the service at the end
    // keeps projects with hyphens ("my-stack-compute-1") right.
    private static bool IsComposeName(string consumer, string name)
    {
        var digits = name.Length;
        while (digits > 0 && char.IsAsciiDigit(name[digits - 1]))
        {
            digits--;
        }

        if (digits == name.Length || digits < consumer.Length + 3)
        {
            return false;
        }

        var separator = name[digits - 1];
        var head = name[..(digits - 1)];
        return (separator == '-' || separator == '_') &&
               head.EndsWith(consumer, StringComparison.Ordinal) &&
               head.Length > consumer.Length &&
               head[head.Length - consumer.Length - 1] is '-' or '_';
    }
}
