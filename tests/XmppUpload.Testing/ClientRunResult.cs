using System.Text.Json;

namespace XmppUpload.Testing;

/// <summary>How a client script or program ended: exit code and everything it printed.</summary>
public sealed class ClientRunResult
{
    private readonly Lazy<JsonElement> _json;

    public ClientRunResult(string name, int exitCode, string standardOutput, string standardError)
    {
        Name = name;
        ExitCode = exitCode;
        StandardOutput = standardOutput;
        StandardError = standardError;
        _json = new Lazy<JsonElement>(ParseJson);
    }

    public string Name { get; }

    public int ExitCode { get; }

    public string StandardOutput { get; }

    public string StandardError { get; }

    /// <summary>
    /// The JSON object on the last non-empty stdout line (the python clients print exactly one).
    /// Throws with the whole output when there is none.
    /// </summary>
    public JsonElement Json => _json.Value;

    /// <summary>Everything, for assertion messages: <c>Assert.True(result.ExitCode == 0, result.ToString())</c>.</summary>
    public override string ToString() =>
        $"{Name} exited with {ExitCode}{Environment.NewLine}--- stdout ---{Environment.NewLine}{StandardOutput}--- stderr ---{Environment.NewLine}{StandardError}--- end ---";

    private JsonElement ParseJson()
    {
        var line = StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (line is null)
        {
            throw new InvalidOperationException($"No JSON on stdout.{Environment.NewLine}{this}");
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"The last stdout line is not JSON: {exception.Message}{Environment.NewLine}{this}", exception);
        }
    }
}
