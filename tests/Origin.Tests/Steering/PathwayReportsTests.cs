using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vod.Origin.Steering;

namespace Vod.Origin.Tests.Steering;

public sealed class PathwayReportsTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new();
    private readonly PathwayReports _reports;

    public PathwayReportsTests() => _reports = new PathwayReports(Options.Create(new SteeringOptions { Ttl = Ttl }), _time);

    private static IPAddress Ip(string address) => IPAddress.Parse(address);

    [Fact]
    public void TryCount_SameClientTitleAndPathwayRepeated_CountsOncePerTtl()
    {
        var counted = Enumerable.Range(0, 1000).Count(_ => _reports.TryCount(Ip("203.0.113.7"), "title0000001", "edge-2"));
        Assert.Equal(1, counted);

        _time.Advance(TimeSpan.FromSeconds(4.4));
        Assert.False(_reports.TryCount(Ip("203.0.113.7"), "title0000001", "edge-2"));

        _time.Advance(TimeSpan.FromSeconds(0.2)); // the player's next reload, a little early: 4.6 s of a 5 s TTL
        Assert.True(_reports.TryCount(Ip("203.0.113.7"), "title0000001", "edge-2"));
        Assert.False(_reports.TryCount(Ip("203.0.113.7"), "title0000001", "edge-2"));
    }

    [Theory]
    [InlineData("00:00:05", 4.5)]
    [InlineData("00:00:05.900", 4.5)] // players are sent whole seconds
    [InlineData("00:00:01", 0.9)]
    [InlineData("00:01:00", 54)]
    public void Window_IsTheTtlPlayersAreSentLessATenth(string ttl, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), PathwayReports.Window(TimeSpan.Parse(ttl, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("203.0.113.7", "title0000001", "edge-2", false)] // the same report
    [InlineData("::ffff:203.0.113.7", "title0000001", "edge-2", false)] // the same address, IPv4-mapped
    [InlineData("203.0.113.8", "title0000001", "edge-2", true)] // another client
    [InlineData("203.0.113.7", "title0000002", "edge-2", true)] // another title
    [InlineData("203.0.113.7", "title0000001", "edge-3", true)] // another pathway
    public void TryCount_AfterOneReport_CountsOnlyADifferentClientTitleOrPathway(string client, string title, string pathway, bool expected)
    {
        Assert.True(_reports.TryCount(Ip("203.0.113.7"), "title0000001", "edge-2"));

        Assert.Equal(expected, _reports.TryCount(Ip(client), title, pathway));
    }

    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", false)] // one /64: one client, however it rotates
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", true)] // another /64
    public void TryCount_Ipv6_IsOneClientPerSlash64(string first, string second, bool expected)
    {
        Assert.True(_reports.TryCount(Ip(first), "title0000001", "edge-2"));

        Assert.Equal(expected, _reports.TryCount(Ip(second), "title0000001", "edge-2"));
    }

    [Fact]
    public void TryCount_TableFull_CountsNothingNewUntilEntriesExpire()
    {
        for (var i = 0; i < PathwayReports.Capacity; i++)
        {
            Assert.True(_reports.TryCount(new IPAddress(0x0A000000u + (uint)i), "title0000001", "edge-2"));
        }

        Assert.False(_reports.TryCount(Ip("203.0.113.7"), "title0000001", "edge-2")); // memory stays bounded
        Assert.Equal(PathwayReports.Capacity, _reports.Count);

        _time.Advance(Ttl);
        Assert.True(_reports.TryCount(Ip("203.0.113.7"), "title0000001", "edge-2")); // the sweep freed the expired entries
        Assert.Equal(1, _reports.Count);
    }
}
