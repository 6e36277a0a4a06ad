using NodeAgent.Cli;
using NodeAgent.Planning;
using NodeAgent.Tests.FileSystem;

namespace NodeAgent.Tests.Hardening;

/// <summary>Issue 9, break 11: --diff must not show secret-shaped old values or a hard-linked file's content.</summary>
public sealed class DiffDisclosureTests
{
    private const string UnknownSecret = "zQ9xW3vB7nM1kL5jH8gF2dS4aP6oI0uY7tR3eWq+";
    private const string Signature = "0f3a9c2b7e1d4f6a8b0c2d4e6f8a0b1c3d5e7f90";
    private const string Token = "FwoGZXIvYXdzEJr//////////wEaDNodeAgentTokenShapedValue0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH==";

    [RootFact]
    public async Task Secret_shaped_values_under_keys_that_do_not_look_secret_are_masked_in_old_content()
    {
        using var host = new UserHost();
        Assert.Equal(ExitCodes.Ok, (await host.ApplyAsync()).ExitCode);
        var config = host.Target($"{UserHost.Home}/.aws/config");
        host.AsUser($"printf 'key={UnknownSecret}\\nurl = https://b.s3.amazonaws.com/o?X-Amz-Signature={Signature}&x=1\\nt={Token}\\n' >> '{config}'");

        var run = await host.ApplyAsync("--dry-run", "--diff");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains($"-key=****…{UnknownSecret[^4..]}", run.Output, StringComparison.Ordinal);
        Assert.Contains($"X-Amz-Signature=****…{Signature[^4..]}&x=1", run.Output, StringComparison.Ordinal);
        foreach (var value in new[] { UnknownSecret, Signature, Token, Token[..40] })
        {
            Assert.DoesNotContain(value, run.Output, StringComparison.Ordinal);
        }
    }

    [RootFact]
    public async Task A_hard_linked_target_is_not_diffed_the_link_is_reported_and_apply_gives_it_a_file_of_its_own()
    {
        using var host = new UserHost();
        Assert.Equal(ExitCodes.Ok, (await host.ApplyAsync()).ExitCode);
        var credentials = host.Target($"{UserHost.Home}/.aws/credentials");
        var notes = host.Target($"{UserHost.Home}/notes");
        host.AsUser($"printf 'my diary: nobody reads this\\n' > '{notes}' && ln -f '{notes}' '{credentials}'");
        Assert.Equal(2u, OnDisk.Stat(credentials).LinkCount);

        var dry = await host.ApplyAsync("--dry-run", "--diff");
        var run = await host.ApplyAsync();

        Assert.Equal(ExitCodes.Ok, dry.ExitCode);
        Assert.DoesNotContain("my diary", dry.Output, StringComparison.Ordinal);
        Assert.Contains("hard link (2 links): replaced by a file of its own", dry.Output, StringComparison.Ordinal);
        Assert.Contains($"--- {credentials}: not diffed (hard link: 2 links, its content may belong to another file)", dry.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal(1u, OnDisk.Stat(credentials).LinkCount);
        Assert.Equal("my diary: nobody reads this\n", File.ReadAllText(notes));
        Assert.Contains("aws_access_key_id", File.ReadAllText(credentials), StringComparison.Ordinal);
    }

    [Fact]
    public void Only_secret_shaped_runs_are_masked()
    {
        Assert.Equal($"key=****…{UnknownSecret[^4..]}", SecretShapeMask.Mask($"key={UnknownSecret}"));
        Assert.Equal("region = us-west-2", SecretShapeMask.Mask("region = us-west-2"));
        Assert.Equal("path = /opt/sensor/config/databricks-storage-config.yaml", SecretShapeMask.Mask("path = /opt/sensor/config/databricks-storage-config.yaml"));
        Assert.Equal("aws_secret_access_key = ****…4567", SecretShapeMask.Mask("aws_secret_access_key = ****…4567"));
    }
}
