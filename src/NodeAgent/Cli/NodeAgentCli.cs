using System.CommandLine;

namespace NodeAgent.Cli;

/// <summary>
/// The command tree. Output writers are passed in (not Console) so tests run the real CLI in-process and read
/// exactly what an operator would see.
/// </summary>
public static class NodeAgentCli
{
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        var io = new CliIo(output, error);
        var common = new CommonOptions();
        var root = new RootCommand("NodeAgent: places AWS credentials for the sensor and Bacalhau containers, restarts them, and proves the host works.\n" + ExitCodes.Help);
        root.Subcommands.Add(ApplyCommand.Create(common, io));
        root.Subcommands.Add(VerifyCommand.Create(common, io));
        root.Subcommands.Add(StatusCommand.Create(common, io));
        // ProcessTerminationTimeout = null: Program.cs owns SIGINT/SIGTERM/SIGQUIT. System.CommandLine's own handler
        // would, 2 s after a signal, return 143 while the action still runs, ending the process mid-swap.
        var configuration = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        return root.Parse(args).InvokeAsync(configuration, ct);
    }
}

public sealed record CliIo(TextWriter Output, TextWriter Error);
