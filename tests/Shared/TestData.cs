using NodeAgent.Sources;

namespace NodeAgent.TestSupport;

/// <summary>Fake but well-formed credentials: the same shapes AWS issues, never real keys.</summary>
internal static class TestData
{
    public const string KeyId = "AKIAEXAMPLENODEAG001";
    public const string SecretKey = "nOdEaGeNtExAmPlEsEcReTkEy0123456789/+abc";
    public const string SessionKeyId = "ASIAEXAMPLENODEAG002";
    public const string SessionToken = "IQoJb3JpZ2luX2VjEXAMPLEtokenNODEAGENTxyzEXAMPLE0123456789abcdefEXAMPLE==";

    public static CredentialSet Set(bool withToken = false, IReadOnlyList<KeyValuePair<string, string>>? passThrough = null) => new(
        new AwsCredentials(
            Secret.AccessKeyId(withToken ? SessionKeyId : KeyId),
            Secret.Of(SecretKey),
            withToken ? Secret.Of(SessionToken) : null),
        "us-west-2",
        [
            new("raw", "expanso-databricks-raw-us-west-2"),
            new("schematized", "expanso-databricks-schematized-us-west-2"),
            new("filtered", "expanso-databricks-filtered-us-west-2"),
            new("emergency", "expanso-databricks-emergency-us-west-2"),
        ],
        passThrough ?? []);

    public static void AssertNoSecret(string text)
    {
        Assert.DoesNotContain(KeyId, text, StringComparison.Ordinal);
        Assert.DoesNotContain(SessionKeyId, text, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(SessionToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey[..20], text, StringComparison.Ordinal);
    }
}
