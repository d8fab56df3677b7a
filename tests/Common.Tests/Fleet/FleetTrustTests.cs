using Vod.Common.Fleet;

namespace Vod.Common.Tests.Fleet;

public class FleetTrustTests
{
    private const string Key = "fleet-key-0123456789-0123456789-01";
    private static readonly FleetKey FleetKey = new(Key);
    private static readonly DateTimeOffset Started = new(2026, 11, 30, 1, 2, 3, TimeSpan.Zero);
    private static readonly EdgeAnnouncement Good = new("edge-1", "http://127.0.0.1:5201", Started, null, new EdgeLoad(10, 7, 1000));

    private static EdgeAnnouncement Signed(EdgeAnnouncement edge, FleetKey? key = null) =>
        edge.WithSignature((key ?? FleetKey).Sign(edge.SignedText()));

    public static TheoryData<string, string, EdgeAnnouncement, string> Poisoned => new()
    {
        // description, hash field, entry (signed with the fleet key unless the case is about signatures), expected reason
        { "quote in id", "edge\"1", Signed(Good with { Id = "edge\"1" }), "id is not valid" },
        { "newline in id", "edge\n1", Signed(Good with { Id = "edge\n1" }), "id is not valid" },
        { "id too long", new string('e', 33), Signed(Good with { Id = new string('e', 33) }), "id is not valid" },
        { "id under another field", "edge-2", Signed(Good), "id differs from its registry field" },
        { "javascript: URL", "edge-1", Signed(Good with { Url = "javascript:alert(1)" }), "URL is not a plain absolute http(s) URL" },
        { "quote after the host", "edge-1", Signed(Good with { Url = "http://evil/\"" }), "URL is not a plain absolute http(s) URL" },
        { "newline in URL", "edge-1", Signed(Good with { Url = "http://evil\n#EXT-X-ENDLIST" }), "URL is not a plain absolute http(s) URL" },
        { "user info", "edge-1", Signed(Good with { Url = "http://edge@evil.example" }), "URL is not a plain absolute http(s) URL" },
        { "bad probe URL", "edge-1", Signed(Good with { ProbeUrl = "http://169.254.169.254/latest?x=" }), "URL is not a plain absolute http(s) URL" },
        { "host off the allow-list", "edge-1", Signed(Good with { Url = "http://10.0.0.7:5201" }), "host not in Fleet:AllowedHosts" },
        { "probe host off the allow-list", "edge-1", Signed(Good with { ProbeUrl = "http://localhost:6379" }), "host not in Fleet:AllowedHosts" },
        { "unsigned", "edge-1", Good, "unsigned (Fleet:Key is set)" },
        { "signed with another key", "edge-1", Signed(Good, new FleetKey(Key + "-other")), "bad signature" },
        { "signed, then its URL changed", "edge-1", Signed(Good) with { Url = "http://127.0.0.1:6666" }, "bad signature" },
        { "signed, then its load changed", "edge-1", Signed(Good) with { Load = new EdgeLoad(1, 1, 1) }, "bad signature" },
    };

    [Theory]
    [MemberData(nameof(Poisoned))]
    public void Refuse_PoisonedEntry_SaysWhy(string description, string field, EdgeAnnouncement entry, string reason)
    {
        var trust = new FleetTrust(FleetKey, ["127.0.0.1"]);

        Assert.True(trust.Refuse(field, entry) == reason, $"{description}: {trust.Refuse(field, entry) ?? "accepted"}");
    }

    [Fact]
    public void Refuse_SignedEntryOnTheAllowList_Accepts()
    {
        var trust = new FleetTrust(FleetKey, ["edge.example.net, 127.0.0.1"]);

        Assert.Null(trust.Refuse("edge-1", Signed(Good)));
        Assert.Null(trust.Refuse("edge-1", Signed(Good with { Url = "https://EDGE.example.net", ProbeUrl = "http://127.0.0.1:5201" })));
    }

    [Fact]
    public void Refuse_NoKeyAndNoAllowList_AcceptsUnsignedButStillChecksIdAndUrls()
    {
        Assert.Null(FleetTrust.Open.Refuse("edge-1", Good));
        Assert.Null(FleetTrust.Open.Refuse("edge-1", Good with { Url = "http://10.0.0.7:5201" }));
        Assert.Equal("URL is not a plain absolute http(s) URL", FleetTrust.Open.Refuse("edge-1", Good with { Url = "http://evil/\"" }));
        Assert.Equal("id is not valid", FleetTrust.Open.Refuse("a\"b", Good with { Id = "a\"b" }));
    }

    [Fact]
    public void Signature_OfAnEdge_DoesNotVerifyAsAnOrigin()
    {
        var origin = new OriginAnnouncement("edge-1", "http://127.0.0.1:5201", Started);
        var edgeSignature = FleetKey.Sign((Good with { Load = null }).SignedText());
        var trust = new FleetTrust(FleetKey, []);

        Assert.Equal("bad signature", trust.Refuse("edge-1", origin.WithSignature(edgeSignature)));
        Assert.Null(trust.Refuse("edge-1", origin.WithSignature(FleetKey.Sign(origin.SignedText()))));
    }

    [Fact]
    public void SignedText_SurvivesAJsonRoundTrip()
    {
        var signed = Signed(Good with { StartedAt = DateTimeOffset.UtcNow });

        var read = System.Text.Json.JsonSerializer.Deserialize<EdgeAnnouncement>(System.Text.Json.JsonSerializer.Serialize(signed))!;

        Assert.Null(new FleetTrust(FleetKey, []).Refuse("edge-1", read));
    }
}
