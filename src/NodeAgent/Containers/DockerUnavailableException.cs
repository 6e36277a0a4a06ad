using NodeAgent.Failures;

namespace NodeAgent.Containers;

/// <summary>
/// The Docker daemon cannot be used at all (bad endpoint, no socket, permission denied, daemon down or silent).
/// Carries an operator-facing reason and fix; callers turn it into Failed outcomes, never into a crash.
/// </summary>
public sealed class DockerUnavailableException : AgentException
{
    public DockerUnavailableException(string reason, string fix)
        : base(reason)
    {
        Reason = reason;
        Fix = fix;
    }

    public DockerUnavailableException(string reason, string fix, Exception inner)
        : base(reason, inner)
    {
        Reason = reason;
        Fix = fix;
    }

    public string Reason { get; }

    public string Fix { get; }

    public override int ExitCode => Cli.ExitCodes.ContainersFailed;

    public override string Phase => "containers";

    public override IReadOnlyList<AgentProblem> Problems => [new AgentProblem("docker", Reason, Fix)];
}
