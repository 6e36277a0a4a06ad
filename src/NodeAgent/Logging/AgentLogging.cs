using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serilog;
using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Serilog.Extensions.Logging;

namespace NodeAgent.Logging;

/// <summary>
/// Serilog configured in code (no reflection-based settings, so Native AOT is safe). Under systemd
/// (JOURNAL_STREAM set) events go to stderr, which the journal captures with the unit; on a terminal the
/// command's own output already says what happened, so events are shown only with --verbose.
/// </summary>
public static class AgentLogging
{
    public static ILoggerFactory Create(bool verbose, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var underSystemd = !string.IsNullOrEmpty(environment("JOURNAL_STREAM"));
        if (!verbose && !underSystemd)
        {
            return NullLoggerFactory.Instance;
        }

        // The journal adds its own timestamp; a terminal reader wants one.
        var template = underSystemd
            ? "[{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}"
            : "{Timestamp:HH:mm:ss} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";
        var logger = new LoggerConfiguration()
            .MinimumLevel.Is(verbose ? LogEventLevel.Debug : LogEventLevel.Information)
            .WriteTo.Sink(new VisibleTextSink(new MessageTemplateTextFormatter(template, CultureInfo.InvariantCulture),
                new Reporting.TerminalTextWriter(Console.Error)))
            .CreateLogger();
        return new SerilogLoggerFactory(logger, dispose: true);
    }
}

/// <summary>
/// Log lines to stderr with control characters rendered visibly: a logged container name or Docker error is text
/// someone else chose, and must not drive the operator's terminal (the console sink writes it raw).
/// </summary>
internal sealed class VisibleTextSink(ITextFormatter formatter, TextWriter writer) : ILogEventSink
{
    private readonly Lock _gate = new();

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            formatter.Format(logEvent, writer);
            writer.Flush();
        }
    }
}
