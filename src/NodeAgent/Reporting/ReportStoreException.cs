using NodeAgent.Failures;

namespace NodeAgent.Reporting;

/// <summary>
/// The S3 reports store could not be written or read (unreachable, access denied, no bucket, no identity). For a
/// report sink the Reconciler turns it into a warning, never a failed run; for `fleet` it is exit 7 and one line.
/// The message holds the store's error code, never its free text or a credential.
/// </summary>
public sealed class ReportStoreException(string where, string what, string fix, Exception? inner = null)
    : AgentException($"{where}: {what} — {fix}", inner)
{
    public override int ExitCode => Cli.ExitCodes.ReportsUnreachable;

    public override string Phase => "report";

    public override IReadOnlyList<AgentProblem> Problems => [new AgentProblem(where, what, fix)];
}
