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
            SecretScrubber.ScrubEnvFile(env));
    }
}
