using NodeAgent.Sources;

namespace NodeAgent.Tests.Sources;

public sealed class CredentialRulesTests
{
    [Theory]
    [InlineData("AKIAIOSFODNN7EXAMPLE")]
    [InlineData("ASIAQ3EGNODEAGENT7XY")]
    [InlineData("AKIAEXAMPLENODEAGENT")]
    public void Accepts_access_key_ids(string id) => Assert.Null(CredentialRules.CheckAccessKeyId(id));

    [Theory]
    [InlineData("AKIAIOSFODNN7EXAMPL", "is 19 characters long")]
    [InlineData("AKIAIOSFODNN7EXAMPLE1", "is 21 characters long")]
    [InlineData("akiaiosfodnn7example", "lower-case")]
    [InlineData("AKIAiosfodnn7example", "lower-case")]
    [InlineData("AROAIOSFODNN7EXAMPLE", "does not start with AKIA")]
    [InlineData("AKIAIOSFODNN7EXAMPL-", "other than upper-case letters and digits")]
    [InlineData("AKIAIOSFODNN7EXAMPL ", "whitespace or quotes")]
    [InlineData("nK8v2pQ/7rT+wXyZ1aB3cD4eF5gH6iJ7kL8mN9oP", "swapped")]
    public void Rejects_malformed_access_key_ids_saying_why(string id, string why)
    {
        var problem = CredentialRules.CheckAccessKeyId(id);
        Assert.NotNull(problem);
        Assert.Contains(why, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(id, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_a_40_character_secret() =>
        Assert.Null(CredentialRules.CheckSecretAccessKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));

    [Theory]
    [InlineData("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE", "is 39 characters long")]
    [InlineData("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYY", "is 41 characters long")]
    [InlineData("\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"", "quote")]
    [InlineData("wJalrXUtnFEMI/K7MDENG bPxRfiCYEXAMPLEKEY", "whitespace")]
    [InlineData("wJalrXUtnFEMI/K7MDENG-bPxRfiCYEXAMPLEKEY", "other than A–Z")]
    public void Rejects_malformed_secrets_saying_why(string secret, string why)
    {
        var problem = CredentialRules.CheckSecretAccessKey(secret);
        Assert.NotNull(problem);
        Assert.Contains(why, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("us-west-2")]
    [InlineData("us-east-1")]
    [InlineData("us-gov-west-1")]
    [InlineData("cn-north-1")]
    [InlineData("cn-northwest-1")]
    [InlineData("eu-central-2")]
    [InlineData("ap-southeast-4")]
    [InlineData("il-central-1")]
    [InlineData("me-south-1")]
    [InlineData("us-iso-east-1")]
    [InlineData("ca-west-1")]
    public void Accepts_regions(string region) => Assert.Null(CredentialRules.CheckRegion(region));

    [Theory]
    [InlineData("US-WEST-2", "lower-case")]
    [InlineData("us-west-2a", "availability zone")]
    [InlineData("us-west2", "not an AWS region name")]
    [InlineData("uswest-2", "not an AWS region name")]
    [InlineData("us-west-0", "not an AWS region name")]
    [InlineData("Oregon", "not an AWS region name")]
    [InlineData(" us-west-2", "not an AWS region name")]
    public void Rejects_malformed_regions_saying_why(string region, string why)
    {
        var problem = CredentialRules.CheckRegion(region);
        Assert.NotNull(problem);
        Assert.Contains(why, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("expanso-databricks-raw-us-west-2")]
    [InlineData("abc")]
    [InlineData("my.bucket.name")]
    [InlineData("1bucket9")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
    public void Accepts_bucket_names(string bucket) => Assert.Null(CredentialRules.CheckBucketName(bucket));

    [Theory]
    [InlineData("ab", "is 2 characters long")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234", "is 64 characters long")]
    [InlineData("My-Bucket", "upper-case")]
    [InlineData("my_bucket", "other than lower-case letters, digits, dots and hyphens")]
    [InlineData("-bucket", "start and end with a letter or digit")]
    [InlineData("bucket.", "start and end with a letter or digit")]
    [InlineData("my..bucket", "two adjacent dots")]
    [InlineData("192.168.5.4", "IP address")]
    [InlineData("xn--bucket", "reserved prefix xn--")]
    [InlineData("sthree-bucket", "reserved prefix sthree-")]
    [InlineData("amzn-s3-demo-bucket", "reserved prefix amzn-s3-demo-")]
    [InlineData("bucket-s3alias", "reserved suffix -s3alias")]
    [InlineData("bucket--ol-s3", "reserved suffix --ol-s3")]
    [InlineData("bucket.mrap", "reserved suffix .mrap")]
    [InlineData("bucket--x-s3", "reserved suffix --x-s3")]
    [InlineData("bucket--table-s3", "reserved suffix --table-s3")]
    public void Rejects_bucket_names_breaking_s3_rules(string bucket, string why)
    {
        var problem = CredentialRules.CheckBucketName(bucket);
        Assert.NotNull(problem);
        Assert.Contains(why, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("YOUR_ACCESS_KEY_ID")]
    [InlineData("YOUR_SECRET_ACCESS_KEY")]
    [InlineData("your_bucket_here")]
    [InlineData("CHANGEME")]
    [InlineData("changeme-please")]
    [InlineData("REPLACE_ME")]
    [InlineData("<access key id>")]
    [InlineData("xxx")]
    [InlineData("xxxxxxxxxxxxxxxxxxxx")]
    [InlineData("AKIAXXXXXXXXXXXXXXXX")]
    [InlineData("xxx...")]
    [InlineData("${AWS_ACCESS_KEY_ID}")]
    public void Recognises_template_placeholders(string value) => Assert.True(CredentialRules.IsPlaceholder(value));

    [Theory]
    [InlineData("AKIAIOSFODNN7EXAMPLE")]
    [InlineData("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")]
    [InlineData("xxxA9f/K7MDENG/bPxRfiCYEXAMPLEKEYwJalrXU")]
    [InlineData("expanso-databricks-raw-us-west-2")]
    [InlineData("us-west-2")]
    public void Real_looking_values_are_not_placeholders(string value) => Assert.False(CredentialRules.IsPlaceholder(value));

    [Fact]
    public void Key_id_mask_shows_the_prefix_only_when_it_is_a_key_prefix()
    {
        Assert.Equal("AKIA…7XY0", CredentialRules.MaskAccessKeyId("AKIAQ3EGNODEAGEN7XY0"));
        Assert.Equal("****…9oP0", CredentialRules.MaskAccessKeyId("nK8v2pQ/7rT+wXyZ1aB3cD4eF5gH6iJ7kL8mN9oP0"));
    }
}
