using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

using NodeAgent.Sources;

namespace NodeAgent.Rendering;

/// <summary>/opt/sensor/config/s3-config.json: the same shape as the expanso-s3-config.json source, which the sensors parse.</summary>
public static class S3ConfigJsonRenderer
{
    public static string Render(CredentialSet set)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("aws_access_key_id", set.Credentials.AccessKeyId.Reveal());
            w.WriteString("aws_secret_access_key", set.Credentials.SecretAccessKey.Reveal());
            if (set.Credentials.SessionToken is { } token)
            {
                w.WriteString("aws_session_token", token.Reveal());
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
