using NodeAgent.Sources;

namespace NodeAgent.Tests.Sources;

public sealed class SecretScrubberTests
{
    [Theory]
    [InlineData("aws_secret_access_key = OLDsecretOLDsecretOLDsecretOLDsecret1234", "aws_secret_access_key = ****…1234")]
    [InlineData("AWS_SECRET_ACCESS_KEY=OLDsecretOLDsecretOLDsecretOLDsecret1234", "AWS_SECRET_ACCESS_KEY=****…1234")]
    [InlineData("export AWS_SESSION_TOKEN='IQoJb3JpZ2luX2VjEXAMPLEtoken'", "export AWS_SESSION_TOKEN='****…oken'")]
    [InlineData("  \"aws_secret_access_key\": \"OLDsecretOLDsecretOLDsecretOLDsecret1234\",", "  \"aws_secret_access_key\": \"****…1234\",")]
    [InlineData("aws_access_key_id = AKIAOLDOLDOLDOLD9999", "aws_access_key_id = AKIA…9999")]
    [InlineData("DATABRICKS_TOKEN=dapi0123456789abcdef", "DATABRICKS_TOKEN=****…cdef")]
    [InlineData("DB_PASSWORD=\"it's a long pass phrase\"", "DB_PASSWORD=\"****…rase\"")]
    [InlineData("MY_API_KEY=abcdef0123456789abcdef", "MY_API_KEY=****…cdef")]
    [InlineData("DATABRICKS_PAT=dapi0123456789abcdef", "DATABRICKS_PAT=****…cdef")]
    [InlineData("DB_URL=postgres://sensor:hunter2hunter2@db:5432/x", "DB_URL=postgres://sensor:****@db:5432/x")]
    [InlineData("stray OLDsecretOLDsecretOLDsecretOLDsecret1234 here", "stray ****…1234 here")]
    public void Masks_secrets_it_has_never_seen_by_key_name_and_shape(string line, string expected)
    {
        Assert.Equal(expected, SecretScrubber.Scrub(line));
    }

    [Fact]
    public void Masks_known_secret_values_anywhere()
    {
        var secret = Secret.Of("short-but-known-secret");
        Assert.Equal("value: ****…cret.", SecretScrubber.Scrub("value: short-but-known-secret.", [secret]));
    }

    [Fact]
    public void Leaves_ordinary_lines_alone()
    {
        const string text = "region = us-west-2\nS3_BUCKET_RAW=expanso-databricks-raw-us-west-2\n[default]\n";
        Assert.Equal(text, SecretScrubber.Scrub(text));
    }

    [Fact]
    public void Env_files_hide_every_passed_through_value_and_show_only_what_nodeagent_knows_is_harmless()
    {
        const string env = "AWS_ACCESS_KEY_ID=AKIAOLDOLDOLDOLD9999\nAWS_REGION=us-west-2\nS3_BUCKET_RAW=expanso-raw\n" +
            "export SENSOR_NAME='dock 3 north'\nREPLICAS=12\nEMPTY=\n";
        Assert.Equal(
            "AWS_ACCESS_KEY_ID=AKIA…9999\nAWS_REGION=us-west-2\nS3_BUCKET_RAW=expanso-raw\n" +
            "export SENSOR_NAME='****'\nREPLICAS=****\nEMPTY=\n",
            SecretScrubber.ScrubEnvFile(env, [], []));
    }

    [Theory]
    [InlineData("aws_secret_access_key = OLDsecretOLDsecretOLDsecretOLDsecret0000", "aws_secret_access_key = ****…0000")]
    [InlineData("aws_session_token = IQoJb3JpZ2luX2VjEXAMPLE", "aws_session_token = ****…MPLE")]
    [InlineData("  \"aws_secret_access_key\": \"short-old-secret\",", "  \"aws_secret_access_key\": \"****…cret\",")]
    [InlineData("db_password: hunter2hunter2", "db_password: ****")]
    [InlineData("aws_secret_access_key = old\r", "aws_secret_access_key = ****\r")]
    public void Exact_masking_masks_values_of_known_secret_keys_old_ones_included(string line, string masked)
    {
        Assert.Equal(masked, SecretScrubber.ScrubExactly(line, [], []));
    }

    [Theory]
    [InlineData("    profile: \"default\"")]
    [InlineData("    shared_credentials_file: \"/root/.aws/credentials\"")]
    [InlineData("  credentials:")]
    [InlineData("region = us-west-2")]
    [InlineData("      uri: \"s3://expanso-databricks-raw-us-west-2/\"")]
    [InlineData("UPLOAD_INTERVAL=30 in a comment")]
    public void Exact_masking_leaves_a_line_without_a_secret_as_it_is(string line)
    {
        Assert.Equal(line, SecretScrubber.ScrubExactly(line, [Secret.Of("nOdEaGeNtExAmPlEsEcReTkEy0123456789/+abc")], ["30", "Lisbon dock 3"]));
    }

    [Fact]
    public void Exact_masking_masks_loaded_secrets_and_long_pass_through_values_wherever_they_appear()
    {
        var text = "note: nOdEaGeNtExAmPlEsEcReTkEy0123456789 at Lisbon dock 3, Lisbon dock 34 is another place\n";

        var masked = SecretScrubber.ScrubExactly(text, [Secret.Of("nOdEaGeNtExAmPlEsEcReTkEy0123456789")], ["Lisbon dock 3"]);

        Assert.Equal("note: ****…6789 at ****, Lisbon dock 34 is another place\n", masked);
    }
}
