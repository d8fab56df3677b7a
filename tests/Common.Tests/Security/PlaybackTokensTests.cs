using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vod.Common.Security;

namespace Vod.Common.Tests.Security;

public sealed class PlaybackTokensTests
{
    private const string Title = "abcdefghij23";
    private const string Other = "zzzzzzzzzz77";
    private const string KeyA = "key-a-0123456789abcdefghijklmnopqrstuv";
    private const string KeyB = "key-b-0123456789abcdefghijklmnopqrstuv";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private PlaybackTokens Tokens(string? key, string? previous = null, DateTimeOffset? previousUntil = null, TimeSpan? lifetime = null) =>
        new(Options.Create(new PlaybackOptions
        {
            SigningKey = key,
            PreviousSigningKey = previous,
            PreviousSigningKeyValidUntil = previousUntil,
            TokenLifetime = lifetime ?? TimeSpan.FromHours(6),
        }), _time);

    [Fact]
    public void Verify_FreshToken_IsValidForItsTitleOnly()
    {
        var tokens = Tokens(KeyA);
        var token = tokens.Create(Title);

        Assert.Equal(TokenCheck.Valid, tokens.Verify(token, Title));
        Assert.Equal(TokenCheck.OtherTitle, tokens.Verify(token, Other));
    }

    [Fact]
    public void Create_Token_IsOneSafePathSegment()
    {
        var token = Tokens(KeyA).Create(Title);

        Assert.All(token, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_', token));
        Assert.True(token.Length <= PlaybackTokens.MaxTokenLength);
    }

    [Fact]
    public void Verify_AfterLifetime_IsExpired()
    {
        var tokens = Tokens(KeyA, lifetime: TimeSpan.FromMinutes(10));
        var token = tokens.Create(Title);

        _time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        Assert.Equal(TokenCheck.Valid, tokens.Verify(token, Title));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TokenCheck.Expired, tokens.Verify(token, Title));
    }

    [Fact]
    public void Verify_TokenFromAnotherKey_IsRefused()
    {
        var token = Tokens(KeyB).Create(Title);

        Assert.Equal(TokenCheck.UnknownKey, Tokens(KeyA).Verify(token, Title));
    }

    [Theory]
    [InlineData(0)] // title id
    [InlineData(1)] // expiry
    [InlineData(3)] // mac
    public void Verify_AnyFieldTampered_IsRefused(int field)
    {
        var tokens = Tokens(KeyA);
        var parts = tokens.Create(Title).Split('.');
        parts[field] = field switch
        {
            0 => Other,
            1 => (long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) + 3600).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => (parts[3][0] == 'A' ? "B" : "A") + parts[3][1..],
        };

        Assert.Equal(TokenCheck.BadSignature, tokens.Verify(string.Join('.', parts), parts[0]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b.c.d")]
    [InlineData("abcdefghij23.-5.abcdefgh.0123456789012345678901234567890123456789012")]
    [InlineData("abcdefghij23.99999999999999999999999.abcdefgh.0123456789012345678901234567890123456789012")]
    [InlineData("abcdefghij23.1.abcdefgh.0123456789012345678901234567890123456789+/=")]
    [InlineData("../../etc/passwd")]
    public void Verify_Malformed_IsRefusedWithoutThrowing(string? token)
    {
        var check = Tokens(KeyA).Verify(token, Title);

        Assert.NotEqual(TokenCheck.Valid, check);
    }

    [Fact]
    public void Verify_AfterRotation_AcceptsPreviousKeyDuringGraceOnly()
    {
        var old = Tokens(KeyA).Create(Title);
        var rotated = Tokens(KeyB, previous: KeyA, previousUntil: _time.GetUtcNow().AddHours(1));

        Assert.Equal(TokenCheck.Valid, rotated.Verify(old, Title));
        Assert.Equal(TokenCheck.Valid, rotated.Verify(rotated.Create(Title), Title));
        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(TokenCheck.UnknownKey, rotated.Verify(old, Title));
        Assert.Equal(TokenCheck.Valid, rotated.Verify(rotated.Create(Title), Title));
    }

    [Fact]
    public void Verify_PreviousKeyWithoutEndTime_IsAcceptedUntilTokensExpire()
    {
        var old = Tokens(KeyA).Create(Title);
        var rotated = Tokens(KeyB, previous: KeyA);

        _time.Advance(TimeSpan.FromHours(5));
        Assert.Equal(TokenCheck.Valid, rotated.Verify(old, Title));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(TokenCheck.Expired, rotated.Verify(old, Title));
    }

    [Fact]
    public void Create_WithoutKey_Throws()
    {
        var tokens = Tokens(null);

        Assert.False(tokens.Enabled);
        Assert.Throws<InvalidOperationException>(() => tokens.Create(Title));
    }

    [Theory]
    [InlineData("/t/tok/titles/abcdefghij23/v1/a.m3u8", true, "tok", "abcdefghij23/v1/a.m3u8")]
    [InlineData("/t/tok/titles", true, "tok", "")]
    [InlineData("/t/tok/other/abcdefghij23", false, "", "")]
    [InlineData("/t/tok", false, "", "")]
    [InlineData("/t/", false, "", "")]
    [InlineData("/titles/abcdefghij23/v1/a.m3u8", false, "", "")]
    public void TrySplitSignedPath_Shapes(string path, bool ok, string token, string media)
    {
        Assert.Equal(ok, PlaybackTokens.TrySplitSignedPath(new PathString(path), out var t, out var m));
        Assert.Equal(token, t);
        Assert.Equal(media, m);
    }

    [Theory]
    [InlineData("{0}/titles/abcdefghij23/v1/360p/media.mp4", true, TokenCheck.Valid)]
    [InlineData("{1}/titles/abcdefghij23/v1/360p/media.mp4", true, TokenCheck.OtherTitle)]
    [InlineData("/t/garbage/titles/abcdefghij23/v1/360p/media.mp4", true, TokenCheck.Malformed)]
    [InlineData("{0}/titles/abcdefghij23/../../etc/passwd", false, TokenCheck.Malformed)]
    [InlineData("{0}/titles/abcdefghij23", false, TokenCheck.Malformed)]
    [InlineData("/titles/abcdefghij23/v1/360p/media.mp4", false, TokenCheck.Malformed)]
    public void TryVerifySignedPath_Shapes_SplitParseAndVerifyInOneCheck(string template, bool signedMediaPath, TokenCheck expected)
    {
        var tokens = Tokens(KeyA);
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, template,
            $"{PlaybackTokens.PathPrefix}/{tokens.Create(Title)}", $"{PlaybackTokens.PathPrefix}/{tokens.Create(Other)}");

        Assert.Equal(signedMediaPath, tokens.TryVerifySignedPath(new PathString(path), out var media, out var check));
        Assert.Equal(expected, check);
        if (signedMediaPath)
        {
            Assert.Equal("abcdefghij23", media!.TitleId);
            Assert.Equal("v1/360p/media.mp4", media.RelativePath);
        }
    }

    [Theory]
    [InlineData("short", null, false)]
    [InlineData(KeyA, null, true)]
    [InlineData(null, KeyA, false)]
    [InlineData(KeyA, "short", false)]
    public void Options_Validation(string? key, string? previous, bool valid)
    {
        var options = new PlaybackOptions { SigningKey = key, PreviousSigningKey = previous };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        Assert.Equal(valid, System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, true));
    }
}
