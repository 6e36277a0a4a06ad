using System.Text.Json;
using System.Text.Json.Nodes;

using Json.Schema;

using NodeAgent.Reporting;

namespace NodeAgent.Tests.Reporting;

/// <summary>docs/report-schema.json is the contract for anyone reading reports: what we write must satisfy it.</summary>
public sealed class ReportSchemaTests
{
    [Fact]
    public void Serialized_verify_and_apply_reports_validate_against_the_schema()
    {
        foreach (var report in new[] { SampleReports.Verify(), SampleReports.Apply() })
        {
            var result = Evaluate(ReportJson.Serialize(report));

            Assert.True(result.IsValid, Describe(result));
        }
    }

    [Theory]
    [InlineData("status", "\"bogus\"")]
    [InlineData("schemaVersion", "2")]
    [InlineData("generatedAt", "\"2026-11-25 18:22:46\"")]
    [InlineData("summary", "{}")]
    [InlineData("probes", "[{\"probe\":\"identity\"}]")]
    [InlineData("unexpected", "true")]
    public void The_schema_rejects_a_report_with_a_wrong_or_missing_field(string field, string json)
    {
        var report = JsonNode.Parse(ReportJson.Serialize(SampleReports.Verify()))!.AsObject();
        report[field] = JsonNode.Parse(json);

        Assert.False(Evaluate(report.ToJsonString()).IsValid);
    }

    [Fact]
    public void Every_property_the_serializer_writes_is_required_by_the_schema()
    {
        // A field added to the model but not to the schema would be rejected by additionalProperties: false
        // only if the schema is evaluated; this keeps the two in step at the level of names, too.
        var schema = JsonNode.Parse(File.ReadAllText(RepositoryFiles.PathOf("docs/report-schema.json")))!;
        var written = JsonNode.Parse(ReportJson.Serialize(SampleReports.Apply()))!.AsObject();

        Assert.Equal(Names(schema["required"]!), written.Select(p => p.Key).Order());
        Assert.Equal(Names(schema["$defs"]!["probe"]!["required"]!), written["probes"]![0]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal(Names(schema["$defs"]!["step"]!["required"]!), written["files"]![0]!.AsObject().Select(p => p.Key).Order());
    }

    private static IOrderedEnumerable<string> Names(JsonNode array) => array.AsArray().Select(n => n!.GetValue<string>()).Order();

    private static EvaluationResults Evaluate(string json) => ReportSchema.Evaluate(json);

    private static string Describe(EvaluationResults result) => ReportSchema.Describe(result);
}
