using System.Text.Json.Serialization;
using XmppUpload.Core.HttpAuth;

namespace XmppUpload.Xmpp.HttpAuth;

/// <summary>
/// One XEP-0070 message between nodes on the bus (<see cref="RelayedConfirmations.Channel"/>). An <c>ask</c> from a
/// node without the link carries exactly what the link holder needs to ask the user (the transaction identifier is the
/// request's password: it crosses only PostgreSQL and is never logged); <c>taken</c> says the holder asks;
/// <c>answer</c> carries the outcome. Requests are matched to their replies by <see cref="Id"/>.
/// </summary>
internal sealed record RelayMessage
{
    public const string Ask = "ask";

    public const string Taken = "taken";

    public const string Answer = "answer";

    public required string Kind { get; init; }

    /// <summary>128 random bits in hex, chosen by the asking node.</summary>
    public required string Id { get; init; }

    /// <summary>An ask's link lease name: only the node that holds that link answers.</summary>
    public string? Link { get; init; }

    public string? Jid { get; init; }

    public string? TransactionId { get; init; }

    public string? Method { get; init; }

    public string? Url { get; init; }

    /// <summary>An ask's remaining timeout in milliseconds: the holder waits no longer than the asking node does.</summary>
    public long? TimeoutMs { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<ConfirmationOutcome>))]
    public ConfirmationOutcome? Outcome { get; init; }
}
