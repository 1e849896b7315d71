namespace XmppUpload.Testing.Otlp;

/// <summary>A log record as it arrived over OTLP; <see cref="Scope"/> is the logger's category.</summary>
public sealed record OtlpLogRecord(
    IReadOnlyDictionary<string, object?> Resource,
    string Scope,
    int Severity,
    string? Body,
    IReadOnlyDictionary<string, object?> Attributes,
    string TraceId,
    string SpanId);
