using System.Text;

namespace NodeAgent.Planning;

/// <summary>
/// A line-based unified diff (the `diff -u` format operators read). Target files are a few dozen lines, so a plain
/// LCS table is fast enough and keeps the code obvious.
/// </summary>
public static class UnifiedDiff
{
    private const int Context = 3;

    public static string Render(string oldLabel, string newLabel, string oldText, string newText)
    {
        var a = SplitLines(oldText);
        var b = SplitLines(newText);
        var ops = Diff(a, b);
        if (ops.All(o => o.Kind == ' '))
        {
            return string.Empty;
        }

        var output = new StringBuilder();
        output.Append("--- ").Append(oldLabel).Append('\n');
        output.Append("+++ ").Append(newLabel).Append('\n');
        foreach (var hunk in Hunks(ops))
        {
            var first = ops[hunk.Start];
            var oldCount = 0;
            var newCount = 0;
            for (var i = hunk.Start; i < hunk.End; i++)
            {
                if (ops[i].Kind != '+')
                {
                    oldCount++;
                }

                if (ops[i].Kind != '-')
                {
                    newCount++;
                }
            }

            output.Append($"@@ -{Start(first.OldLine, oldCount)},{oldCount} +{Start(first.NewLine, newCount)},{newCount} @@\n");
            for (var i = hunk.Start; i < hunk.End; i++)
            {
                output.Append(ops[i].Kind).Append(ops[i].Text).Append('\n');
            }
        }

        return output.ToString();
    }

    private static int Start(int line, int count) => count == 0 ? line : line + 1;

    private static string[] SplitLines(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var lines = text.Replace("\r\n", "\n").Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }

    private readonly record struct Op(char Kind, string Text, int OldLine, int NewLine);

    private readonly record struct Range(int Start, int End);

    private static List<Op> Diff(string[] a, string[] b)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var ops = new List<Op>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                ops.Add(new Op(' ', a[x], x, y));
                x++;
                y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                ops.Add(new Op('-', a[x], x, y));
                x++;
            }
            else
            {
                ops.Add(new Op('+', b[y], x, y));
                y++;
            }
        }

        return ops;
    }

    private static IEnumerable<Range> Hunks(List<Op> ops)
    {
        var i = 0;
        while (i < ops.Count)
        {
            while (i < ops.Count && ops[i].Kind == ' ')
            {
                i++;
            }

            if (i == ops.Count)
            {
                yield break;
            }

            var start = Math.Max(0, i - Context);
            var end = i;
            while (end < ops.Count)
            {
                if (ops[end].Kind != ' ')
                {
                    end++;
                    continue;
                }

                var run = end;
                while (run < ops.Count && ops[run].Kind == ' ')
                {
                    run++;
                }

                if (run == ops.Count || run - end > 2 * Context)
                {
                    end = Math.Min(end + Context, ops.Count);
                    break;
                }

                end = run;
            }

            yield return new Range(start, end);
            i = end;
        }
    }
}
