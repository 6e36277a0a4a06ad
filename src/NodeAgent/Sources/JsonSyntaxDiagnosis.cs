using System.Text.Json;

namespace NodeAgent.Sources;

/// <summary>
/// Turns a Utf8JsonReader failure into our own one-line message. The reader's message is never used: it quotes
/// the bytes where it stopped, and for an unquoted value that is the secret itself plus the rest of the file
/// ("'fTOKEN…==,⏎ "region": …' is an invalid JSON literal"). Instead the kind of problem is worked out from
/// the position the exception reports and the structure of the (valid) text before it; the message names
/// only the line and, at most, a bracket character — never a byte of any value.
/// </summary>
internal static class JsonSyntaxDiagnosis
{
    /// <summary>Utf8JsonReader's default maximum depth, which the sources do not change.</summary>
    private const int MaximumDepth = 64;

    private const string CopyAgain = "or copy the file again from the deployment bundle";

    public static SourceError Describe(string path, ReadOnlySpan<byte> body, JsonException e, long bytesConsumed, JsonReaderOptions options)
    {
        var offset = e.LineNumber is { } lineNumber && e.BytePositionInLine is { } position
            ? OffsetOf(body, lineNumber, position)
            : (int)Math.Clamp(bytesConsumed, 0, body.Length);
        var line = SourceText.LineAt(body, offset);

        if (IsIncompletePrefix(body, options) || offset >= body.Length)
        {
            return new SourceError(path, line,
                "the JSON ends before it is complete (the file looks truncated)",
                "copy the complete file again from the deployment bundle; every { [ and \" needs its closing } ] \"");
        }

        var (what, fix) = Classify(body, offset);
        return new SourceError(path, line, $"the file is not valid JSON: {what}", $"{fix}, {CopyAgain}");
    }

