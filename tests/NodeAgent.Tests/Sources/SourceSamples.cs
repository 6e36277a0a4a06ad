using System.Text;

using NodeAgent.Configuration;
using NodeAgent.Sources;

namespace NodeAgent.Tests.Sources;

/// <summary>Made-up but valid source values, the three files holding them, and helpers to build and reject.</summary>
internal static class SourceSamples
{
    public const string KeyId = "AKIAQ3EGNODEAGENT7XY";
    public const string SecretKey = "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";
    public const string OtherKeyId = "AKIAQ3EGNODEAGENT8ZW";
    public const string OtherSecretKey = "zZ9y8X7w6V5u4T3s2R1q0P/o+N9m8L7k6J5i4H3g";
    public const string TemporaryKeyId = "ASIAQ3EGNODEAGENT7XY";

    public const string IniPath = "/src/expanso-s3-credentials";
    public const string JsonPath = "/src/expanso-s3-config.json";
    public const string EnvPath = "/src/expanso-production.env";

    public static readonly string Token = "IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLXdlc3QtMiJHMEUCIQD" + new string('T', 8) + "k9Zq/ZmFrZXRva2Vu+bm9kZWFnZW50dGVzdA==";
    public static readonly string OtherToken = "IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLXdlc3QtMiJHMEUCIQD" + new string('U', 8) + "k9Zq/ZmFrZXRva2Vu+bm9kZWFnZW50dGVzdA==";

    /// <summary>Values that must never appear in any message.</summary>
    public static readonly string[] SecretValues = [KeyId, SecretKey, OtherKeyId, OtherSecretKey, TemporaryKeyId, Token, OtherToken];

    public static readonly string[] Roles = ["raw", "schematized", "filtered", "emergency"];

    public static readonly string Ini = $"""
        [default]
        aws_access_key_id = {KeyId}
        aws_secret_access_key = {SecretKey}
        region = us-west-2

        """;

    public static readonly string JsonSample = $$"""
        {
          "aws_access_key_id": "{{KeyId}}",
          "aws_secret_access_key": "{{SecretKey}}",
          "region": "us-west-2",
          "s3_configuration": {
            "buckets": {
              "raw": "{{Bucket("raw")}}",
              "schematized": "{{Bucket("schematized")}}",
              "filtered": "{{Bucket("filtered")}}",
              "emergency": "{{Bucket("emergency")}}"
            }
          }
        }

        """;

    public static readonly string Env = $"""
        AWS_ACCESS_KEY_ID={KeyId}
        AWS_SECRET_ACCESS_KEY={SecretKey}
        AWS_DEFAULT_REGION=us-west-2
        S3_BUCKET_RAW={Bucket("raw")}
        S3_BUCKET_SCHEMATIZED={Bucket("schematized")}
        S3_BUCKET_FILTERED={Bucket("filtered")}
        S3_BUCKET_EMERGENCY={Bucket("emergency")}

        """;

    public static string Bucket(string role) => $"expanso-databricks-{role}-us-west-2";

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static SourceDocuments Documents(string? ini = null, string? json = null, string? env = null) =>
        DocumentsFromBytes(ini is null ? null : Bytes(ini), json is null ? null : Bytes(json), env is null ? null : Bytes(env));

    public static SourceDocuments DocumentsFromBytes(byte[]? ini = null, byte[]? json = null, byte[]? env = null) => new(
        ini is null ? null : new SourceDocument(IniPath, ini),
        json is null ? null : new SourceDocument(JsonPath, json),
        env is null ? null : new SourceDocument(EnvPath, env),
        [],
        "/src");

    public static CredentialSet Build(SourceDocuments documents, SourcesOptions? options = null) =>
        new CredentialSetBuilder(options ?? new SourcesOptions(), Roles).Build(documents);

    public static CredentialSet Build(string? ini = null, string? json = null, string? env = null) =>
        Build(Documents(ini, json, env));

    /// <summary>Builds expecting rejection; asserts that no secret value leaked into any message, then returns the errors.</summary>
    public static IReadOnlyList<SourceError> Reject(SourceDocuments documents, SourcesOptions? options = null)
    {
        var e = Assert.Throws<InvalidInputException>(() => Build(documents, options));
        Assert.NotEmpty(e.Errors);
        AssertNoSecretIn(e.Message);
        foreach (var error in e.Errors)
        {
            AssertNoSecretIn(error.ToString());
        }

        return e.Errors;
    }

    public static IReadOnlyList<SourceError> Reject(string? ini = null, string? json = null, string? env = null) =>
        Reject(Documents(ini, json, env));

    public static void AssertNoSecretIn(string text)
    {
        foreach (var secret in SecretValues)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    /// <summary>The one error at file:line; asserts its message and fix mention what the operator needs.</summary>
    public static SourceError Single(IReadOnlyList<SourceError> errors, string file, int? line, string what, string? fix = null)
    {
        var matches = errors.Where(e => e.File == file && e.Line == line && e.What.Contains(what, StringComparison.Ordinal)).ToList();
        Assert.True(matches.Count == 1,
            $"expected one error at {file}:{line} containing \"{what}\"; got:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        if (fix is not null)
        {
            Assert.Contains(fix, matches[0].Fix, StringComparison.Ordinal);
        }

        return matches[0];
    }
}
