using NodeAgent.Configuration;
using NodeAgent.Sources;

using static NodeAgent.Tests.Sources.SourceSamples;

namespace NodeAgent.Tests.Sources;

/// <summary>
/// Every rejection names file and line, says what is wrong and how to fix it; <see cref="SourceSamples.Reject(SourceDocuments, SourcesOptions?)"/>
/// also asserts that no key id, secret or token appears in any message.
/// </summary>
public sealed class CredentialSetBuilderRejectTests
{
    private const string IamConsole = "from the IAM console";

    // ---- files present but not usable -------------------------------------------------------------------------

    [Theory]
    [InlineData(IniPath)]
    [InlineData(JsonPath)]
    [InlineData(EnvPath)]
    public void A_present_but_empty_file_is_an_error_not_skipped(string path)
    {
        var blank = "  \n\n";
        var errors = Reject(path == IniPath ? blank : Ini, path == JsonPath ? blank : JsonSample, path == EnvPath ? blank : Env);
        Single(errors, path, null, "the file is empty", "delete the file if the other sources hold");
        Assert.Single(errors);
    }

    [Theory]
    [InlineData(IniPath, "# only a comment\n; another\n")]
    [InlineData(JsonPath, "// only a comment\n")]
    [InlineData(EnvPath, "# only a comment\n")]
    public void A_file_of_only_comments_is_empty(string path, string content)
    {
        var errors = Reject(path == IniPath ? content : null, path == JsonPath ? content : JsonSample, path == EnvPath ? content : null);
        Single(errors, path, null, "the file is empty");
    }

