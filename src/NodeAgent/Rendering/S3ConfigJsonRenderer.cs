using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

using NodeAgent.Sources;

namespace NodeAgent.Rendering;

/// <summary>
/// /opt/sensor/config/s3-config.json: the same shape as the expanso-s3-config.json source, which the sensors parse.
/// With the instance profile the key fields are left out (the SDK then falls back to the role), the rest keeps its shape.
/// </summary>
public static class S3ConfigJsonRenderer
{
    public static string Render(CredentialSet set)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (set.Credentials is { } keys)
            {
                w.WriteString("aws_access_key_id", keys.AccessKeyId.Reveal());
                w.WriteString("aws_secret_access_key", keys.SecretAccessKey.Reveal());
                if (keys.SessionToken is { } token)
                {
                    w.WriteString("aws_session_token", token.Reveal());
                }
            }

            w.WriteString("region", set.Region);
            w.WriteStartObject("s3_configuration");
            w.WriteStartObject("buckets");
            foreach (var bucket in set.Buckets)
            {
                w.WriteString(bucket.Role, bucket.Name);
            }

            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
