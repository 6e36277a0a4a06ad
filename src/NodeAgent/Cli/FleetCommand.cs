using System.CommandLine;
using System.Globalization;

using NodeAgent.Aws;
using NodeAgent.Fleet;
using NodeAgent.Reporting;
using NodeAgent.Sources;

namespace NodeAgent.Cli;

/// <summary>
/// `nodeagent fleet --reports s3://bucket/prefix/`: every host's last published report at a glance, read with the
/// caller's own AWS identity (the SDK's default chain), never with keys from the sources.
/// </summary>
public static class FleetCommand
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    public static Command Create(CliIo io)
    {
        var command = new Command("fleet", "Read every host's report under an S3 prefix (reporting.s3.uri) and show the fleet: hosts ok, failed and stale, " +
            "the access keys in use (masked, with host counts, so a half-finished rotation shows), then each failing or stale host with its first failure and fix.\n" +
            "Uses this machine's own AWS identity (the SDK's default chain: AWS_PROFILE, AWS_ACCESS_KEY_ID, the instance role); it needs s3:ListBucket and s3:GetObject.\n" +
            "Exit codes: 0 every host is ok and fresh; 1 a host failed, is stale or unreadable, or there is no report; 2 invalid usage; " +
            "7 the reports could not be listed (S3 unreachable, access denied, no bucket, no credentials).");
        var reports = new Option<string>("--reports") { Description = "where the reports are: s3://bucket/prefix/ (reporting.s3.uri)", Required = true };
        var staleAfter = new Option<string>("--stale-after") { Description = "a report older than this is stale: 90s, 30m, 2h or 1d", DefaultValueFactory = _ => "30m" };
        var json = new Option<bool>("--json") { Description = "print machine-readable JSON instead of text" };
        var region = new Option<string?>("--region") { Description = "the bucket's region (default: AWS_REGION, ~/.aws/config, the instance's)" };
        var endpoint = new Option<string?>("--endpoint") { Description = "an S3-compatible endpoint (default: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, then AWS)" };
        command.Options.Add(reports);
        command.Options.Add(staleAfter);
        command.Options.Add(json);
        command.Options.Add(region);
        command.Options.Add(endpoint);
        command.SetAction((result, ct) => ErrorBoundary.RunAsync(async () =>
        {
            var location = S3ReportLocation.Parse(result.GetValue(reports)!, "--reports");
            var threshold = ParseDuration(result.GetValue(staleAfter)!);
            using var s3 = new ReportStoreClientFactory(result.GetValue(region), result.GetValue(endpoint), RequestTimeout).Create(null, location.ToString());
            var objects = await new FleetReader(s3, location).ReadAsync(ct);
            var view = FleetCensus.Of(location, objects, DateTimeOffset.UtcNow, threshold);
            await io.Output.WriteAsync(result.GetValue(json) ? FleetJson.Serialize(view) + "\n" : FleetTable.Render(view, io.Terminal));
            if (view.Hosts == 0)
            {
                await io.Error.WriteLineAsync($"nodeagent: no report under {location} — check the prefix, and that the agents have reporting.s3.uri set to it");
            }

            return view.AllGood ? ExitCodes.Ok : ExitCodes.ProbeFailed;
        }, io.Error, writes: false));
        return command;
    }

    /// <summary>90s, 30m, 2h, 1d, or plain seconds.</summary>
    /// <exception cref="InvalidInputException">anything else, or not positive.</exception>
    public static TimeSpan ParseDuration(string text)
    {
        var t = text.Trim();
        var unit = t.Length > 0 && char.IsAsciiLetter(t[^1]) ? char.ToLowerInvariant(t[^1]) : 's';
        var number = char.IsAsciiLetter(t.LastOrDefault()) ? t[..^1] : t;
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || unit is not ('s' or 'm' or 'h' or 'd'))
        {
            throw new InvalidInputException([new SourceError("--stale-after", null, $"--stale-after \"{t}\" is not a duration", "give a positive number with s, m, h or d: 90s, 30m, 2h, 1d")]);
        }

        return unit switch
        {
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => TimeSpan.FromSeconds(n),
        };
    }
}
