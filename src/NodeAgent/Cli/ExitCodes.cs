namespace NodeAgent.Cli;

/// <summary>Documented in --help and the README; scripts and cloud-init rely on them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int ProbeFailed = 1;
    public const int InvalidInput = 2;
    public const int WriteFailed = 3;
    public const int ContainersFailed = 4;
    public const int Busy = 5;
    public const int RotationRejected = 6;

    /// <summary>`fleet`: the reports bucket could not be listed or read (unreachable, access denied, no credentials).</summary>
    public const int ReportsUnreachable = 7;
    public const int Internal = 70;
    public const int Interrupted = 130;

    public const string Help =
        "Exit codes: 0 success (changed or not); 1 a probe failed (verify); 2 invalid sources, configuration or usage (nothing written); " +
        "3 a write failed or a target is unsafe (the previous complete set is restored); 4 a container could not be restarted (files are placed); " +
        "5 another apply holds the lock (nothing written); 6 new credentials were rejected by AWS, or could not be verified with rotation.when_unverifiable: keep (nothing changed, the placed ones stay); " +
        "7 fleet: the reports bucket could not be listed or read (unreachable, access denied, no credentials); 70 internal error (a bug: please report it); 130 interrupted (SIGINT/SIGTERM).";
}
