using System.CommandLine;
using System.Runtime.InteropServices;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using NodeAgent.Daemon;
using NodeAgent.Logging;
using NodeAgent.Pipeline;

namespace NodeAgent.Cli;

/// <summary>
/// `nodeagent run`: the systemd service. An invalid configuration at start is exit 2 (the unit's
/// RestartPreventExitStatus=2 keeps systemd from restarting into the same mistake); everything after that is
/// reported and retried, and the process ends only on SIGTERM or SIGINT, with exit 0.
/// </summary>
public static partial class RunCommand
{
    public static Command Create(CommonOptions common, CliIo io)
    {
        var command = new Command("run", "Run as a daemon (the systemd service): apply whenever the sources change, repair drift, " +
            "probe periodically, and report to systemd (READY, STATUS, WATCHDOG), the journal and last-report.json. " +
            "SIGHUP re-reads the configuration.\nExit codes: 0 stopped by SIGTERM/SIGINT; 2 invalid configuration at start; 70 internal error.");
        common.AddTo(command);
        command.Options.Remove(common.Json);
        command.SetAction((result, ct) => ErrorBoundary.RunAsync(async () =>
        {
            var start = new DaemonStart(result.GetValue(common.Config), result.GetValue(common.Root), result.GetValue(common.Sources));
            var context = AgentContext.Create(start.ConfigPath, start.Root, start.SourcesDirectory);
            var secrets = new SecretRegistry();
            var (loggers, fileProblem) = AgentLogging.CreateForDaemon(context.Options.Logging, context.Paths, secrets);
            using (loggers)
            {
                if (fileProblem is not null)
                {
                    LogNoLogFiles(loggers.CreateLogger("NodeAgent.Daemon"), fileProblem);
                }

                using var loop = new DaemonLoop(start, context, loggers, TimeProvider.System, ServiceNotifier.FromEnvironment(), secrets,
                    ServiceNotifier.WatchdogInterval());
                using var reload = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
                {
                    signal.Cancel = true; // the default would end the process
                    loop.RequestReload();
                });
                var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
                builder.Services.AddSingleton<IHostedService>(loop);
                builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
                // A container swap in progress at SIGTERM finishes or rolls back; give it the time a restart may take.
                builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout =
                    TimeSpan.FromSeconds(context.Options.Containers.RestartTimeoutSeconds + 15));
                using var host = builder.Build();
                await host.RunAsync(ct);
            }

            return ExitCodes.Ok;
        }, io.Error));
        return command;
    }

    [LoggerMessage(EventId = LogEvents.WatchFailed, Level = LogLevel.Warning, Message = "daemon: {Problem}")]
    private static partial void LogNoLogFiles(ILogger logger, string problem);
}
