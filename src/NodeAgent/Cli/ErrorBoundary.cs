using NodeAgent.FileSystem;
using NodeAgent.Planning;
using NodeAgent.Sources;

namespace NodeAgent.Cli;

/// <summary>
/// The one place expected failures become an exit code and a human message. Anything unexpected is reported as a
/// bug with its type and a scrubbed message: never a raw stack trace for an operator, never a secret.
/// </summary>
public static class ErrorBoundary
{
    /// <param name="writes">False for verify, status and dry runs: a file error there is a read error, nothing was written.</param>
    public static async Task<int> RunAsync(Func<Task<int>> action, TextWriter error, bool writes = true)
    {
        try
        {
            return await action();
        }
        catch (InvalidInputException e)
        {
            foreach (var problem in e.Errors)
            {
                await error.WriteLineAsync($"error: {SecretScrubber.Scrub(problem.ToString())}");
            }

            await error.WriteLineAsync($"nodeagent: {e.Errors.Count} problem(s) in the input; nothing was written.");
            return ExitCodes.InvalidInput;
        }
        catch (UnsafeTargetsException e)
        {
            // One symlinked ~/.aws or /opt/sensor stands in the way of several targets: name it once.
            foreach (var message in e.Problems.Select(p => p.Message).Distinct(StringComparer.Ordinal))
            {
                await error.WriteLineAsync($"error: {message}");
            }

            await error.WriteLineAsync("nodeagent: refusing to write through unsafe paths; nothing was written.");
            return ExitCodes.WriteFailed;
        }
        catch (PartialRotationException e)
        {
            var messages = e.Domains.Where(d => d.NotRotated).SelectMany(d => d.Failure is UnsafeTargetsException u
                ? u.Problems.Select(p => p.Message) : [d.Failure?.Message ?? d.Status.ToString()]);
            foreach (var message in messages.Distinct(StringComparer.Ordinal))
            {
                await error.WriteLineAsync($"error: {message}");
            }

            static string Names(IEnumerable<DomainResult> domains) =>
                domains.Any() ? string.Join(", ", domains.Select(d => d.Name)) : "none";
            var torn = e.Domains.Where(d => d.Failure is FileWriteException { RolledBack: false }).ToList();
            await error.WriteLineAsync($"nodeagent: not rotated: {Names(e.Domains.Where(d => d.NotRotated))} ("
                + (torn.Count == 0 ? "each keeps its previous files" : $"{Names(torn)} could not be fully restored, see above")
                + $"); rotated: {Names(e.Domains.Where(d => d.Rotated))}; unchanged: {Names(e.Domains.Where(d => d.Status == DomainStatus.Unchanged))}.");
            return ExitCodes.WriteFailed;
        }
        catch (UnsafePathException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.WriteFailed;
        }
        catch (FileWriteException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            await error.WriteLineAsync(!writes
                ? "nodeagent: a target could not be read (run as root?); nothing was written."
                : e.RolledBack
                    ? "nodeagent: the write failed; the previous complete set of files is in place."
                    : "nodeagent: the write failed and the previous set could not be fully restored; see the error above.");
            return ExitCodes.WriteFailed;
        }
        catch (Pipeline.AnotherApplyException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            await error.WriteLineAsync("nodeagent: another apply is running; nothing was written.");
            return ExitCodes.Busy;
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
}
