using System.Globalization;
using System.Text;

namespace NodeAgent.Reporting;

/// <summary>
/// Renders control characters visibly (ESC as \x1b, BEL as \x07, a lone CR as \x0d), as `git diff` and `systemctl`
/// do. Old target content belongs to the user who owns the file, and source values to whoever wrote them: printed raw
/// to root's terminal they clear the screen, set its title or write the clipboard (OSC 52).
/// Line feeds and tabs stay: they only lay text out. JSON needs none of this: its serializer escapes them already.
/// </summary>
public static class TerminalText
{
    private static readonly System.Buffers.SearchValues<char> Dangerous = System.Buffers.SearchValues.Create(
        Enumerable.Range(0, 0x2070).Select(i => (char)i).Where(IsDangerous).ToArray());

    public static string Visible(string text)
    {
        if (text.AsSpan().IndexOfAny(Dangerous) < 0)
        {
            return text;
        }

        var b = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (!IsDangerous(c))
            {
                b.Append(c);
            }
            else if (c <= '\u00ff')
            {
                b.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        return b.ToString();
    }

    /// <summary>C0 (but LF and TAB), DEL, C1 (8-bit CSI/OSC), line/paragraph separators and bidi overrides that reorder what is shown.</summary>
    public static bool IsDangerous(char c) =>
        (c < ' ' && c is not '\n' and not '\t') || c is >= '\u007f' and <= '\u009f'
        || c is '\u2028' or '\u2029' || c is >= '\u202a' and <= '\u202e' || c is >= '\u2066' and <= '\u2069';
}

/// <summary>
/// A writer that passes every character through <see cref="TerminalText"/>: wraps stdout, stderr and the log sink,
/// so no text output (table, diff, errors, log lines) can reach a terminal with a raw control character.
/// </summary>
public sealed class TerminalTextWriter(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override void Write(char value) => inner.Write(TerminalText.IsDangerous(value) ? TerminalText.Visible(value.ToString()) : value.ToString());

    public override void Write(string? value) => inner.Write(value is null ? null : TerminalText.Visible(value));

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value) => inner.WriteLine(value is null ? null : TerminalText.Visible(value));

    public override Task WriteAsync(char value) => inner.WriteAsync(TerminalText.Visible(value.ToString()));

    public override Task WriteAsync(string? value) => inner.WriteAsync(value is null ? null : TerminalText.Visible(value));

    public override Task WriteAsync(char[] buffer, int index, int count) => WriteAsync(new string(buffer, index, count));

    public override Task WriteLineAsync(string? value) => inner.WriteLineAsync(value is null ? null : TerminalText.Visible(value));

    public override Task WriteLineAsync() => inner.WriteLineAsync();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync() => inner.FlushAsync();
}
