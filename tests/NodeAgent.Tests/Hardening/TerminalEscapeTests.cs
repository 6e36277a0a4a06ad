using NodeAgent.Cli;
using NodeAgent.Reporting;
using NodeAgent.Tests.FileSystem;

namespace NodeAgent.Tests.Hardening;

/// <summary>Issue 9, break 5: ESC, BEL and CR from a user-owned target or a source must not reach root's terminal raw.</summary>
public sealed class TerminalEscapeTests
{
    [RootFact]
    public async Task Escape_sequences_planted_in_a_user_owned_target_are_shown_visibly_in_the_diff()
    {
        using var host = new UserHost();
        Assert.Equal(ExitCodes.Ok, (await host.ApplyAsync()).ExitCode);
        var config = host.Target($"{UserHost.Home}/.aws/config");

        // Clipboard write (OSC 52), title set, screen clear, and a CR that would hide the line's start.
        host.AsUser($"printf 'x\\033]52;c;ZXZpbA==\\007\\033]0;pwned\\007\\033[2J\\rregion = hidden\\n' >> '{config}'");

        var run = await host.ApplyAsync("--dry-run", "--diff");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        AssertNoRawControl(run.Output);
        AssertNoRawControl(run.Error);
        Assert.Contains(@"-x\x1b]52;c;ZXZpbA==\x07\x1b]0;pwned\x07\x1b[2J\x0dregion = hidden", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_control_character_in_a_source_value_is_shown_visibly_in_the_validation_error()
    {
        using var sandbox = new TestSupport.Sandbox();
        sandbox.WriteSources(TestData.KeyId, TestData.SecretKey, region: "us-west-2\u001b[2J\u0007");

        var run = await sandbox.ApplyAsync();

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        AssertNoRawControl(run.Error);
        Assert.Contains(@"\x1b[2J\x07", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Controls_are_rendered_visibly_and_layout_characters_kept()
    {
        Assert.Equal(@"a\x1b[31mb\x07c\x0d\x7f\x9b\u202e" + "\tline\n", TerminalText.Visible("a\u001b[31mb\u0007c\r\u007f\u009b\u202e\tline\n"));
        Assert.Equal("plain text: AKIA…WXYZ\n", TerminalText.Visible("plain text: AKIA…WXYZ\n"));
    }

    [Fact]
    public void The_writer_renders_whatever_path_text_takes_through_it()
    {
        var inner = new StringWriter();
        using var writer = new TerminalTextWriter(inner);
        writer.Write('\u001b');
        writer.Write("[2J".ToCharArray(), 0, 3);
        writer.WriteLine("\u0007done");
        Assert.Equal(@"\x1b[2J\x07done" + Environment.NewLine, inner.ToString());
    }

    private static void AssertNoRawControl(string text) =>
        Assert.DoesNotContain(text, c => TerminalText.IsDangerous(c));
}
