using System.CommandLine;
using NodeAgent.Pipeline;
using NodeAgent.Reporting;

namespace NodeAgent.Cli;

/// <summary>`nodeagent status`: the last verify report and how old it is, without probing anything.</summary>
public static class StatusCommand
{
    public static Command Create(CommonOptions common, CliIo io)
    {
        var command = new Command("status", "Print the last report (/var/lib/nodeagent/last-report.json) and its age.\n" +
            "Exit codes: 0 the last report was ok; 1 it failed, or there is none yet; 2 invalid configuration or an unreadable report.");
        var verbose = new Option<bool>("--verbose") { Description = "also print the details of passed rows" };
        common.AddTo(command, sources: false);
        command.Options.Add(verbose);
        command.SetAction((result, ct) => ErrorBoundary.RunAsync(async () =>
        {
            var context = AgentContext.Create(result.GetValue(common.Config), result.GetValue(common.Root), null);
            var path = new VerifyPipeline(context).LastReportPath;
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
            if (result.GetValue(common.Json))
            {
                await io.Output.WriteLineAsync(ReportJson.Serialize(last.Report));
            }
            else
            {
                await io.Output.WriteLineAsync($"last report: {path}, {Age(last.Age)} old");
                await io.Output.WriteAsync(ReportTable.Render(last.Report, io.Terminal, result.GetValue(verbose)));
            }

            return last.Report.Status == ReportStatus.Ok ? ExitCodes.Ok : ExitCodes.ProbeFailed;
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
