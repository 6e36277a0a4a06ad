using System.Diagnostics;

using NodeAgent.IntegrationTests.Fixtures;
using NodeAgent.Probes;
using NodeAgent.Sources;

using Xunit.Abstractions;

using static NodeAgent.IntegrationTests.Probes.ProbeHarness;

namespace NodeAgent.IntegrationTests.Probes;

/// <summary>The AWS probes against a real, authenticating moto_server: every failure here is one the server produced.</summary>
[Collection(MotoServerCollection.Name)]
public sealed class BucketAndIdentityProbeTests(MotoServerFixture moto, ITestOutputHelper output)
{
    private static readonly string[] AllActions =
        ["s3:ListBucket", "s3:GetBucketLocation", "s3:PutObject", "s3:GetObject", "s3:DeleteObject"];

    private static IEnumerable<string> RoleBucketNames => MotoServerFixture.RoleBuckets.Select(b => b.Name);

    [Fact]
    public async Task All_probes_pass_for_a_user_allowed_the_five_bucket_actions_and_leave_no_object_behind()
    {
        var user = await moto.CreateUserAsync(AllActions, RoleBucketNames);
        var host = NewHost();
        var clients = Factory(moto.Endpoint, moto.Endpoint);

        var wall = Stopwatch.StartNew();
        var results = await RunAsync(clients, user, MotoServerFixture.RoleBuckets, host);
        wall.Stop();
        var warm = Stopwatch.StartNew();
        var second = await RunAsync(clients, user, MotoServerFixture.RoleBuckets, host);
        warm.Stop();
        output.WriteLine($"full probe run (identity + 4 buckets, 21 results) against local moto_server: first {wall.ElapsedMilliseconds} ms, second {warm.ElapsedMilliseconds} ms");

        Assert.Equal(1 + (4 * 5), results.Count);
        Assert.All(results.Concat(second), r => Assert.True(r.Status == ProbeStatus.Ok, $"{r.Target}: {r.Status} {r.Detail}"));
        var identity = Single(results, "sts");
        Assert.Contains("account 123456789012", identity.Detail);
        Assert.Contains(":user/probe-user-", identity.Detail);
        Assert.Contains(user.AccessKeyId.Masked, identity.Detail);
        Assert.Contains(results, r => r.Target == "raw:expanso-raw-test:s3:PutObject");
        foreach (var bucket in RoleBucketNames)
        {
            Assert.Empty(await LeftoverObjectsAsync(moto, bucket, host));
        }

        AssertNoSecrets(results, user);
    }

