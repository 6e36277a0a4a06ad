using System.Diagnostics;
using System.Text;

using NodeAgent.Aws;
using NodeAgent.Configuration;
using NodeAgent.IntegrationTests.Fixtures;
using NodeAgent.Probes;
using NodeAgent.Sources;

namespace NodeAgent.IntegrationTests.Imds;

/// <summary>The IMDSv2 client against <see cref="ImdsResponder"/>, a faithful IMDSv2 stand-in on loopback, and against closed and silent ports.</summary>
public sealed class InstanceMetadataClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task The_role_and_its_keys_come_from_a_token_PUT_and_two_token_carrying_GETs()
    {
        using var imds = new ImdsResponder();
        var expiration = new DateTimeOffset(2026, 12, 2, 21, 0, 0, TimeSpan.Zero);
        imds.HandOut(imds.Keys, expiration);

        var lookup = await LookUpAsync(imds.Url);

        Assert.Null(lookup.Problem);
        var role = Assert.IsType<CredentialSource.InstanceRole>(lookup.Role);
        Assert.Equal(ImdsResponder.DefaultRole, role.RoleName);
        Assert.Equal(TestData.SessionKeyId, role.Keys.AccessKeyId.Reveal());
        Assert.Equal(TestData.SecretKey, role.Keys.SecretAccessKey.Reveal());
        Assert.Equal(TestData.SessionToken, role.Keys.SessionToken?.Reveal());
        Assert.Equal(expiration, role.Expiration);
        Assert.Equal("instance role nodeagent-fleet-role, key ASIA…G002", role.Masked);
        Assert.Equal(new ImdsEndpoint(imds.Url, "imds.endpoint"), lookup.Endpoint);

        // What the stand-in saw is what IMDSv2 needs: one PUT with the longest TTL, then GETs carrying the token it issued.
        var seen = imds.Requests;
        Assert.Equal(["PUT /latest/api/token", $"GET {ImdsResponder.ListingPath}", $"GET {ImdsResponder.ListingPath}{ImdsResponder.DefaultRole}"],
            seen.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal("21600", seen[0].Headers[ImdsResponder.TtlHeader]);
        var token = Assert.Single(imds.IssuedTokens);
        Assert.All(seen.Skip(1), r => Assert.Equal(token, r.Headers[ImdsResponder.TokenHeader]));
        Assert.All(seen, r => Assert.Equal(200, r.Status));

        var row = InstanceMetadataRows.For(lookup, expiration - new TimeSpan(5, 58, 30));
        Assert.Equal(ProbeStatus.Ok, row.Status);
        Assert.Equal(("imds", "imdsv2"), (row.Probe, row.Target));
        Assert.Equal(
            $"IMDSv2 answers at {imds.Url} (token PUT ok); role nodeagent-fleet-role; credentials expire in 5 h 58 min (2026-12-02T21:00:00Z); key ASIA…G002",
            row.Detail);
        Assert.Null(row.Fix);
    }

    [Fact]
    public async Task The_responder_refuses_a_GET_without_a_valid_token_and_a_PUT_without_a_valid_TTL_like_IMDSv2()
    {
        using var imds = new ImdsResponder();
        using var http = new HttpClient();

        async Task<int> SendAsync(HttpMethod method, string path, string? header = null, string? value = null)
        {
            using var request = new HttpRequestMessage(method, imds.Url + path);
            if (header is not null)
            {
                request.Headers.Add(header, value);
            }

            using var response = await http.SendAsync(request);
            return (int)response.StatusCode;
        }

        Assert.Equal(401, await SendAsync(HttpMethod.Get, ImdsResponder.ListingPath));
        Assert.Equal(401, await SendAsync(HttpMethod.Get, ImdsResponder.ListingPath, ImdsResponder.TokenHeader, "not-a-token-it-issued"));
        Assert.Equal(400, await SendAsync(HttpMethod.Put, "/latest/api/token"));
        Assert.Equal(400, await SendAsync(HttpMethod.Put, "/latest/api/token", ImdsResponder.TtlHeader, "0"));
        Assert.Equal(400, await SendAsync(HttpMethod.Put, "/latest/api/token", ImdsResponder.TtlHeader, "21601"));
        Assert.Empty(imds.IssuedTokens);
        Assert.Equal(200, await SendAsync(HttpMethod.Put, "/latest/api/token", ImdsResponder.TtlHeader, "60"));
        Assert.Equal(200, await SendAsync(HttpMethod.Get, ImdsResponder.ListingPath, ImdsResponder.TokenHeader, Assert.Single(imds.IssuedTokens)));

        var seen = imds.Requests;
        Assert.Equal([401, 401, 400, 400, 400, 200, 200], seen.Select(r => r.Status));
        Assert.False(seen[0].HadToken);
        Assert.True(seen[1].HadToken);
    }

    [Fact]
    public async Task IMDS_down_is_Unreachable_with_connection_refused_at_once_not_after_the_timeout()
    {
        var imds = new ImdsResponder();
        imds.Dispose();

        var wall = Stopwatch.StartNew();
        var lookup = await LookUpAsync(imds.Url);
        wall.Stop();

        var problem = AssertProblem(lookup, ImdsFailure.Unreachable);
        Assert.Equal($"IMDS at {imds.Url}: PUT /latest/api/token: connection refused", problem.Detail);
        Assert.Contains($"this host does not reach IMDS at {imds.Url} (set by imds.endpoint)", problem.Fix);
        Assert.Contains("aws ec2 modify-instance-metadata-options --instance-id", problem.Fix);
        Assert.Contains("--http-endpoint enabled", problem.Fix);
        Assert.Contains("off EC2 set credentials.mode: static", problem.Fix);
        Assert.True(wall.Elapsed < TimeSpan.FromSeconds(2), $"took {wall.Elapsed}");
        Assert.True(lookup.Elapsed <= wall.Elapsed);

        var row = InstanceMetadataRows.For(lookup, DateTimeOffset.UtcNow);
        Assert.Equal(ProbeStatus.Failed, row.Status);
        Assert.Equal(problem.Detail, row.Detail);
        Assert.Equal(problem.Fix, row.Fix);
    }

    [Fact]
    public async Task A_silent_endpoint_is_Unreachable_after_the_timeout_and_a_cancelled_lookup_throws()
    {
        using var silent = new SilentEndpoint();

        var wall = Stopwatch.StartNew();
        var lookup = await LookUpAsync(silent.Url, TimeSpan.FromSeconds(1));
        wall.Stop();

        var problem = AssertProblem(lookup, ImdsFailure.Unreachable);
        Assert.Equal($"IMDS at {silent.Url}: PUT /latest/api/token timed out after 1 s", problem.Detail);
        Assert.InRange(wall.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(3));

        using var client = new InstanceMetadataClient(new ImdsEndpoint(silent.Url, "imds.endpoint"), Timeout, TimeProvider.System);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetRoleAsync(cancel.Token));
    }

    [Fact]
    public async Task A_refused_token_PUT_is_TokenRefused_naming_IMDSv2_the_PUT_and_http_tokens_and_nothing_is_read()
    {
        using var imds = new ImdsResponder { RefuseTokens = true };

        var lookup = await LookUpAsync(imds.Url);

        var problem = AssertProblem(lookup, ImdsFailure.TokenRefused);
        Assert.Equal($"IMDS at {imds.Url}: PUT /latest/api/token answered HTTP 403 Forbidden: no IMDSv2 session token", problem.Detail);
        Assert.Contains("IMDSv2", problem.Fix);
        Assert.Contains("PUT to /latest/api/token", problem.Fix);
        Assert.Contains("--http-tokens required", problem.Fix);
        Assert.Equal(["PUT"], imds.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task No_instance_profile_is_NoRole_with_the_associate_command()
    {
        using var imds = new ImdsResponder { NoRole = true };

        var lookup = await LookUpAsync(imds.Url);

        var problem = AssertProblem(lookup, ImdsFailure.NoRole);
        Assert.Equal($"IMDS at {imds.Url}: GET {ImdsResponder.ListingPath} answered HTTP 404 Not Found: no instance role is attached", problem.Detail);
        Assert.StartsWith("attach an instance profile with the S3 policy (aws ec2 associate-iam-instance-profile ", problem.Fix);
        Assert.Equal(ProbeStatus.Failed, InstanceMetadataRows.For(lookup, DateTimeOffset.UtcNow).Status);
    }

    [Theory]
    [InlineData("listing", "oversized", "answered more than 64 KiB")]
    [InlineData("credentials", "oversized", "answered more than 64 KiB")]
    [InlineData("listing", "../../../latest/user-data", "is not an IAM role name (25 characters")]
    [InlineData("listing", "a role with spaces", "is not an IAM role name")]
    [InlineData("listing", "rôle-Аdmin", "is not an IAM role name")]
    [InlineData("credentials", "<html><body>502 Bad Gateway</body></html>", "answered something that is not JSON")]
    [InlineData("credentials", "[\"Success\"]", "answered JSON that is not an object")]
    [InlineData("credentials", "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAEXAMPLENODEAG002\"}", "answered Success without SecretAccessKey, Token, Expiration")]
    [InlineData("credentials", "{\"Code\":\"Success\",\"Code\":\"Success\"}", "not JSON")]
    [InlineData("credentials", "{\"Code\":\"Success\",\"AccessKeyId\":\"asia-lower\",\"SecretAccessKey\":\"s\",\"Token\":\"t\",\"Expiration\":\"2026-12-02T21:00:00Z\"}", "AccessKeyId that is not 16 to 128")]
    [InlineData("credentials", "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAEXAMPLENODEAG002\",\"SecretAccessKey\":\"s\",\"Token\":\"t\",\"Expiration\":\"soon\"}", "Expiration that is not a date")]
    public async Task A_garbage_or_oversized_answer_is_a_bounded_BadAnswer_that_echoes_nothing(string which, string body, string expected)
    {
        using var imds = new ImdsResponder();
        // Oversized: 1 MiB without a Content-Length, so only the client's own read cap can stop it.
        var bytes = body == "oversized" ? Encoding.ASCII.GetBytes(new string('A', 1024 * 1024)) : Encoding.UTF8.GetBytes(body);
        if (which == "listing")
        {
            imds.AnswerListingWith(bytes);
        }
        else
        {
            imds.AnswerCredentialsWith(bytes);
        }

        var lookup = await LookUpAsync(imds.Url);

        var problem = AssertProblem(lookup, ImdsFailure.BadAnswer);
        Assert.Contains(expected, problem.Detail);
        Assert.StartsWith($"IMDS at {imds.Url}: GET {ImdsResponder.ListingPath}", problem.Detail);
        Assert.DoesNotContain("\n", problem.Detail);
        Assert.Contains("is not the instance metadata service", problem.Fix);
        if (body != "oversized")
        {
            Assert.DoesNotContain(body, problem.Detail);
        }

        // A role name that is not one never reaches a URL.
        if (which == "listing")
        {
            Assert.Equal(2, imds.Requests.Count);
        }
    }

    [Fact]
    public async Task A_redirect_is_not_followed_so_the_token_never_reaches_another_server()
    {
        using var elsewhere = new ImdsResponder();
        using var imds = new ImdsResponder { RedirectListingTo = elsewhere.Url + ImdsResponder.ListingPath };

        var problem = AssertProblem(await LookUpAsync(imds.Url), ImdsFailure.BadAnswer);

        Assert.Equal($"IMDS at {imds.Url}: GET {ImdsResponder.ListingPath} answered HTTP 307 Temporary Redirect", problem.Detail);
        Assert.Empty(elsewhere.Requests);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://169.254.169.254")]
    public async Task A_mistyped_endpoint_is_reported_not_thrown(string url)
    {
        var problem = AssertProblem(await LookUpAsync(url), ImdsFailure.Unreachable);

        Assert.Equal($"IMDS endpoint {url} (set by imds.endpoint) is not an http:// URL, so nothing was asked", problem.Detail);
        Assert.StartsWith("set imds.endpoint to the metadata service's URL", problem.Fix);
    }

    [Fact]
    public async Task A_Code_other_than_Success_is_a_BadAnswer_naming_the_code_and_the_role_to_check()
    {
        using var imds = new ImdsResponder { AnswerCode = "AssumeRoleUnauthorizedAccess" };

        var problem = AssertProblem(await LookUpAsync(imds.Url), ImdsFailure.BadAnswer);

        Assert.Contains("answered Code \"AssumeRoleUnauthorizedAccess\", not Success", problem.Detail);
        Assert.Contains("aws iam get-role --role-name nodeagent-fleet-role", problem.Fix);
    }

    [Fact]
    public void The_endpoint_is_imds_endpoint_then_the_disabled_flag_then_the_variable_then_the_link_local_address()
    {
        var everything = Env(("AWS_EC2_METADATA_DISABLED", "TRUE"), ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://env:2/"));
        var configured = new ImdsOptions { Endpoint = " http://config:1/ " };

        Assert.Equal(new ImdsEndpoint("http://config:1", "imds.endpoint"), ImdsEndpoint.Resolve(configured, everything));
        Assert.Equal(new ImdsEndpoint(null, "AWS_EC2_METADATA_DISABLED"), ImdsEndpoint.Resolve(new ImdsOptions(), everything));
        Assert.True(ImdsEndpoint.Resolve(new ImdsOptions(), everything).IsDisabled);
        Assert.Equal(new ImdsEndpoint("http://env:2", "AWS_EC2_METADATA_SERVICE_ENDPOINT"),
            ImdsEndpoint.Resolve(new ImdsOptions(), Env(("AWS_EC2_METADATA_DISABLED", "false"), ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://env:2/"))));
        Assert.Equal(new ImdsEndpoint("http://169.254.169.254", "default"), ImdsEndpoint.Resolve(new ImdsOptions { Endpoint = " " }, Env(("AWS_EC2_METADATA_SERVICE_ENDPOINT", ""))));
        Assert.False(ImdsEndpoint.Resolve(new ImdsOptions(), Env()).IsDisabled);
    }

    [Fact]
    public async Task A_disabled_endpoint_asks_nothing_and_its_row_is_Skipped_naming_the_variable()
    {
        var disabled = ImdsEndpoint.Resolve(new ImdsOptions(), Env(("AWS_EC2_METADATA_DISABLED", "true")));
        using var client = new InstanceMetadataClient(disabled, Timeout, TimeProvider.System);

        var lookup = await client.GetRoleAsync(CancellationToken.None);

        var problem = AssertProblem(lookup, ImdsFailure.Disabled);
        Assert.Contains("AWS_EC2_METADATA_DISABLED=true", problem.Detail);
        Assert.Contains("AWS_EC2_METADATA_DISABLED", problem.Fix);
        var row = InstanceMetadataRows.For(lookup, DateTimeOffset.UtcNow);
        Assert.Equal(ProbeStatus.Skipped, row.Status);
        Assert.Equal(problem.Detail, row.Detail);
    }

    [Fact]
    public async Task Keys_within_15_minutes_of_expiry_or_past_it_are_a_Warning_with_the_refresh_fix()
    {
        using var imds = new ImdsResponder();
        // Whole seconds, as IMDS writes Expiration, so the minutes below are exact.
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        imds.HandOut(imds.Keys, now.AddMinutes(10));
        var soon = await LookUpAsync(imds.Url);
        imds.HandOut(imds.Keys, now.AddMinutes(-3));
        var expired = await LookUpAsync(imds.Url);

        var soonRow = InstanceMetadataRows.For(soon, now);
        var expiredRow = InstanceMetadataRows.For(expired, now);
        var later = InstanceMetadataRows.For(soon, now.AddMinutes(-6));

        Assert.Equal(ProbeStatus.Warning, soonRow.Status);
        Assert.Contains("credentials expire in 10 min (", soonRow.Detail);
        Assert.Contains("within 15 min of now", soonRow.Detail);
        Assert.Equal(ProbeStatus.Warning, expiredRow.Status);
        Assert.Contains("credentials expired 3 min ago (", expiredRow.Detail);
        Assert.All(new[] { soonRow, expiredRow }, r =>
        {
            Assert.Contains("IMDS refreshes role credentials well before they expire", r.Fix);
            Assert.Contains("chronyc tracking", r.Fix);
        });
        Assert.Equal(ProbeStatus.Ok, later.Status);
        Assert.Contains("expire in 16 min", later.Detail);
    }

    [Fact]
    public async Task No_detail_or_fix_of_any_outcome_holds_the_token_the_key_id_the_secret_or_the_session_token()
    {
        var texts = new List<string>();
        var tokens = new List<string>();
        var setups = new Action<ImdsResponder>[]
        {
            _ => { },
            i => i.RefuseTokens = true,
            i => i.NoRole = true,
            i => i.AnswerCode = "Expired",
            i => i.HandOut(i.Keys, DateTimeOffset.UtcNow.AddMinutes(1)),
            i => i.AnswerListingWith(Encoding.UTF8.GetBytes(TestData.SecretKey)),
            i => i.AnswerCredentialsWith(Encoding.UTF8.GetBytes($"{{\"Code\":\"Success\",\"AccessKeyId\":\"{TestData.SessionKeyId}\",\"SecretAccessKey\":\"{TestData.SecretKey}\",\"Token\":\"{TestData.SessionToken}\",\"Expiration\":\"never\"}}")),
            i => i.AnswerCredentialsWith(Encoding.UTF8.GetBytes($"{{\"Code\":\"Success\",\"SecretAccessKey\":\"{TestData.SecretKey}\" broken")),
        };
        foreach (var setup in setups)
        {
            using var imds = new ImdsResponder();
            setup(imds);
            var lookup = await LookUpAsync(imds.Url);
            tokens.AddRange(imds.IssuedTokens);
            var row = InstanceMetadataRows.For(lookup, DateTimeOffset.UtcNow);
            texts.AddRange([lookup.Problem?.Detail ?? "", lookup.Problem?.Fix ?? "", lookup.Role?.Masked ?? "", row.Detail, row.Fix ?? ""]);
        }

        Assert.NotEmpty(tokens);
        foreach (var text in texts)
        {
            TestData.AssertNoSecret(text);
            Assert.All(tokens, token => Assert.DoesNotContain(token, text, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("i-0123456789abcdef0", "i-0123456789abcdef0")]
    [InlineData("i-0123abcd\n", "i-0123abcd")]
    [InlineData("../../etc/passwd", null)]
    [InlineData("i-0123456789ABCDEF0", null)]
    public async Task The_instance_id_is_asked_with_a_token_and_only_an_EC2_shaped_answer_is_taken(string answer, string? expected)
    {
        using var imds = new ImdsResponder { InstanceId = answer };
        using var client = new InstanceMetadataClient(new ImdsEndpoint(imds.Url, "imds.endpoint"), Timeout, TimeProvider.System);

        Assert.Equal(expected, await client.GetInstanceIdAsync(CancellationToken.None));
        Assert.Equal(["PUT /latest/api/token", $"GET {ImdsResponder.InstanceIdPath}"], imds.Requests.Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task No_instance_id_when_IMDS_is_off_or_refuses_tokens()
    {
        using var off = new InstanceMetadataClient(new ImdsEndpoint(null, "AWS_EC2_METADATA_DISABLED"), Timeout, TimeProvider.System);
        Assert.Null(await off.GetInstanceIdAsync(CancellationToken.None));
        using var imds = new ImdsResponder { RefuseTokens = true };
        using var refused = new InstanceMetadataClient(new ImdsEndpoint(imds.Url, "imds.endpoint"), Timeout, TimeProvider.System);
        Assert.Null(await refused.GetInstanceIdAsync(CancellationToken.None));
    }

    private static async Task<ImdsLookup> LookUpAsync(string url, TimeSpan? timeout = null)
    {
        using var client = new InstanceMetadataClient(new ImdsEndpoint(url, "imds.endpoint"), timeout ?? Timeout, TimeProvider.System);
        return await client.GetRoleAsync(CancellationToken.None);
    }

    private static ImdsProblem AssertProblem(ImdsLookup lookup, ImdsFailure kind)
    {
        Assert.Null(lookup.Role);
        var problem = Assert.IsType<ImdsProblem>(lookup.Problem);
        Assert.True(problem.Kind == kind, $"{problem.Kind}: {problem.Detail}");
        Assert.DoesNotContain("\n", problem.Detail);
        return problem;
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault();
}
