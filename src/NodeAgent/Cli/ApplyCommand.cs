using System.CommandLine;
using System.Diagnostics;
using NodeAgent.Pipeline;

namespace NodeAgent.Cli;

/// <summary>`nodeagent apply`: a thin adapter over <see cref="ApplyPipeline"/>.</summary>
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
            var started = Stopwatch.GetTimestamp();
            var context = common.CreateContext(result);
            using var loggers = Logging.AgentLogging.Create(result.GetValue(verbose));
            var outcome = await new ApplyPipeline(context, loggers).ApplyAsync(new ApplyRequest(result.GetValue(dryRun), !result.GetValue(noRestart),
                TimeSpan.FromSeconds(result.GetValue(wait)), message => io.Error.WriteLine($"nodeagent: {message}")), ct);
            var output = io.Output;
            try
            {
                await WriteOutputAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException && !outcome.DryRun)
            {
                // The files are placed (and the consumers restarted): a failure to describe that must not read as exit 70.
                await io.Error.WriteLineAsync($"warning: the apply completed, but its {(result.GetValue(diff) ? "diff or " : string.Empty)}report could not be rendered ({e.GetType().Name}: {Sources.SecretScrubber.Scrub(e.Message)}); run `nodeagent verify` to see the state");
            }

            // After the output: it says which domains rotated; the boundary says why the others did not (exit 3).
            return outcome.SomeDomainsNotRotated ? throw new FileSystem.PartialRotationException(outcome.Domains)
                : outcome.ContainersFailed ? ExitCodes.ContainersFailed : ExitCodes.Ok;

            async Task WriteOutputAsync()
            {
                if (result.GetValue(common.Json))
                {
                    var report = Reporting.ApplyReport.From(outcome, Stopwatch.GetElapsedTime(started), result.GetValue(diff));
                    await output.WriteLineAsync(Reporting.ReportJson.Serialize(report));
                }
                else
                {
                    await output.WriteAsync(ApplyOutput.Text(outcome, context));
                    if (result.GetValue(diff))
                    {
                        await output.WriteAsync(Planning.ApplyDiff.RenderAll(outcome.Plan));
                    }
                }
            }
        }, io.Error, writes: !result.GetValue(dryRun)));
        return command;
    }
}
