using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vod.Common.Fleet;
using Vod.Origin.Origins;

namespace Vod.Origin.Tests.Origins;

public class OriginDirectoryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly OriginDirectory _directory;
    private readonly OriginAnnouncement _self;
    private readonly OriginAnnouncement _other;

    public OriginDirectoryTests()
    {
        _directory = new OriginDirectory(Options.Create(new OriginOptions()), _time); // expiry 10 s, forget after 600 s
        _self = new OriginAnnouncement("o1", "http://127.0.0.1:5100", _time.GetUtcNow());
        _other = new OriginAnnouncement("o2", "http://127.0.0.1:5101", _time.GetUtcNow());
        _directory.Announced(_self);
    }

    [Fact]
    public void Live_BeforeAnyRegistryRead_OnlySelf()
    {
        Assert.Equal([_self.Url], _directory.Live("http://ignored:1"));
    }

    [Fact]
    public void Live_OtherOriginStopsBeating_DroppedAfterTheExpiry()
    {
        var lastBeat = _time.GetUtcNow();
        _directory.Update([(_self, lastBeat), (_other, lastBeat)]);
        Assert.Equal([_self.Url, _other.Url], _directory.Live(""));

        _time.Advance(TimeSpan.FromSeconds(11));
        _directory.Update([(_self, _time.GetUtcNow()), (_other, lastBeat)]);

        Assert.Equal([_self.Url], _directory.Live(""));
    }

    [Fact]
    public void Live_RegistryUnreadable_KeepsTheLastKnownList()
    {
        _directory.Update([(_self, _time.GetUtcNow()), (_other, _time.GetUtcNow())]);

        _time.Advance(TimeSpan.FromMinutes(5)); // Redis down: no Update since

        Assert.Equal([_self.Url, _other.Url], _directory.Live(""));
    }

    [Fact]
    public void AllowsPageOrigin_OriginThatLeftTheRegistry_AllowedUntilForgotten()
    {
        _directory.Update([(_self, _time.GetUtcNow()), (_other, _time.GetUtcNow())]);
        Assert.True(_directory.AllowsPageOrigin("http://127.0.0.1:5101"));

        // It deregistered (or died): its pages fall back to us, so they must still be answered.
        _time.Advance(TimeSpan.FromMinutes(9));
        _directory.Update([(_self, _time.GetUtcNow())]);
        Assert.True(_directory.AllowsPageOrigin("http://127.0.0.1:5101"));

        _time.Advance(TimeSpan.FromMinutes(2));
        _directory.Update([(_self, _time.GetUtcNow())]);
        Assert.False(_directory.AllowsPageOrigin("http://127.0.0.1:5101"));
        Assert.True(_directory.AllowsPageOrigin("http://127.0.0.1:5100"));
    }

    [Fact]
    public void AllowsPageOrigin_SiteThatIsNoOrigin_Refused()
    {
        _directory.Update([(_self, _time.GetUtcNow()), (_other, _time.GetUtcNow())]);

        Assert.False(_directory.AllowsPageOrigin("http://127.0.0.1:5102"));
        Assert.False(_directory.AllowsPageOrigin("https://evil.example"));
    }
}
