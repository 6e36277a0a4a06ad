namespace NodeAgent.IntegrationTests.Packaging;

/// <summary>deployment/: the cloud-init file cloud-init itself accepts, and the templates the validator refuses.</summary>
public sealed class DeploymentFilesTests
{
    private static readonly string[] SourceNames = ["expanso-s3-credentials", "expanso-s3-config.json", "expanso-production.env"];

    [PackageFact]
    public async Task Cloud_init_accepts_the_cloud_config_and_it_installs_with_no_block_start_and_no_ubuntu_owned_file()
    {
        var path = RepositoryFiles.PathOf("deployment/cloud-init.yaml");
        var run = await Tool.RunAsync("cloud-init", "schema", "--config-file", path);
        Assert.True(run.ExitCode == 0 && run.Output.Contains("Valid cloud-config", StringComparison.Ordinal), run.ToString());

        var text = File.ReadAllText(path);
        Assert.StartsWith("#cloud-config\n", text, StringComparison.Ordinal);
        Assert.Contains("systemctl enable --now --no-block nodeagent.service", text, StringComparison.Ordinal);
        // write_files runs before users exist: an ubuntu-owned file would need defer: true.
        Assert.DoesNotMatch(@"(?m)^\s+owner: ubuntu", text);
    }

    [PackageFact]
    public async Task The_install_script_names_the_missing_package_and_its_fix()
    {
        var script = InstallScript();
        var empty = Directory.CreateTempSubdirectory("nodeagent-no-deb-").FullName;
        try
        {
            var run = await Tool.RunAsync("sh", ["-c", script], environment: new Dictionary<string, string> { ["NODEAGENT_DEB"] = empty });

            Assert.Equal(1, run.ExitCode);
            Assert.Contains($"no nodeagent_*_", run.Error, StringComparison.Ordinal);
            Assert.Contains($"in {empty}; fix: upload it there, or set NODEAGENT_DEB_URL", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public async Task The_example_sources_are_refused_until_every_placeholder_is_filled_in()
    {
        using var sandbox = new Sandbox();
        foreach (var name in SourceNames)
        {
            File.Copy(RepositoryFiles.PathOf($"deployment/etc/aws/credentials/{name}.example"), Path.Combine(sandbox.Sources, name), overwrite: true);
        }

        var run = await sandbox.ApplyAsync();

        Assert.Equal(Cli.ExitCodes.InvalidInput, run.ExitCode);
        foreach (var name in SourceNames)
        {
            Assert.Contains($"{name}:", run.Error, StringComparison.Ordinal);
        }

        Assert.All(run.Error.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)),
            line => Assert.Contains("still holds a template placeholder, not a real value — put the real", line, StringComparison.Ordinal));
        Assert.False(Directory.Exists(sandbox.Target("/root/.aws")) && Directory.EnumerateFiles(sandbox.Target("/root/.aws")).Any());
    }

    /// <summary>The nodeagent-install script cloud-init writes: the block under `content: |`, unindented.</summary>
    private static string InstallScript()
    {
        var lines = File.ReadAllLines(RepositoryFiles.PathOf("deployment/cloud-init.yaml"));
        var start = Array.FindIndex(lines, l => l.TrimEnd() == "    content: |") + 1;
        return string.Join('\n', lines.Skip(start).TakeWhile(l => l.StartsWith("      ", StringComparison.Ordinal) || l.Length == 0).Select(l => l.Length == 0 ? l : l[6..]));
    }
}
