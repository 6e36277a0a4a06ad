using NodeAgent.Configuration;
using NodeAgent.Sources;

namespace NodeAgent.Pipeline;

/// <summary>What every verb starts from: the options, where paths really are, and where the sources are read.</summary>
public sealed record AgentContext(AgentOptions Options, PathMap Paths, string ConfigFile, string SourcesDirectory)
{
    public string StateDirectory => Paths.Map(Options.StateDirectory);

    public string BackupDirectory => Path.Combine(StateDirectory, "previous");

    /// <param name="configPath">--config; null means /etc/nodeagent/nodeagent.yaml (re-rooted), optional.</param>
    /// <param name="root">--root: re-roots every absolute target path and the default sources and config paths.</param>
    /// <param name="sourcesDirectory">--sources: used exactly as given.</param>
    public static AgentContext Create(string? configPath, string? root, string? sourcesDirectory)
    {
        if (root is not null && root.Trim().Length == 0)
        {
            throw new InvalidInputException([new SourceError("--root", null, "--root is empty, which would act on the real host",
                "give the sandbox directory, or leave --root out to act on this host")]);
        }

        if (root is not null && Configuration.HostPath.Normalize(root) == "/")
        {
            throw new InvalidInputException([new SourceError("--root", null, $"--root \"{root}\" is / itself, which would act on the real host",
                "leave --root out to act on this host, or give the sandbox directory")]);
        }

        var paths = new PathMap(root);
        var configFile = configPath ?? paths.Map(AgentOptionsLoader.DefaultPath);
        var options = AgentOptionsLoader.Load(configFile, mustExist: configPath is not null);
        var sources = sourcesDirectory is not null ? Path.GetFullPath(sourcesDirectory) : paths.Map(options.Sources.Directory);
        if (TargetPlacement.OverlapErrors(options, paths, configFile, sources) is { Count: > 0 } overlaps)
        {
            throw new InvalidInputException(overlaps);
        }

        if (options.Reporting.S3.Uri is { } reports)
        {
            // Checked here so a bad uri is a configuration error at start (exit 2) or on reload, not in a cycle.
            _ = Reporting.S3ReportLocation.Parse(reports, "reporting.s3.uri");
        }

        return new AgentContext(options, paths, configFile, sources);
    }
}
