using NodeAgent.Probes;
using NodeAgent.Reporting;

namespace NodeAgent.Tests.Reporting;

internal static class SampleReports
{
    public static readonly DateTimeOffset GeneratedAt = new(2026, 11, 25, 18, 22, 46, 123, TimeSpan.Zero);

    /// <summary>A verify run: identity ok, one bucket with a denied PutObject and its dependants skipped.</summary>
    public static Report Verify() => Report.Create(
        ReportMode.Verify, "0.1.0", "sensor-host-1", GeneratedAt, TimeSpan.FromMilliseconds(1432),
        [
            new ProbeResult("identity", "sts", ProbeStatus.Ok, "account 123456789012, arn:aws:iam::123456789012:user/sensor (key AKIA…WXYZ)", null, TimeSpan.FromMilliseconds(41.6)),
            new ProbeResult("bucket", "raw:expanso-raw:s3:ListBucket", ProbeStatus.Ok, "listed expanso-raw", null, TimeSpan.FromMilliseconds(12)),
            new ProbeResult("bucket", "raw:expanso-raw:s3:PutObject", ProbeStatus.Failed, "access denied: missing s3:PutObject on arn:aws:s3:::expanso-raw/*",
                "allow s3:PutObject on arn:aws:s3:::expanso-raw/* in the IAM policy", TimeSpan.FromMilliseconds(9)),
            new ProbeResult("bucket", "raw:expanso-raw:s3:GetObject", ProbeStatus.Skipped, "not attempted: there is no probe object to read", null, TimeSpan.Zero),
        ]);

    /// <summary>An apply run with file and container steps.</summary>
    public static Report Apply() => Report.Create(
        ReportMode.Apply, "0.1.0", "sensor-host-1", GeneratedAt, TimeSpan.FromMilliseconds(2500),
        [new ProbeResult("identity", "sts", ProbeStatus.Ok, "account 123456789012", null, TimeSpan.FromMilliseconds(30))],
        files:
        [
            new StepEntry("write", "/root/.aws/credentials", StepStatus.Changed, "written, mode 600 root:root", null, 3),
            new StepEntry("write", "/opt/sensor/.env", StepStatus.Ok, "unchanged", null, 1),
        ],
        containers: [new StepEntry("restart", "sensor-simulators", StepStatus.Failed, "not running 60 s after restart", "docker logs sensor-simulators", 60000)]);
}
