using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vod.Common.Security;

namespace Vod.Common.Tests.Security;

/// <summary>One spelling per token, and what a verified token says about how long its answer may be cached.</summary>
public sealed class PlaybackTokenEncodingTests
{
    private const string Title = "abcdefghij23";
    private const string Key = "key-a-0123456789abcdefghijklmnopqrstuv";
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private PlaybackTokens Tokens() => new(Options.Create(new PlaybackOptions { SigningKey = Key }), _time);

    /// <summary>
    /// The MAC's last base64url character carries 4 bits of the MAC and 2 unused bits; a lenient decoder ignores the
    /// unused ones, so without the canonical check each token had 3 other spellings that verified as it.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Verify_MacDifferingOnlyInUnusedBits_IsMalformed(int unusedBits)
    {
        var tokens = Tokens();
        var token = tokens.Create(Title);
        var last = Base64UrlAlphabet.IndexOf(token[^1], StringComparison.Ordinal);
        var variant = token[..^1] + Base64UrlAlphabet[last ^ unusedBits];

        Assert.NotEqual(token, variant);
        Assert.Equal(TokenCheck.Valid, tokens.Verify(token, Title));
        Assert.Equal(TokenCheck.Malformed, tokens.Verify(variant, Title));
        Assert.True(tokens.TryVerifySignedPath(new PathString($"/t/{variant}/titles/{Title}/v1/a.m4s"), out _, out var check));
        Assert.Equal(TokenCheck.Malformed, check);
    }

    [Fact]
    public void TryVerifySignedPath_ValidToken_GivesItsExpiry()
    {
        var tokens = Tokens();
        var expires = _time.GetUtcNow().AddMinutes(10);

        Assert.True(tokens.TryVerifySignedPath(new PathString($"/t/{tokens.Create(Title, expires)}/titles/{Title}/v1/a.m4s"), out var media, out var check, out var verifiedExpiry));

        Assert.Equal(TokenCheck.Valid, check);
        Assert.Equal(Title, media.TitleId);
        Assert.Equal(expires, verifiedExpiry);
    }

    [Fact]
    public void Verify_TokenForAnotherTitle_GivesNoExpiry()
    {
        var tokens = Tokens();

        Assert.Equal(TokenCheck.OtherTitle, tokens.Verify(tokens.Create("zzzzzzzzzz77"), Title, out var expires));
        Assert.Equal(DateTimeOffset.MinValue, expires);
    }

    [Theory]
    [InlineData(600, null, "private, max-age=600")]
    [InlineData(600, 30, "private, max-age=30")]
    [InlineData(20, 30, "private, max-age=20")]
    [InlineData(-5, null, "private, max-age=0")]
    public void SignedCacheControl_IsPrivateAndBoundedByTheTokensRemainingLife(int remainingSeconds, int? ceilingSeconds, string expected)
    {
        var expires = _time.GetUtcNow().AddSeconds(remainingSeconds);

        var cacheControl = Tokens().SignedCacheControl(expires, ceilingSeconds is { } c ? TimeSpan.FromSeconds(c) : null);

        Assert.Equal(expected, cacheControl);
    }
}
