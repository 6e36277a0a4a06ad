namespace NodeAgent.Reporting;

/// <summary>
/// The one name this host goes by, in reports and (made key-safe by <see cref="Probes.ProbeHostName"/>) in probe
/// object keys: the full node name. Environment.MachineName stops at the first dot, so web.prod and web.staging
/// would report as the same host and share probe objects.
/// </summary>
public static class HostName
{
    public static string Current() => System.Net.Dns.GetHostName();
}
