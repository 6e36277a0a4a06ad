using Serilog.Core;
using Serilog.Events;

namespace NodeAgent.Logging;

/// <summary>
/// Runs on every event before any sink sees it: a string property holding a loaded secret is replaced by its
/// masked form. Messages are built from masked values already; this catches the one that was not.
/// </summary>
public sealed class SecretMaskingEnricher(SecretRegistry secrets) : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var (name, value) in logEvent.Properties.ToList())
        {
            if (value is ScalarValue { Value: string text } && secrets.Mask(text) is var masked && !ReferenceEquals(masked, text) && masked != text)
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue(masked)));
            }
        }
    }
}
