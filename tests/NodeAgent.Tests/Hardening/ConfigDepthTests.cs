using NodeAgent.Configuration;
using NodeAgent.Sources;

namespace NodeAgent.Tests.Hardening;

/// <summary>Issue 9, break 10: a deeply nested configuration crashed the agent (SIGSEGV) instead of being refused.</summary>
public sealed class ConfigDepthTests
{
    [Fact]
    public void A_configuration_nested_100k_levels_deep_is_refused_with_a_clear_error_not_a_crash()
    {
        var e = Reject("targets: " + new string('[', 100_000) + new string(']', 100_000) + "\n");
        Assert.Equal((int?)1, e.Errors.Single().Line);
        Assert.Contains("nests deeper than 32 levels", e.Errors.Single().What, StringComparison.Ordinal);

        var block = string.Concat(Enumerable.Range(0, 1_000).Select(i => new string(' ', i) + $"k{i}:\n"));
        Assert.Contains("nests deeper than 32 levels", Reject(block).Errors.Single().What, StringComparison.Ordinal);
    }

    private static InvalidInputException Reject(string yaml) =>
        Assert.Throws<InvalidInputException>(() => AgentOptionsLoader.Parse("nodeagent.yaml", yaml));
}
