using System.Text;

namespace NodeAgent.Probes;

/// <summary>
/// The {hostname} in probe object keys. The full node name (Environment.MachineName stops at the first dot, so
/// web.prod and web.staging would share objects), reduced to characters that are safe in an S3 key and in a
/// path-like prefix: a "/" or ".." must never move the probe object outside its own prefix.
/// </summary>
public static class ProbeHostName
{
    public static string Current() => Safe(System.Net.Dns.GetHostName());

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
