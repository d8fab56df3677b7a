using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vod.Common.Hls;
using Vod.ServiceDefaults;

namespace Vod.Common.Security;

public enum TokenCheck
{
    Valid,
    Malformed,
    UnknownKey,
    BadSignature,
    Expired,
    OtherTitle,
}

/// <summary>
/// Expiring, title-scoped playback tokens that any edge verifies without state: <c>{titleId}.{expiry}.{keyId}.{mac}</c>,
/// where expiry is Unix seconds, keyId names the signing key (so a rotated key is found without trying every key) and
/// mac is base64url HMAC-SHA256 over the first three fields. Every character is in <c>[A-Za-z0-9._-]</c>, so a token is
/// one safe path segment: <c>/t/{token}/titles/{id}/...</c>, and relative URLs in playlists carry it along.
/// </summary>
public sealed class PlaybackTokens
{
    /// <summary>The URL path prefix of signed media: <c>/t/{token}/titles/...</c>.</summary>
    public const string PathPrefix = "/t";
    private const int MacChars = 43; // 32 bytes in unpadded base64url
    private const int KeyIdChars = 8;
    public const int MaxTokenLength = TitleId.Length + 1 + 20 + 1 + KeyIdChars + 1 + MacChars;
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    private readonly SigningKey? _current;
    private readonly SigningKey? _previous;
    private readonly DateTimeOffset? _previousUntil;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    public PlaybackTokens(IOptions<PlaybackOptions> options, TimeProvider time)
    {
        var o = options.Value;
        _current = string.IsNullOrEmpty(o.SigningKey) ? null : new SigningKey(o.SigningKey);
        _previous = string.IsNullOrEmpty(o.PreviousSigningKey) ? null : new SigningKey(o.PreviousSigningKey);
        _previousUntil = o.PreviousSigningKeyValidUntil;
        _lifetime = o.TokenLifetime;
        _time = time;
    }

    public bool Enabled => _current is not null;

    /// <summary>A token for <paramref name="titleId"/> valid for the configured lifetime.</summary>
    public string Create(string titleId) => Create(titleId, _time.GetUtcNow() + _lifetime);

    public string Create(string titleId, DateTimeOffset expires)
    {
        var key = _current ?? throw new InvalidOperationException("playback signing is not configured");
        if (!TitleId.IsValid(titleId))
        {
            throw new ArgumentException("not a title id", nameof(titleId));
        }

        var payload = string.Create(CultureInfo.InvariantCulture, $"{titleId}.{expires.ToUnixTimeSeconds()}.{key.Id}");
        return payload + "." + Base64Url(key.Mac(payload));
    }

    /// <summary>Checks a token against the title of the requested path, in constant time for the MAC.</summary>
    public TokenCheck Verify(string? token, string titleId) => Verify(token, titleId, out _);

    /// <summary>
    /// Checks a token against the title of the requested path, in constant time for the MAC; <paramref name="expires"/>
    /// is the token's expiry when it is <see cref="TokenCheck.Valid"/> (else <see cref="DateTimeOffset.MinValue"/>), so a
    /// response can be cached no longer than the token lives (<see cref="SignedCacheControl"/>).
    /// </summary>
    public TokenCheck Verify(string? token, string titleId, out DateTimeOffset expires)
    {
        expires = DateTimeOffset.MinValue;
        if (token is null || token.Length > MaxTokenLength)
        {
            return TokenCheck.Malformed;
        }

        var parts = token.Split('.');
        if (parts.Length != 4 || !TitleId.IsValid(parts[0]) || parts[2].Length != KeyIdChars || parts[3].Length != MacChars
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry))
        {
            return TokenCheck.Malformed;
        }

        var now = _time.GetUtcNow();
        SigningKey? key = null;
        if (_current is not null && parts[2] == _current.Id)
        {
            key = _current;
        }
        else if (_previous is not null && parts[2] == _previous.Id && !(now > _previousUntil))
        {
            key = _previous;
        }

        if (key is null)
        {
            return TokenCheck.UnknownKey;
        }

        var presented = new byte[32];
        if (!FromBase64Url(parts[3], presented))
        {
            return TokenCheck.Malformed;
        }

        var expected = key.Mac(token[..token.LastIndexOf('.')]);
        if (!CryptographicOperations.FixedTimeEquals(presented, expected))
        {
            return TokenCheck.BadSignature;
        }

        // Only a genuine token gets told apart from here on.
        if (now.ToUnixTimeSeconds() >= expiry)
        {
            return TokenCheck.Expired;
        }

        if (parts[0] != titleId)
        {
            return TokenCheck.OtherTitle;
        }

