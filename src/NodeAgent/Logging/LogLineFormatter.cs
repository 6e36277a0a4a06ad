using System.Globalization;
using System.Text;

using Serilog.Events;
using Serilog.Formatting;
using Serilog.Parsing;

namespace NodeAgent.Logging;

/// <summary>
/// One event, one line. For the journal (stderr under JOURNAL_STREAM) each line starts with the syslog priority
/// prefix sd-daemon(3) defines (&lt;3&gt; error, &lt;4&gt; warning, &lt;6&gt; info, &lt;7&gt; debug), so
/// `journalctl -u nodeagent -p warning` shows exactly the problems; journald adds the time. For files and terminals a
/// timestamp leads instead. Line breaks inside a message are flattened, since a second line would become a second,
/// priority-less journal entry, and other control characters are shown escaped: values can come from files a local
/// user controls, and a raw ESC would reach the terminal of whoever reads the log.
/// </summary>
public sealed class LogLineFormatter(bool journal) : ITextFormatter
{
    public static int Priority(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => 2,
        LogEventLevel.Error => 3,
        LogEventLevel.Warning => 4,
        LogEventLevel.Information => 6,
        _ => 7,
    };

    /// <summary>
    /// Line breaks become " | " (a second line would be a second, priority-less journal entry) and tabs \x09; every
    /// other control character is shown by the rule all text output follows, <see cref="Reporting.TerminalText"/>.
    /// </summary>
    public static string Visible(string text) =>
        Reporting.TerminalText.Visible(text.ReplaceLineEndings(" | ").Replace("\t", "\\x09", StringComparison.Ordinal));

    public void Format(LogEvent logEvent, TextWriter output)
    {
        var line = new StringBuilder();
        if (journal)
        {
            line.Append('<').Append(Priority(logEvent.Level)).Append('>');
        }
        else
        {
            line.Append(logEvent.Timestamp.ToString("yyyy-MM-dd HH:mm:ss.fff zzz", CultureInfo.InvariantCulture)).Append(' ');
        }

        line.Append(Level(logEvent.Level)).Append(' ');
        Render(logEvent, line);
        if (logEvent.Exception is { } exception)
        {
            line.Append(" (").Append(exception.GetType().Name).Append(": ").Append(exception.Message).Append(')');
        }

        if (EventIdOf(logEvent) is { } id)
        {
            line.Append(" [event ").Append(id.ToString(CultureInfo.InvariantCulture)).Append(']');
        }

        output.Write(Visible(line.ToString()));
        output.Write('\n');
    }

    private static string Level(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => "FTL",
        LogEventLevel.Error => "ERR",
        LogEventLevel.Warning => "WRN",
        LogEventLevel.Information => "INF",
        LogEventLevel.Debug => "DBG",
        _ => "VRB",
    };

    /// <summary>Strings as they are (Serilog's own rendering quotes them), everything else in its invariant form.</summary>
    private static void Render(LogEvent logEvent, StringBuilder line)
    {
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is TextToken text)
            {
                line.Append(text.Text);
            }
            else if (token is PropertyToken property)
            {
                if (!logEvent.Properties.TryGetValue(property.PropertyName, out var value))
                {
                    line.Append(property.ToString());
                }
                else if (value is ScalarValue { Value: string s })
                {
                    line.Append(s);
                }
                else if (value is ScalarValue { Value: null })
                {
                    line.Append('-');
                }
                else
                {
                    using var writer = new StringWriter(CultureInfo.InvariantCulture);
                    value.Render(writer, null, CultureInfo.InvariantCulture);
                    line.Append(writer.ToString());
                }
            }
        }
    }

    /// <summary>Microsoft.Extensions.Logging's EventId arrives as a structure { Id, Name }.</summary>
    private static int? EventIdOf(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue("EventId", out var value) && value is StructureValue structure
            && structure.Properties.FirstOrDefault(p => p.Name == "Id")?.Value is ScalarValue { Value: int id } && id != 0
            ? id
            : null;
}
