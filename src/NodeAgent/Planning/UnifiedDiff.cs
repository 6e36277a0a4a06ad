using System.Text;

namespace NodeAgent.Planning;

/// <summary>
/// A line-based unified diff (the `diff -u` format operators read). The common head and tail are matched line by line
/// (linear), and a plain LCS table covers only the lines between: target files are a few dozen lines, so that is fast
/// and keeps the code obvious. A middle too large for the table (a 100k-line .env changed in every line would need
/// gigabytes) is not diffed: the output says "diff omitted: N lines changed" instead.
/// </summary>
public static class UnifiedDiff
{
    /// <summary>The largest LCS table built (cells, 4 bytes each: 16 MB).</summary>
    public const long MaxTableCells = 4_000_000;

    private const int Context = 3;

    public static string Render(string oldLabel, string newLabel, string oldText, string newText)
    {
        var a = SplitLines(oldText);
        var b = SplitLines(newText);
        var ops = Diff(a, b, out var removed, out var added);
        if (ops is not null && ops.All(o => o.Kind == ' '))
        {
            return string.Empty;
        }

        var output = new StringBuilder();
        output.Append("--- ").Append(oldLabel).Append('\n');
        output.Append("+++ ").Append(newLabel).Append('\n');
        if (ops is null)
        {
            return output.Append($"diff omitted: {Math.Max(removed, added)} lines changed ({removed} old, {added} new lines differ; too many to diff)\n").ToString();
        }

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
                output.Append(ops[i].Kind).Append(SecretShapeMask.Mask(ops[i].Text)).Append('\n');
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

    /// <summary>The edit script, or null when the lines between the common head and tail are too many for the table.</summary>
    private static List<Op>? Diff(string[] a, string[] b, out int removed, out int added)
    {
        var head = 0;
        while (head < a.Length && head < b.Length && a[head] == b[head])
        {
            head++;
        }

        var tail = 0;
        while (tail < a.Length - head && tail < b.Length - head && a[^(tail + 1)] == b[^(tail + 1)])
        {
            tail++;
        }

        int aEnd = a.Length - tail, bEnd = b.Length - tail;
        removed = aEnd - head;
        added = bEnd - head;
        if ((long)(removed + 1) * (added + 1) > MaxTableCells)
        {
            return null;
        }

        var lcs = new int[removed + 1, added + 1];
        for (var i = removed - 1; i >= 0; i--)
        {
            for (var j = added - 1; j >= 0; j--)
            {
                lcs[i, j] = a[head + i] == b[head + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var ops = new List<Op>(a.Length + added);
        for (var k = 0; k < head; k++)
        {
            ops.Add(new Op(' ', a[k], k, k));
        }

        int x = head, y = head;
        while (x < aEnd || y < bEnd)
        {
            if (x < aEnd && y < bEnd && a[x] == b[y])
            {
                ops.Add(new Op(' ', a[x], x, y));
                x++;
                y++;
            }
            else if (x < aEnd && (y == bEnd || lcs[x - head + 1, y - head] >= lcs[x - head, y - head + 1]))
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

        for (var k = 0; k < tail; k++)
        {
            ops.Add(new Op(' ', a[aEnd + k], aEnd + k, bEnd + k));
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

    private readonly record struct Op(char Kind, string Text, int OldLine, int NewLine);

    private readonly record struct Range(int Start, int End);
}
