using NodeAgent.Configuration;
using NodeAgent.Sources;

using static NodeAgent.Tests.Sources.SourceSamples;

namespace NodeAgent.Tests.Sources;

/// <summary>
/// Malformed expanso-s3-config.json: each syntax error is one line naming file and line, in our words. The
/// reader's own message quotes the text where it stopped — for an unquoted token that was the token and the
/// rest of the file — so every case asserts that no fragment of any value in the file reaches the message.
/// </summary>
public sealed class JsonSyntaxErrorTests
{
    // Shaped like an STS session token, starting with the letters Utf8JsonReader tries as true/false/null.
    private const string TokenF = "fTOKENVALUEFQoGZXIvYXdzEBYaDEXAMPLE0123456789abcdef==";
    private const string TokenT = "tQoGZXIvYXdzEBYaDHk3Jm9yZXhhbXBsZXRva2Vu8XqPzW==";
    private const string TokenN = "nQoGZXIvYXdzEBYaDG5vZGVhZ2VudHNlc3Npb25rZXk7QeLs==";
    private const string TokenTrue = "trueQoGZXIvYXdzEBYaDPfk29sZWNyZXR0b2tlbmhlcmU==";
    private const string TokenNull = "nullQoGZXIvYXdzEBYaDKm2dW5xdW90ZWR0b2tlbnZhbHVl==";
    private const string TokenDigit = "9QoGZXIvYXdzEBYaDJh3cmFuZG9tdG9rZW5kaWdpdHN0YXJ0==";

