using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

using NodeAgent.Configuration;
using NodeAgent.Sources;

namespace NodeAgent.IntegrationTests.Fixtures;

/// <summary>
/// A real moto_server (AWS S3/STS/IAM emulator) on a free loopback port, with authentication switched on: it is
/// started with INITIAL_NO_AUTH_ACTION_COUNT=3 and those three unauthenticated requests are spent on an admin user
/// (CreateUser, CreateAccessKey, PutUserPolicy "*"), so from then on every request — the admin's included — is
/// SigV4-verified and decided by the caller's IAM policy. Wrong secrets, unknown keys and missing permissions
/// therefore fail the way AWS fails them. Administration goes through moto_admin.py (boto3 ships with moto;
/// no IAM SDK for .NET is on the package mirror). Stopped by PID on dispose.
/// </summary>
public sealed class MotoServerFixture : IAsyncLifetime
{
    public const string Region = "us-east-1";

    public const string OtherRegion = "eu-west-1";

    public const string LauncherScript = "moto_server_signed_query.py";

    /// <summary>Buckets every test may use, one per standard role, created by the admin.</summary>
    public static readonly IReadOnlyList<BucketAssignment> RoleBuckets =
    [
        new("raw", "expanso-raw-test"),
        new("schematized", "expanso-schematized-test"),
        new("filtered", "expanso-filtered-test"),
        new("emergency", "expanso-emergency-test"),
    ];

    /// <summary>A bucket created in eu-west-1, for the region-mismatch check.</summary>
    public static readonly BucketAssignment OtherRegionBucket = new("raw", "expanso-raw-eu-test");

    private const int UnauthenticatedRequests = 3;

    private Process? _server;
    private readonly StringBuilder _serverOutput = new();
    private int _users;

    public string Endpoint { get; private set; } = "";

    public AwsCredentials Admin { get; private set; } = null!;

    /// <summary>Options pointing both S3 and STS at this server.</summary>
    public AgentOptions Options => new() { S3 = new() { Endpoint = Endpoint }, Sts = new() { Endpoint = Endpoint } };

