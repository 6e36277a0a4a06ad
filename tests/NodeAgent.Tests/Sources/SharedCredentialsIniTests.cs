using NodeAgent.Sources;

using static NodeAgent.Tests.Sources.SourceSamples;

namespace NodeAgent.Tests.Sources;

public sealed class SharedCredentialsIniTests
{
    [Fact]
    public void Reads_sections_keys_and_line_numbers()
    {
        var ini = Parse("[default]\naws_access_key_id = A\n\n[other]\nregion = us-east-1\n");
        Assert.True(ini.IsValid);
        Assert.Equal(["default", "other"], ini.Sections.Select(s => s.Name));
        Assert.Equal(new IniEntry("aws_access_key_id", "A", 2), ini.FindProfile("default")!.Find("aws_access_key_id"));
        Assert.Equal(4, ini.FindProfile("other")!.Line);
    }

    [Fact]
    public void Tolerates_crlf_bom_comments_blank_lines_and_spacing()
    {
        var text = "\uFEFF# credentials\r\n; managed by ops\r\n\r\n  [ default ]  \r\naws_access_key_id=A   \r\n\taws_secret_access_key   =   B # the secret\r\n";
        var ini = Parse(text);
        Assert.True(ini.IsValid, string.Join("\n", ini.Errors));
        var section = ini.FindProfile("default")!;
        Assert.Equal("A", section.Find("aws_access_key_id")!.Value);
        Assert.Equal("B", section.Find("aws_secret_access_key")!.Value);
        Assert.Equal(6, section.Find("aws_secret_access_key")!.Line);
    }

    [Fact]
    public void Key_names_are_case_insensitive()
    {
        var section = Parse("[default]\nAWS_Access_Key_ID = A\n").FindProfile("default")!;
        Assert.Equal("A", section.Find("aws_access_key_id")!.Value);
    }

    [Fact]
    public void Profile_prefix_names_the_same_profile()
    {
        var ini = Parse("[profile  ops]\nregion = us-west-2\n");
        Assert.NotNull(ini.FindProfile("ops"));
    }

    [Fact]
    public void A_hash_inside_a_value_is_kept()
    {
        Assert.Equal("a#b", Parse("[default]\nnote = a#b\n").FindProfile("default")!.Find("note")!.Value);
    }

    [Fact]
    public void Duplicate_key_in_a_section_is_ambiguous()
    {
        var ini = Parse("[default]\naws_access_key_id = A\nAWS_ACCESS_KEY_ID = B\n");
        var error = Assert.Single(ini.Errors);
        Assert.Equal(3, error.Line);
        Assert.Contains("appears a second time in [default] (first on line 2)", error.What, StringComparison.Ordinal);
        Assert.Equal("A", ini.FindProfile("default")!.Find("aws_access_key_id")!.Value);
    }

    [Fact]
    public void Duplicate_section_is_ambiguous_even_when_spelled_with_profile_prefix()
    {
        var ini = Parse("[default]\nregion = us-west-2\n[profile default]\nregion = us-east-1\n");
        var error = Assert.Single(ini.Errors);
        Assert.Equal(3, error.Line);
        Assert.Contains("profile [default] appears a second time (first on line 1)", error.What, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[default\nregion = x\n", 1, "not closed with ]")]
    [InlineData("[]\n", 1, "names no single profile")]
    [InlineData("[default] trailing\n", 1, "text follows the ]")]
    [InlineData("region = x\n[default]\n", 1, "comes before any [profile] header")]
    [InlineData("[default]\nthisisnotakeyvalue\n", 2, "neither a [profile] header nor \"key = value\"")]
    [InlineData("[default]\n = value\n", 2, "no key before the =")]
    public void Malformed_lines_are_errors_naming_the_line(string text, int line, string what)
    {
        var error = Assert.Single(Parse(text).Errors);
        Assert.Equal("creds", error.File);
        Assert.Equal(line, error.Line);
        Assert.Contains(what, error.What, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_that_is_a_pasted_secret_is_not_echoed()
    {
        var ini = Parse($"[default]\n{SecretKey}\n");
        var error = Assert.Single(ini.Errors);
        AssertNoSecretIn(error.ToString());
    }

    [Fact]
    public void Only_comments_is_empty()
    {
        Assert.True(Parse("# nothing\n\n; here\n").IsEmpty);
        Assert.False(Parse("[default]\n").IsEmpty);
    }

    [Fact]
    public void Binary_content_is_rejected_with_its_line()
    {
        var bytes = Bytes("[default]\nregion = us-\0west-2\n");
        var error = Assert.Single(SharedCredentialsIni.Parse("creds", bytes).Errors);
        Assert.Equal(2, error.Line);
        Assert.Contains("NUL byte", error.What, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_rejected_with_its_line()
    {
        byte[] bytes = [.. Bytes("[default]\n\nregion = "), 0xC3, 0x28, .. Bytes("\n")];
        var error = Assert.Single(SharedCredentialsIni.Parse("creds", bytes).Errors);
        Assert.Equal(3, error.Line);
        Assert.Contains("not valid UTF-8", error.What, StringComparison.Ordinal);
    }

    [Fact]
    public void Utf16_is_rejected_with_a_fix_to_save_as_utf8()
    {
        byte[] bytes = [0xFF, 0xFE, .. System.Text.Encoding.Unicode.GetBytes("[default]\n")];
        var error = Assert.Single(SharedCredentialsIni.Parse("creds", bytes).Errors);
        Assert.Contains("UTF-16", error.What, StringComparison.Ordinal);
        Assert.Contains("UTF-8", error.Fix, StringComparison.Ordinal);
    }

    private static IniDocument Parse(string text) => SharedCredentialsIni.Parse("creds", Bytes(text));
}
