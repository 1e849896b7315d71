namespace XmppUpload.Testing.Otlp;

/// <summary>A span as it arrived over OTLP, with the resource and scope it came under.</summary>
public sealed record OtlpSpan(
    IReadOnlyDictionary<string, object?> Resource,
    string Scope,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    IReadOnlyDictionary<string, object?> Attributes,
    int StatusCode,
    string? StatusMessage)
{
    /// <summary>Span kinds of opentelemetry-proto trace.proto.</summary>
    public const int KindInternal = 1;
    public const int KindServer = 2;
    public const int KindClient = 3;

    /// <summary>Status code 2 (error) of trace.proto's Status.</summary>
    public const int StatusError = 2;

    public object? this[string attribute] => Attributes.GetValueOrDefault(attribute);
}
