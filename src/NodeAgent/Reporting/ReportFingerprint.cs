using System.Security.Cryptography;
using System.Text;

namespace NodeAgent.Reporting;

/// <summary>
/// What makes two reports "the same" for the fleet: the host, the version, the status and every row's kind, target,
/// status, detail and fix. Timestamps and durations change every cycle and say nothing new, so they are left out.
/// </summary>
public static class ReportFingerprint
{
    public static string Of(Report r)
    {
        var b = new StringBuilder();
        b.Append(r.Host).Append('\0').Append(r.ToolVersion).Append('\0').Append(r.Status).Append('\n');
        foreach (var p in r.Probes)
        {
            b.Append("p\0").Append(p.Probe).Append('\0').Append(p.Target).Append('\0').Append(p.Status).Append('\0')
                .Append(p.Detail).Append('\0').Append(p.Fix).Append('\n');
        }

        foreach (var s in r.Files.Concat(r.Containers))
        {
            b.Append("s\0").Append(s.Step).Append('\0').Append(s.Target).Append('\0').Append(s.Status).Append('\0')
                .Append(s.Detail).Append('\0').Append(s.Fix).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(b.ToString())));
    }
}
