namespace XmppUpload.Testing.Otlp;

/// <summary>
/// One data point of a metric as it arrived over OTLP: <see cref="Value"/> for sums and gauges, <see cref="Count"/>
/// and <see cref="Sum"/> for histograms.
/// </summary>
public sealed record OtlpMetricPoint(
    IReadOnlyDictionary<string, object?> Resource,
    string Scope,
    string Name,
    string Unit,
    string Type,
    IReadOnlyDictionary<string, object?> Attributes,
    double? Value,
    ulong? Count,
    double? Sum)
{
    public object? this[string attribute] => Attributes.GetValueOrDefault(attribute);
}
