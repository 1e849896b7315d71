using XmppUpload.Xmpp.Component;

namespace XmppUpload.Xmpp.Tests.Component;

public sealed class ReconnectBackoffTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(6, 32)]
    [InlineData(7, 60)]
    [InlineData(1000, 60)]
    public void Ceiling_DoublesFromTheInitialDelayUpToTheCap(int failures, int seconds)
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), () => 1);

        Assert.Equal(TimeSpan.FromSeconds(seconds), backoff.Ceiling(failures));
        Assert.Equal(TimeSpan.FromSeconds(seconds), backoff.Delay(failures));
    }

    [Fact]
    public void Delay_IsTheCeilingScaledByTheJitterSample()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), () => 0.25);

        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Delay(4));
    }

    [Fact]
    public void Delay_WithRealRandomness_StaysWithinZeroAndTheCeiling()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), Random.Shared.NextDouble);

        for (var failures = 1; failures < 20; failures++)
        {
            var delay = backoff.Delay(failures);
            Assert.InRange(delay, TimeSpan.Zero, backoff.Ceiling(failures));
        }
    }
}
