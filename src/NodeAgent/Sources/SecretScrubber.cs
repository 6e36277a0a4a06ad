using System.Text.RegularExpressions;

namespace NodeAgent.Sources;

/// <summary>
/// Masks secrets in file text before it is shown (diffs). The old content of a target may hold an old key that
/// no longer appears in any source, so masking by known value alone is not enough: secret-looking values are
/// also masked by the name of the key that holds them and by their shape.
/// </summary>
public static partial class SecretScrubber
{
    [GeneratedRegex(@"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")]
    private static partial Regex AccessKeyIdShape();

    // INI `key = value`, env `KEY=value` (optionally `export`), JSON `"key": "value"` for secret-ish key names.
    [GeneratedRegex(@"(?<prefix>^\s*(?:export\s+)?""?(?<key>[A-Za-z0-9_.\-]*(?:secret|token|passw|pwd|private|credential|auth|dsn|api_?key|(?<![a-z0-9])pat(?![a-z0-9]))[A-Za-z0-9_.\-]*)""?\s*[:=]\s*[""']?)(?<value>[^\r\n]+)", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex SecretAssignment();

    // user:password@ in a URL (a DSN passed through to the containers).
    [GeneratedRegex(@"(?<=://[^\s/:@]+:)[^\s/@]+(?=@)")]
    private static partial Regex UrlPassword();

    // KEY=value lines of an env file.
    [GeneratedRegex(@"^(?<prefix>\s*(?:export\s+)?(?<name>[A-Za-z_][A-Za-z0-9_]*)=)(?<value>.*)$", RegexOptions.Multiline)]
    private static partial Regex EnvAssignment();

    // A bare 40-character secret access key elsewhere in a line.
    [GeneratedRegex(@"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")]
    private static partial Regex SecretKeyShape();

    /// <summary>The whole rest of the line is the value, less the closing quote and comma that JSON and .env put after it.</summary>
    private static string MaskAssignedValue(Match m)
    {
        var raw = m.Groups["value"].Value.TrimEnd();
        var value = raw.TrimEnd('"', '\'', ',');
        var tail = raw[value.Length..];
        return m.Groups["prefix"].Value + (value.Contains('…') ? value : Secret.Mask(value)) + tail;
    }

    public static string Scrub(string text, IEnumerable<Secret>? known = null)
    {
        if (known is not null)
        {
            foreach (var secret in known)
            {
                if (secret.Length > 0)
                {
                    text = text.Replace(secret.Reveal(), secret.Masked, StringComparison.Ordinal);
                }
            }
        }

        text = SecretAssignment().Replace(text, MaskAssignedValue);
        text = UrlPassword().Replace(text, "****");
        text = AccessKeyIdShape().Replace(text, m => Secret.Mask(m.Value, 4));
        return SecretKeyShape().Replace(text, m => Secret.Mask(m.Value));
    }

    /// <summary>
    /// An env file's variables pass through from the deployer to the containers and mean nothing to NodeAgent, so
    /// their values are opaque: every value is masked except the few NodeAgent itself writes and knows to be
    /// harmless (region, bucket names). The access key id keeps its AKIA…WXYZ form through <see cref="Scrub"/>.
    /// </summary>
    public static string ScrubEnvFile(string text, IEnumerable<Secret>? known = null)
    {
        text = EnvAssignment().Replace(text, m => IsShownEnvVariable(m.Groups["name"].Value)
            ? m.Value
            : m.Groups["prefix"].Value + MaskQuoted(m.Groups["value"].Value.TrimEnd('\r')));
        return Scrub(text, known);
    }

    private static bool IsShownEnvVariable(string name) =>
        name is "AWS_ACCESS_KEY_ID" or "AWS_DEFAULT_REGION" or "AWS_REGION" || name.StartsWith("S3_BUCKET_", StringComparison.Ordinal);

    private static string MaskQuoted(string value)
    {
        var quote = value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0] ? value[0].ToString() : string.Empty;
        var inner = quote.Length > 0 ? value[1..^1] : value;
        return inner.Length == 0 ? value : quote + Secret.Mask(inner) + quote;
    }
}
