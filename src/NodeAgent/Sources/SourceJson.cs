using System.Text.Json;

namespace NodeAgent.Sources;

/// <summary>A JSON value with the line it starts on. Only what the sources need: objects, strings, the rest by kind.</summary>
internal abstract record JsonSourceNode(int Line);

internal sealed record JsonSourceMember(string Name, string Path, int Line, JsonSourceNode Value);

internal sealed record JsonSourceObject(int Line, IReadOnlyList<JsonSourceMember> Members) : JsonSourceNode(Line)
{
    public JsonSourceMember? Find(string name) =>
        Members.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));
}

internal sealed record JsonSourceArray(int Line, IReadOnlyList<JsonSourceNode> Items) : JsonSourceNode(Line);

internal sealed record JsonSourceString(int Line, string Value) : JsonSourceNode(Line);

/// <summary>A number, true, false or null; <see cref="Kind"/> names it for messages ("a number").</summary>
internal sealed record JsonSourceScalar(int Line, string Kind) : JsonSourceNode(Line);

/// <summary>
/// Reads JSON with Utf8JsonReader (no reflection, so AOT-safe) into a small tree that keeps line numbers and
/// rejects duplicate property names at any depth: System.Text.Json and most readers silently keep the last
/// one, which would make a hand-edited file mean something other than what the operator sees first.
/// Comments and trailing commas are tolerated, as hand edits produce them.
/// </summary>
internal static class SourceJson
{
    public static JsonSourceNode? Parse(string path, byte[] bytes, List<SourceError> errors)
    {
        if (!SourceText.IsText(path, bytes, errors))
        {
            return null;
        }

        // The reader does not skip a BOM; offsets after it still give the right line (a BOM holds no newline).
        var body = SourceText.WithoutBom(bytes);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        if (IsBlank(body))
        {
            errors.Add(new SourceError(path, null,
                "the file is empty (no JSON value, only whitespace or comments)",
                "copy the complete expanso-s3-config.json from the deployment bundle, or delete the file if the other sources hold everything"));
            return null;
        }

        var before = errors.Count;
        try
        {
            reader.Read();

            var root = ReadValue(ref reader, body, path, "", errors);

            // With the whole file as the final block, a second top-level value makes Read throw.
            reader.Read();
            return errors.Count == before ? root : null;
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } zeroBased ? (int)zeroBased + 1 : SourceText.LineAt(body, reader.BytesConsumed);
            // The reader says "reached end of data" / "depth to be zero" when the text stops before the value closes.
            var truncated = reader.BytesConsumed >= body.TrimEnd(" \t\r\n"u8).Length
                || e.Message.Contains("end of data", StringComparison.Ordinal)
                || e.Message.Contains("depth to be zero", StringComparison.Ordinal);
            errors.Add(truncated
                ? new SourceError(path, line,
                    "the JSON ends before it is complete (the file looks truncated)",
                    "copy the complete file again from the deployment bundle; every { [ and \" needs its closing } ] \"")
                : new SourceError(path, line,
                    $"the file is not valid JSON: {ReaderMessage(e)}",
                    "fix the syntax on this line (a missing comma, quote or brace is the usual cause), or copy the file again from the deployment bundle"));
            return null;
        }
    }

    private static JsonSourceNode ReadValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, string path, string jsonPath, List<SourceError> errors)
    {
        var line = SourceText.LineAt(body, reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                return ReadObject(ref reader, body, path, jsonPath, line, errors);
            case JsonTokenType.StartArray:
                var items = new List<JsonSourceNode>();
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader, body, path, $"{jsonPath}[{index++}]", errors));
                }

                return new JsonSourceArray(line, items);
            case JsonTokenType.String:
                return new JsonSourceString(line, reader.GetString() ?? string.Empty);
            case JsonTokenType.Number:
                return new JsonSourceScalar(line, "a number");
            case JsonTokenType.True:
            case JsonTokenType.False:
                return new JsonSourceScalar(line, "a boolean");
            default:
                return new JsonSourceScalar(line, "null");
        }
    }

    private static JsonSourceObject ReadObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, string path, string jsonPath, int line, List<SourceError> errors)
    {
        var members = new List<JsonSourceMember>();
        var firstLines = new Dictionary<string, int>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString() ?? string.Empty;
            var nameLine = SourceText.LineAt(body, reader.TokenStartIndex);
            var memberPath = jsonPath.Length == 0 ? name : $"{jsonPath}.{name}";
            reader.Read();
            var value = ReadValue(ref reader, body, path, memberPath, errors);
            if (firstLines.TryGetValue(name, out var firstLine))
            {
                errors.Add(new SourceError(path, nameLine,
                    $"property \"{SharedCredentialsIni.SafeKey(memberPath)}\" appears a second time (first on line {firstLine}); which value is meant is ambiguous",
                    "keep one of the two properties and delete the other"));
                continue;
            }

            firstLines[name] = nameLine;
            members.Add(new JsonSourceMember(name, memberPath, nameLine, value));
        }

        return new JsonSourceObject(line, members);
    }

    /// <summary>True when the text holds only whitespace and // or /* */ comments (the reader throws on those).</summary>
    private static bool IsBlank(ReadOnlySpan<byte> body)
    {
        var i = 0;
        while (i < body.Length)
        {
            var rest = body[i..];
            if (rest[0] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                i++;
            }
            else if (rest.StartsWith("//"u8))
            {
                var end = rest.IndexOf((byte)'\n');
                i = end < 0 ? body.Length : i + end + 1;
            }
            else if (rest.StartsWith("/*"u8))
            {
                var end = rest[2..].IndexOf("*/"u8);
                if (end < 0)
                {
                    return false;
                }

                i += end + 4;
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The reader's own explanation without its "LineNumber: … | BytePositionInLine: …" tail (the line is ours).</summary>
    private static string ReaderMessage(JsonException e)
    {
        var message = e.Message;
        var tail = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (tail >= 0 ? message[..tail] : message).TrimEnd('.', ' ');
    }
}