    /// <summary>
    /// True when the text is a valid beginning of a JSON document that simply stops: a reader told more data
    /// may follow then runs out without complaint. Exact, and independent of the reader's message wording.
    /// </summary>
    private static bool IsIncompletePrefix(ReadOnlySpan<byte> body, JsonReaderOptions options)
    {
        var reader = new Utf8JsonReader(body, isFinalBlock: false, new JsonReaderState(options));
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static (string What, string Fix) Classify(ReadOnlySpan<byte> body, int offset)
    {
        // Inside a string the reader stops at the offending byte itself.
        if (Walk(body, offset).InString)
        {
            return body[offset] switch
            {
                (byte)'\n' or (byte)'\r' => (
                    "a string is not closed on this line (its closing double quote is missing)",
                    "add the closing \" at the end of the value"),
                < 0x20 => (
                    "a string holds a raw control character such as a tab",
                    "remove it, or write a tab as \\t"),
                _ => (
                    "a string holds an invalid escape sequence (after a backslash only \" \\ / b f n r t or u and four hex digits may follow)",
                    "write a backslash that belongs to the value as \\\\"),
            };
        }

        // Outside a string the reader may stop part-way into a bare word ("fTOKEN…" fails at the T while
        // matching "false"): judge from where that word starts.
        var start = WordStart(body, offset);
        var context = Walk(body, start);
        var first = body[start];

        if (context.RootClosed)
        {
            return ("there is more text after the closing brace of the JSON object",
                "a source holds exactly one { … } object: delete what follows its closing brace");
        }

        if (context.Last == (byte)'"' && context.LastStringWasName)
        {
            return ("a colon is missing after the property name", "write each property as \"name\": \"value\"");
        }

        var expectingName = context.Open == (byte)'{' && context.Last is (byte)'{' or (byte)',';
        var expectingValue = context.Last is 0 or (byte)':' or (byte)'[' || (context.Last == (byte)',' && context.Open == (byte)'[');

        if (first is (byte)'{' or (byte)'[' && context.Depth >= MaximumDepth)
        {
            return ($"the JSON is nested more than {MaximumDepth} levels deep", "a credential source needs three levels at most: flatten it");
        }

        if (first is (byte)'}' or (byte)']')
        {
            if (context.Last == (byte)':')
            {
                return ("a property has no value before the closing brace", "give the property a value in double quotes, or delete it");
            }

            return context.Open is { } open
                ? ($"this closing {(char)first} does not match the {(char)open} opened on line {SourceText.LineAt(body, context.OpenOffset)}",
                    "close every { with } and every [ with ], innermost first")
                : ($"this closing {(char)first} has no matching opening bracket", "delete it");
        }

        if (first == (byte)',' && (expectingName || expectingValue))
        {
            return ("there is a comma with nothing before it (two commas in a row, or a comma right after { [ or :)",
                "delete the extra comma");
        }

        if (expectingName)
        {
            return ("a property name is not in double quotes (or a stray character stands where a name belongs)",
                "write each property as \"name\": \"value\" and delete stray characters");
        }

        if (expectingValue)
        {
            return ("an unquoted value starts here; text values must be in double quotes",
                "put the value in double quotes (\"name\": \"value\"); only numbers, true, false and null are written bare");
        }

        return ("something other than a comma or a closing bracket follows a value (a missing comma, or a stray character)",
            "add the missing comma at the end of the previous value, or delete the stray character");
    }

    /// <summary>Where the current line's byte position lands in the body; both come from the exception, 0-based.</summary>
    private static int OffsetOf(ReadOnlySpan<byte> body, long lineNumber, long bytePositionInLine)
    {
        var lineStart = 0;
        for (var i = 0L; i < lineNumber; i++)
        {
            var next = body[lineStart..].IndexOf((byte)'\n');
            if (next < 0)
            {
                return body.Length;
            }

            lineStart += next + 1;
        }

        return (int)Math.Min(lineStart + bytePositionInLine, body.Length);
    }

    /// <summary>Back from <paramref name="offset"/> to the first byte of the bare word (literal, number or junk) holding it.</summary>
    private static int WordStart(ReadOnlySpan<byte> body, int offset)
    {
        if (IsSeparator(body[offset]))
        {
            return offset;
        }

        var start = offset;
        while (start > 0 && !IsSeparator(body[start - 1]))
        {
            start--;
        }

        return start;
    }

    private static bool IsSeparator(byte b) =>
        b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'{' or (byte)'}' or (byte)'[' or (byte)']'
            or (byte)',' or (byte)':' or (byte)'"' or (byte)'/';

    /// <summary>
    /// The structure of <c>body[..end]</c>: the reader accepted all of it, so a plain scan (strings with
    /// escapes, comments, a bracket stack) is enough; no value is kept, only the last structural byte.
    /// </summary>
    private static ScanContext Walk(ReadOnlySpan<byte> body, int end)
    {
        var brackets = new Stack<(byte Bracket, int Offset)>();
        byte last = 0;
        bool inString = false, escaped = false, stringIsName = false, lastStringWasName = false, rootClosed = false;
        for (var i = 0; i < end; i++)
        {
            var b = body[i];
            if (inString)
            {
                if (escaped)
                {
                    escaped = false;
                }
                else if (b == (byte)'\\')
                {
                    escaped = true;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                    last = b;
                    lastStringWasName = stringIsName;
                }

                continue;
            }

            switch (b)
            {
                case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                    break;
                case (byte)'/' when i + 1 < end && body[i + 1] == (byte)'/':
                    var newline = body[i..end].IndexOf((byte)'\n');
                    i = newline < 0 ? end : i + newline;
                    break;
                case (byte)'/' when i + 1 < end && body[i + 1] == (byte)'*':
                    var close = body[(i + 2)..end].IndexOf("*/"u8);
                    i = close < 0 ? end : i + 2 + close + 1;
                    break;
                case (byte)'"':
                    inString = true;
                    stringIsName = brackets.TryPeek(out var top) && top.Bracket == (byte)'{' && last is (byte)'{' or (byte)',';
                    break;
                case (byte)'{' or (byte)'[':
                    brackets.Push((b, i));
                    last = b;
                    break;
                case (byte)'}' or (byte)']':
                    brackets.TryPop(out _);
                    rootClosed = brackets.Count == 0;
                    last = b;
                    break;
                default:
                    last = b;
                    break;
            }
        }

        return brackets.TryPeek(out var open)
            ? new ScanContext(inString, last, lastStringWasName, open.Bracket, open.Offset, brackets.Count, rootClosed)
            : new ScanContext(inString, last, lastStringWasName, null, 0, 0, rootClosed);
    }

    /// <param name="Last">The last byte outside strings and comments that was not whitespace (0 at the start).</param>
    /// <param name="Open">The innermost bracket still open, and where it is; <paramref name="Depth"/> counts the open ones.</param>
    private readonly record struct ScanContext(bool InString, byte Last, bool LastStringWasName, byte? Open, int OpenOffset, int Depth, bool RootClosed);
}
