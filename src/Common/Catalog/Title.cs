using System.Text.Json.Serialization;

namespace Vod.Common.Catalog;

[JsonConverter(typeof(JsonStringEnumConverter<TitleStatus>))]
public enum TitleStatus
{
    [JsonStringEnumMemberName("queued")] Queued,
    [JsonStringEnumMemberName("transcoding")] Transcoding,
    [JsonStringEnumMemberName("ready")] Ready,
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>A packaged rendition as the master playlist describes it.</summary>
/// <param name="Playlist">The media playlist, relative to the version directory (e.g. <c>360p/index.m3u8</c>).</param>
public sealed record RenditionInfo(
    string Name,
    int Width,
    int Height,
    long Bandwidth,
    long AverageBandwidth,
    string Codecs,
    double FrameRate,
    string Playlist);

/// <summary>
/// A title as stored in <c>media/titles/{id}/title.json</c>, the source of truth for the catalog.
/// <see cref="Version"/> names the published directory (<c>media/titles/{id}/{version}/</c>); a re-transcode publishes
/// a new version, so the files under a version never change.
/// </summary>
public sealed record Title
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public TitleStatus Status { get; init; }
    public int Progress { get; init; }
    public string? Error { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    /// <summary>File name of the upload under <c>media/uploads/</c>.</summary>
    public required string Source { get; init; }
    public string? Version { get; init; }
    public double? DurationSeconds { get; init; }
    /// <summary>How many times a transcoder started on this title (a worker that died mid-job counts too).</summary>
    public int Attempts { get; init; }
    public IReadOnlyList<RenditionInfo> Renditions { get; init; } = [];
    /// <summary>A poster frame in the version directory (e.g. <c>poster.jpg</c>), or null when none could be made.</summary>
    public string? Poster { get; init; }
}
