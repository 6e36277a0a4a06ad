using System.Text.RegularExpressions;

namespace NodeAgent.Sources;

/// <summary>
/// Masks secrets in file text before it is shown (diffs). The old content of a target may hold an old key that
/// no longer appears in any source, so masking by known value alone is not enough: secret-looking values are
/// also masked by the name of the key that holds them and by their shape.
/// </summary>
public static partial class SecretScrubber
{
    /// <summary>Shorter pass-through values ("30", "yes", "eu") are masked by position only: by value they would
    /// mask unrelated text.</summary>
    public const int MinimumPassThroughLength = 6;

    private static readonly string[] SecretKeyNames =
        ["secret", "password", "passwd", "pwd", "token", "api_key", "apikey", "private_key", "secret_key", "access_token", "client_secret"];

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
    /// Masks exactly what holds a secret, for diffs of the files NodeAgent writes: every known value (secrets,
    /// tokens, pass-through values; a value shorter than <see cref="MinimumPassThroughLength"/> is masked only by
    /// its position in an env file, as it could not be told from ordinary text), the value of every key named as a
    /// secret (old keys included, which no source holds any more), a URL's password, and anything shaped like an AWS
    /// key id or secret key. A line with none of these is left as it is.
    /// </summary>
    public static string ScrubExactly(string text, IEnumerable<Secret> secrets, IEnumerable<string> passThroughValues)
    {
        foreach (var secret in secrets)
        {
            if (secret.Length > 0)
            {
                text = text.Replace(secret.Reveal(), secret.Masked, StringComparison.Ordinal);
            }
        }

        foreach (var value in passThroughValues.Where(v => v.Length >= MinimumPassThroughLength).OrderByDescending(v => v.Length))
        {
            text = ReplaceWholeValue(text, value);
        }

        text = KeyValueLine().Replace(text, m => IsSecretKeyName(m.Groups["key"].Value) ? MaskAssignedValue(m) : m.Value);
        text = UrlPassword().Replace(text, "****");
        text = AccessKeyIdShape().Replace(text, m => Secret.Mask(m.Value, 4));
        return SecretKeyShape().Replace(text, m => Secret.Mask(m.Value));
    }

    /// <summary>
    /// An env file's variables pass through from the deployer to the containers and mean nothing to NodeAgent, so
    /// their values are opaque: every value is masked except the few NodeAgent itself writes and knows to be
    /// harmless (region, bucket names). The access key id keeps its AKIA…WXYZ form through <see cref="Scrub"/>.
    /// </summary>
    public static string ScrubEnvFile(string text, IEnumerable<Secret> secrets, IEnumerable<string> passThroughValues)
    {
        text = EnvAssignment().Replace(text, m => IsShownEnvVariable(m.Groups["name"].Value)
            ? m.Value
            : m.Groups["prefix"].Value + MaskQuoted(m.Groups["value"].Value.TrimEnd('\r')));
        return ScrubExactly(text, secrets, passThroughValues);
    }

    /// <summary>aws_secret_access_key, aws_session_token, AWS_SECURITY_TOKEN, db_password, …: the name, or its last
    /// words after an underscore, is a known secret key. `credentials`, `shared_credentials_file` or `profile` are not.</summary>
    internal static bool IsSecretKeyName(string key)
    {
        var name = key.ToLowerInvariant().Replace('-', '_').Replace('.', '_');
        return name is "aws_secret_access_key" or "aws_session_token" or "aws_security_token"
            || SecretKeyNames.Any(k => name == k || name.EndsWith("_" + k, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")]
    private static partial Regex AccessKeyIdShape();

    // INI `key = value`, env `KEY=value` (optionally `export`), JSON `"key": "value"` for secret-ish key names.
    [GeneratedRegex(@"(?<prefix>^\s*(?:export\s+)?""?(?<key>[A-Za-z0-9_.\-]*(?:secret|token|passw|pwd|private|credential|auth|dsn|api_?key|(?<![a-z0-9])pat(?![a-z0-9]))[A-Za-z0-9_.\-]*)""?\s*[:=]\s*[""']?)(?<value>[^\r\n]+)", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex SecretAssignment();

    // user:password@ in a URL (a DSN passed through to the containers).
    [GeneratedRegex(@"(?<=://[^\s/:@]+:)[^\s/@]+(?=@)")]
    private static partial Regex UrlPassword();

    // `key = value` (INI), `key: value` (YAML), `"key": "value"` (JSON), `KEY=value` (env) on one line: the key is
    // judged by name (IsSecretKeyName), so `shared_credentials_file: path` or a `credentials:` section stays readable.
    [GeneratedRegex(@"^(?<prefix>[ \t]*(?:export[ \t]+)?""?(?<key>[A-Za-z0-9_.\-]+)""?[ \t]*[:=][ \t]*[""']?)(?<value>[^\r\n]*[^\s""',][^\r\n]*)(?=\r?$)", RegexOptions.Multiline)]
    private static partial Regex KeyValueLine();

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

    /// <summary>Every occurrence of <paramref name="value"/> that is not part of a longer word.</summary>
    private static string ReplaceWholeValue(string text, string value)
    {
        var masked = Secret.Mask(value);
        var at = 0;
        while ((at = text.IndexOf(value, at, StringComparison.Ordinal)) >= 0)
        {
            var end = at + value.Length;
            var whole = (at == 0 || !char.IsLetterOrDigit(text[at - 1])) && (end == text.Length || !char.IsLetterOrDigit(text[end]));
            if (whole)
            {
                text = text[..at] + masked + text[end..];
                at += masked.Length;
            }
            else
            {
                at = end;
            }
        }

        return text;
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
