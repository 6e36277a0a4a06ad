using System.Security.Cryptography;
using System.Text;

namespace NodeAgent.Sources;

/// <summary>
/// A credential value. Every textual form of it (ToString, string interpolation, JSON of a model holding it)
/// is the mask, so a log line or report can only leak what it never saw. <see cref="Reveal"/> is called
/// by renderers and AWS clients only.
/// </summary>
public sealed class Secret : IEquatable<Secret>
{
    private readonly string _value;
    private readonly int _revealPrefix;

    private Secret(string value, int revealPrefix)
    {
        _value = value;
        _revealPrefix = revealPrefix;
    }

    public int Length => _value.Length;

    /// <summary>AKIA…WXYZ for key ids, ****…WXYZ for secrets; short values are fully hidden.</summary>
    public string Masked => Mask(_value, _revealPrefix);

    /// <summary>A stable, non-reversible identity for comparing values without printing them.</summary>
    public string Fingerprint => FingerprintOf(_value);

    /// <summary>An access key id: its first four characters say AKIA/ASIA, which operators need to read.</summary>
    public static Secret AccessKeyId(string value) => new(value, 4);

    /// <summary>A secret access key, session token or any other value that must never be shown.</summary>
    public static Secret Of(string value) => new(value, 0);

    public static string Mask(string value, int revealPrefix = 0)
    {
        if (value.Length < 16)
        {
            return "****";
        }

        var prefix = revealPrefix > 0 ? value[..revealPrefix] : "****";
        return $"{prefix}…{value[^4..]}";
    }

    public static string FingerprintOf(string value) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..12];

    public string Reveal() => _value;

    public override string ToString() => Masked;

    public bool Equals(Secret? other) =>
        other is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(_value), Encoding.UTF8.GetBytes(other._value));

    public override bool Equals(object? obj) => obj is Secret other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_value);
}
