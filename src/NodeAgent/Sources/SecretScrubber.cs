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
    [GeneratedRegex(@"(?<prefix>^\s*(?:export\s+)?""?(?<key>[A-Za-z0-9_.\-]*(?:secret|token|password|passwd|private)[A-Za-z0-9_.\-]*)""?\s*[:=]\s*[""']?)(?<value>[^\r\n]+)", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex SecretAssignment();

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
        text = AccessKeyIdShape().Replace(text, m => Secret.Mask(m.Value, 4));
        return SecretKeyShape().Replace(text, m => Secret.Mask(m.Value));
    }
}
