using Docker.DotNet.Models;

using NodeAgent.Containers;

namespace NodeAgent.Tests.Containers;

public sealed class StopGracePeriodTests
{
    [Theory]
    [InlineData(null, 100, 10u)]
    [InlineData(3, 100, 3u)]
    [InlineData(0, 100, 0u)]
    [InlineData(60, 100, 10u)]
    [InlineData(null, 8, 3u)]
    [InlineData(null, 2, 1u)]
    public void The_grace_period_is_the_containers_own_within_the_request_timeout(int? stopTimeoutSeconds, int requestTimeoutSeconds, uint expected)
    {
        var container = new ContainerInspectResponse
        {
            Config = new ContainerConfig { StopTimeout = stopTimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : null },
        };

        Assert.Equal(expected, StopGracePeriod.Seconds(container, TimeSpan.FromSeconds(requestTimeoutSeconds)));
    }
}
