using NodeAgent.Containers;

namespace NodeAgent.Tests.Containers;

public sealed class EnvironmentEntryTests
{
    [Theory]
    [InlineData("AWS_REGION=us-west-2", "AWS_REGION", "us-west-2")]
    [InlineData("TOKEN=abc==", "TOKEN", "abc==")]
    [InlineData("EMPTY=", "EMPTY", "")]
    [InlineData("BARE", "BARE", "")]
    public void An_entry_splits_at_the_first_equals_sign(string entry, string name, string value)
    {
        Assert.Equal(new EnvironmentEntry(name, value), EnvironmentEntry.Parse(entry));
    }
}