    public static TheoryData<string, string, int, string> Cases() => new()
    {
        { "unquoted token starting with f", WithTokenLine($"\"aws_session_token\": {TokenF},"), 4, "an unquoted value starts here" },
        { "unquoted token starting with t", WithTokenLine($"\"aws_session_token\": {TokenT},"), 4, "an unquoted value starts here" },
        { "unquoted token starting with n", WithTokenLine($"\"aws_session_token\": {TokenN},"), 4, "an unquoted value starts here" },
        { "unquoted token starting with true", WithTokenLine($"\"aws_session_token\": {TokenTrue},"), 4, "an unquoted value starts here" },
        { "unquoted token starting with null", WithTokenLine($"\"aws_session_token\": {TokenNull},"), 4, "an unquoted value starts here" },
        { "unquoted token starting with a digit", WithTokenLine($"\"aws_session_token\": {TokenDigit},"), 4, "an unquoted value starts here" },
        { "unquoted token starting otherwise", WithTokenLine($"\"aws_session_token\": {Token},"), 4, "an unquoted value starts here" },
        { "unquoted secret key", R(JsonSample, $"\"{SecretKey}\"", SecretKey), 3, "an unquoted value starts here" },
        { "single-quoted secret", R(JsonSample, $"\"{SecretKey}\"", $"'{SecretKey}'"), 3, "an unquoted value starts here" },
        { "unquoted token at the end of the file", "{\n  \"aws_session_token\": " + TokenF, 2, "an unquoted value starts here" },
        { "truncated inside a quoted token", WithTokenLine($"\"aws_session_token\": \"{Token}\",")[..(JsonSample.IndexOf("  \"region\"", StringComparison.Ordinal) + 40)], 4, "the file looks truncated" },
        { "truncated after a comma", WithTokenLine($"\"aws_session_token\": \"{Token}\",")[..(JsonSample.IndexOf("  \"region\"", StringComparison.Ordinal) + 26 + Token.Length)], 4, "the file looks truncated" },
        { "missing closing brace", JsonSample.TrimEnd()[..^1].TrimEnd(), 12, "the file looks truncated" },
        { "invalid escape in a secret", R(JsonSample, SecretKey, SecretKey.Replace("/", "\\q", StringComparison.Ordinal)), 3, "invalid escape sequence" },
        { "invalid \\u escape in a token", WithTokenLine($"\"aws_session_token\": \"{Token[..20]}\\u12G4{Token[20..]}\","), 4, "invalid escape sequence" },
        { "unpaired surrogate escape in a token", WithTokenLine($"\"aws_session_token\": \"{Token[..20]}\\uD800{Token[20..]}\","), 4, "half of a surrogate pair" },
        { "closing quote missing", WithTokenLine($"\"aws_session_token\": \"{Token},"), 4, "closing double quote is missing" },
        { "raw tab inside a secret", R(JsonSample, SecretKey, SecretKey.Replace("/", "\t", StringComparison.Ordinal)), 3, "raw control character" },
        { "stray character where a property belongs", WithTokenLine("@"), 4, "stray character stands where a name belongs" },
        { "unquoted property name", WithTokenLine($"aws_session_token: \"{Token}\","), 4, "property name is not in double quotes" },
        { "stray character after a value", WithTokenLine($"\"aws_session_token\": \"{Token}\" x,"), 4, "a missing comma, or a stray character" },
        { "colon missing", WithTokenLine($"\"aws_session_token\" \"{Token}\","), 4, "a colon is missing" },
        { "two commas", WithTokenLine($"\"aws_session_token\": \"{Token}\",,"), 4, "a comma with nothing before it" },
        { "property without a value", R(JsonSample, $"\"{Bucket("emergency")}\"", ""), 11, "a property has no value" },
        { "extra closing brace", JsonSample + "}\n", 14, "more text after the closing brace" },
        { "mismatched bracket", R(JsonSample, $"\"raw\": \"{Bucket("raw")}\",", $"\"raw\": [\"{Bucket("raw")}\"}},"), 7, "this closing } does not match the [ opened on line 7" },
        { "nesting too deep", new string('[', 65) + new string(']', 65), 1, "nested more than 64 levels deep" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_malformed_json_source_gets_one_line_naming_the_line_and_no_fragment_of_any_value(string why, string json, int line, string what)
    {
        var error = Assert.Single(Reject(json: json));
        Assert.True(error.File == JsonPath && error.Line == line && error.What.Contains(what, StringComparison.Ordinal),
            $"{why}: expected {JsonPath}:{line} \"{what}\"; got {error}");
        AssertOneLineWithoutValues(error.ToString(), error.What + " " + error.Fix);
    }

    [Fact]
    public void A_missing_comma_is_named_with_its_fix()
    {
        var error = Assert.Single(Reject(json: R(JsonSample, "\"region\": \"us-west-2\",", "\"region\": \"us-west-2\"")));
        Assert.Equal(5, error.Line);
        Assert.Contains("not valid JSON", error.What, StringComparison.Ordinal);
        Assert.Contains("add the missing comma", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_a_config_file_with_an_unquoted_token_reports_one_line_without_it()
    {
        var directory = Directory.CreateTempSubdirectory("nodeagent-json-").FullName;
        try
        {
            var options = new AgentOptions();
            var path = Path.Combine(directory, options.Sources.ConfigFile);
            File.WriteAllText(path, WithTokenLine($"\"aws_session_token\": {TokenF},"));
            var e = Assert.Throws<InvalidInputException>(() => SourceLoader.Load(directory, options));
            Assert.StartsWith($"{path}:4: the file is not valid JSON: an unquoted value starts here", e.Message, StringComparison.Ordinal);
            AssertOneLineWithoutValues(e.Message, e.Message[path.Length..]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The sample with a session token on line 4 written as <paramref name="tokenLine"/> (region moves to line 5).</summary>
    private static string WithTokenLine(string tokenLine) =>
        JsonSample.Replace("  \"region\"", $"  {tokenLine}\n  \"region\"", StringComparison.Ordinal);

    private static string R(string text, string from, string to) => text.Replace(from, to, StringComparison.Ordinal);

    /// <param name="message">The whole message, checked for line breaks.</param>
    /// <param name="words">The part that must not hold any value fragment (the file's path holds "expanso-" by design).</param>
    private static void AssertOneLineWithoutValues(string message, string words)
    {
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\r', message);
        string[] values = [TokenF, TokenT, TokenN, TokenTrue, TokenNull, TokenDigit, Token, KeyId, SecretKey, .. Roles.Select(Bucket)];
        foreach (var value in values)
        {
            for (var i = 0; i + 6 <= value.Length; i++)
            {
                Assert.False(words.Contains(value.Substring(i, 6), StringComparison.Ordinal),
                    $"the message holds \"{value.Substring(i, 6)}\", a fragment of a value from the file: {words}");
            }
        }
    }
}
