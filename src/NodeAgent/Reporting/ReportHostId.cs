using NodeAgent.Aws;
using NodeAgent.Configuration;
using NodeAgent.Probes;

namespace NodeAgent.Reporting;

/// <summary>
/// The name a host's report goes by in S3: the EC2 instance id when IMDS answers (unique, and what the console and
/// the fleet's inventory show), else the hostname made key-safe. Asked once per process: an instance id never
/// changes, and a daemon must not ask IMDS every cycle.
/// </summary>
public static class ReportHostId
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _cached;

    public static async Task<string> ResolveAsync(ImdsOptions imds, TimeProvider clock, CancellationToken ct)
    {
        if (Volatile.Read(ref _cached) is { } known)
        {
            return known;
        }

        await Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_cached is null)
            {
                using var client = new InstanceMetadataClient(ImdsEndpoint.Resolve(imds, Environment.GetEnvironmentVariable),
                    TimeSpan.FromSeconds(imds.TimeoutSeconds), clock);
                var id = await client.GetInstanceIdAsync(ct).ConfigureAwait(false);
                Volatile.Write(ref _cached, id ?? ProbeHostName.Current());
            }

            return _cached!;
        }
        finally
        {
            Gate.Release();
        }
    }
}
