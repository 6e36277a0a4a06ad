using System.Text.RegularExpressions;

using NodeAgent.Sources;

namespace NodeAgent.Planning;

/// <summary>
/// Masks anything shaped like an AWS secret key (40 base64 characters) or session token (longer, '=' padded) in diff
/// lines, whatever key it sits under: old content is whatever the file held (`key=…`, a pasted presigned URL's
/// `X-Amz-Signature=…`), and the known-secret and key-name rules cannot recognise a secret they were never told of.
/// </summary>
public static partial class SecretShapeMask
{
    public static string Mask(string line) =>
        line.Length < 40 ? line : SecretShaped().Replace(line, m => Secret.Mask(m.Value));

    [GeneratedRegex(@"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40,}={0,2}(?![A-Za-z0-9/+=])")]
    private static partial Regex SecretShaped();
}
