using NodeAgent.Probes;

namespace NodeAgent.Failures;

/// <summary>One expected problem: where (file:line, field or path), what is wrong, and what an operator should do.</summary>
public sealed record AgentProblem(string Where, string What, string Fix)
{
    public override string ToString() => $"{Where}: {What} — {Fix}";
}

/// <summary>
/// The base of every expected failure: invalid input, an unsafe path, a failed write, a busy lock, an unusable
/// Docker daemon, rejected credentials. Each knows its exit code, the report rows it becomes and the closing line a
/// terminal shows, so the CLI, verify and the daemon turn the same failure into the same words. Anything that is not
/// an <see cref="AgentException"/> is a bug.
/// </summary>
public abstract class AgentException : Exception
{
    protected AgentException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>The documented process exit code (see Cli.ExitCodes).</summary>
    public abstract int ExitCode { get; }

    /// <summary>The report row kind the problems are filed under: sources, config, write, lock, containers, rotation.</summary>
    public abstract string Phase { get; }

    public abstract IReadOnlyList<AgentProblem> Problems { get; }

    /// <summary>The last line a terminal shows after the problems, saying what state the host is in now.</summary>
    /// <param name="writes">False for verify, status and dry runs: nothing was going to be written.</param>
    public virtual string? Closing(bool writes) => null;

    public IEnumerable<ProbeResult> ToRows() =>
        Problems.Distinct().Select(p => new ProbeResult(Phase, p.Where, ProbeStatus.Failed, p.What, p.Fix, TimeSpan.Zero));
}
