using System.ComponentModel.DataAnnotations;

namespace Vod.Origin.Thumbnails;

internal sealed class ThumbnailOptions
{
    public const string Section = "Thumbnails";

    /// <summary>ffmpeg runs at once on this origin (each decodes from a keyframe of the top rendition); more wait.</summary>
    [Range(1, 64)]
    public int MaxConcurrent { get; set; } = 2;

    /// <summary>How long a request waits for a free ffmpeg slot before it is 503 (Retry-After).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Wall-clock limit of one ffmpeg run; past it ffmpeg is killed and the request is 503.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RenderTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Bytes of rendered stills kept in memory (least recently used go first).</summary>
    [Range(0, 1L << 32)]
    public long CacheBytes { get; set; } = 32L << 20;
}