    public string ServerOutput
    {
        get
        {
            lock (_serverOutput)
            {
                return _serverOutput.ToString();
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot() => RepositoryFiles.Root();

    public async Task InitializeAsync()
    {
        _ = FindOnPath("moto_server") ?? throw new InvalidOperationException(
            "moto_server is not on PATH: the AWS integration tests need moto 5.2 with its server " +
            "(pip install 'moto[server]>=5.2,<5.3'); .ci/run installs it");
        var port = FreePort();
        Endpoint = $"http://127.0.0.1:{port}";
        // moto_server through a launcher that mends moto's SigV4 check of queries holding '/' (see the script), so
        // the probes list with their prefix as they must against real S3.
        var launcher = Path.Combine(RepositoryRoot(), "tests", "NodeAgent.IntegrationTests", "Fixtures", LauncherScript);
        var start = new ProcessStartInfo("python3")
        {
            ArgumentList = { launcher, "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["INITIAL_NO_AUTH_ACTION_COUNT"] = UnauthenticatedRequests.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _server = Process.Start(start) ?? throw new InvalidOperationException("could not start moto_server");
        _server.OutputDataReceived += (_, e) => Record(e.Data);
        _server.ErrorDataReceived += (_, e) => Record(e.Data);
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await WaitForPortAsync(port);

        var answer = await AdministerAsync(new JsonObject
        {
            ["bootstrap"] = true,
            ["buckets"] = new JsonArray(
                RoleBuckets.Select(b => (JsonNode)new JsonObject { ["name"] = b.Name, ["region"] = Region })
                    .Append(new JsonObject { ["name"] = OtherRegionBucket.Name, ["region"] = OtherRegion })
                    .ToArray()),
        });
        Admin = CredentialsOf(answer["admin"]!);
    }

    public Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit(5000);
        }

        _server?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>An IAM user allowed exactly <paramref name="actions"/> on the given buckets (and their objects).</summary>
    public Task<AwsCredentials> CreateUserAsync(IEnumerable<string> actions, IEnumerable<string> buckets) =>
        CreateUserAsync(PolicyOf(actions, buckets));

    /// <summary>An IAM user with the given inline policy and a fresh access key.</summary>
    public async Task<AwsCredentials> CreateUserAsync(JsonObject policy)
    {
        var name = $"probe-user-{Interlocked.Increment(ref _users)}";
        var answer = await AdministerAsync(new JsonObject
        {
            ["admin"] = AdminJson(),
            ["users"] = new JsonArray(new JsonObject { ["name"] = name, ["policy"] = policy }),
        });
        return CredentialsOf(answer["users"]![name]!);
    }

    /// <summary>
    /// An IAM role allowed exactly <paramref name="actions"/> on the given buckets, assumed once (sts:AssumeRole,
    /// signed with the admin user's keys): its temporary ASIA keys, what IMDS hands out for an instance role.
    /// </summary>
    public async Task<AssumedRole> AssumeRoleAsync(IEnumerable<string> actions, IEnumerable<string> buckets)
    {
        var name = $"probe-role-{Interlocked.Increment(ref _users)}";
        var answer = await AdministerAsync(new JsonObject
        {
            ["admin"] = AdminJson(),
            ["roles"] = new JsonArray(new JsonObject { ["name"] = name, ["policy"] = PolicyOf(actions, buckets) }),
        });
        var role = answer["roles"]![name]!;
        var keys = new AwsCredentials(
            Secret.AccessKeyId(role["accessKeyId"]!.GetValue<string>()),
            Secret.Of(role["secretAccessKey"]!.GetValue<string>()),
            Secret.Of(role["sessionToken"]!.GetValue<string>()));
        return new AssumedRole(name, role["roleArn"]!.GetValue<string>(), keys,
            DateTimeOffset.Parse(role["expiration"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Puts (overwrites) a SecureString parameter in <see cref="Region"/> as the admin; its new version.</summary>
    public async Task<long> PutParameterAsync(string name, string value)
    {
        var answer = await AdministerAsync(new JsonObject
        {
            ["admin"] = AdminJson(),
            ["parameters"] = new JsonArray(new JsonObject { ["name"] = name, ["value"] = value }),
        });
        return answer["parameters"]![name]!.GetValue<long>();
    }

    /// <summary>Creates a Secrets Manager secret in <see cref="Region"/>, or gives an existing one a new value.</summary>
    public Task PutSecretAsync(string name, string value) => AdministerAsync(new JsonObject
    {
        ["admin"] = AdminJson(),
        ["secrets"] = new JsonArray(new JsonObject { ["name"] = name, ["value"] = value }),
    });

    private static JsonObject PolicyOf(IEnumerable<string> actions, IEnumerable<string> buckets)
    {
        var resources = buckets.SelectMany(b => new[] { $"arn:aws:s3:::{b}", $"arn:aws:s3:::{b}/*" }).ToArray();
        var actionList = actions.ToArray();
        var statements = actionList.Length == 0
            ? new JsonArray()
            : new JsonArray(new JsonObject
            {
                ["Effect"] = "Allow",
                ["Action"] = new JsonArray(actionList.Select(a => (JsonNode)a).ToArray()),
                ["Resource"] = new JsonArray(resources.Select(r => (JsonNode)r).ToArray()),
            });
        return new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = statements };
    }

    private static AwsCredentials CredentialsOf(JsonNode node) => new(
        Secret.AccessKeyId(node["accessKeyId"]!.GetValue<string>()),
        Secret.Of(node["secretAccessKey"]!.GetValue<string>()),
        null);

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    private JsonObject AdminJson() => new()
    {
        ["accessKeyId"] = Admin.AccessKeyId.Reveal(),
        ["secretAccessKey"] = Admin.SecretAccessKey.Reveal(),
    };

    private async Task<JsonNode> AdministerAsync(JsonObject request)
    {
        request["endpoint"] = Endpoint;
        var script = Path.Combine(RepositoryRoot(), "tests", "NodeAgent.IntegrationTests", "Fixtures", "moto_admin.py");
        var start = new ProcessStartInfo("python3")
        {
            ArgumentList = { script },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var admin = Process.Start(start) ?? throw new InvalidOperationException("could not start python3");
        await admin.StandardInput.WriteAsync(request.ToJsonString());
        admin.StandardInput.Close();
        var output = admin.StandardOutput.ReadToEndAsync();
        var error = admin.StandardError.ReadToEndAsync();
        await admin.WaitForExitAsync();
        if (admin.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"moto_admin.py failed ({admin.ExitCode}): {await error}\nmoto_server said:\n{ServerOutput}");
        }

        return JsonNode.Parse(await output) ?? throw new InvalidOperationException("moto_admin.py printed nothing");
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_serverOutput)
        {
            _serverOutput.AppendLine(line);
        }
    }

    private async Task WaitForPortAsync(int port)
    {
        // A bare TCP connect: it is not an HTTP request, so it does not spend one of the unauthenticated requests.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_server!.HasExited)
            {
                throw new InvalidOperationException($"moto_server exited with {_server.ExitCode}:\n{ServerOutput}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}

/// <summary>An IAM role and one set of temporary keys sts:AssumeRole gave for it.</summary>
public sealed record AssumedRole(string RoleName, string RoleArn, AwsCredentials Keys, DateTimeOffset Expiration);

[CollectionDefinition(Name)]
public sealed class MotoServerCollection : ICollectionFixture<MotoServerFixture>
{
    public const string Name = "moto_server";
}
