using System.Text;

using NodeAgent.Reporting;

namespace NodeAgent.Probes;

/// <summary>
/// The {hostname} in probe object keys: <see cref="HostName"/>, reduced to characters that are safe in an S3 key and
/// in a path-like prefix: a "/" or ".." must never move the probe object outside its own prefix.
/// </summary>
public static class ProbeHostName
{
    public static string Current() => Safe(HostName.Current());

    public static string Safe(string name)
    {
        var b = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            b.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        }

        var safe = b.ToString().Replace("..", "-", StringComparison.Ordinal).Trim('.', '-');
        return safe.Length == 0 ? "host" : safe;
    }
}
