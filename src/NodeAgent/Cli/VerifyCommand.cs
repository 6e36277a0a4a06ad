using System.CommandLine;

using NodeAgent.Pipeline;
using NodeAgent.Reporting;

namespace NodeAgent.Cli;

/// <summary>`nodeagent verify`: proves, over SSH, that this host can do its job.</summary>
public static class VerifyCommand
{
    public const string ExitHelp = "Exit codes: 0 every probe ok (skipped counts as ok); 1 a probe failed; 2 invalid configuration, sources or usage; " +
        "3 a target could not be read (run as root); 70 internal error; 130 interrupted.";

    public static Command Create(CommonOptions common, CliIo io)
    {
        var readOnly = new Option<bool>("--read-only") { Description = "skip the S3 write actions (PutObject, GetObject of the probe object, DeleteObject)" };
        var timeout = new Option<int?>("--timeout") { Description = "seconds each probe may take (default probes.timeout_seconds, 5)" };
        var verbose = new Option<bool>("--verbose") { Description = "also print the details of passed rows, and log events to stderr" };
        var command = new Command("verify", "Run every probe in parallel (identity, buckets, files, containers) and print the result; " +
            "the report is also written to /var/lib/nodeagent/last-report.json.\n" + ExitHelp);
        common.AddTo(command);
        command.Options.Add(readOnly);
        command.Options.Add(timeout);
        command.Options.Add(verbose);
        timeout.CustomParser = r =>
        {
            var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : string.Empty;
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 300)
            {
                return seconds;
            }

            r.AddError($"--timeout takes whole seconds from 1 to 300, not '{text}'");
            return null;
        };
        command.SetAction((result, ct) => ErrorBoundary.RunAsync(async () =>
        {
            var context = common.CreateContext(result);
            using var loggers = Logging.AgentLogging.Create(result.GetValue(verbose));
            var seconds = result.GetValue(timeout);
            var request = new ReconcileRequest(ReportMode.Verify)
            {
                Probes = result.GetValue(readOnly) ? ProbeScope.ReadOnly : ProbeScope.Full,
                ProbeTimeout = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                Waiting = message => io.Error.WriteLine($"nodeagent: {message}"),
            };
            var outcome = await new Reconciler(AgentServices.Create(context, loggers)).RunAsync(request, ct);
            var report = outcome.Report;
            await io.Output.WriteAsync(result.GetValue(common.Json) ? ReportJson.Serialize(report) + "\n" : ReportTable.Render(report, io.Terminal, result.GetValue(verbose)));
            foreach (var problem in outcome.ReportProblems)
            {
                await io.Error.WriteLineAsync($"warning: {problem}");
            }

            foreach (var problem in outcome.OtherSinkProblems)
            {
                await io.Error.WriteLineAsync($"warning: the report was not written to {problem}");
            }

            if (outcome.Failure is Sources.InvalidInputException { Errors.Count: var count } && outcome.Set is null)
            {
                await io.Error.WriteLineAsync($"nodeagent: {count} problem(s) in the sources; no probe ran (see the sources rows).");
                return ExitCodes.InvalidInput;
            }

            return outcome.Failure is { } failure ? await ErrorBoundary.PresentAsync(failure, io.Error, writes: false) : outcome.ExitCode;
        }, io.Error, writes: false));
        return command;
    }
}
