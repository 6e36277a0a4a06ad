using NodeAgent.Containers;

namespace NodeAgent.IntegrationTests.Containers;

/// <summary>The last line of defence of container outcomes: a Docker error that echoes a value never gets printed.</summary>
public sealed class KnownValueScrubberTests
{
    // Shaped like no key and not assigned to a secret-ish name: only the known-value rule can catch them.
    private const string DesiredSecret = "desired-value-abcdef";
    private const string ContainerSecret = "container-own-value-xyz";

    [Fact]
    public void Scrub_masks_desired_values_and_the_containers_own_AWS_values_in_reason_and_fix()
    {
        var scrubber = new KnownValueScrubber([DesiredSecret]);
        scrubber.Add([$"AWS_SECRET_ACCESS_KEY={ContainerSecret}", "SENSOR_ID=sensor-0000000001"]);
        var outcome = new ContainerOutcome("compute", "compute", "id", ContainerAction.Failed,
            $"Docker answered HTTP 400: invalid value {DesiredSecret} at create",
            $"docker logs compute (it printed {ContainerSecret}); SENSOR_ID is sensor-0000000001");

        var scrubbed = scrubber.Scrub(outcome);

        Assert.DoesNotContain(DesiredSecret, scrubbed.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(ContainerSecret, scrubbed.Fix, StringComparison.Ordinal);
        Assert.StartsWith("Docker answered HTTP 400: invalid value ", scrubbed.Reason, StringComparison.Ordinal);
        // Short values (a region) and non-AWS variables are no secrets and stay readable.
        Assert.EndsWith(" at create", scrubbed.Reason, StringComparison.Ordinal);
        Assert.EndsWith("SENSOR_ID is sensor-0000000001", scrubbed.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrub_keeps_the_paths_a_container_is_told_to_read_its_credentials_from()
    {
        var scrubber = new KnownValueScrubber([]);
        scrubber.Add([$"AWS_SECRET_ACCESS_KEY={ContainerSecret}", "AWS_SHARED_CREDENTIALS_FILE=/root/.aws/credentials", "AWS_CONFIG_FILE=/root/.aws/config"]);
        var outcome = new ContainerOutcome("sensor", "sensor", "id", ContainerAction.Restarted,
            $"bind mount /root/.aws contains changed /root/.aws/credentials and /root/.aws/config; it printed {ContainerSecret}", null);

        var scrubbed = scrubber.Scrub(outcome);

        Assert.StartsWith("bind mount /root/.aws contains changed /root/.aws/credentials and /root/.aws/config; it printed ", scrubbed.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(ContainerSecret, scrubbed.Reason, StringComparison.Ordinal);
    }
}
