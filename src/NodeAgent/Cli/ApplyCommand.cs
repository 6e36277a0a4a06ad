using System.CommandLine;

using NodeAgent.Pipeline;
using NodeAgent.Reporting;

namespace NodeAgent.Cli;

/// <summary>`nodeagent apply`: a thin adapter over <see cref="Reconciler"/>.</summary>
public static class ApplyCommand
{
    public static Command Create(CommonOptions common, CliIo io)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "print the plan and write nothing" };
        var diff = new Option<bool>("--diff") { Description = "print a unified diff of every changed file, secrets masked" };
        var noRestart = new Option<bool>("--no-restart") { Description = "place the files but restart no container" };
        var wait = new Option<int>("--wait")
        {
            Description = "seconds to wait for another apply on this host to finish (default 60)",
            DefaultValueFactory = _ => 60,
        };
        wait.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 3600)
            {
                r.AddError("--wait takes seconds from 0 to 3600");
            }
        });
        var verbose = new Option<bool>("--verbose") { Description = "also print log events to stderr (under systemd they go to the journal anyway)" };
        var command = new Command("apply", "Validate the sources and bring every target file (and its consumers) up to date.\n" + ExitCodes.Help);
        common.AddTo(command);
        command.Options.Add(dryRun);
        command.Options.Add(diff);
        command.Options.Add(noRestart);
        command.Options.Add(wait);
        command.Options.Add(verbose);
        command.SetAction((result, ct) => ErrorBoundary.RunAsync(async () =>
        {
            var context = common.CreateContext(result);
            using var loggers = Logging.AgentLogging.Create(result.GetValue(verbose));
            var isDryRun = result.GetValue(dryRun);
            var withDiff = result.GetValue(diff);
            var request = new ReconcileRequest(isDryRun ? ReportMode.DryRun : ReportMode.Apply)
            {
                Restart = !result.GetValue(noRestart),
                LockWait = TimeSpan.FromSeconds(result.GetValue(wait)),
                Waiting = message => io.Error.WriteLine($"nodeagent: {message}"),
                WithDiff = withDiff,
            };
            var outcome = await new Reconciler(AgentServices.Create(context, loggers)).RunAsync(request, ct);
            var output = io.Output;
            try
            {
                if (result.GetValue(common.Json))
                {
                    await output.WriteLineAsync(ReportJson.Serialize(outcome.Report));
                }
                else if (outcome.Apply is { } applied)
                {
                    await output.WriteAsync(ApplyOutput.Text(applied, context, outcome.Rotation, outcome.Sources?.Origin));
                    if (withDiff)
                    {
                        await output.WriteAsync(Planning.ApplyDiff.RenderAll(applied.Plan));
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException && !isDryRun && outcome.Apply is not null)
            {
                // The files are placed (and the consumers restarted): a failure to describe that must not read as exit 70.
                await io.Error.WriteLineAsync($"warning: the apply completed, but its {(withDiff ? "diff or " : string.Empty)}report could not be rendered ({e.GetType().Name}: {Sources.SecretScrubber.Scrub(e.Message)}); run `nodeagent verify` to see the state");
            }

            foreach (var warning in outcome.Report.Probes.Where(p => p.Status == Probes.ProbeStatus.Warning))
            {
                await io.Error.WriteLineAsync($"warning: {warning.Detail}{(warning.Fix is { } fix ? $"; fix: {fix}" : string.Empty)}");
            }

            foreach (var problem in outcome.ReportProblems)
            {
                await io.Error.WriteLineAsync($"warning: {problem}");
            }

            foreach (var problem in outcome.OtherSinkProblems)
            {
                await io.Error.WriteLineAsync($"warning: the report was not written to {problem}");
            }

            return outcome.Failure is { } failure ? await ErrorBoundary.PresentAsync(failure, io.Error, writes: !isDryRun) : outcome.ExitCode;
        }, io.Error, writes: !result.GetValue(dryRun)));
        return command;
    }
}
