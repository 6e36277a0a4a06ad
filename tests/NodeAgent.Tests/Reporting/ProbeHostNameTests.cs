using NodeAgent.Probes;

namespace NodeAgent.Tests.Reporting;

public sealed class ProbeHostNameTests
{
    [Theory]
    [InlineData("ip-10-0-1-7.us-west-2.compute.internal", "ip-10-0-1-7.us-west-2.compute.internal")]
    [InlineData("a/b/../c", "a-b---c")]
    [InlineData("..", "host")]
    [InlineData("", "host")]
    [InlineData("node 7#?", "node-7")]
    [InlineData("ünïcode", "n-code")]
    public void Host_names_become_safe_key_segments(string name, string expected)
    {
        var safe = ProbeHostName.Safe(name);
        Assert.Equal(expected, safe);
        Assert.DoesNotContain("/", safe, StringComparison.Ordinal);
        Assert.DoesNotContain("..", safe, StringComparison.Ordinal);
    }
}
