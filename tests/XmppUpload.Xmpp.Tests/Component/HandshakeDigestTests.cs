using XmppUpload.Xmpp.Component;

namespace XmppUpload.Xmpp.Tests.Component;

public sealed class HandshakeDigestTests
{
    [Fact]
    public void Digest_OfTheXep0114Example_MatchesTheExampleHandshake()
    {
        // XEP-0114 section 3: stream id '3BF96D32' gives <handshake>aaee83c2...</handshake>; the example's secret is 'test'.
        Assert.Equal("aaee83c26aeeafcbabeabfcbcd50df997e0a2a1e", HandshakeDigest.Compute("3BF96D32", "test"));
    }

    [Fact]
    public void Digest_IsLowerCaseHex()
    {
        var digest = HandshakeDigest.Compute("id", "sécret");

        Assert.Equal(40, digest.Length);
        Assert.All(digest, c => Assert.True(char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'));
    }
}
