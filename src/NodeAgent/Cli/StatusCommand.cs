using System.CommandLine;

using NodeAgent.Pipeline;
using NodeAgent.Reporting;

namespace NodeAgent.Cli;

/// <summary>`nodeagent status`: the last report, which run made it and how old it is, without probing anything. A report
/// older than status.stale_after_seconds says nothing about the host now: stale, exit 1.</summary>
public static class StatusCommand
{
    public static Command Create(CommonOptions common, CliIo io)
    {
        var command = new Command("status", "Print the last report (/var/lib/nodeagent/last-report.json) and its age.\n" +
            "Exit codes: 0 the last report was ok and recent; 1 it failed, is older than status.stale_after_seconds, or there is none yet; " +
            "2 invalid configuration or an unreadable report.");
        var verbose = new Option<bool>("--verbose") { Description = "also print the details of passed rows" };
        common.AddTo(command, sources: false);
        command.Options.Add(verbose);
        command.SetAction((result, ct) => ErrorBoundary.RunAsync(async () =>
        {
            var context = AgentContext.Create(result.GetValue(common.Config), result.GetValue(common.Root), null);
            var path = AgentServices.Create(context).LastReportPath;
            LastReport? last;
            try
            {
                last = new LastReportStore().Read(path);
            }
            catch (InvalidDataException e)
            {
                await io.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.InvalidInput;
            }

            if (last is null)
            {
                await io.Error.WriteLineAsync($"nodeagent: no report yet at {path} — run: nodeagent verify");
                return ExitCodes.ProbeFailed;
            }

            ct.ThrowIfCancellationRequested();
            var staleAfter = TimeSpan.FromSeconds(context.Options.Status.StaleAfterSeconds);
            var stale = last.Age > staleAfter
                ? $"stale: the last report is {Age(last.Age)} old, older than status.stale_after_seconds ({context.Options.Status.StaleAfterSeconds} s), " +
                  "so it says nothing about the host now — fix: run nodeagent verify, and check that whatever runs it regularly still does"
                : null;
            if (result.GetValue(common.Json))
            {
                await io.Output.WriteLineAsync(ReportJson.Serialize(last.Report));
                if (stale is not null)
                {
                    await io.Error.WriteLineAsync($"nodeagent: {stale}");
                }
            }
            else
            {
                await io.Output.WriteLineAsync($"last report: {path}");
                await io.Output.WriteLineAsync(
                    $"  made by {ReportTable.RunName(last.Report.Mode)} at {last.Report.GeneratedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z, {Age(last.Age)} ago");
                if (stale is not null)
                {
                    await io.Output.WriteLineAsync("  " + stale);
                }

                await io.Output.WriteLineAsync();
                await io.Output.WriteAsync(ReportTable.Render(last.Report, io.Terminal, result.GetValue(verbose)));
            }

            return last.Report.Status == ReportStatus.Ok && stale is null ? ExitCodes.Ok : ExitCodes.ProbeFailed;
        }, io.Error, writes: false));
        return command;
    }

    private static string Age(TimeSpan age) => age.TotalSeconds switch
    {
        < 0 => "0 s (clock moved back)",
        < 120 => $"{(int)age.TotalSeconds} s",
        < 7200 => $"{(int)age.TotalMinutes} min",
        < 172800 => $"{(int)age.TotalHours} h",
        _ => $"{(int)age.TotalDays} days",
    };
}
