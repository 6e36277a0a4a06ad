using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

using NodeAgent.Sources;

namespace NodeAgent.Aws;

/// <summary>
/// What reading IMDS's answer for a role's keys gave: the role and its keys, or what is wrong with the answer, as a
/// phrase that follows the request in a message ("answered JSON that is not an object"). <paramref name="NotSuccess"/>:
/// IMDS itself says it has no keys (a Code other than Success), which has its own fix.
/// </summary>
internal sealed record RoleCredentialsAnswer(CredentialSource.InstanceRole? Role, string? Wrong, bool NotSuccess = false);

/// <summary>
/// Reads IMDS's credentials JSON ({"Code":"Success","AccessKeyId":…,"SecretAccessKey":…,"Token":…,"Expiration":…})
/// through JsonDocument, since reflection-based deserialisation is not AOT-safe. The body is untrusted and holds the
/// secret: nothing from it goes into a message except a Code of plain letters.
/// </summary>
internal static partial class RoleCredentialsJson
{
    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = 4,

        // Two AccessKeyIds would leave it to the parser which one counts: refuse instead.
        AllowDuplicateProperties = false,
    };

    public static RoleCredentialsAnswer Parse(string role, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, Options);
            return Read(role, document.RootElement);
        }
        catch (JsonException)
        {
            // The exception's message may quote the body: say only that it is not JSON.
            return new(null, "answered something that is not JSON (or JSON with a property twice)");
        }
    }

    private static RoleCredentialsAnswer Read(string role, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new(null, "answered JSON that is not an object");
        }

        var code = Text(root, "Code");
        if (code != "Success")
        {
            var named = code is null ? "no Code" : CodeShape().IsMatch(code) ? $"Code \"{code}\"" : "an unreadable Code";
            return new(null, $"answered {named}, not Success: it holds no keys for the role", NotSuccess: true);
        }

        string[] fields = ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"];
        var missing = fields.Where(f => string.IsNullOrEmpty(Text(root, f))).ToList();
        if (missing.Count > 0)
        {
            return new(null, $"answered Success without {string.Join(", ", missing)}");
        }

        var keyId = Text(root, "AccessKeyId")!;
        if (!AccessKeyIdShape().IsMatch(keyId))
        {
            return new(null, "answered an AccessKeyId that is not 16 to 128 upper-case letters and digits");
        }

        if (!DateTimeOffset.TryParse(Text(root, "Expiration"), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var expiration))
        {
            return new(null, "answered an Expiration that is not a date");
        }

        var keys = new AwsCredentials(Secret.AccessKeyId(keyId), Secret.Of(Text(root, "SecretAccessKey")!), Secret.Of(Text(root, "Token")!));
        return new(new CredentialSource.InstanceRole(role, keys, expiration), null);
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex("^[A-Z0-9]{16,128}$")]
    private static partial Regex AccessKeyIdShape();

    [GeneratedRegex("^[A-Za-z]{1,64}$")]
    private static partial Regex CodeShape();
}
