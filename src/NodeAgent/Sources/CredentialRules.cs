using System.Text.RegularExpressions;

namespace NodeAgent.Sources;

/// <summary>
/// The shape rules for each value the sources hold. Each check returns null when the value is acceptable, or
/// a description of what is wrong that never contains the value itself (callers add a masked form).
/// </summary>
public static partial class CredentialRules
{
    /// <summary>STS session tokens are hundreds of characters; anything this short was not copied whole.</summary>
    public const int MinimumSessionTokenLength = 16;

    public const int SecretAccessKeyLength = 40;

    private static readonly string[] ReservedBucketPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
    private static readonly string[] ReservedBucketSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

    /// <summary>
    /// True for values the setup guide's templates and common habits leave behind: empty, YOUR_…, CHANGEME,
    /// REPLACE_ME, &lt;…&gt;, xxx…, or an unexpanded ${VARIABLE}.
    /// </summary>
    public static bool IsPlaceholder(string value)
    {
        var v = value.Trim();
        return v.Length == 0
            || v.StartsWith("YOUR_", StringComparison.OrdinalIgnoreCase)
            || v.StartsWith("YOUR-", StringComparison.OrdinalIgnoreCase)
            || v.Contains("CHANGEME", StringComparison.OrdinalIgnoreCase)
            || v.Contains("CHANGE_ME", StringComparison.OrdinalIgnoreCase)
            || v.Contains("REPLACE_ME", StringComparison.OrdinalIgnoreCase)
            || v.Contains("REPLACEME", StringComparison.OrdinalIgnoreCase)
            || (v.StartsWith('<') && v.EndsWith('>'))
            || v.Contains("${", StringComparison.Ordinal)
            || OnlyXs().IsMatch(v)
            || LongRunOfX().IsMatch(v);
    }

    /// <summary>The masked form safe to print: AKIA/ASIA is shown only when the value really starts with it.</summary>
    public static string MaskAccessKeyId(string value) =>
        value.StartsWith("AKIA", StringComparison.Ordinal) || value.StartsWith("ASIA", StringComparison.Ordinal)
            ? Secret.Mask(value, 4)
            : Secret.Mask(value);

    public static bool IsTemporaryAccessKeyId(string value) => value.StartsWith("ASIA", StringComparison.Ordinal);

    public static string? CheckAccessKeyId(string value)
    {
        if (AccessKeyIdPattern().IsMatch(value))
        {
            return null;
        }

        if (SecretAccessKeyPattern().IsMatch(value))
        {
            return "looks like a secret access key, not an access key id (are the key id and the secret swapped?)";
        }

        if (!value.StartsWith("AKIA", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("ASIA", StringComparison.OrdinalIgnoreCase))
        {
            return "does not start with AKIA (long-term key) or ASIA (temporary key)";
        }

        if (value.Any(char.IsWhiteSpace) || value.Any(c => c is '"' or '\''))
        {
            return "contains whitespace or quotes around or inside the key id";
        }

        if (value.Any(char.IsAsciiLetterLower))
        {
            return "contains lower-case letters; access key ids are upper-case letters and digits";
        }

        return value.Length != 20
            ? $"is {value.Length} characters long; an access key id is exactly 20 (AKIA or ASIA and 16 more)"
            : "contains characters other than upper-case letters and digits";
    }

    public static string? CheckSecretAccessKey(string value)
    {
        if (SecretAccessKeyPattern().IsMatch(value))
        {
            return null;
        }

        if (value.Any(c => c is '"' or '\''))
        {
            return "contains a quote character (quotes are not part of the secret)";
        }

        if (value.Any(char.IsWhiteSpace))
        {
            return "contains whitespace (the secret was copied with a space or line break)";
        }

        return value.Length != SecretAccessKeyLength
            ? $"is {value.Length} characters long; a secret access key is exactly {SecretAccessKeyLength}"
            : "contains characters other than A–Z, a–z, 0–9, /, + and =";
    }

    public static string? CheckSessionToken(string value)
    {
        if (value.Any(char.IsWhiteSpace) || value.Any(c => c is '"' or '\''))
        {
            return "contains whitespace or quotes (the token was not copied whole)";
        }

        if (!Base64Characters().IsMatch(value))
        {
            return "contains characters other than A–Z, a–z, 0–9, /, + and =";
        }

        return value.Length < MinimumSessionTokenLength
            ? $"is only {value.Length} characters long; a session token is hundreds"
            : null;
    }

    public static string? CheckRegion(string value)
    {
        if (RegionPattern().IsMatch(value))
        {
            return null;
        }

        if (RegionPattern().IsMatch(value.ToLowerInvariant()))
        {
            return "must be lower-case";
        }

        if (AvailabilityZonePattern().IsMatch(value))
        {
            return "is an availability zone, not a region (drop the final letter)";
        }

        return "is not an AWS region name (like us-west-2, eu-central-1 or us-gov-west-1)";
    }

    public static string? CheckBucketName(string value)
    {
        var problems = new List<string>();
        if (value.Length is < 3 or > 63)
        {
            problems.Add($"is {value.Length} characters long (bucket names are 3 to 63)");
        }

        if (!value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
        {
            problems.Add(value.Any(char.IsAsciiLetterUpper)
                ? "contains upper-case letters (bucket names are lower-case)"
                : "contains characters other than lower-case letters, digits, dots and hyphens");
        }
        else if (value.Length > 0 && (!char.IsAsciiLetterOrDigit(value[0]) || !char.IsAsciiLetterOrDigit(value[^1])))
        {
            problems.Add("must start and end with a letter or digit");
        }

        if (value.Contains("..", StringComparison.Ordinal))
        {
            problems.Add("contains two adjacent dots");
        }

        if (IpAddressShape().IsMatch(value))
        {
            problems.Add("is formatted as an IP address");
        }

        problems.AddRange(ReservedBucketPrefixes
            .Where(p => value.StartsWith(p, StringComparison.Ordinal))
            .Select(p => $"starts with the reserved prefix {p}"));
        problems.AddRange(ReservedBucketSuffixes
            .Where(s => value.EndsWith(s, StringComparison.Ordinal))
            .Select(s => $"ends with the reserved suffix {s}"));
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    [GeneratedRegex("^(AKIA|ASIA)[A-Z0-9]{16}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccessKeyIdPattern();

    [GeneratedRegex("^[A-Za-z0-9/+=]{40}$", RegexOptions.CultureInvariant)]
    private static partial Regex SecretAccessKeyPattern();

    [GeneratedRegex("^[A-Za-z0-9/+=]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Base64Characters();

    // Partition prefixes (us, cn, us-gov, us-iso, us-isob, eusc-de …), a compass direction, a number.
    [GeneratedRegex("^[a-z]{2,4}(-[a-z]{2,4})?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-[1-9][0-9]?$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[a-z]{2,4}(-[a-z]{2,4})?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-[1-9][0-9]?[a-z]$", RegexOptions.CultureInvariant)]
    private static partial Regex AvailabilityZonePattern();

    [GeneratedRegex(@"^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IpAddressShape();

    [GeneratedRegex("[xX]{8,}", RegexOptions.CultureInvariant)]
    private static partial Regex LongRunOfX();

    [GeneratedRegex(@"^[xX.*…_\-]{3,}$", RegexOptions.CultureInvariant)]
    private static partial Regex OnlyXs();
}
