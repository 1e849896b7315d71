using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace XmppUpload.Xmpp.HttpAuth;

/// <summary>The JSON of <see cref="RelayMessage"/>: camelCase, nulls left out, non-ASCII text as it is (not escaped).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RelayMessage))]
internal sealed partial class RelayJson : JsonSerializerContext
{
    // \u escapes would make a non-ASCII JID or URL up to six times larger against the bus's payload limit; the payload
    // is never embedded in HTML, so the relaxed encoder is safe here.
    public static RelayJson Compact { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string Write(RelayMessage message) => JsonSerializer.Serialize(message, Compact.RelayMessage);

    /// <summary>The message, or <c>null</c> when <paramref name="payload"/> is not one.</summary>
    public static RelayMessage? Read(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize(payload, Compact.RelayMessage);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
