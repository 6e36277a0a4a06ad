using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

using NodeAgent.Sources;

namespace NodeAgent.Probes;

/// <summary>
/// Runs probes in parallel, each bounded by a timeout, and turns anything a probe does wrong (throwing, hanging)
/// into a Failed result: a verify run always ends, and always with one row per probe at least.
/// Every detail and fix is scrubbed of the given secrets before it leaves, whatever a server or exception put there.
/// </summary>
public sealed class ProbeRunner
{
    /// <summary>
    /// After the probe's token is cancelled, how long it may still take to return its own (partial) results and
    /// remove a probe object. Past that the runner stops waiting and reports the probe as not answering.
    /// </summary>
    public static readonly TimeSpan CleanupGrace = TimeSpan.FromSeconds(3);

    private readonly Secret[] _secrets;

    public ProbeRunner(IEnumerable<Secret>? secretsToMask = null)
    {
        _secrets = (secretsToMask ?? []).ToArray();
    }

    public async Task<IReadOnlyList<ProbeResult>> RunAsync(IEnumerable<IProbe> probes, TimeSpan perProbeTimeout, CancellationToken ct)
    {
        var runs = probes.Select(probe => RunOneAsync(probe, perProbeTimeout, ct)).ToList();
        var results = await Task.WhenAll(runs).ConfigureAwait(false);
        return results.SelectMany(r => r).Select(Scrub).ToList();
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "One probe that throws becomes a failed row of its own; the other probes and the report still come out.")]
    private static async Task<IReadOnlyList<ProbeResult>> RunOneAsync(IProbe probe, TimeSpan timeout, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        Task<IReadOnlyList<ProbeResult>> run;
        try
        {
            // Task.Run: a probe that blocks synchronously before its first await must not hold up the others.
            run = Task.Run(() => probe.RunAsync(deadline.Token), CancellationToken.None);
            var finished = await Task.WhenAny(run, Task.Delay(timeout + CleanupGrace, ct)).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            if (finished != run)
            {
                _ = run.ContinueWith(t => t.Exception, TaskScheduler.Default); // observe a late fault
                return [TimedOut(probe, timeout, started)];
            }

            return await run.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return [TimedOut(probe, timeout, started)];
        }
        catch (Exception e)
        {
            return
            [
                new ProbeResult(KindOf(probe), TargetOf(probe), ProbeStatus.Failed, $"the probe itself failed: {e.GetType().Name}: {e.Message}",
                    "this is a NodeAgent bug: please report it with this line", Stopwatch.GetElapsedTime(started)),
            ];
        }
    }

    private static ProbeResult TimedOut(IProbe probe, TimeSpan timeout, long started) =>
        new(KindOf(probe), TargetOf(probe), ProbeStatus.Failed, $"no answer within {AwsFailure.Seconds(timeout)}",
            "check the network path to the endpoint (DNS, proxy, security group egress on 443) or raise probes.timeout_seconds (or --timeout)",
            Stopwatch.GetElapsedTime(started), AwsFailureKind.Timeout);

    /// <summary>"bucket raw" → probe "bucket", target "raw": a synthesized row lines up with the probe's own rows.</summary>
    private static string KindOf(IProbe probe) => probe.Name.Split(' ', 2)[0];

    private static string TargetOf(IProbe probe) => probe.Name.Split(' ', 2) is [_, var target] ? target : "-";

    /// <summary>Server messages and exception texts are not ours: this keeps a credential that slipped into one out of a report.</summary>
    private ProbeResult Scrub(ProbeResult result) => result with
    {
        Detail = SecretScrubber.Scrub(result.Detail, _secrets),
        Fix = result.Fix is null ? null : SecretScrubber.Scrub(result.Fix, _secrets),
    };
}