        expires = DateTimeOffset.FromUnixTimeSeconds(Math.Min(expiry, MaxUnixSeconds));
        return TokenCheck.Valid;
    }

    /// <summary>
    /// The Cache-Control of a response to a request under <c>/t/</c> with a token valid until <paramref name="expires"/>:
    /// <c>private</c>, so no shared cache keeps it for other viewers, and fresh for no longer than the token's remaining
    /// life (a browser then asks again, and an expired token gets its 403). <paramref name="ceiling"/> bounds it further
    /// (a playlist's own freshness). Never <c>immutable</c>: the token is what expires, not the file.
    /// </summary>
    public string SignedCacheControl(DateTimeOffset expires, TimeSpan? ceiling = null)
    {
        var remaining = Math.Max(0, (long)(expires - _time.GetUtcNow()).TotalSeconds);
        if (ceiling is { } c)
        {
            remaining = Math.Min(remaining, (long)c.TotalSeconds);
        }

        return string.Create(CultureInfo.InvariantCulture, $"private, max-age={remaining}");
    }

    /// <summary>Words for a 403's detail.</summary>
    public static string Describe(TokenCheck check) => check switch
    {
        TokenCheck.Valid => "valid",
        TokenCheck.Expired => "the playback token has expired: load the playback manifest again",
        TokenCheck.OtherTitle => "the playback token is for another title",
        TokenCheck.UnknownKey => "the playback token was signed with a key this server does not accept",
        TokenCheck.BadSignature => "the playback token's signature is not valid",
        _ => "the playback token is malformed",
    };

    /// <summary>
    /// The one check of a signed request path, on origins and edges alike: <c>/t/{token}/titles/{id}/...</c> split, its
    /// media path validated, its token verified for that title.
    /// </summary>
    /// <returns>False when the path is not a signed media path (answer 404); else <paramref name="check"/> says whether
    /// the token is valid (403 unless it is).</returns>
    public bool TryVerifySignedPath(PathString path, [NotNullWhen(true)] out MediaPath? media, out TokenCheck check) =>
        TryVerifySignedPath(path, out media, out check, out _);

    /// <inheritdoc cref="TryVerifySignedPath(PathString, out MediaPath?, out TokenCheck)"/>
    /// <param name="expires">The token's expiry when <paramref name="check"/> is <see cref="TokenCheck.Valid"/>.</param>
    public bool TryVerifySignedPath(PathString path, [NotNullWhen(true)] out MediaPath? media, out TokenCheck check, out DateTimeOffset expires)
    {
        check = TokenCheck.Malformed;
        expires = DateTimeOffset.MinValue;
        if (!TrySplitSignedPath(path, out var token, out var rest) || !MediaPath.TryParse(rest, out var parsed))
        {
            media = null;
            return false;
        }

        media = parsed;
        check = Verify(token, parsed.TitleId, out expires);
        return true;
    }

    /// <summary>
    /// Splits <c>/t/{token}/titles/rest</c> into the token and <c>rest</c>; false for any other shape.
    /// </summary>
    public static bool TrySplitSignedPath(PathString path, out string token, out string mediaPath)
    {
        token = mediaPath = "";
        if (!path.StartsWithSegments(PathPrefix, out var afterPrefix) || afterPrefix.Value is not { Length: > 1 } rest)
        {
            return false;
        }

        var slash = rest.IndexOf('/', 1);
        if (slash < 0 || !new PathString(rest[slash..]).StartsWithSegments(MediaPath.UrlPrefix, out var media))
        {
            return false;
        }

        token = rest[1..slash];
        mediaPath = media.Value?.TrimStart('/') ?? "";
        return true;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool FromBase64Url(string text, byte[] destination)
    {
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        // The decoder ignores the unused low bits of the last character, so several strings decode to one MAC: only
        // the canonical spelling (what Base64Url writes) is accepted, or one token would verify under several names.
        var padded = text.Replace('-', '+').Replace('_', '/') + "=";
        return Convert.TryFromBase64String(padded, destination, out var written) && written == destination.Length
            && string.Equals(Base64Url(destination), text, StringComparison.Ordinal);
    }

    private sealed class SigningKey
    {
        private readonly byte[] _key;

        public SigningKey(string key)
        {
            _key = Encoding.UTF8.GetBytes(key);
            // Public and stable: names the key in tokens without revealing it.
            Id = Base64Url(HMACSHA256.HashData(_key, "vod-playback-key-id"u8))[..KeyIdChars];
        }

        public string Id { get; }

        public byte[] Mac(string payload) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(payload));
    }
}

public static class PlaybackTokenExtensions
{
    /// <summary>Registers <see cref="PlaybackTokens"/> once, whichever feature asks first.</summary>
    public static IServiceCollection AddPlaybackTokens(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(PlaybackTokens)))
        {
            return services;
        }

        services.AddValidatedOptions<PlaybackOptions>(configuration, PlaybackOptions.Section);
        services.AddSingleton<PlaybackTokens>();
        return services;
    }
}
