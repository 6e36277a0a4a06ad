using System.Text;

using NodeAgent.Cli;

namespace NodeAgent.TestSupport;

/// <summary>A temp root with a sources directory, and the real CLI run in-process against it.</summary>
internal sealed class Sandbox : IDisposable
{
    private static readonly string[] StandardRoles = ["raw", "schematized", "filtered", "emergency"];

    private readonly bool _ownsRoot;

    private readonly List<string> _configs = [];

    /// <param name="root">An existing root someone else cleans up (e.g. a Docker test's); null makes a fresh one.</param>
    public Sandbox(string? root = null)
    {
        _ownsRoot = root is null;
        Root = root ?? Directory.CreateTempSubdirectory("nodeagent-sandbox-").FullName;
        Sources = Directory.CreateTempSubdirectory("nodeagent-sources-").FullName;
        WriteSources(TestData.KeyId, TestData.SecretKey);
    }

    public string Root { get; }

    public string Sources { get; }

    public string Target(string hostPath) => Path.Join(Root, hostPath.TrimStart('/'));

    public void WriteSources(string keyId, string secret, string region = "us-west-2", IReadOnlyList<string>? bucketNames = null)
    {
        var b = bucketNames ?? StandardRoles.Select(r => $"expanso-databricks-{r}-us-west-2").ToList();
        File.WriteAllText(Path.Combine(Sources, "expanso-s3-credentials"),
            $"[default]\naws_access_key_id = {keyId}\naws_secret_access_key = {secret}\nregion = {region}\n");
        File.WriteAllText(Path.Combine(Sources, "expanso-s3-config.json"), $$"""
            {
              "aws_access_key_id": "{{keyId}}",
              "aws_secret_access_key": "{{secret}}",
              "region": "{{region}}",
              "s3_configuration": {
                "buckets": {
                  "raw": "{{b[0]}}",
                  "schematized": "{{b[1]}}",
                  "filtered": "{{b[2]}}",
                  "emergency": "{{b[3]}}"
                }
              }
            }
            """);
        File.WriteAllText(Path.Combine(Sources, "expanso-production.env"),
            $"AWS_ACCESS_KEY_ID={keyId}\nAWS_SECRET_ACCESS_KEY={secret}\nAWS_DEFAULT_REGION={region}\n" +
            $"S3_BUCKET_RAW={b[0]}\nS3_BUCKET_SCHEMATIZED={b[1]}\nS3_BUCKET_FILTERED={b[2]}\nS3_BUCKET_EMERGENCY={b[3]}\n");
    }

    /// <summary>Sources with the region and buckets only, as an instance-profile host gets them: no key anywhere.</summary>
    public void WriteKeylessSources(string region = "us-west-2", IReadOnlyList<string>? bucketNames = null)
    {
        var b = bucketNames ?? StandardRoles.Select(r => $"expanso-databricks-{r}-us-west-2").ToList();
        File.Delete(Path.Combine(Sources, "expanso-s3-credentials"));
        File.WriteAllText(Path.Combine(Sources, "expanso-s3-config.json"), $$"""
            {
              "region": "{{region}}",
              "s3_configuration": {
                "buckets": { "raw": "{{b[0]}}", "schematized": "{{b[1]}}", "filtered": "{{b[2]}}", "emergency": "{{b[3]}}" }
              }
            }
            """);
        File.WriteAllText(Path.Combine(Sources, "expanso-production.env"),
            $"AWS_DEFAULT_REGION={region}\nS3_BUCKET_RAW={b[0]}\nS3_BUCKET_SCHEMATIZED={b[1]}\nS3_BUCKET_FILTERED={b[2]}\nS3_BUCKET_EMERGENCY={b[3]}\n");
    }

    public async Task<CliRun> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await NodeAgentCli.RunAsync(args, output, error);
        var run = new CliRun(code, output.ToString(), error.ToString());
        TestData.AssertNoSecret(run.Output);
        TestData.AssertNoSecret(run.Error);
        return run;
    }

    /// <summary>Writes a nodeagent.yaml next to the sources and returns its path.</summary>
    public string WriteConfig(string yaml)
    {
        var path = Path.Combine(Sources, "..", Path.GetFileName(Sources) + ".yaml");
        File.WriteAllText(path, yaml);
        _configs.Add(path);
        return Path.GetFullPath(path);
    }

    public Task<CliRun> ApplyAsync(params string[] extra) =>
        RunAsync(["apply", "--root", Root, "--sources", Sources, "--no-restart", .. extra]);

    /// <summary>Every file under the root with its bytes, mode and mtime: "nothing changed" is checked against this.</summary>
    public IReadOnlyDictionary<string, string> Snapshot() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/var/lib/nodeagent/", StringComparison.Ordinal))
            .ToDictionary(f => f, f => Convert.ToHexString(File.ReadAllBytes(f)) + "|" + File.GetUnixFileMode(f) + "|" + File.GetLastWriteTimeUtc(f).Ticks);

    public void Dispose()
    {
        if (_ownsRoot)
        {
            Directory.Delete(Root, true);
        }

        Directory.Delete(Sources, true);
        _configs.ForEach(File.Delete);
    }
}

internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}
