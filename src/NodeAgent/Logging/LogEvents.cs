namespace NodeAgent.Logging;

/// <summary>
/// Every event id NodeAgent logs, one block per phase, so `journalctl -u nodeagent` lines can be matched by id
/// (NODEAGENT_EVENT_ID=…, or the trailing "[event N]") across versions. Ids are never reused for another meaning:
/// 1002 (sources missing) and 2000 (plan failed) were defined but never logged, and stay retired.
/// </summary>
public static class LogEvents
{
    public const int SourcesInvalid = 1000;
    public const int SourcesChanged = 1001;
    public const int SourcePollFailed = 1002;

    public const int FileWritten = 3000;
    public const int WriteFailed = 3001;
    public const int FileRemoved = 3002;
    public const int Drift = 3100;

    public const int ContainerStep = 4100;
    public const int ContainersFailed = 4101;

    public const int ProbeFailed = 4200;
    public const int ProbesSummary = 4201;
    public const int ReportNotPublished = 4202;

    public const int RotationVerified = 5000;
    public const int RotationRejected = 5001;
    public const int RotationUnverifiable = 5002;
    public const int IdentityClash = 5100;

    public const int DaemonStarted = 6000;
    public const int CycleFinished = 6001;
    public const int CycleFailed = 6002;
    public const int ConfigReloaded = 6003;
    public const int ConfigReloadFailed = 6004;
    public const int DaemonStopping = 6005;
    public const int WatchFailed = 6006;
    public const int LoopFault = 6007;
}
