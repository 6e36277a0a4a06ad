using NodeAgent.Planning;

namespace NodeAgent.Tests.Planning;

public sealed class UnifiedDiffTests
{
    [Fact]
    public void Identical_texts_have_no_diff()
    {
        Assert.Equal(string.Empty, UnifiedDiff.Render("a", "b", "x\ny\n", "x\ny\n"));
    }

    [Fact]
    public void New_file_is_all_additions_against_dev_null()
    {
        Assert.Equal("--- /dev/null\n+++ f\n@@ -0,0 +1,2 @@\n+a\n+b\n", UnifiedDiff.Render("/dev/null", "f", string.Empty, "a\nb\n"));
    }

    [Fact]
    public void Changed_line_shows_removal_then_addition_with_context()
    {
        var old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        var now = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        Assert.Equal("--- f\n+++ f\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n", UnifiedDiff.Render("f", "f", old, now));
    }

    [Fact]
    public void Distant_changes_become_separate_hunks()
    {
        var lines = Enumerable.Range(1, 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var old = string.Concat(lines.Select(l => l + "\n"));
        lines[1] = "two";
        lines[18] = "nineteen";
        var now = string.Concat(lines.Select(l => l + "\n"));
        var diff = UnifiedDiff.Render("f", "f", old, now);
        Assert.Equal(2, diff.Split('\n').Count(l => l.StartsWith("@@", StringComparison.Ordinal)));
        Assert.Contains("@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n", diff, StringComparison.Ordinal);
    }
}
