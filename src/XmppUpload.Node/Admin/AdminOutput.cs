using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace XmppUpload.Node.Admin;

/// <summary>Where a verb writes: results to <see cref="Out"/> (a table, or JSON with <c>--json</c>), messages to <see cref="Error"/>.</summary>
internal sealed class AdminOutput
{
    public AdminOutput(TextWriter output, TextWriter error, bool json)
    {
        Out = output;
        Error = error;
        Json = json;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    /// <summary>Print JSON instead of tables; messages still go to <see cref="Error"/>, so stdout stays parseable.</summary>
    public bool Json { get; }

    public void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        Out.WriteLine(JsonSerializer.Serialize(value, typeInfo));
        Out.Flush();
    }
}
