using System.Text;
using Vod.Origin.Webhooks;

namespace Vod.Origin.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_test";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"evt_1","type":"title.ready"}""");
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public void HeaderValue_KnownVector_MatchesIndependentHmac()
    {
        // Computed with Python's hmac module: hmac.new(b"whsec_test", b"1700000000." + body, sha256).hexdigest()
        Assert.Equal("t=1700000000,v1=6784bf733f885b51a70fd56ebaac7718583967cda5987704a9cb80af74d29f95",
            WebhookSignature.HeaderValue(Secret, 1_700_000_000, Body));
    }

    [Fact]
    public void Verify_OwnSignature_Passes()
    {
        var header = WebhookSignature.HeaderValue(Secret, At.ToUnixTimeSeconds(), Body);
        Assert.True(WebhookSignature.Verify(header, Secret, Body, At.AddSeconds(30), TimeSpan.FromMinutes(5)));
    }

    [Theory]
    [InlineData("other-secret", 0, false)] // wrong key
    [InlineData(Secret, 600, false)] // too old
    [InlineData(Secret, 0, true)] // tampered body
    public void Verify_WrongKeyOldOrTampered_Fails(string secret, int ageSeconds, bool tamper)
    {
        var header = WebhookSignature.HeaderValue(Secret, At.ToUnixTimeSeconds(), Body);
        var body = tamper ? Encoding.UTF8.GetBytes("""{"id":"evt_2","type":"title.ready"}""") : Body;
        Assert.False(WebhookSignature.Verify(header, secret, body, At.AddSeconds(ageSeconds), TimeSpan.FromMinutes(5)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=abc")]
    [InlineData("t=1700000000")]
    [InlineData("t=abc,v1=00")]
    [InlineData("garbage")]
    public void Verify_MalformedHeader_Fails(string? header) =>
        Assert.False(WebhookSignature.Verify(header, Secret, Body, At, TimeSpan.FromMinutes(5)));

    [Fact]
    public void NewSecret_IsRandomAndPrefixed()
    {
        var (a, b) = (WebhookSignature.NewSecret(), WebhookSignature.NewSecret());
        Assert.StartsWith("whsec_", a, StringComparison.Ordinal);
        Assert.NotEqual(a, b);
        Assert.True(a.Length >= 48);
    }
}
