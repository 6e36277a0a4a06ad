using System.Text.Json;

namespace NodeAgent.Sources;

/// <summary>
/// Reads JSON with Utf8JsonReader (no reflection, so AOT-safe) into a small tree that keeps line numbers and
/// rejects duplicate property names at any depth: System.Text.Json and most readers silently keep the last
/// one, which would make a hand-edited file mean something other than what the operator sees first.
/// Comments and trailing commas are tolerated, as hand edits produce them.
/// </summary>
internal static class SourceJson
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static JsonSourceNode? Parse(string path, byte[] bytes, List<SourceError> errors)
    {
        if (!SourceText.IsText(path, bytes, errors))
        {
            return null;
        }

        // The reader does not skip a BOM; offsets after it still give the right line (a BOM holds no newline).
        var body = SourceText.WithoutBom(bytes);
        var reader = new Utf8JsonReader(body, ReaderOptions);
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
            // Never e.Message: the reader quotes the text where it stopped, which can be an unquoted secret.
            errors.Add(JsonSyntaxDiagnosis.Describe(path, body, e, reader.BytesConsumed, ReaderOptions));
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
                return new JsonSourceString(line, ReadString(ref reader, path, line, errors));
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
            var nameLine = SourceText.LineAt(body, reader.TokenStartIndex);
            var name = ReadString(ref reader, path, nameLine, errors);
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

    /// <summary>
    /// The string at the reader. The reader accepts any \uXXXX escape but GetString throws on an unpaired
    /// surrogate (\uD800), with a message quoting it: record our own error instead and go on.
    /// </summary>
    private static string ReadString(ref Utf8JsonReader reader, string path, int line, List<SourceError> errors)
    {
        try
        {
            return reader.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            errors.Add(new SourceError(path, line,
                "the file is not valid JSON: a string holds a \\u escape that is no character (half of a surrogate pair)",
                "write the character itself as UTF-8, or as a complete \\uXXXX\\uXXXX pair, or copy the file again from the deployment bundle"));
            return string.Empty;
        }
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
}

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
