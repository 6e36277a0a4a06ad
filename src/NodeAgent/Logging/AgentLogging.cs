using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using NodeAgent.Configuration;
using NodeAgent.FileSystem;

using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Sinks.File;

namespace NodeAgent.Logging;

/// <summary>
/// Serilog configured in code (no reflection-based settings, so Native AOT is safe). Under systemd
/// (JOURNAL_STREAM set) events go to stderr, which the journal captures with the unit, one line each with the
/// syslog priority prefix; on a terminal the command's own output already says what happened, so the CLI verbs show
/// events only with --verbose. Every event passes the secret mask first.
/// </summary>
public static class AgentLogging
{
    public static ILoggerFactory Create(bool verbose, Func<string, string?>? environment = null, SecretRegistry? secrets = null)
    {
        var underSystemd = UnderSystemd(environment);
        if (!verbose && !underSystemd)
        {
            return NullLoggerFactory.Instance;
        }

        var logger = Base(secrets ?? new SecretRegistry(), verbose ? LogEventLevel.Debug : LogEventLevel.Information)
            .WriteTo.Console(new LogLineFormatter(journal: underSystemd), standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();
        return new SerilogLoggerFactory(logger, dispose: true);
    }

    /// <summary>
    /// `nodeagent run`: the journal (or the terminal) and daily files in logging.directory, 0640, 14 kept. A log
    /// directory that cannot be made (read-only, not root) costs the files, never the daemon: the problem is returned
    /// for the caller to log once the logger exists.
    /// </summary>
    public static (ILoggerFactory Loggers, string? FileProblem) CreateForDaemon(
        LoggingOptions options, PathMap paths, SecretRegistry secrets, Func<string, string?>? environment = null)
    {
        var configuration = Base(secrets, LogEventLevel.Information)
            .WriteTo.Console(new LogLineFormatter(journal: UnderSystemd(environment)), standardErrorFromLevel: LogEventLevel.Verbose);
        var directory = paths.Map(options.Directory);
        string? problem = null;
        try
        {
            Directory.CreateDirectory(directory, PermissionBits.GroupReadableDirectory.ToUnixFileMode());
            configuration = configuration.WriteTo.File(new LogLineFormatter(journal: false), Path.Combine(directory, "nodeagent-.log"),
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: options.RetainedFiles, hooks: new GroupReadableLogFile());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"no log files in {directory}: {e.Message}; events still go to the journal";
        }

        return (new SerilogLoggerFactory(configuration.CreateLogger(), dispose: true), problem);
    }

    private static bool UnderSystemd(Func<string, string?>? environment) =>
        !string.IsNullOrEmpty((environment ?? Environment.GetEnvironmentVariable)("JOURNAL_STREAM"));

    private static LoggerConfiguration Base(SecretRegistry secrets, LogEventLevel level) => new LoggerConfiguration()
        .MinimumLevel.Is(level)
        .Enrich.With(new SecretMaskingEnricher(secrets));

    /// <summary>0640 from the first byte on: the adm group may read the agent's log, nobody else (the sink alone would leave 0644).</summary>
    private sealed class GroupReadableLogFile : FileLifecycleHooks
    {
        public override Stream OnFileOpened(string path, Stream underlyingStream, System.Text.Encoding encoding)
        {
            File.SetUnixFileMode(path, PermissionBits.GroupReadableFile.ToUnixFileMode());
            return underlyingStream;
        }
    }
}
