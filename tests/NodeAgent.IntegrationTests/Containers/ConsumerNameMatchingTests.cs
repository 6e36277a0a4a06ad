using NodeAgent.Containers;

namespace NodeAgent.IntegrationTests.Containers;

public sealed class ConsumerNameMatchingTests
{
    [Theory]
    [InlineData("compute", "compute", "name")]
    [InlineData("compute", "bacalhau-compute-1", "compose name")]
    [InlineData("compute", "my-edge-stack-compute-12", "compose name")]
    [InlineData("sensor-simulators", "opt-sensor-simulators-3", "compose name")]
    [InlineData("sensor-simulators", "sensor_sensor-simulators_1", "compose name")]
    public void A_consumer_is_matched_by_exact_or_compose_name(string consumer, string name, string how) =>
        Assert.Equal(how, ConsumerFinder.MatchedBy(consumer, name, null));

    [Theory]
    [InlineData("compute", "compute-1")]
    [InlineData("compute", "compute-db")]
    [InlineData("compute", "x-hypercompute-1")]
    [InlineData("compute", "x-compute-")]
    [InlineData("sensor-simulators", "sensor-simulators-old")]
    public void Similar_names_are_not_consumers(string consumer, string name) =>
        Assert.Null(ConsumerFinder.MatchedBy(consumer, name, null));

    [Fact]
    public void The_compose_service_label_matches_whatever_the_name() =>
        Assert.Equal("compose label", ConsumerFinder.MatchedBy(
            "compute", "anything", new Dictionary<string, string> { ["com.docker.compose.service"] = "compute" }));
}
