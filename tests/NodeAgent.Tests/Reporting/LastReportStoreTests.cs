using NodeAgent.Reporting;

namespace NodeAgent.Tests.Reporting;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LastReportStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nodeagent-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_written_report_is_read_back_with_its_age()
    {
        var path = Path.Combine(_dir, "state", LastReportStore.DefaultFileName);
        var store = new LastReportStore(new FixedClock(SampleReports.GeneratedAt.AddMinutes(7)));

        store.Write(SampleReports.Verify(), path);
        var last = store.Read(path);

        Assert.NotNull(last);
        Assert.Equal(TimeSpan.FromMinutes(7), last.Age);
        Assert.Equal(ReportJson.Serialize(SampleReports.Verify()), ReportJson.Serialize(last.Report));
    }

    [Fact]
    public void The_report_file_is_world_readable_0644_and_no_temporary_file_is_left()
    {
        var path = Path.Combine(_dir, LastReportStore.DefaultFileName);
        var store = new LastReportStore();

        store.Write(SampleReports.Verify(), path);
        store.Write(SampleReports.Apply(), path);

        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
        Assert.Equal(ReportMode.Apply, store.Read(path)!.Report.Mode);
    }

    [Fact]
    public void Overwriting_replaces_the_file_rather_than_writing_into_it()
    {
        var path = Path.Combine(_dir, LastReportStore.DefaultFileName);
        var store = new LastReportStore();
        store.Write(SampleReports.Verify(), path);
        var reader = File.OpenRead(path); // a reader holding the old file keeps seeing a whole report
        var before = new StreamReader(reader).ReadToEnd();

        store.Write(SampleReports.Apply(), path);

        reader.Position = 0;
        Assert.Equal(before, new StreamReader(reader).ReadToEnd());
        reader.Dispose();
        Assert.Equal(ReportMode.Apply, store.Read(path)!.Report.Mode);
    }

    [Fact]
    public void No_report_yet_reads_as_null()
    {
        Assert.Null(new LastReportStore().Read(Path.Combine(_dir, "missing", LastReportStore.DefaultFileName)));
    }

    [Fact]
    public void A_corrupt_report_file_is_refused_naming_the_file_and_the_fix()
    {
        var path = Path.Combine(_dir, LastReportStore.DefaultFileName);
        File.WriteAllText(path, "{\"schemaVersion\": 1, \"trunc");

        var e = Assert.Throws<InvalidDataException>(() => new LastReportStore().Read(path));

        Assert.StartsWith(path + ": not a NodeAgent report", e.Message);
        Assert.EndsWith("run nodeagent verify to write a new one", e.Message);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
