using XmppUpload.Testing;
using XmppUpload.Xmpp.Commands;

namespace XmppUpload.Xmpp.Tests.Commands;

public sealed class CommandSessionsTests
{
    private static readonly Dictionary<string, string> NoChoices = [];

    [Fact]
    public void Find_ByTheSameFullJid_FindsTheSession()
    {
        var sessions = new CommandSessions(new FakeTimeProvider());
        var session = sessions.Open("romeo@montague.tld/garden", "romeo@montague.tld", "delete", NoChoices)!;

        Assert.Equal(SessionLookup.Found, sessions.Find("romeo@montague.tld/garden", session.Id, out var found));
        Assert.Same(session, found);
    }

    [Theory]
    [InlineData("romeo@montague.tld/phone")]
    [InlineData("romeo@montague.tld")]
    [InlineData("benvolio@montague.tld/garden")]
    public void Find_ByAnotherJid_IsUnknown(string other)
    {
        var sessions = new CommandSessions(new FakeTimeProvider());
        var session = sessions.Open("romeo@montague.tld/garden", "romeo@montague.tld", "delete", NoChoices)!;

        Assert.Equal(SessionLookup.Unknown, sessions.Find(other, session.Id, out _));
        Assert.Equal(1, sessions.Count);
    }

    [Fact]
    public void Find_AtTheEndOfItsLifetime_IsExpiredAndRemoved()
    {
        var time = new FakeTimeProvider();
        var sessions = new CommandSessions(time, lifetime: TimeSpan.FromMinutes(5));
        var session = sessions.Open("romeo@montague.tld/garden", "romeo@montague.tld", "delete", NoChoices)!;
        time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.Equal(SessionLookup.Found, sessions.Find("romeo@montague.tld/garden", session.Id, out _));

        time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(SessionLookup.Expired, sessions.Find("romeo@montague.tld/garden", session.Id, out _));
        Assert.Equal(0, sessions.Count);
    }

    [Fact]
    public void Open_BeyondThePerAccountLimit_EndsThatAccountsOldestSession()
    {
        var time = new FakeTimeProvider();
        var sessions = new CommandSessions(time, perAccount: 2);
        var other = sessions.Open("benvolio@montague.tld/street", "benvolio@montague.tld", "delete", NoChoices)!;
        var oldest = sessions.Open("romeo@montague.tld/garden", "romeo@montague.tld", "delete", NoChoices)!;
        time.Advance(TimeSpan.FromSeconds(1));
        var newer = sessions.Open("romeo@montague.tld/phone", "romeo@montague.tld", "delete", NoChoices)!;
        time.Advance(TimeSpan.FromSeconds(1));

        var newest = sessions.Open("romeo@montague.tld/garden", "romeo@montague.tld", "delete", NoChoices);

        Assert.NotNull(newest);
        Assert.Equal(SessionLookup.Unknown, sessions.Find(oldest.Requester, oldest.Id, out _));
        Assert.Equal(SessionLookup.Found, sessions.Find(newer.Requester, newer.Id, out _));
        Assert.Equal(SessionLookup.Found, sessions.Find(other.Requester, other.Id, out _));
        Assert.Equal(3, sessions.Count);
    }

    [Fact]
    public void Open_AtCapacity_RefusesUntilASessionExpires()
    {
        var time = new FakeTimeProvider();
        var sessions = new CommandSessions(time, capacity: 2, lifetime: TimeSpan.FromMinutes(1));
        Assert.NotNull(sessions.Open("a@montague.tld/r", "a@montague.tld", "delete", NoChoices));
        Assert.NotNull(sessions.Open("b@montague.tld/r", "b@montague.tld", "delete", NoChoices));

        Assert.Null(sessions.Open("c@montague.tld/r", "c@montague.tld", "delete", NoChoices));

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.NotNull(sessions.Open("c@montague.tld/r", "c@montague.tld", "delete", NoChoices));
        Assert.Equal(1, sessions.Count);
    }

    [Fact]
    public void Open_GivesUnguessableDistinctIds()
    {
        var sessions = new CommandSessions(new FakeTimeProvider(), perAccount: 100);

        var ids = Enumerable.Range(0, 50).Select(_ => sessions.Open("romeo@montague.tld/garden", "romeo@montague.tld", "delete", NoChoices)!.Id).ToList();

        Assert.Equal(50, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Equal(32, id.Length));
    }
}
