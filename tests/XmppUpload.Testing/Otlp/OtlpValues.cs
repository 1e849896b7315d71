namespace XmppUpload.Testing.Otlp;

/// <summary>Reads OTLP's common messages: KeyValue lists and AnyValue (opentelemetry-proto common/v1/common.proto).</summary>
internal static class OtlpValues
{
    public static IReadOnlyDictionary<string, object?> Attributes(IEnumerable<ProtoMessage> keyValues)
    {
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var keyValue in keyValues)
        {
            attributes[keyValue.String(1) ?? string.Empty] = Any(keyValue.Message(2));
        }

        return attributes;
    }

    // AnyValue: 1 string, 2 bool, 3 int64, 4 double, 5 array, 6 key-value list, 7 bytes.
    public static object? Any(ProtoMessage? value) => value switch
    {
        null => null,
        _ when value.Has(1) => value.String(1),
        _ when value.Has(2) => value.Number(2) != 0,
        _ when value.Has(3) => (long)value.Number(3)!.Value,
        _ when value.Has(4) => value.Double(4),
        _ when value.Has(5) => value.Message(5)!.Messages(1).Select(Any).ToList(),
        _ when value.Has(6) => Attributes(value.Message(6)!.Messages(1)),
        _ when value.Has(7) => value.Bytes(7),
        _ => null,
    };

    public static string Hex(byte[]? bytes) => bytes is null ? string.Empty : Convert.ToHexStringLower(bytes);
}
