using NodeAgent.Sources;

using static NodeAgent.Tests.Sources.SourceSamples;

namespace NodeAgent.Tests.Sources;

public sealed class DotEnvParserTests
{
    [Theory]
    [InlineData("A=\"cost \\$5 \\q\"", "cost $5 \\q")]
    [InlineData("A=plain", "plain")]
    [InlineData("A = spaced ", "spaced")]
    [InlineData("export A=exported", "exported")]
    [InlineData("export\tA=tab", "tab")]
    [InlineData("A=value # a comment", "value")]
    [InlineData("A=va#lue", "va#lue")]
    [InlineData("A=#notacomment", "#notacomment")]
    [InlineData("A= # only a comment", "")]
    [InlineData("A=", "")]
    [InlineData("A='single $quoted \\n # kept'", "single $quoted \\n # kept")]
    [InlineData("A=\"double \\\"escaped\\\" back\\\\slash\"", "double \"escaped\" back\\slash")]
    [InlineData("A=\"line\\nbreak\"", "line\nbreak")]
    [InlineData("A=\"quoted\"   # comment after", "quoted")]
    [InlineData("A=\"keeps # inside\"", "keeps # inside")]
    [InlineData("A=a=b=c", "a=b=c")]
    public void Reads_the_value_forms_operators_write(string line, string expected)
    {
        Assert.Equal(expected, ValueOf(line));
    }

    [Fact]
    public void Tolerates_crlf_bom_comments_and_blank_lines_and_keeps_file_order()
    {
        var env = Parse("\uFEFF# header\r\n\r\nB=2\r\n   # indented comment\r\nA=1\r\n");
        Assert.True(env.IsValid);
        Assert.Equal([new DotEnvVariable("B", "2", 3), new DotEnvVariable("A", "1", 5)], env.Variables);
    }

    [Fact]
    public void Duplicate_variable_is_ambiguous()
    {
        var env = Parse("A=1\nexport A=2\n");
        var error = Assert.Single(env.Errors);
        Assert.Equal(2, error.Line);
        Assert.Contains("A is set a second time (first on line 1)", error.What, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1A=x", "variable name \"1A\" is not valid")]
    [InlineData("MY-VAR=x", "variable name \"MY-VAR\" is not valid")]
    [InlineData("no equals sign", "not a NAME=value assignment")]
    [InlineData("A=\"never closed", "double-quoted value of A is not closed")]
    [InlineData("A='never closed", "single-quoted value of A is not closed")]
    [InlineData("A=\"x\" y", "text follows the closing quote of A")]
    public void Malformed_lines_are_errors_naming_the_line(string line, string what)
    {
        var error = Assert.Single(Parse("# first\n" + line + "\n").Errors);
        Assert.Equal(2, error.Line);
        Assert.Contains(what, error.What, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pasted_secret_line_is_not_echoed()
    {
        var errors = Parse($"{SecretKey}\n{SecretKey}=1\n").Errors;
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => AssertNoSecretIn(e.ToString()));
    }

    [Theory]
    [InlineData("AWS_ACCESS_KEY_ID", true)]
    [InlineData("_x1", true)]
    [InlineData("1x", false)]
    [InlineData("A-B", false)]
    [InlineData("", false)]
    public void Variable_names_follow_the_shell_rule(string name, bool valid)
    {
        Assert.Equal(valid, DotEnvParser.IsValidName(name));
    }

    [Fact]
    public void Only_comments_is_empty()
    {
        Assert.True(Parse("# a\n\n   \n").IsEmpty);
    }

    private static DotEnvDocument Parse(string text) => DotEnvParser.Parse("env", Bytes(text));

    private static string ValueOf(string line)
    {
        var env = Parse(line);
        Assert.True(env.IsValid, string.Join("\n", env.Errors));
        return Assert.Single(env.Variables).Value;
    }
}
