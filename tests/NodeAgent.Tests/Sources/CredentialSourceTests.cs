using NodeAgent.Sources;

namespace NodeAgent.Tests.Sources;

public sealed class CredentialSourceTests
{
    private static readonly AwsCredentials Keys =
        new(Secret.AccessKeyId("AKIAIOSFODNN7EXAMPLE"), Secret.Of("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), null);

    [Fact]
    public void A_set_acts_as_its_own_static_keys()
    {
        var set = new CredentialSet(Keys, "eu-west-1", [], []);

        Assert.Equal(new CredentialSource.StaticKeys(Keys), set.Identity);
    }

    [Fact]
    public void Static_keys_are_shown_masked_and_list_every_secret_to_mask()
    {
        var temporary = new CredentialSource.StaticKeys(Keys with { SessionToken = Secret.Of("FwoGZXIvYXdzEBYaDHqa0AP1/session/token") });

        Assert.Equal(Keys.AccessKeyId.Masked, temporary.Masked);
        Assert.DoesNotContain(Keys.AccessKeyId.Reveal(), temporary.Masked, StringComparison.Ordinal);
        Assert.Equal(temporary.Keys.Secrets, temporary.Secrets);
        Assert.DoesNotContain(Keys.SecretAccessKey.Reveal(), temporary.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_fingerprint_changes_with_any_part_of_the_keys_and_reveals_none()
    {
        var original = new CredentialSource.StaticKeys(Keys);
        var otherSecret = new CredentialSource.StaticKeys(Keys with { SecretAccessKey = Secret.Of("xJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") });
        var withToken = new CredentialSource.StaticKeys(Keys with { SessionToken = Secret.Of("FwoGZXIvYXdzEBYaDHqa0AP1/session/token") });

        Assert.Equal(original.Fingerprint, new CredentialSource.StaticKeys(Keys).Fingerprint);
        Assert.NotEqual(original.Fingerprint, otherSecret.Fingerprint);
        Assert.NotEqual(original.Fingerprint, withToken.Fingerprint);
        Assert.DoesNotContain(Keys.SecretAccessKey.Reveal(), original.Fingerprint, StringComparison.Ordinal);
        Assert.NotEqual<CredentialSource>(original, otherSecret);
    }
}
