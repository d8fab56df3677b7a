using Vod.Common.Fleet;
using Vod.Origin.Origins;

namespace Vod.Origin.Tests.Origins;

public class OriginListTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Expiry = TimeSpan.FromSeconds(10);

    private static (OriginAnnouncement, DateTimeOffset) Entry(string id, string url, double secondsAgo = 1) =>
        (new OriginAnnouncement(id, url, Now.AddHours(-1)), Now.AddSeconds(-secondsAgo));

    [Fact]
    public void Order_SeveralLiveOrigins_SelfFirstThenTheOthersSorted()
    {
        var registry = new[]
        {
            Entry("c", "http://10.0.0.3:5100"),
            Entry("b", "http://10.0.0.2:5100"),
            Entry("a", "http://10.0.0.1:5100"),
        };

        var order = OriginList.Order("http://10.0.0.2:5100", registry, Now, Expiry);

        Assert.Equal(["http://10.0.0.2:5100", "http://10.0.0.1:5100", "http://10.0.0.3:5100"], order);
    }

    [Fact]
    public void Order_HeartbeatOlderThanExpiry_LeftOut()
    {
        var registry = new[] { Entry("a", "http://a:1", secondsAgo: 10), Entry("b", "http://b:1", secondsAgo: 10.5) };

        var order = OriginList.Order("http://self:1", registry, Now, Expiry);

        Assert.Equal(["http://self:1", "http://a:1"], order);
    }

    [Fact]
    public void Order_EmptyOrUnreadRegistry_StillNamesSelf()
    {
        Assert.Equal(["http://self:1"], OriginList.Order("http://self:1/", [], DateTimeOffset.MinValue, Expiry));
    }

    [Fact]
    public void Order_SameOriginUnderSeveralIdsOrSpellings_ListedOnce()
    {
        var registry = new[]
        {
            Entry("self-old", "http://SELF:80/"), // this origin's previous process, same URL
            Entry("b1", "http://b:5100"),
            Entry("b2", "http://b:5100/"),
        };

        var order = OriginList.Order("http://self", registry, Now, Expiry);

        Assert.Equal(["http://self", "http://b:5100"], order);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5100", "http://127.0.0.1:5100")]
    [InlineData("http://127.0.0.1:5100/admin?x=1", "http://127.0.0.1:5100")]
    [InlineData("HTTPS://VOD.Example.com", "https://vod.example.com:443")]
    [InlineData("https://vod.example.com:443", "https://vod.example.com:443")]
    [InlineData("http://[::1]:5100", "http://[::1]:5100")]
    public void TryGetPageOrigin_HttpUrls_SchemeHostAndExplicitPort(string url, string expected)
    {
        Assert.True(OriginList.TryGetPageOrigin(url, out var origin));
        Assert.Equal(expected, origin);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("/relative")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://127.0.0.1:5100")]
    public void TryGetPageOrigin_NotAWebOrigin_False(string? url)
    {
        Assert.False(OriginList.TryGetPageOrigin(url, out _));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5100", true)]
    [InlineData("http://127.0.0.1:5101", true)]
    [InlineData("https://vod.example.com", true)]
    [InlineData("https://VOD.example.com:443", true)]
    [InlineData("http://127.0.0.1:5102", false)] // another port is another origin
    [InlineData("https://127.0.0.1:5100", false)] // another scheme too
    [InlineData("http://vod.example.com", false)]
    [InlineData("https://vod.example.com.evil.test", false)]
    [InlineData("null", false)]
    [InlineData("", false)]
    public void IsKnownPageOrigin_ComparesSchemeHostAndPort(string requestOrigin, bool expected)
    {
        var known = new[] { "http://127.0.0.1:5100", "http://127.0.0.1:5101/", "https://vod.example.com" }
            .Select(u => OriginList.TryGetPageOrigin(u, out var o) ? o : throw new InvalidOperationException(u))
            .ToHashSet();

        Assert.Equal(expected, OriginList.IsKnownPageOrigin(requestOrigin, known));
    }
}
