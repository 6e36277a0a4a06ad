using System.Diagnostics.CodeAnalysis;

using NodeAgent.Failures;
using NodeAgent.Sources;

namespace NodeAgent.Cli;

/// <summary>
/// The one place expected failures become an exit code and a human message. Anything unexpected is reported as a
/// bug with its type and a scrubbed message: never a raw stack trace for an operator, never a secret.
/// </summary>
public static class ErrorBoundary
{
    /// <param name="writes">False for verify, status and dry runs: a file error there is a read error, nothing was written.</param>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "The last-resort boundary: anything unexpected becomes exit 70 and one line, never a stack trace for an operator.")]
    public static async Task<int> RunAsync(Func<Task<int>> action, TextWriter error, bool writes = true)
    {
        try
        {
            return await action();
        }
        catch (AgentException e)
        {
            return await PresentAsync(e, error, writes);
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("nodeagent: interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"nodeagent: internal error (this is a bug, please report it): {e.GetType().Name}: {SecretScrubber.Scrub(e.Message)}");
            return ExitCodes.Internal;
        }
    }

    /// <summary>Prints each problem once, then the closing line; returns the failure's exit code.</summary>
    public static async Task<int> PresentAsync(AgentException failure, TextWriter error, bool writes)
    {
        foreach (var problem in failure.Problems.Distinct())
        {
            await error.WriteLineAsync($"error: {SecretScrubber.Scrub(problem.ToString())}");
        }

        if (failure.Closing(writes) is { } closing)
        {
            await error.WriteLineAsync(closing);
        }

        return failure.ExitCode;
    }
}
