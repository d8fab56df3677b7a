using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.StaticFiles;

namespace Vod.Common.Hls;

/// <summary>
/// The only file types a title directory serves. Anything else (title.json, a stray file) is not served at all,
/// which is why this is an allow-list and not the framework's full extension map.
/// </summary>
public sealed class HlsContentTypes : IContentTypeProvider
{
    public const string Playlist = "application/vnd.apple.mpegurl";
    public const string Mp4 = "video/mp4";
    public const string Segment = "video/iso.segment";
    public const string Jpeg = "image/jpeg";
    public const string WebVtt = "text/vtt";

    public static HlsContentTypes Instance { get; } = new();

    /// <summary>Whether the path names a file type a title directory serves (no allocation: checked on every edge request).</summary>
    public static bool IsServable(MediaPath path)
    {
        var name = path.RelativePath.AsSpan();
        return name.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".m4s", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".vtt", StringComparison.OrdinalIgnoreCase);
    }

    public bool TryGetContentType(string subpath, [MaybeNullWhen(false)] out string contentType)
    {
        contentType = Path.GetExtension(subpath).ToLowerInvariant() switch
        {
            ".m3u8" => Playlist,
            ".mp4" => Mp4,
            ".m4s" => Segment,
            ".jpg" => Jpeg,
            ".vtt" => WebVtt,
            _ => null,
        };
        return contentType is not null;
    }
}
