using NodeAgent.Probes;
using NodeAgent.Reporting;

namespace NodeAgent.Tests.Reporting;

internal static class SampleReports
{
    public static readonly DateTimeOffset GeneratedAt = new(2026, 11, 25, 18, 22, 46, 123, TimeSpan.Zero);

    public static readonly string[] BucketNames =
        ["expanso-databricks-raw-us-west-2", "expanso-databricks-schematized-us-west-2", "expanso-databricks-filtered-us-west-2", "expanso-databricks-emergency-us-west-2"];

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

    /// <summary>What the demo's verify reports, at its widest: 8 files under a long sandbox root, identity, 4 buckets
    /// of 5 actions (one PutObject denied), 2 containers with long details, one of them failed.</summary>
    public static Report FullVerify()
    {
        const string Root = "/work/some/rather/long/checkout/path/of/the/repository/.sandbox/demo";
        var results = new List<ProbeResult>();
        foreach (var path in new[] { "/root/.aws/credentials", "/root/.aws/config", "/home/ubuntu/.aws/credentials", "/home/ubuntu/.aws/config",
            "/opt/sensor/config/s3-config.json", "/opt/sensor/config/databricks-storage-config.yaml", "/opt/sensor/.env", "/opt/sensor/docker.env" })
        {
            results.Add(new ProbeResult("file", Root + path, ProbeStatus.Ok, "mode 600, owner ubuntu:ubuntu, content as apply would write it", null, TimeSpan.Zero));
        }

        results.Add(new ProbeResult("identity", "sts", ProbeStatus.Ok, "account 123456789012, arn:aws:iam::123456789012:user/sensor-node (key AKIA…WXYZ)", null, TimeSpan.FromMilliseconds(9)));
        string[] roles = ["raw", "schematized", "filtered", "emergency"];
        for (var i = 0; i < roles.Length; i++)
        {
            foreach (var action in new[] { "s3:ListBucket", "s3:GetBucketLocation", "s3:PutObject", "s3:GetObject", "s3:DeleteObject" })
            {
                var denied = i == 1 && action == "s3:PutObject";
                var skipped = i == 1 && action is "s3:GetObject" or "s3:DeleteObject";
                results.Add(new ProbeResult("bucket", $"{roles[i]}:{BucketNames[i]}:{action}",
                    denied ? ProbeStatus.Failed : skipped ? ProbeStatus.Skipped : ProbeStatus.Ok,
                    denied ? $"access denied: missing s3:PutObject on arn:aws:s3:::{BucketNames[i]}/*" : skipped ? "not attempted: there is no probe object" : $"{action} on {BucketNames[i]} ok",
                    denied ? $"allow s3:PutObject on arn:aws:s3:::{BucketNames[i]}/* in the IAM policy of the user owning access key AKIA…WXYZ (and check that no bucket policy, SCP or permissions boundary denies it)" : null,
                    TimeSpan.FromMilliseconds(3)));
            }
        }

        results.Add(new ProbeResult("container", "sensor-demo-sensor-simulators-1", ProbeStatus.Ok,
            $"sees the current credentials: environment matches docker.env (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, AWS_REGION); bind-mounts {Root}/root/.aws at /root/.aws read-only",
            null, TimeSpan.FromMilliseconds(20)));
        results.Add(new ProbeResult("container", "compute", ProbeStatus.Failed,
            $"started before {Root}/root/.aws/credentials, {Root}/home/ubuntu/.aws/credentials was last written, so it may hold the old keys (a single-file bind mount even still shows the old file)",
            "docker restart compute", TimeSpan.FromMilliseconds(20)));
        return Report.Create(ReportMode.Verify, "0.1.0", "ip-10-0-1-7", GeneratedAt, TimeSpan.FromMilliseconds(97), results);
    }
}
