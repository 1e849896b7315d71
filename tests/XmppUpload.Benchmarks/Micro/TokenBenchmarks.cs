using BenchmarkDotNet.Attributes;
using XmppUpload.Core.Tokens;

namespace XmppUpload.Benchmarks.Micro;

/// <summary>The PUT token: issued with every slot, checked (HMAC-SHA256, no I/O) before every PUT reads a byte.</summary>
public class TokenBenchmarks
{
    private const string SlotId = "k3v7q2mxz5wa4t6yb2c3d4e5f6";
    private const string FileName = "holiday photo.jpg";
    private const long Size = 1_048_576;

    private SlotTokens _tokens = null!;
    private DateTimeOffset _now;
    private DateTimeOffset _deadline;
    private string _token = null!;

    [GlobalSetup]
    public void Setup()
    {
        _now = DateTimeOffset.UtcNow;
        var key = SigningKey.CreateRandom(_now.AddHours(-1));
        _tokens = new SlotTokens(() => [key]);
        _deadline = DateTimeOffset.FromUnixTimeSeconds(_now.AddMinutes(5).ToUnixTimeSeconds());
        _token = _tokens.Issue(SlotId, FileName, Size, "image/jpeg", _deadline);
        if (_tokens.Check(_token, SlotId, FileName, _now, out _) != TokenCheck.Valid)
        {
            throw new InvalidOperationException("The benchmark's token does not check as valid.");
        }
    }

    [Benchmark]
    public string Issue() => _tokens.Issue(SlotId, FileName, Size, "image/jpeg", _deadline);

    [Benchmark]
    public TokenCheck CheckValid() => _tokens.Check(_token, SlotId, FileName, _now, out _);

    /// <summary>A token for another slot: the whole MAC is computed and compared before the refusal.</summary>
    [Benchmark]
    public TokenCheck CheckOtherSlot() => _tokens.Check(_token, "zzzzzzzzzzzzzzzzzzzzzzzzzz", FileName, _now, out _);
}
