using System.CommandLine;

using NodeAgent.Reporting;

namespace NodeAgent.Cli;

/// <summary>
/// The command tree. Output writers are passed in (not Console) so tests run the real CLI in-process and read
/// exactly what an operator would see.
/// </summary>
public static class NodeAgentCli
{
    /// <param name="terminal">Width and colour of <paramref name="output"/>; null: not a terminal (120 columns, no colour).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TerminalStyle? terminal = null, CancellationToken ct = default)
    {
        // Every text output passes through here: nothing a user wrote into a target or a source reaches the terminal raw.
        output = new Reporting.TerminalTextWriter(output);
        error = new Reporting.TerminalTextWriter(error);
        var io = new CliIo(output, error, terminal ?? TerminalStyle.Plain);
        var common = new CommonOptions();
        var root = new RootCommand("NodeAgent: places AWS credentials for the sensor and Bacalhau containers, restarts them, and proves the host works.\n" + ExitCodes.Help);
        root.Subcommands.Add(ApplyCommand.Create(common, io));
        root.Subcommands.Add(VerifyCommand.Create(common, io));
        root.Subcommands.Add(StatusCommand.Create(common, io));
        root.Subcommands.Add(RunCommand.Create(common, io));
        root.Subcommands.Add(FleetCommand.Create(io));
        foreach (var version in root.Options.OfType<VersionOption>())
        {
            // The built-in action prints the raw informational version; operators also need the commit and build date.
            version.Action = new PrintVersionAction();
        }

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // A typo must not look like a failed probe (exit 1): usage errors share the invalid-input code.
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync($"error: {problem.Message}");
            }

            await error.WriteLineAsync($"usage: {(parsed.CommandResult.Command == root ? "nodeagent --help" : $"nodeagent {parsed.CommandResult.Command.Name} --help")}");
            return ExitCodes.InvalidInput;
        }

        // The caller's token carries SIGINT/SIGTERM (Program.cs). System.CommandLine's own handler would kill the
        // process two seconds after a signal, even in the middle of a container swap, so it is switched off.
        var configuration = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        return await parsed.InvokeAsync(configuration, ct);
    }
}

/// <summary>`nodeagent --version`: one line with the version, the commit and the build date.</summary>
internal sealed class PrintVersionAction : System.CommandLine.Invocation.SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(Pipeline.AgentVersion.Describe());
        return ExitCodes.Ok;
    }
}

public sealed record CliIo(TextWriter Output, TextWriter Error, TerminalStyle Terminal);