    [Fact]
    public async Task ListBucket_lists_under_the_probe_prefix_and_passes_with_signatures_checked()
    {
        // moto 5.2 ignores an s3:prefix condition in a policy (it evaluates sts:ExternalId only), so a policy that
        // allows ListBucket only under _nodeagent/* cannot be tested against it: the request itself is checked instead.
        var user = await moto.CreateUserAsync(AllActions, RoleBucketNames);
        var host = NewHost();
        var bucket = MotoServerFixture.RoleBuckets[0];

        var results = await RunAsync(Factory(moto.Endpoint, moto.Endpoint), user, [bucket], host, readOnly: true, withIdentity: false);

        var list = Single(results, "s3:ListBucket");
        Assert.True(list.Status == ProbeStatus.Ok, list.Detail);
        // The request line moto logged (werkzeug logs the path decoded): the list asked for the probe prefix only.
        var lists = moto.ServerOutput.Split('\n').Where(l => l.Contains($"GET /{bucket.Name}/?list-type=2", StringComparison.Ordinal)).ToList();
        Assert.Contains(lists, l => l.Contains($"prefix={PrefixOf(host)} ", StringComparison.Ordinal) && l.Contains("\" 200 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_secret_is_reported_as_SignatureDoesNotMatch_by_identity_and_every_bucket()
    {
        var user = await moto.CreateUserAsync(AllActions, RoleBucketNames);
        var wrong = user with { SecretAccessKey = Secret.Of("wrongwrongwrongwrongwrongwrongwrong12345") };

        var results = await RunAsync(Factory(moto.Endpoint, moto.Endpoint), wrong, MotoServerFixture.RoleBuckets, NewHost());

        var identity = Single(results, "sts");
        Assert.Equal(ProbeStatus.Failed, identity.Status);
        Assert.Contains("SignatureDoesNotMatch", identity.Detail);
        Assert.Contains("aws_secret_access_key", identity.Fix);
        foreach (var bucket in MotoServerFixture.RoleBuckets)
        {
            var list = Single(results, $"{bucket.Role}:{bucket.Name}:s3:ListBucket");
            Assert.Equal(ProbeStatus.Failed, list.Status);
            Assert.Contains("SignatureDoesNotMatch", list.Detail);
            // The credentials are rejected: the other four actions are not hammered with the same bad key.
            Assert.Equal(4, results.Count(r => r.Target.StartsWith(bucket.Role + ":", StringComparison.Ordinal) && r.Status == ProbeStatus.Skipped));
        }

        AssertNoSecrets(results, wrong);
        AssertNoSecrets(results, user);
    }

    [Fact]
    public async Task An_unknown_access_key_is_reported_as_not_known_to_AWS_with_the_key_masked()
    {
        var unknown = new AwsCredentials(Secret.AccessKeyId("AKIAZZZZZZZZZZZZZZZZ"), Secret.Of("abcdefghijklmnopqrstuvwxyz0123456789ABCD"), null);

        var results = await RunAsync(Factory(moto.Endpoint, moto.Endpoint), unknown, MotoServerFixture.RoleBuckets.Take(1), NewHost());

        var identity = Single(results, "sts");
        Assert.Equal(ProbeStatus.Failed, identity.Status);
        Assert.Contains("InvalidClientTokenId", identity.Detail);
        Assert.Contains("AKIA…ZZZZ is not known", identity.Detail);
        var list = Single(results, "s3:ListBucket");
        Assert.Equal(ProbeStatus.Failed, list.Status);
        Assert.Contains("InvalidAccessKeyId", list.Detail);
        Assert.Contains("aws_access_key_id", list.Fix);
        AssertNoSecrets(results, unknown);
    }

    [Fact]
    public async Task A_missing_bucket_is_reported_by_name_and_the_remaining_actions_are_skipped()
    {
        var user = await moto.CreateUserAsync(AllActions, ["expanso-no-such-bucket"]);
        var missing = new BucketAssignment("raw", "expanso-no-such-bucket");

        var results = await RunAsync(Factory(moto.Endpoint, moto.Endpoint), user, [missing], NewHost(), withIdentity: false);

        var list = Single(results, "raw:expanso-no-such-bucket:s3:ListBucket");
        Assert.Equal(ProbeStatus.Failed, list.Status);
        Assert.Contains("bucket 'expanso-no-such-bucket' does not exist", list.Detail);
        Assert.Contains("create bucket 'expanso-no-such-bucket'", list.Fix);
        Assert.Equal(4, results.Count(r => r.Status == ProbeStatus.Skipped));
        Assert.All(results.Where(r => r.Status == ProbeStatus.Skipped), r => Assert.Contains("does not exist", r.Detail));
    }

    [Theory]
    [InlineData("s3:ListBucket", "arn:aws:s3:::expanso-raw-test")]
    [InlineData("s3:GetBucketLocation", "arn:aws:s3:::expanso-raw-test")]
    [InlineData("s3:PutObject", "arn:aws:s3:::expanso-raw-test/*")]
    [InlineData("s3:GetObject", "arn:aws:s3:::expanso-raw-test/*")]
    [InlineData("s3:DeleteObject", "arn:aws:s3:::expanso-raw-test/*")]
    public async Task An_action_missing_from_the_IAM_policy_is_reported_as_that_action_and_no_object_is_left(string denied, string resource)
    {
        var user = await moto.CreateUserAsync(AllActions.Where(a => a != denied), ["expanso-raw-test"]);
        var host = NewHost();

        var results = await RunAsync(Factory(moto.Endpoint, moto.Endpoint), user, MotoServerFixture.RoleBuckets.Take(1), host, withIdentity: false);

        var deniedResult = Single(results, denied);
        Assert.Equal(ProbeStatus.Failed, deniedResult.Status);
        Assert.Equal($"access denied: missing {denied} on {resource}", deniedResult.Detail);
        Assert.Contains($"allow {denied} on {resource}", deniedResult.Fix);

        // Only what truly depends on the missing action is not done; everything else is checked and passes.
        var dependent = denied switch
        {
            "s3:PutObject" => new[] { "s3:GetObject" },
            "s3:DeleteObject" => ["s3:PutObject", "s3:GetObject"],
            _ => [],
        };
        foreach (var action in AllActions.Where(a => a != denied))
        {
            var result = Single(results, action);
            Assert.True(
                result.Status == (dependent.Contains(action) ? ProbeStatus.Skipped : ProbeStatus.Ok),
                $"{action}: {result.Status} {result.Detail}");
        }

        if (denied == "s3:DeleteObject")
        {
            Assert.Contains("without s3:DeleteObject the probe object could not be removed", Single(results, "s3:PutObject").Detail);
        }

        Assert.Empty(await LeftoverObjectsAsync(moto, "expanso-raw-test", host));
        AssertNoSecrets(results, user);
    }

    [Fact]
    public async Task A_bucket_in_another_region_is_reported_as_a_region_mismatch_with_the_region_to_set()
    {
        var user = await moto.CreateUserAsync(AllActions, [MotoServerFixture.OtherRegionBucket.Name]);

        var results = await RunAsync(Factory(moto.Endpoint, moto.Endpoint), user, [MotoServerFixture.OtherRegionBucket], NewHost(), withIdentity: false);

        var location = Single(results, "s3:GetBucketLocation");
        Assert.Equal(ProbeStatus.Failed, location.Status);
        Assert.Equal("bucket 'expanso-raw-eu-test' is in eu-west-1, but the configured region is us-east-1", location.Detail);
        Assert.StartsWith("set region eu-west-1", location.Fix);
    }

    [Fact]
    public async Task Read_only_mode_skips_the_write_actions_with_the_reason_and_writes_nothing()
    {
        var user = await moto.CreateUserAsync(AllActions, ["expanso-raw-test"]);
        var host = NewHost();

        var results = await RunAsync(Factory(moto.Endpoint, moto.Endpoint), user, MotoServerFixture.RoleBuckets.Take(1), host, readOnly: true, withIdentity: false);

        Assert.Equal(ProbeStatus.Ok, Single(results, "s3:ListBucket").Status);
        Assert.Equal(ProbeStatus.Ok, Single(results, "s3:GetBucketLocation").Status);
        foreach (var action in new[] { "s3:PutObject", "s3:GetObject", "s3:DeleteObject" })
        {
            var result = Single(results, action);
            Assert.Equal(ProbeStatus.Skipped, result.Status);
            Assert.StartsWith("read-only mode", result.Detail);
        }

        Assert.Empty(await LeftoverObjectsAsync(moto, "expanso-raw-test", host));
    }

    [Fact]
    public async Task The_probe_object_is_removed_even_when_GetObject_never_answers()
    {
        var user = await moto.CreateUserAsync(AllActions, ["expanso-raw-test"]);
        var host = NewHost();
        using var proxy = new StallingProxy(new Uri(moto.Endpoint).Port,
            (line, _) => line.StartsWith($"GET /expanso-raw-test/{PrefixOf(host)}", StringComparison.Ordinal));
        var clients = Factory(proxy.Url, proxy.Url, TimeSpan.FromSeconds(4)); // ample for the requests that must succeed on a loaded 2-core box

        var results = await RunAsync(clients, user, MotoServerFixture.RoleBuckets.Take(1), host, withIdentity: false);

        Assert.Single(proxy.Stalled);
        var get = Single(results, "s3:GetObject");
        Assert.Equal(ProbeStatus.Failed, get.Status);
        Assert.Contains("no answer", get.Detail);
        var delete = Single(results, "s3:DeleteObject");
        Assert.True(delete.Status == ProbeStatus.Ok, delete.Detail);
        Assert.Empty(await LeftoverObjectsAsync(moto, "expanso-raw-test", host));
    }

    [Fact]
    public async Task A_probe_object_that_could_not_be_removed_is_named_with_the_command_that_removes_it()
    {
        var user = await moto.CreateUserAsync(AllActions, ["expanso-raw-test"]);
        var host = NewHost();
        // The first DELETE (the permission check on the absent key) goes through; the cleanup DELETE never answers.
        using var proxy = new StallingProxy(new Uri(moto.Endpoint).Port,
            (line, earlier) => line.StartsWith("DELETE ", StringComparison.Ordinal) && earlier >= 1);
        var clients = Factory(proxy.Url, proxy.Url, TimeSpan.FromSeconds(4)); // ample for the requests that must succeed on a loaded 2-core box

        var results = await RunAsync(clients, user, MotoServerFixture.RoleBuckets.Take(1), host, withIdentity: false);

        var leftover = Assert.Single(await LeftoverObjectsAsync(moto, "expanso-raw-test", host));
        var delete = Single(results, "s3:DeleteObject");
        Assert.Equal(ProbeStatus.Failed, delete.Status);
        Assert.Contains($"the probe object s3://expanso-raw-test/{leftover} may be left behind", delete.Detail);
        Assert.EndsWith($"then remove it: aws s3 rm s3://expanso-raw-test/{leftover}", delete.Fix);
        Assert.Equal(ProbeStatus.Ok, Single(results, "s3:GetObject").Status);

        using var admin = Factory(moto.Endpoint, moto.Endpoint).CreateS3Client(new CredentialSource.StaticKeys(moto.Admin), MotoServerFixture.Region);
        await admin.DeleteObjectAsync("expanso-raw-test", leftover);
    }
}
