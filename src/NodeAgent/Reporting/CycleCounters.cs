using NodeAgent.Pipeline;

namespace NodeAgent.Reporting;

/// <summary>
/// What the daemon has done since it started, for the metrics' counters: drift repairs and rotations by verdict.
/// Owned by the daemon loop, not by <see cref="AgentServices"/>, so a SIGHUP reload (new services, new sinks) does not
/// reset them; a restart does, which Prometheus reads as a counter reset, as for any process.
/// </summary>
public sealed class CycleCounters
{
    /// <summary>Every verdict that is a rotation (or first placement) of keys; NoChange is the ordinary cycle.</summary>
    public static readonly IReadOnlyList<RotationVerdict> RotationVerdicts =
        Enum.GetValues<RotationVerdict>().Where(v => v != RotationVerdict.NoChange).ToArray();

    private readonly long[] _rotations = new long[Enum.GetValues<RotationVerdict>().Length];
    private long _driftRepairs;
    private RotationCheck? _lastCounted;

    public long DriftRepairs => Interlocked.Read(ref _driftRepairs);

    public long Rotations(RotationVerdict verdict) => Interlocked.Read(ref _rotations[(int)verdict]);

    public void AddDriftRepairs(int count) => Interlocked.Add(ref _driftRepairs, count);

    /// <summary>
    /// Counts a verdict once per judgement: the rotation gate hands the same <see cref="RotationCheck"/> back to every
    /// drift cycle until it asks AWS again, and a key rejected once is not rejected again every minute.
    /// </summary>
    public void RecordRotation(RotationCheck? check)
    {
        if (check is null || check.Verdict == RotationVerdict.NoChange || ReferenceEquals(check, _lastCounted))
        {
            return;
        }

        _lastCounted = check;
        Interlocked.Increment(ref _rotations[(int)check.Verdict]);
    }
}
