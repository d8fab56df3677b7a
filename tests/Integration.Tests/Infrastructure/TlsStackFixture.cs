using Microsoft.Extensions.Options;
using Vod.Common.Security;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// The stack over HTTPS with signed playback on: the origin (on https, and on a plain http URL besides) and both edges
/// present the certificate of a private <see cref="Certificates"/> authority and trust it for their own calls, so the
/// edges fill from the origin over HTTPS. One title's files are written straight into the media store (HTTP semantics
/// need no transcoding): a rendition of deterministic bytes a little over 3 MiB, so that it spans many cache slices
/// and many TLS records, and its playlist.
/// </summary>
public sealed class TlsStackFixture : IAsyncLifetime
{
    public const string SigningKey = "tls-signing-key-0123456789abcdefghijkl";
    public const string TitleId = "secureplay22";
    public const string MediaPath = $"/titles/{TitleId}/v1/360p/media.mp4";
    public const string PlaylistPath = $"/titles/{TitleId}/v1/360p/index.m3u8";
    public const string Playlist = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nmedia.mp4\n#EXT-X-ENDLIST\n";

    /// <summary>What the origin sends as <c>Strict-Transport-Security</c> (<c>Tls:HstsMaxAge</c> of ten minutes).</summary>
    public const string Hsts = "max-age=600";

    private readonly PlaybackTokens _tokens = new(Options.Create(new PlaybackOptions { SigningKey = SigningKey }), TimeProvider.System);

    public TlsStackFixture() => Stack = new StackFixture
    {
        Tls = Certificates,
        OriginPlainHttpToo = true,
        WithTranscoder = false,
        Settings = new Dictionary<string, string>
        {
            ["Playback__SigningKey"] = SigningKey,
            ["Tls__HstsMaxAge"] = "00:10:00",
            ["Cache__SliceBytes"] = (256 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };

    public TestCertificates Certificates { get; } = TestCertificates.Create();

    public StackFixture Stack { get; }

    public byte[] Media { get; } = MakeMedia();

    /// <summary>The signed form of a path of the title: <c>/t/{token}/titles/...</c>.</summary>
    public string SignedPath(string path) => $"{PlaybackTokens.PathPrefix}/{_tokens.Create(TitleId)}{path}";

    public Task InitializeAsync() => this.InitializeOrDisposeAsync(async () =>
    {
        await Stack.InitializeAsync();
        var directory = Path.Combine(Stack.Store.TitleDirectory(TitleId), "v1", "360p");
        Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(Path.Combine(directory, "media.mp4"), Media);
        await File.WriteAllTextAsync(Path.Combine(directory, "index.m3u8"), Playlist);
    });

    public async Task DisposeAsync()
    {
        await Stack.DisposeAsync();
        Certificates.Dispose();
    }

    private static byte[] MakeMedia()
    {
        var media = new byte[(3 * 1024 * 1024) + (100 * 1024) + 7];
        new Random(18).NextBytes(media);
        return media;
    }
}

[CollectionDefinition(Name)]
public sealed class TlsStackDefinition : ICollectionFixture<TlsStackFixture>
{
    public const string Name = "tls-stack";
}
