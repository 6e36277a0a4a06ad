using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

using NodeAgent.Probes;

namespace NodeAgent.Reporting;

/// <summary>
/// The report as JSON (schema: docs/report-schema.json): camelCase names, enums as lowercase strings, timestamps as
/// UTC ISO-8601 with a Z. Source generated, so it works under Native AOT without reflection.
/// </summary>
public static class ReportJson
{
    public static string Serialize(Report r) => JsonSerializer.Serialize(r, ReportJsonContext.Default.Report);

    /// <summary>
    /// Reads a report; null for the JSON literal null. Anything else that is not a complete version-1 report throws
    /// <see cref="InvalidDataException"/> saying what is wrong, so a truncated or foreign file is never half-read.
    /// </summary>
    public static Report? Deserialize(string json)
    {
        Report? report;
        try
        {
            report = JsonSerializer.Deserialize(json, ReportJsonContext.Default.Report);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not a NodeAgent report: {e.Message}", e);
        }

        if (report is not null && report.SchemaVersion != Report.CurrentSchemaVersion)
        {
            throw new InvalidDataException(
                $"report schemaVersion {report.SchemaVersion} is not supported (this nodeagent reads {Report.CurrentSchemaVersion}): " +
                "read it with the nodeagent version that wrote it, or run nodeagent verify to write a new one");
        }

        return report;
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters =
    [
        typeof(LowercaseEnumConverter<ProbeStatus>),
        typeof(LowercaseEnumConverter<StepStatus>),
        typeof(LowercaseEnumConverter<ReportMode>),
        typeof(LowercaseEnumConverter<ReportStatus>),
        typeof(UtcTimestampConverter),
    ])]
[JsonSerializable(typeof(Report))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;

/// <summary>"ok", "failed", "skipped": the enum names in lower case, numbers refused.</summary>
internal sealed class LowercaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;

/// <summary>2026-01-31T12:00:00.123Z: always UTC, millisecond precision, one spelling for every report.</summary>
internal sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString() ?? throw new JsonException("generatedAt must be a string"),
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
}
