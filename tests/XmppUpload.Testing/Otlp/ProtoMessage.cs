using Google.Protobuf;

namespace XmppUpload.Testing.Otlp;

/// <summary>
/// One protobuf message read at the wire level: its fields by number, in order, without a schema. OTLP's messages are
/// read through it by field number (opentelemetry-proto's trace, metrics, logs and common .proto files).
/// </summary>
public sealed class ProtoMessage
{
    private readonly List<(int Number, object Value)> _fields = [];

    private ProtoMessage()
    {
    }

    public static ProtoMessage Parse(ReadOnlySpan<byte> bytes) => Parse(bytes.ToArray());

    public static ProtoMessage Parse(byte[] bytes)
    {
        var message = new ProtoMessage();
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            object value = WireFormat.GetTagWireType(tag) switch
            {
                WireFormat.WireType.Varint => input.ReadUInt64(),
                WireFormat.WireType.Fixed64 => input.ReadFixed64(),
                WireFormat.WireType.Fixed32 => (ulong)input.ReadFixed32(),
                WireFormat.WireType.LengthDelimited => input.ReadBytes().ToByteArray(),
                var other => throw new InvalidDataException($"Field {number} has wire type {other}, which OTLP does not use."),
            };
            message._fields.Add((number, value));
        }

        return message;
    }

    public IEnumerable<ProtoMessage> Messages(int number) =>
        _fields.Where(f => f.Number == number).Select(f => Parse((byte[])f.Value));

    public ProtoMessage? Message(int number) => Messages(number).FirstOrDefault();

    public string? String(int number) => Bytes(number) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    public byte[]? Bytes(int number) => _fields.Where(f => f.Number == number).Select(f => (byte[])f.Value).FirstOrDefault();

    public ulong? Number(int number) => _fields.Where(f => f.Number == number).Select(f => (ulong?)f.Value).FirstOrDefault();

    public double? Double(int number) => Number(number) is { } bits ? BitConverter.UInt64BitsToDouble(bits) : null;

    public bool Has(int number) => _fields.Any(f => f.Number == number);
}
