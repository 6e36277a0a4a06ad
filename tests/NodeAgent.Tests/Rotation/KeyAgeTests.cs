using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

using NodeAgent.FileSystem;
using NodeAgent.Pipeline;
using NodeAgent.Probes;
using NodeAgent.Reporting;
using NodeAgent.Sources;
using NodeAgent.Tests.FileSystem;

namespace NodeAgent.Tests.Rotation;

/// <summary>
/// Key age on real files: the first placement of a key is recorded in STATE/key-ages.json (0600, masked id and
/// fingerprint only), later applies never make it younger, and past rotation.max_key_age_days the row warns.
/// </summary>
public sealed class KeyAgeTests
{
    private const string SecondKeyId = "AKIAEXAMPLENODEAG777";
    private const string SecondSecret = "sEcOnDsEcReTkEyExAmPlE0123456789/+abcdef";

    private static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_first_placement_is_recorded_and_later_applies_do_not_reset_it()
    {
        using var sandbox = new Sandbox();
        var clock = new FakeTimeProvider(Start);
        var reconciler = ReconcilerFor(sandbox, clock);

        var first = await ApplyAsync(reconciler);
        var row = Assert.Single(first.Report.Probes, p => p.Probe == KeyAgeRow.ProbeName);
        Assert.Equal((ProbeStatus.Ok, "AKIA…G001"), (row.Status, row.Target));
        Assert.Equal("first placed on this host today (2026-11-20)", row.Detail);

        var ledger = sandbox.Target("/var/lib/nodeagent/key-ages.json");
        Assert.Equal(OnDisk.Octal("600"), OnDisk.Mode(ledger));
        var text = File.ReadAllText(ledger);
        using (var json = System.Text.Json.JsonDocument.Parse(text))
        {
            var entry = Assert.Single(json.RootElement.GetProperty("keys").EnumerateArray());
            Assert.Equal("AKIA…G001", entry.GetProperty("key").GetString());
            Assert.Equal(Start, entry.GetProperty("firstPlaced").GetDateTimeOffset());
        }

        Assert.Contains(Secret.FingerprintOf(TestData.KeyId), text, StringComparison.Ordinal);
        TestData.AssertNoSecret(text);
        Assert.DoesNotContain(TestData.KeyId, text, StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromDays(12));
        var later = await ApplyAsync(ReconcilerFor(sandbox, clock));
        Assert.Equal("first placed on this host 12 days ago (2026-11-20)", KeyAgeOf(later).Detail);
        Assert.Equal(ProbeStatus.Ok, KeyAgeOf(later).Status);
    }

    [Fact]
    public async Task Past_max_key_age_days_the_row_warns_with_the_rotation_fix_and_the_run_still_passes()
    {
        using var sandbox = new Sandbox();
        var clock = new FakeTimeProvider(Start);
        await ApplyAsync(ReconcilerFor(sandbox, clock));

        clock.Advance(TimeSpan.FromDays(89));
        Assert.Equal(ProbeStatus.Ok, KeyAgeOf(await ApplyAsync(ReconcilerFor(sandbox, clock))).Status);

        clock.Advance(TimeSpan.FromDays(1));
        var old = await ApplyAsync(ReconcilerFor(sandbox, clock));
        var row = KeyAgeOf(old);
        Assert.Equal(ProbeStatus.Warning, row.Status);
        Assert.StartsWith("first placed on this host 90 days ago (2026-11-20): older than rotation.max_key_age_days (90", row.Detail, StringComparison.Ordinal);
        Assert.Contains("create a new access key", row.Fix, StringComparison.Ordinal);
        Assert.Contains("put it into the sources", row.Fix, StringComparison.Ordinal);
        Assert.Equal(ReportStatus.Ok, old.Report.Status);
        Assert.Equal(1, old.Report.Summary.Warnings);
    }

