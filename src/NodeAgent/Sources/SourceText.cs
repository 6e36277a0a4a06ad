using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace NodeAgent.Sources;

/// <summary>One line of a text source, numbered from 1, without its line terminator.</summary>
internal readonly record struct SourceLine(int Number, string Text);

/// <summary>
/// Turns source bytes into text the parsers can trust: strips a UTF-8 BOM, and rejects binary content
/// (a NUL byte, UTF-16, invalid UTF-8) with the line where it starts, instead of guessing.
/// </summary>
internal static class SourceText
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>The bytes after an optional UTF-8 BOM. Line numbers are unchanged: a BOM holds no newline.</summary>
    public static ReadOnlySpan<byte> WithoutBom(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith(Utf8Bom) ? bytes[Utf8Bom.Length..] : bytes;

    /// <summary>Checks that the body is UTF-8 text; adds an error and returns false when it is not.</summary>
    public static bool IsText(string path, ReadOnlySpan<byte> bytes, List<SourceError> errors)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            errors.Add(new SourceError(path, 1,
                "the file is UTF-16 encoded; NodeAgent reads UTF-8 text",
                "save it as UTF-8 (for example: iconv -f UTF-16 -t UTF-8), or copy it again from the deployment bundle"));
            return false;
        }

        var body = WithoutBom(bytes);
        var offset = bytes.Length - body.Length;
        var nul = body.IndexOf((byte)0);
        if (nul >= 0)
        {
            errors.Add(new SourceError(path, LineAt(bytes, offset + nul),
                "the file contains a NUL byte: it is binary, not a text source",
                "replace it with the text file from the deployment bundle (a copy may have been truncated or corrupted)"));
            return false;
        }

        var invalidAt = FirstInvalidUtf8(body);
        if (invalidAt >= 0)
        {
            errors.Add(new SourceError(path, LineAt(bytes, offset + invalidAt),
                "the file is not valid UTF-8 text (an invalid byte sequence starts on this line)",
                "save the file as plain UTF-8 text, or copy it again from the deployment bundle"));
            return false;
        }

        return true;
    }

    /// <summary>Decodes text already checked by <see cref="IsText"/>, without the BOM.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(WithoutBom(bytes));

    /// <summary>Splits on LF, dropping a CR before it, so CRLF and LF files read the same.</summary>
    public static List<SourceLine> Lines(string text)
    {
        var lines = new List<SourceLine>();
        var number = 0;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            number++;
            var line = text.AsSpan(range);
            if (line.EndsWith('\r'))
            {
                line = line[..^1];
            }

            lines.Add(new SourceLine(number, line.ToString()));
        }

        return lines;
    }

    /// <summary>The 1-based line holding the byte at <paramref name="offset"/>.</summary>
    public static int LineAt(ReadOnlySpan<byte> bytes, long offset)
    {
        var end = (int)Math.Clamp(offset, 0, bytes.Length);
        return bytes[..end].Count((byte)'\n') + 1;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> body)
    {
        var buffer = ArrayPool<char>.Shared.Rent(Math.Max(body.Length, 1));
        try
        {
            var status = Utf8.ToUtf16(body, buffer, out var read, out _, replaceInvalidSequences: false);
            return status == OperationStatus.Done ? -1 : read;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}