    [Fact]
    public void Truncated_json_is_an_error_naming_the_last_line()
    {
        var cut = JsonSample[..JsonSample.IndexOf("\"filtered\"", StringComparison.Ordinal)];
        var errors = Reject(json: cut);
        var error = Assert.Single(errors);
        Assert.Equal(JsonPath, error.File);
        Assert.Equal(9, error.Line);
        Assert.Contains("truncated", error.What, StringComparison.Ordinal);
        Assert.Contains("copy the complete file again", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_json_inside_a_secret_value_does_not_echo_it()
    {
        var cut = JsonSample[..(JsonSample.IndexOf(SecretKey, StringComparison.Ordinal) + 30)];
        Single(Reject(json: cut), JsonPath, 3, "truncated");
    }

    [Fact]
    public void Invalid_json_syntax_names_the_line()
    {
        var broken = R(JsonSample, "\"region\": \"us-west-2\",", "\"region\": \"us-west-2\"");
        Single(Reject(json: broken), JsonPath, 5, "not valid JSON", "add the missing comma");
    }

    [Fact]
    public void Json_that_is_not_an_object_is_rejected()
    {
        Single(Reject(json: "[\n  \"a\"\n]\n"), JsonPath, 1, "not an object");
    }

    [Fact]
    public void An_empty_json_object_holds_nothing_and_is_rejected()
    {
        Single(Reject(Ini, "{}\n", Env), JsonPath, 1, "holds none of aws_access_key_id");
    }

    [Theory]
    [InlineData("\"region\": \"us-west-2\"", "\"region\": 5", 4, "region is a number, not a string")]
    [InlineData("\"region\": \"us-west-2\"", "\"region\": null", 4, "region is null, not a string")]
    [InlineData("\"raw\": \"expanso-databricks-raw-us-west-2\"", "\"raw\": [\"a\"]", 7, "s3_configuration.buckets.raw is an array, not a string")]
    public void Json_values_of_the_wrong_type_are_rejected(string from, string to, int line, string what)
    {
        Single(Reject(json: R(JsonSample, from, to)), JsonPath, line, what, "double quotes");
    }

    [Fact]
    public void Json_buckets_that_are_not_an_object_are_rejected()
    {
        var json = "{ \"region\": \"us-west-2\",\n \"s3_configuration\": { \"buckets\": [\"a\"] } }";
        Single(Reject(Ini, json), JsonPath, 2, "s3_configuration.buckets is an array, not an object");
    }

    [Fact]
    public void Duplicate_json_property_is_ambiguous_at_top_level()
    {
        var json = R(JsonSample, "\"region\": \"us-west-2\",", "\"region\": \"us-west-2\",\n  \"region\": \"us-east-1\",");
        Single(Reject(json: json), JsonPath, 5, "property \"region\" appears a second time (first on line 4)", "keep one");
    }

    [Fact]
    public void Duplicate_json_property_is_ambiguous_when_nested()
    {
        var json = R(JsonSample, "\"filtered\": ", "\"raw\": \"other-bucket\",\n        \"filtered\": ");
        Single(Reject(json: json), JsonPath, 9, "property \"s3_configuration.buckets.raw\" appears a second time (first on line 7)");
    }

    [Fact]
    public void Binary_json_is_rejected()
    {
        byte[] bytes = [.. Bytes("{\n"), 0x00, 0x01, 0x02];
        var errors = Reject(DocumentsFromBytes(json: bytes));
        Single(errors, JsonPath, 2, "NUL byte", "deployment bundle");
    }

    [Fact]
    public void Invalid_utf8_in_env_is_rejected()
    {
        byte[] bytes = [.. Bytes(Env), .. Bytes("NOTE="), 0xFF, 0xFE, 0x41];
        Single(Reject(DocumentsFromBytes(env: bytes)), EnvPath, 8, "not valid UTF-8");
    }

    [Fact]
    public void Missing_profile_lists_the_profiles_found()
    {
        var ini = R(Ini, "[default]", "[production]") + "[staging]\nregion = us-east-1\n";
        var error = Single(Reject(ini, JsonSample), IniPath, null, "profile [default] is not in the file; it has [production], [staging]");
        Assert.Contains("sources.profile", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_profile_without_any_known_key_is_rejected()
    {
        Single(Reject("[default]\noutput = json\n", JsonSample), IniPath, 1, "holds none of aws_access_key_id");
    }

    [Fact]
    public void Duplicate_ini_key_is_ambiguous()
    {
        var ini = Ini + $"aws_secret_access_key = {OtherSecretKey}\n";
        Single(Reject(ini, JsonSample), IniPath, 5, "aws_secret_access_key appears a second time in [default] (first on line 3)");
    }

    [Fact]
    public void Duplicate_env_variable_is_ambiguous()
    {
        Single(Reject(env: Env + "AWS_DEFAULT_REGION=us-east-1\n"), EnvPath, 8, "AWS_DEFAULT_REGION is set a second time (first on line 3)");
    }

    [Fact]
    public void Reader_errors_are_reported_and_missing_parts_are_not_guessed()
    {
        var documents = Documents(ini: Ini) with { Errors = [new SourceError(JsonPath, null, "the file is 2000000 bytes", "fix")] };
        var error = Assert.Single(Reject(documents));
        Assert.Equal(JsonPath, error.File);
    }

    [Fact]
    public void A_broken_file_suppresses_nothing_provides_errors()
    {
        var errors = Reject(Ini, "{ \"region\": ");
        Assert.Single(errors);
        Assert.DoesNotContain(errors, e => e.What.Contains("no source file", StringComparison.Ordinal));
    }

    // ---- completeness per file --------------------------------------------------------------------------------

    [Fact]
    public void A_key_id_without_its_secret_is_rejected()
    {
        var ini = R(Ini, $"aws_secret_access_key = {SecretKey}\n", "");
        Single(Reject(ini, JsonSample), IniPath, 2, "holds aws_access_key_id but no aws_secret_access_key", "IAM console");
    }

    [Fact]
    public void A_secret_without_its_key_id_is_rejected()
    {
        var env = R(Env, $"AWS_ACCESS_KEY_ID={KeyId}\n", "");
        Single(Reject(json: JsonSample, env: env), EnvPath, 1, "holds AWS_SECRET_ACCESS_KEY but no AWS_ACCESS_KEY_ID");
    }

    [Fact]
    public void A_session_token_without_keys_is_rejected()
    {
        var env = $"AWS_SESSION_TOKEN={Token}\n";
        Single(Reject(json: JsonSample, env: env), EnvPath, 1, "holds AWS_SESSION_TOKEN but no access key");
    }

    [Fact]
    public void A_file_naming_some_buckets_must_name_all_roles()
    {
        var json = R(R(JsonSample, $"\"filtered\": \"{Bucket("filtered")}\",", ""), $"\"schematized\": \"{Bucket("schematized")}\",", "");
        var error = Single(Reject(Ini, json, Env), JsonPath, 6, "names buckets for some roles but not for schematized, filtered");
        Assert.Contains("s3_configuration.buckets.schematized, s3_configuration.buckets.filtered", error.Fix, StringComparison.Ordinal);

        var env = R(Env, $"S3_BUCKET_EMERGENCY={Bucket("emergency")}\n", "");
        Single(Reject(json: JsonSample, env: env), EnvPath, 4, "not for emergency", "S3_BUCKET_EMERGENCY");
    }

    // ---- value rules ------------------------------------------------------------------------------------------

    [Fact]
    public void The_setup_guide_templates_are_rejected_with_a_fix_pointing_at_the_iam_console()
    {
        var ini = "[default]\naws_access_key_id = YOUR_ACCESS_KEY_ID\naws_secret_access_key = YOUR_SECRET_ACCESS_KEY\nregion = us-west-2\n";
        var json = R(R(JsonSample, KeyId, "YOUR_ACCESS_KEY_ID"), SecretKey, "YOUR_SECRET_ACCESS_KEY");
        var env = R(R(Env, KeyId, "YOUR_ACCESS_KEY_ID"), SecretKey, "YOUR_SECRET_ACCESS_KEY");
        var errors = Reject(ini, json, env);
        Assert.Equal(6, errors.Count);
        foreach (var (file, line, field) in new[]
                 {
                     (IniPath, 2, "aws_access_key_id"), (IniPath, 3, "aws_secret_access_key"),
                     (JsonPath, 2, "aws_access_key_id"), (JsonPath, 3, "aws_secret_access_key"),
                     (EnvPath, 1, "AWS_ACCESS_KEY_ID"), (EnvPath, 2, "AWS_SECRET_ACCESS_KEY"),
                 })
        {
            Single(errors, file, line, $"{field} still holds a template placeholder", IamConsole);
        }

        Assert.Contains(errors, e => e.ToString().StartsWith($"{IniPath}:2: aws_access_key_id still holds a template placeholder, not a real value — put the real access key id {IamConsole}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("CHANGEME")]
    [InlineData("<your key id>")]
    [InlineData("REPLACE_ME")]
    [InlineData("xxxxxxxxxxxxxxxxxxxx")]
    public void Other_placeholders_are_rejected(string placeholder)
    {
        Single(Reject(R(Ini, KeyId, placeholder), JsonSample), IniPath, 2, "template placeholder", IamConsole);
    }

    [Fact]
    public void An_empty_value_is_rejected_as_a_placeholder()
    {
        Single(Reject(env: R(Env, SecretKey, "")), EnvPath, 2, "AWS_SECRET_ACCESS_KEY is empty", IamConsole);
        Single(Reject(env: Env + "AWS_SESSION_TOKEN=\n"), EnvPath, 8, "AWS_SESSION_TOKEN is empty", "delete the AWS_SESSION_TOKEN line");
    }

    [Fact]
    public void A_malformed_key_id_is_rejected_masked()
    {
        var badId = KeyId[..^1];
        var error = Single(Reject(R(Ini, KeyId, badId), JsonSample), IniPath, 2, "aws_access_key_id AKIA…NT7X is 19 characters long", "exactly as shown from the IAM console");
        Assert.DoesNotContain(badId, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Swapped_key_id_and_secret_are_reported_without_revealing_the_secret()
    {
        var swapped = $"[default]\naws_access_key_id = {SecretKey}\naws_secret_access_key = {KeyId}\nregion = us-west-2\n";
        var errors = Reject(swapped, JsonSample);
        Single(errors, IniPath, 2, "swapped");
        Single(errors, IniPath, 3, "is 20 characters long; a secret access key is exactly 40");
    }

    [Fact]
    public void A_secret_of_the_wrong_length_is_rejected_masked()
    {
        var shortSecret = SecretKey[..39];
        var error = Single(Reject(env: R(Env, SecretKey, shortSecret)), EnvPath, 2, "AWS_SECRET_ACCESS_KEY ****…mN9o is 39 characters long");
        Assert.DoesNotContain(shortSecret, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_quoted_secret_in_the_ini_file_is_rejected()
    {
        Single(Reject(R(Ini, SecretKey, $"\"{SecretKey}\""), JsonSample), IniPath, 3, "contains a quote character");
    }

    [Fact]
    public void Temporary_keys_need_a_session_token()
    {
        var error = Single(Reject(R(Ini, KeyId, TemporaryKeyId), R(JsonSample, KeyId, TemporaryKeyId)), IniPath, 2,
            "aws_access_key_id ASIA…T7XY is a temporary (ASIA) key, but the file holds no aws_session_token");
        Assert.Contains("long-term AKIA key", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_term_keys_take_no_session_token()
    {
        Single(Reject(env: Env + $"AWS_SESSION_TOKEN={Token}\n"), EnvPath, 8,
            "long-term AKIA keys take no session token", "delete the AWS_SESSION_TOKEN line");
    }

    [Fact]
    public void A_truncated_session_token_is_rejected()
    {
        var env = R(Env, KeyId, TemporaryKeyId) + "AWS_SESSION_TOKEN=IQoJb3Jp\n";
        Single(Reject(env: env), EnvPath, 8, "AWS_SESSION_TOKEN **** is only 8 characters long");
    }

    [Fact]
    public void A_malformed_region_is_rejected()
    {
        Single(Reject(R(Ini, "us-west-2", "us-west-2b"), JsonSample), IniPath, 4, "region \"us-west-2b\" is an availability zone", "for example us-west-2");
    }

    [Fact]
    public void Env_region_variables_must_agree()
    {
        var env = R(Env, "AWS_DEFAULT_REGION=us-west-2\n", "AWS_DEFAULT_REGION=us-west-2\nAWS_REGION=us-east-1\n");
        Single(Reject(env: env), EnvPath, 4, "AWS_REGION (\"us-east-1\") differs from AWS_DEFAULT_REGION (\"us-west-2\") on line 3", "delete one");
    }

    [Fact]
    public void A_malformed_bucket_is_rejected_with_the_s3_rule()
    {
        Single(Reject(json: R(JsonSample, Bucket("raw"), "Expanso_Raw")), JsonPath, 7,
            "s3_configuration.buckets.raw \"Expanso_Raw\" contains upper-case letters", "S3 console");
    }

    [Fact]
    public void A_lower_case_known_env_name_is_an_error_not_a_pass_through()
    {
        var env = R(Env, "AWS_SECRET_ACCESS_KEY=", "aws_secret_access_key=");
        var errors = Reject(env: env);
        Single(errors, EnvPath, 2, "aws_secret_access_key is not AWS_SECRET_ACCESS_KEY: variable names are case-sensitive", "spell it AWS_SECRET_ACCESS_KEY");
    }

    [Fact]
    public void A_pass_through_value_with_a_line_break_cannot_go_to_docker_env()
    {
        var errors = Reject(env: Env + "MOTD=\"hello\\nworld\"\n");
        Single(errors, EnvPath, 8, "the value of MOTD contains a line break, which docker.env cannot represent");
    }

    // ---- agreement between files ------------------------------------------------------------------------------

    [Fact]
    public void Files_must_agree_on_the_key_id_and_name_both_places_masked()
    {
        var error = Single(Reject(Ini, JsonSample, R(Env, KeyId, OtherKeyId)), EnvPath, 1,
            $"AWS_ACCESS_KEY_ID (AKIA…T8ZW) differs from aws_access_key_id in {IniPath}:2 (AKIA…T7XY)");
        Assert.Contains("same access key", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_must_agree_on_the_secret()
    {
        var errors = Reject(Ini, R(JsonSample, SecretKey, OtherSecretKey), Env);
        Single(errors, JsonPath, 3, $"aws_secret_access_key (****…4H3g) differs from aws_secret_access_key in {IniPath}:3 (****…N9oP)");
        Assert.Single(errors);
    }

    [Fact]
    public void Secrets_that_differ_only_in_the_middle_are_told_apart_by_fingerprint()
    {
        var almost = "X" + SecretKey[1..];
        var error = Single(Reject(Ini, R(JsonSample, SecretKey, almost)), JsonPath, 3, "fingerprints sha256:");
        Assert.Contains(global::NodeAgent.Sources.Secret.FingerprintOf(SecretKey), error.What, StringComparison.Ordinal);
        Assert.DoesNotContain(almost, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Files_must_agree_on_the_session_token()
    {
        var ini = R(Ini, KeyId, TemporaryKeyId) + $"aws_session_token = {Token}\n";
        var env = R(Env, KeyId, TemporaryKeyId) + $"AWS_SESSION_TOKEN={OtherToken}\n";
        Single(Reject(ini: ini, env: env), EnvPath, 8, $"AWS_SESSION_TOKEN (****…dA==) differs from {IniPath}:5 (****…dA==); fingerprints");

        var json = R(JsonSample, KeyId, TemporaryKeyId);
        var errors = Reject(ini: ini, json: json);
        Single(errors, JsonPath, 2, $"the file holds no aws_session_token, but {IniPath}:5 has one for the same keys");
    }

    [Fact]
    public void Files_must_agree_on_region_and_each_bucket()
    {
        var errors = Reject(Ini, R(JsonSample, Bucket("filtered"), "expanso-filtered-eu"), R(Env, "AWS_DEFAULT_REGION=us-west-2", "AWS_DEFAULT_REGION=eu-central-1"));
        Single(errors, EnvPath, 3, $"AWS_DEFAULT_REGION (\"eu-central-1\") differs from region in {IniPath}:4 (\"us-west-2\")", "same region");
        Single(errors, EnvPath, 6, $"S3_BUCKET_FILTERED (\"{Bucket("filtered")}\") differs from s3_configuration.buckets.filtered in {JsonPath}:9 (\"expanso-filtered-eu\")", "same filtered bucket");
        Assert.Equal(2, errors.Count);
    }

    // ---- coverage ---------------------------------------------------------------------------------------------

    [Fact]
    public void Something_no_file_provides_is_one_error_naming_where_it_could_come_from()
    {
        var errors = Reject(ini: Ini);
        var error = Assert.Single(errors);
        Assert.Equal("/src", error.File);
        Assert.Null(error.Line);
        Assert.Contains("no source file names the bucket for raw, schematized, filtered, emergency", error.What, StringComparison.Ordinal);
        Assert.Contains("s3_configuration.buckets.raw", error.Fix, StringComparison.Ordinal);
        Assert.Contains("S3_BUCKET_EMERGENCY", error.Fix, StringComparison.Ordinal);
        Assert.Contains("expanso-s3-config.json", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_keys_and_region_name_every_file_and_field_that_could_hold_them()
    {
        var json = "{ \"s3_configuration\": { \"buckets\": { "
            + string.Join(", ", Roles.Select(r => $"\"{r}\": \"{Bucket(r)}\"")) + " } } }";
        var errors = Reject(json: json);
        Assert.Equal(2, errors.Count);
        var keys = Single(errors, "/src", null, "no source file holds the AWS access key");
        Assert.Contains("aws_access_key_id and aws_secret_access_key under [default] in expanso-s3-credentials", keys.Fix, StringComparison.Ordinal);
        Assert.Contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to expanso-production.env", keys.Fix, StringComparison.Ordinal);
        Assert.Contains(IamConsole, keys.Fix, StringComparison.Ordinal);
        var region = Single(errors, "/src", null, "no source file holds the region");
        Assert.Contains("AWS_DEFAULT_REGION to expanso-production.env", region.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_parts_are_reported_together_with_invalid_values()
    {
        var errors = Reject(ini: R(Ini, "us-west-2", "us-west2"));
        Assert.Equal(2, errors.Count);
        Single(errors, IniPath, 4, "region \"us-west2\" is not an AWS region name");
        Single(errors, "/src", null, "no source file names the bucket for raw, schematized, filtered, emergency");
    }

    [Fact]
    public void No_source_file_at_all_is_one_error()
    {
        var error = Assert.Single(Reject(Documents()));
        Assert.Contains("none of the source files is there", error.What, StringComparison.Ordinal);
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var ini = R(Ini, SecretKey, SecretKey[..30]);
        var json = R(R(JsonSample, "\"region\": \"us-west-2\"", "\"region\": \"US-WEST-2\""), Bucket("raw"), "xn--raw");
        var env = R(Env, KeyId, "YOUR_ACCESS_KEY_ID") + "BAD-NAME=1\n";
        var errors = Reject(ini, json, env);
        Single(errors, IniPath, 3, "is 30 characters long");
        Single(errors, JsonPath, 4, "must be lower-case");
        Single(errors, JsonPath, 7, "reserved prefix xn--");
        Single(errors, EnvPath, 1, "template placeholder");
        Single(errors, EnvPath, 8, "variable name \"BAD-NAME\" is not valid");
    }

    private static string R(string text, string from, string to) => text.Replace(from, to, StringComparison.Ordinal);
}
