using System.Text.Json;

namespace XmppUpload.Cluster.Tests;

/// <summary>One slot request of clients/slots.py: the slot it got (or the stanza error) and how its PUT was answered.</summary>
public sealed class SlotOutcome
{
    /// <summary>The local file whose bytes were (or are to be) uploaded.</summary>
    public required string FilePath { get; init; }

    public required string Name { get; init; }

    public required long Size { get; init; }

    public required bool Granted { get; init; }

    /// <summary>The stanza error's defined condition when refused (e.g. <c>resource-constraint</c>).</summary>
    public string? ErrorCondition { get; init; }

    /// <summary>The stanza error's type when refused (e.g. <c>wait</c>).</summary>
    public string? ErrorType { get; init; }

    public string? ErrorText { get; init; }

    public Uri? PutUrl { get; init; }

    public Uri? GetUrl { get; init; }

    public IReadOnlyDictionary<string, string> PutHeaders { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the PUT went (the slot's URL retargeted to a node or the balancer); null without a PUT.</summary>
    public Uri? PutTarget { get; init; }

    /// <summary>The PUT's HTTP status; null when there was none or it got no answer.</summary>
    public int? PutStatus { get; init; }

    /// <summary>The slot id: the first segment of the slot's URL path.</summary>
    public string SlotId => GetUrl?.Segments is [_, var id, ..] ? id.TrimEnd('/') : throw new InvalidOperationException($"{Name} has no slot.");

    public static SlotOutcome FromJson(JsonElement slot)
    {
        var granted = slot.GetProperty("granted").GetBoolean();
        JsonElement error = default;
        var refused = !granted && slot.TryGetProperty("error", out error);
        return new SlotOutcome
        {
            FilePath = slot.GetProperty("file").GetString()!,
            Name = slot.GetProperty("name").GetString()!,
            Size = slot.GetProperty("size").GetInt64(),
            Granted = granted,
            ErrorCondition = refused ? error.GetProperty("condition").GetString() : null,
            ErrorType = refused ? error.GetProperty("type").GetString() : null,
            ErrorText = refused ? error.GetProperty("text").GetString() : null,
            PutUrl = granted ? new Uri(slot.GetProperty("put_url").GetString()!) : null,
            GetUrl = granted ? new Uri(slot.GetProperty("get_url").GetString()!) : null,
            PutHeaders = granted
                ? slot.GetProperty("put_headers").EnumerateObject().ToDictionary(header => header.Name, header => header.Value.GetString() ?? "")
                : new Dictionary<string, string>(),
            PutTarget = slot.TryGetProperty("put_target", out var target) ? new Uri(target.GetString()!) : null,
            PutStatus = slot.TryGetProperty("put_status", out var status) ? status.GetInt32() : null,
        };
    }

    public override string ToString() =>
        Granted ? $"{Name}: slot {GetUrl}, PUT {PutTarget} -> {PutStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}" : $"{Name}: refused {ErrorType}/{ErrorCondition}: {ErrorText}";
}
