using NodeAgent.Sources;

namespace NodeAgent.Tests;

public sealed class SecretTests
{
    [Fact]
    public void Access_key_id_is_masked_with_its_prefix_and_last_four()
    {
        var id = Secret.AccessKeyId("AKIAIOSFODNN7EXAMPLE");
        Assert.Equal("AKIA…MPLE", id.ToString());
        Assert.Equal("AKIA…MPLE", $"{id}");
    }

    [Fact]
    public void Secret_key_shows_only_its_last_four()
    {
        var secret = Secret.Of("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        Assert.Equal("****…EKEY", secret.ToString());
        Assert.DoesNotContain("wJalr", secret.ToString());
    }

    [Fact]
    public void Short_values_are_hidden_entirely()
    {
        Assert.Equal("****", Secret.Of("short").ToString());
    }

    [Fact]
    public void Fingerprints_compare_values_without_revealing_them()
    {
        var a = Secret.Of("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        var b = Secret.Of("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        var c = Secret.Of("xJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        Assert.Equal(a, b);
        Assert.Equal(a.Fingerprint, b.Fingerprint);
        Assert.NotEqual(a.Fingerprint, c.Fingerprint);
        Assert.StartsWith("sha256:", a.Fingerprint);
    }
}
