using System.Text.Json;

using NodeAgent.Cli;
using NodeAgent.IntegrationTests.Fixtures;
using NodeAgent.IntegrationTests.Imds;

namespace NodeAgent.IntegrationTests.Verify;

/// <summary>
/// The whole CLI in instance-profile mode against an authenticating moto_server and the in-test IMDSv2 stand-in
/// (<see cref="ImdsResponder"/>: no local IMDS server exists), which hands out a real assumed role's keys. Static and
/// instance-profile hosts pass the same verify; IMDS failures, near expiry, the switch from static keys and the
/// identity clash guard each say what is wrong and what to do.
/// </summary>
[Collection(MotoServerCollection.Name)]
public sealed class InstanceProfileVerifyTests(MotoServerFixture moto)
{
    private static readonly string[] AllActions =
        ["s3:ListBucket", "s3:GetBucketLocation", "s3:PutObject", "s3:GetObject", "s3:DeleteObject"];

    private static IReadOnlyList<string> Buckets => MotoServerFixture.RoleBuckets.Select(b => b.Name).ToList();

    [Fact]
    public async Task Static_and_instance_profile_hosts_pass_the_same_verify_and_the_role_is_who_probed()
    {
        using var imds = await RoleResponderAsync();
        using var staticHost = new Sandbox();
        var user = await moto.CreateUserAsync(AllActions, Buckets);
        staticHost.WriteSources(user.AccessKeyId.Reveal(), user.SecretAccessKey.Reveal(), MotoServerFixture.Region, Buckets);
        var staticConfig = staticHost.WriteConfig(Config(imds.Url, profile: "databricks"));
        Assert.Equal(ExitCodes.Ok, (await Apply(staticHost, staticConfig)).ExitCode);

        using var roleHost = new Sandbox();
        roleHost.WriteKeylessSources(MotoServerFixture.Region, Buckets);
        var roleConfig = roleHost.WriteConfig(Config(imds.Url));
        Assert.Equal(ExitCodes.Ok, (await Apply(roleHost, roleConfig)).ExitCode);

        var staticVerify = await Verify(staticHost, staticConfig, "--json");
        var roleVerify = await Verify(roleHost, roleConfig, "--json");
        Assert.True(staticVerify.ExitCode == ExitCodes.Ok, staticVerify.ToString());
        Assert.True(roleVerify.ExitCode == ExitCodes.Ok, roleVerify.ToString());
        using var staticReport = JsonDocument.Parse(staticVerify.Output);
        using var roleReport = JsonDocument.Parse(roleVerify.Output);
        // The same bucket checks, all passed, in both modes.
        Assert.Equal(BucketRows(staticReport), BucketRows(roleReport));
        Assert.Equal(20, BucketRows(roleReport).Count(r => r.Status == "ok"));
        Assert.Equal("instance-profile", Row(roleReport, "credentials").GetProperty("target").GetString());
        Assert.Equal("static", Row(staticReport, "credentials").GetProperty("target").GetString());
        var imdsRow = Row(roleReport, "imds");
        Assert.Equal("ok", imdsRow.GetProperty("status").GetString());
        Assert.Contains($"role {imds.RoleName}", imdsRow.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(":assumed-role/", Row(roleReport, "identity").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(imds.Keys.AccessKeyId.Reveal(), roleVerify.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(imds.Keys.SecretAccessKey.Reveal(), roleVerify.Output, StringComparison.Ordinal);

        var table = await Verify(roleHost, roleConfig);
        Assert.Contains("nodeagent verify: ok", table.Output, StringComparison.Ordinal);
        Assert.Contains("credentials", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IMDS_down_or_refusing_tokens_fails_verify_with_the_reason_and_near_expiry_is_a_warning()
    {
        using var imds = await RoleResponderAsync();
        using var host = new Sandbox();
        host.WriteKeylessSources(MotoServerFixture.Region, Buckets);
        var config = host.WriteConfig(Config(imds.Url));
        Assert.Equal(ExitCodes.Ok, (await Apply(host, config)).ExitCode);

        imds.HandOut(imds.Keys, DateTimeOffset.UtcNow.AddMinutes(10));
        var near = await Verify(host, config, "--json");
        Assert.True(near.ExitCode == ExitCodes.Ok, near.ToString());
        using (var report = JsonDocument.Parse(near.Output))
        {
            Assert.Equal("warning", Row(report, "imds").GetProperty("status").GetString());
            Assert.Equal(1, report.RootElement.GetProperty("summary").GetProperty("warnings").GetInt32());
        }

        imds.RefuseTokens = true;
        var refused = await Verify(host, config, "--json");
        Assert.NotEqual(ExitCodes.Ok, refused.ExitCode);
        using (var report = JsonDocument.Parse(refused.Output))
        {
            Assert.Equal("failed", Row(report, "imds").GetProperty("status").GetString());
            Assert.Contains("no instance-role credentials to probe with", Row(report, "identity").GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        imds.Stop();
        var down = await Verify(host, config);
        Assert.NotEqual(ExitCodes.Ok, down.ExitCode);
        Assert.Contains("imds", down.Output, StringComparison.Ordinal);
        Assert.Contains(imds.Url, down.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_switch_from_static_keys_is_proved_first_and_IMDS_down_keeps_the_working_keys()
    {
        using var imds = await RoleResponderAsync();
        using var host = new Sandbox();
        var user = await moto.CreateUserAsync(AllActions, Buckets);
        host.WriteSources(user.AccessKeyId.Reveal(), user.SecretAccessKey.Reveal(), MotoServerFixture.Region, Buckets);
        var config = host.WriteConfig(Config(imds.Url, profile: "databricks"));
        Assert.Equal(ExitCodes.Ok, (await Apply(host, config)).ExitCode);
        host.WriteKeylessSources(MotoServerFixture.Region, Buckets);

        imds.NoRole = true;
        var refused = await Apply(host, config);
        Assert.Equal(ExitCodes.RotationRejected, refused.ExitCode);
        Assert.Contains("the instance profile", refused.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(host.Target("/root/.aws/credentials")));

        imds.NoRole = false;
        var switched = await Apply(host, config);
        Assert.True(switched.ExitCode == ExitCodes.Ok, switched.ToString());
        Assert.Contains("rotation: rotated", switched.Output, StringComparison.Ordinal);
        Assert.Contains("→ the instance profile after verifying", switched.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(host.Target("/root/.aws/credentials")));
        Assert.False(File.Exists(host.Target("/home/ubuntu/.aws/credentials")));
    }

    [Fact]
    public async Task Static_keys_replacing_a_working_instance_profile_are_proved_first_and_rejected_keys_keep_the_role()
    {
        using var imds = await RoleResponderAsync();
        using var host = new Sandbox();
        host.WriteKeylessSources(MotoServerFixture.Region, Buckets);
        var config = host.WriteConfig(Config(imds.Url));
        Assert.Equal(ExitCodes.Ok, (await Apply(host, config)).ExitCode);

        // An unknown key: moto (like AWS) rejects it, so the role stays and no key is placed.
        host.WriteSources("AKIAUNKNOWNUNKNOWN01", "unknownUnknownUnknownUnknownUnknownUnkno", MotoServerFixture.Region, Buckets);
        var rejected = await Apply(host, config);
        Assert.Equal(ExitCodes.RotationRejected, rejected.ExitCode);
        Assert.Contains("still using the instance profile", rejected.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(host.Target("/root/.aws/credentials")));
        Assert.DoesNotContain("AKIAUNKNOWN", File.ReadAllText(host.Target("/opt/sensor/docker.env")), StringComparison.Ordinal);

        var user = await moto.CreateUserAsync(AllActions, Buckets);
        host.WriteSources(user.AccessKeyId.Reveal(), user.SecretAccessKey.Reveal(), MotoServerFixture.Region, Buckets);
        var rotated = await Apply(host, config);
        Assert.True(rotated.ExitCode == ExitCodes.Ok, rotated.ToString());
        Assert.Contains("rotation: rotated the instance profile → ", rotated.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(host.Target("/root/.aws/credentials")));
    }

    [Fact]
    public async Task The_clash_warning_comes_exactly_when_a_role_exists_and_default_is_being_written_into_roots_file()
    {
        using var imds = await RoleResponderAsync();
        var user = await moto.CreateUserAsync(AllActions, Buckets);

        using var clashing = StaticHost(user);
        var clash = await Apply(clashing, clashing.WriteConfig(Config(imds.Url)), "--json");
        Assert.True(clash.ExitCode == ExitCodes.Ok, clash.ToString());
        using (var report = JsonDocument.Parse(clash.Output))
        {
            var warning = Row(report, "clash");
            Assert.Equal("warning", warning.GetProperty("status").GetString());
            Assert.Contains($"this instance has the role {imds.RoleName}, and [default] in /root/.aws/credentials takes root's other agents", warning.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("profile: databricks", warning.GetProperty("fix").GetString(), StringComparison.Ordinal);
        }

        // Written already: nothing is about to be written, so nothing to warn about (and IMDS is not asked).
        var asked = imds.Requests.Count;
        var again = await Apply(clashing, clashing.WriteConfig(Config(imds.Url)));
        Assert.DoesNotContain("warning:", again.Error, StringComparison.Ordinal);
        Assert.Equal(asked, imds.Requests.Count);

        using var named = StaticHost(user);
        var namedRun = await Apply(named, named.WriteConfig(Config(imds.Url, profile: "databricks")));
        Assert.True(namedRun.ExitCode == ExitCodes.Ok, namedRun.ToString());
        Assert.DoesNotContain("warning:", namedRun.Error, StringComparison.Ordinal);

        imds.NoRole = true;
        using var roleless = StaticHost(user);
        var rolelessRun = await Apply(roleless, roleless.WriteConfig(Config(imds.Url)));
        Assert.True(rolelessRun.ExitCode == ExitCodes.Ok, rolelessRun.ToString());
        Assert.DoesNotContain("warning:", rolelessRun.Error, StringComparison.Ordinal);

        imds.NoRole = false;
        using var plain = StaticHost(user);
        var plainRun = await Apply(plain, plain.WriteConfig(Config(imds.Url)));
        Assert.Contains($"warning: this instance has the role {imds.RoleName}", plainRun.Error, StringComparison.Ordinal);
    }

    private static List<(string Target, string Status)> BucketRows(JsonDocument report) =>
        report.RootElement.GetProperty("probes").EnumerateArray()
            .Where(p => p.GetProperty("probe").GetString() == "bucket")
            .Select(p => (p.GetProperty("target").GetString()!, p.GetProperty("status").GetString()!))
            .OrderBy(r => r.Item1, StringComparer.Ordinal)
            .ToList();

    private static JsonElement Row(JsonDocument report, string probe) =>
        report.RootElement.GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("probe").GetString() == probe);

    private static Task<CliRun> Apply(Sandbox host, string config, params string[] extra) =>
        host.RunAsync(["apply", "--config", config, "--root", host.Root, "--sources", host.Sources, "--no-restart", .. extra]);

    private static Task<CliRun> Verify(Sandbox host, string config, params string[] extra) =>
        host.RunAsync(["verify", "--config", config, "--root", host.Root, "--sources", host.Sources, .. extra]);

    private static Sandbox StaticHost(NodeAgent.Sources.AwsCredentials user)
    {
        var host = new Sandbox();
        host.WriteSources(user.AccessKeyId.Reveal(), user.SecretAccessKey.Reveal(), MotoServerFixture.Region, Buckets);
        return host;
    }

    private string Config(string imdsUrl, string profile = "default") =>
        $"profile: {profile}\ns3:\n  endpoint: {moto.Endpoint}\nsts:\n  endpoint: {moto.Endpoint}\ncontainers:\n  names: []\nimds:\n  endpoint: {imdsUrl}\n";

    /// <summary>A responder handing out a real assumed role's keys, allowed the five actions on every bucket.</summary>
    private async Task<ImdsResponder> RoleResponderAsync()
    {
        var assumed = await moto.AssumeRoleAsync(AllActions, Buckets);
        var imds = new ImdsResponder { RoleName = assumed.RoleName };
        imds.HandOut(assumed.Keys, assumed.Expiration);
        return imds;
    }
}
