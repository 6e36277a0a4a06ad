using NodeAgent.Configuration;
using NodeAgent.Sources;

using static NodeAgent.Tests.Sources.SourceSamples;

namespace NodeAgent.Tests.Sources;

/// <summary>Source layouts the builder must accept, and the CredentialSet they produce.</summary>
public sealed class CredentialSetBuilderAcceptTests
{
    [Fact]
    public void Three_agreeing_files_build_one_credential_set()
    {
        var set = Build(Ini, JsonSample, Env);
        AssertSampleSet(set);
        Assert.Empty(set.PassThroughEnvironment);
        Assert.Equal("AKIA…T7XY", set.Credentials!.AccessKeyId.ToString());
    }

    [Theory]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    [InlineData(true, true, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    public void Any_subset_that_covers_everything_is_enough(bool ini, bool json, bool env)
    {
        AssertSampleSet(Build(ini ? Ini : null, json ? JsonSample : null, env ? Env : null));
    }

    [Fact]
    public void Keys_region_and_buckets_may_each_come_from_a_different_file()
    {
        var ini = $"[default]\naws_access_key_id = {KeyId}\naws_secret_access_key = {SecretKey}\n";
        var json = "{ \"region\": \"us-west-2\" }";
        var env = string.Join("\n", Roles.Select(r => $"S3_BUCKET_{r.ToUpperInvariant()}={Bucket(r)}"));
        AssertSampleSet(Build(ini, json, env));
    }

    [Fact]
    public void Crlf_and_bom_are_read_like_plain_lf()
    {
        static string Dos(string text) => "\uFEFF" + text.ReplaceLineEndings("\r\n");
        AssertSampleSet(Build(Dos(Ini), Dos(JsonSample), Dos(Env)));
    }

    [Fact]
    public void Comments_spacing_export_and_quotes_are_tolerated()
    {
        var ini = $"""
            # NodeAgent source; ops team
            ; second comment style

            [default]
              AWS_ACCESS_KEY_ID=   {KeyId}   # the key id
            aws_secret_access_key={SecretKey}
            region = us-west-2 ; oregon
            """;
        var env = $"""
            # production
            export AWS_ACCESS_KEY_ID="{KeyId}"
            AWS_SECRET_ACCESS_KEY='{SecretKey}'
              AWS_DEFAULT_REGION = us-west-2   # oregon
            export S3_BUCKET_RAW={Bucket("raw")}
            S3_BUCKET_SCHEMATIZED="{Bucket("schematized")}"
            S3_BUCKET_FILTERED={Bucket("filtered")}
            S3_BUCKET_EMERGENCY={Bucket("emergency")}
            """;
        var json = $$"""
            {
              // hand-edited
              "aws_access_key_id": "{{KeyId}}",
              "aws_secret_access_key": "{{SecretKey}}",
              "region": "us-west-2",
              "aws_session_token": null,
              "owner": { "team": "data", "tags": ["a", "b"] },
              "s3_configuration": {
                "endpoint": "https://s3.us-west-2.amazonaws.com",
                "buckets": {
                  "raw": "{{Bucket("raw")}}", "schematized": "{{Bucket("schematized")}}",
                  "filtered": "{{Bucket("filtered")}}", "emergency": "{{Bucket("emergency")}}",
                  "archive": "not-a-configured-role",
                },
              },
            }
            """;
        AssertSampleSet(Build(ini, json, env));
    }

    [Fact]
    public void Temporary_keys_with_their_session_token_are_accepted_everywhere()
    {
        var ini = Ini.Replace(KeyId, TemporaryKeyId, StringComparison.Ordinal) + $"aws_session_token = {Token}\n";
        var json = JsonSample.Replace(KeyId, TemporaryKeyId, StringComparison.Ordinal)
            .Replace("\"region\"", $"\"aws_session_token\": \"{Token}\",\n  \"region\"", StringComparison.Ordinal);
        var env = Env.Replace(KeyId, TemporaryKeyId, StringComparison.Ordinal) + $"AWS_SESSION_TOKEN={Token}\n";
        AssertSampleSet(Build(ini, json, env), TemporaryKeyId, Token);
    }

    [Fact]
    public void The_configured_profile_is_read_also_when_written_as_profile_name()
    {
        var ini = $"[default]\nregion = eu-central-1\n\n[profile expanso]\naws_access_key_id = {KeyId}\naws_secret_access_key = {SecretKey}\nregion = us-west-2\n";
        var set = Build(Documents(ini, JsonSample), new SourcesOptions { Profile = "expanso" });
        AssertSampleSet(set);
    }

    [Fact]
    public void Extra_env_variables_pass_through_in_file_order()
    {
        var env = "LOG_LEVEL=debug\n" + Env + "export SENSOR_ID=\"plant 7\"\nS3_BUCKET_ARCHIVE=kept-as-is\nAWS_PROFILE='default'\n";
        var set = Build(env: env);
        AssertSampleSet(set);
        Assert.Equal(
            [new("LOG_LEVEL", "debug"), new("SENSOR_ID", "plant 7"), new("S3_BUCKET_ARCHIVE", "kept-as-is"), new("AWS_PROFILE", "default")],
            set.PassThroughEnvironment);
    }

    [Theory]
    [InlineData("AWS_REGION=us-west-2\n")]
    [InlineData("AWS_REGION=us-west-2\nAWS_DEFAULT_REGION=us-west-2\n")]
    public void Env_region_may_be_AWS_REGION_or_both_when_they_agree(string regionLines)
    {
        var env = Env.Replace("AWS_DEFAULT_REGION=us-west-2\n", regionLines, StringComparison.Ordinal);
        AssertSampleSet(Build(env: env));
    }

    [Fact]
    public void Buckets_come_out_in_configured_role_order()
    {
        var set = new CredentialSetBuilder(new SourcesOptions(), ["emergency", "raw"]).Build(Documents(json: JsonSample));
        Assert.Equal([new BucketAssignment("emergency", Bucket("emergency")), new BucketAssignment("raw", Bucket("raw"))], set.Buckets);
    }

    private static void AssertSampleSet(CredentialSet set, string keyId = KeyId, string? token = null)
    {
        Assert.Equal(keyId, set.Credentials!.AccessKeyId.Reveal());
        Assert.Equal(SecretKey, set.Credentials!.SecretAccessKey.Reveal());
        Assert.Equal(token, set.Credentials!.SessionToken?.Reveal());
        Assert.Equal("us-west-2", set.Region);
        Assert.Equal(Roles.Select(r => new BucketAssignment(r, Bucket(r))), set.Buckets);
    }
}
