using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

using Amazon.SecurityToken.Model;

using NodeAgent.Aws;
using NodeAgent.Sources;

namespace NodeAgent.Probes;

/// <summary>
/// Asks STS who the credentials belong to (GetCallerIdentity needs no IAM permission, so any failure is about the
/// key itself, the clock or the network). Answers the first question of any S3 failure: are these keys alive?
/// </summary>
public sealed class IdentityProbe(AwsClientFactory clients, CredentialSource credentials, string region) : IProbe
{
    public const string ProbeName = "identity";
    private const string Target = "sts";

    public string Name => ProbeName;

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A probe reports every failure of the STS call as a classified row (AwsFailure); nothing it meets may end the verify run.")]
    public async Task<IReadOnlyList<ProbeResult>> RunAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        if (clients.IdentitySkipReason is { } reason)
        {
            return [new ProbeResult(ProbeName, Target, ProbeStatus.Skipped, reason, null, TimeSpan.Zero)];
        }

        var call = new AwsCallContext(clients.StsEndpoint.Describe("sts", region), region, credentials, clients.RequestTimeout);
        try
        {
            using var sts = clients.CreateStsClient(credentials, region);
            var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct).ConfigureAwait(false);
            return
            [
                new ProbeResult(ProbeName, Target, ProbeStatus.Ok,
                    $"account {identity.Account}, {identity.Arn} (key {credentials.Masked})", null,
                    Stopwatch.GetElapsedTime(started)),
            ];
        }
        catch (Exception e)
        {
            var failure = AwsFailure.Classify(e, call, "sts:GetCallerIdentity", "*");
            return [new ProbeResult(ProbeName, Target, ProbeStatus.Failed, failure.Detail, failure.Fix, Stopwatch.GetElapsedTime(started), failure.Kind)];
        }
    }
}