    [Fact]
    public async Task A_configured_max_key_age_days_is_the_threshold()
    {
        using var sandbox = new Sandbox();
        var config = sandbox.WriteConfig("rotation:\n  max_key_age_days: 30\n");
        var clock = new FakeTimeProvider(Start);
        await ApplyAsync(ReconcilerFor(sandbox, clock, config));
        clock.Advance(TimeSpan.FromDays(31));
        var row = KeyAgeOf(await ApplyAsync(ReconcilerFor(sandbox, clock, config)));
        Assert.Equal(ProbeStatus.Warning, row.Status);
        Assert.Contains("(30;", row.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_key_starts_at_zero_and_the_old_one_keeps_its_date()
    {
        using var sandbox = new Sandbox();
        var config = sandbox.WriteConfig("rotation:\n  verify_before_swap: false\n");
        var clock = new FakeTimeProvider(Start);
        await ApplyAsync(ReconcilerFor(sandbox, clock, config));
        clock.Advance(TimeSpan.FromDays(40));
        sandbox.WriteSources(SecondKeyId, SecondSecret);

        var rotated = await ApplyAsync(ReconcilerFor(sandbox, clock, config));
        Assert.Equal(("AKIA…G777", "first placed on this host today (2026-12-30)"), (KeyAgeOf(rotated).Target, KeyAgeOf(rotated).Detail));

        var services = ServicesFor(sandbox, clock, config);
        Assert.Equal(Start, services.KeyAges.Find(Secret.AccessKeyId(TestData.KeyId))?.FirstPlaced);
    }

    [Fact]
    public async Task An_instance_profile_host_has_no_key_age_row_and_no_ledger()
    {
        using var sandbox = new Sandbox();
        sandbox.WriteKeylessSources();
        var result = await ApplyAsync(ReconcilerFor(sandbox, new FakeTimeProvider(Start)));
        Assert.DoesNotContain(result.Report.Probes, p => p.Probe == KeyAgeRow.ProbeName);
        Assert.False(File.Exists(sandbox.Target("/var/lib/nodeagent/key-ages.json")));
    }

    [Fact]
    public void A_key_never_placed_here_has_no_age_yet_and_that_is_ok()
    {
        var age = KeyAgeRow.For("AKIA…G001", entry: null, Start, maxKeyAgeDays: 90);
        Assert.Null(age.Age);
        Assert.Equal(ProbeStatus.Ok, age.Row.Status);
        Assert.StartsWith("no age yet", age.Row.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_out_of_use_past_the_retention_are_pruned_and_the_ledger_stays_bounded()
    {
        using var sandbox = new Sandbox();
        var path = sandbox.Target("/var/lib/nodeagent/key-ages.json");
        var clock = new FakeTimeProvider(Start);
        var ledger = new KeyAgeLedger(new SecureFileSystem(sandbox.Root), path, clock);
        var ancient = Secret.AccessKeyId("AKIAEXAMPLEANCIENT01");
        ledger.RecordPlaced(ancient);
        clock.Advance(KeyAgeLedger.Retention + TimeSpan.FromDays(1));
        for (var i = 0; i < KeyAgeLedger.MaxEntries + 4; i++)
        {
            ledger.RecordPlaced(Secret.AccessKeyId($"AKIAEXAMPLEKEY{i:D6}"));
            clock.Advance(TimeSpan.FromHours(1));
        }

        Assert.Null(ledger.Find(ancient));
        Assert.Null(ledger.Find(Secret.AccessKeyId("AKIAEXAMPLEKEY000000")));
        Assert.NotNull(ledger.Find(Secret.AccessKeyId($"AKIAEXAMPLEKEY{KeyAgeLedger.MaxEntries + 3:D6}")));
        Assert.Equal(KeyAgeLedger.MaxEntries, File.ReadAllText(path).Split("\"fingerprint\"").Length - 1);
    }

    [Fact]
    public async Task A_symlink_planted_at_the_ledger_is_not_followed_and_the_keys_are_placed_all_the_same()
    {
        using var sandbox = new Sandbox();
        var elsewhere = Path.Combine(sandbox.Root, "elsewhere.json");
        File.WriteAllText(elsewhere, "untouched");
        Directory.CreateDirectory(sandbox.Target("/var/lib/nodeagent"));
        File.CreateSymbolicLink(sandbox.Target("/var/lib/nodeagent/key-ages.json"), elsewhere);

        var result = await ApplyAsync(ReconcilerFor(sandbox, new FakeTimeProvider(Start)));

        Assert.Null(result.Failure);
        Assert.Equal(ProbeStatus.Warning, KeyAgeOf(result).Status);
        Assert.Contains("could not be read or recorded", KeyAgeOf(result).Detail, StringComparison.Ordinal);
        Assert.Equal("untouched", File.ReadAllText(elsewhere));
        Assert.True(File.Exists(sandbox.Target("/root/.aws/credentials")));
    }

    private static ProbeEntry KeyAgeOf(ReconcileResult result) =>
        Assert.Single(result.Report.Probes, p => p.Probe == KeyAgeRow.ProbeName);

    private static AgentServices ServicesFor(Sandbox sandbox, TimeProvider clock, string? config = null) =>
        AgentServices.Create(AgentContext.Create(config, sandbox.Root, sandbox.Sources), NullLoggerFactory.Instance, clock);

    private static Reconciler ReconcilerFor(Sandbox sandbox, TimeProvider clock, string? config = null) =>
        new(ServicesFor(sandbox, clock, config));

    private static async Task<ReconcileResult> ApplyAsync(Reconciler reconciler)
    {
        var result = await reconciler.RunAsync(new ReconcileRequest(ReportMode.Apply) { Restart = false }, CancellationToken.None);
        Assert.True(result.Failure is null, result.Failure?.Message);
        return result;
    }
}
