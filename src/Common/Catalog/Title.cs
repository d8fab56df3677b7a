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

/// <summary>A packaged video rendition as the master playlist describes it.</summary>
/// <param name="Bandwidth">Peak bits per second of this rendition's own segments (with the title's audio when that is
/// muxed in, as in versions packaged before <see cref="Title.Audio"/> existed).</param>
/// <param name="Codecs">RFC 6381 codec string of this rendition's file (video only when the audio is separate).</param>
/// <param name="Playlist">The media playlist, relative to the version directory (e.g. <c>360p/index.m3u8</c>).</param>
public sealed record RenditionInfo(
    string Name,
    int Width,
    int Height,
    long Bandwidth,
    long AverageBandwidth,
    string Codecs,
    double FrameRate,
    string Playlist)
{
    /// <summary>How a DASH player addresses the segments; null for versions packaged before DASH.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DashSegments? Dash { get; init; }

    /// <summary>What the per-title trials measured for this rung; null for a fixed ladder's rung.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RenditionQuality? Quality { get; init; }
}

/// <summary>
/// A per-title rung's settings and what its trial encode measured on the title's samples: the video bitrate, the luma
/// PSNR and the SSIM of the rung scaled back to the source size, against the source. <c>Crf</c> is null for a rung
/// encoded at the fixed ladder's bitrate instead (a per-title top rung kept at the fixed ladder's quality).
/// </summary>
public sealed record RenditionQuality(int? Crf, double SampleKbps, double Psnr, double Ssim);

/// <summary>One audio track of the title, packaged once beside the video renditions (an HLS <c>EXT-X-MEDIA</c> rendition, a DASH audio adaptation set).</summary>
/// <param name="Name">Its directory in the version and its id in manifests (<c>audio</c>, <c>audio2</c>...).</param>
/// <param name="Playlist">The media playlist, relative to the version directory (<c>audio/index.m3u8</c>).</param>
public sealed record AudioRenditionInfo(
    string Name,
    long Bandwidth,
    long AverageBandwidth,
    string Codecs,
    int Channels,
    int SampleRate,
    string Playlist)
{
    /// <summary>BCP 47 (<c>en</c>), <c>und</c> when the source did not say.</summary>
    public string Language { get; init; } = "und";

    /// <summary>What a menu shows: the stream's title in the source, else the language's name, else "Audio N".</summary>
    public string Label { get; init; } = "Audio";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DashSegments? Dash { get; init; }
}

/// <summary>
/// One subtitle track of a version: a whole-title WebVTT file and the one-segment HLS media playlist over it (an HLS
/// <c>EXT-X-MEDIA:TYPE=SUBTITLES</c> rendition, a DASH text adaptation set pointing at the file itself).
/// </summary>
/// <param name="Name">Its id in manifests and the base of its file names (<c>sub1</c>, <c>sub2</c>...).</param>
/// <param name="Language">BCP 47 (<c>en</c>, <c>pt-BR</c>), <c>und</c> when nobody said.</param>
/// <param name="Label">What a menu shows.</param>
/// <param name="Playlist">The media playlist, relative to the version directory (<c>subtitles/sub1.m3u8</c>).</param>
/// <param name="File">The WebVTT file, relative to the version directory (<c>subtitles/sub1.vtt</c>).</param>
/// <param name="Uploaded">True for a track an admin added (<c>POST /api/titles/{id}/subtitles</c>), false for one
/// extracted from the source at transcode time.</param>
public sealed record SubtitleTrackInfo(string Name, string Language, string Label, string Playlist, string File, bool Uploaded)
{
    /// <summary>The directory of a version that holds every subtitle track's files.</summary>
    public const string DirectoryName = "subtitles";

    /// <summary>A track named <paramref name="name"/>, its files in <see cref="DirectoryName"/>.</summary>
    public static SubtitleTrackInfo Create(string name, string language, string label, bool uploaded) =>
        new(name, language, label, $"{DirectoryName}/{name}.m3u8", $"{DirectoryName}/{name}.vtt", uploaded);

    /// <summary>The name of track <paramref name="number"/> (1-based): <c>sub1</c>, <c>sub2</c>...</summary>
    public static string NameOf(int number) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"sub{number}");

    /// <summary>A name no track of <paramref name="existing"/> has: one past the highest number in use.</summary>
    public static string NextName(IEnumerable<SubtitleTrackInfo> existing) =>
        NameOf(1 + existing.Select(t => t.Name.StartsWith("sub", StringComparison.Ordinal) && int.TryParse(t.Name.AsSpan(3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0).DefaultIfEmpty(0).Max());
}

/// <summary>
/// Where a DASH player finds a rendition's segments, relative to the rendition's directory. Either one file with a
/// segment index (<see cref="IndexRange"/> set: <c>SegmentBase</c>), or an init file and one file per segment
/// (<see cref="Initialization"/> and <see cref="SegmentDurations"/> set: <c>SegmentTemplate</c> with a timeline).
/// </summary>
/// <param name="Media">The single file (<c>media.mp4</c>), or the segment file template (<c>seg_$Number%05d$.m4s</c>).</param>
/// <param name="InitializationRange">The init section's byte range in the single file (<c>0-845</c>).</param>
/// <param name="IndexRange">The global <c>sidx</c> box's byte range in the single file.</param>
/// <param name="Initialization">The init file of the file-per-segment layout (<c>init.mp4</c>).</param>
/// <param name="StartNumber">The number of the first segment file.</param>
/// <param name="Timescale">Ticks per second of <see cref="StartTime"/> and <see cref="SegmentDurations"/>.</param>
/// <param name="StartTime">The first segment's earliest presentation time, in ticks.</param>
/// <param name="SegmentDurations">Each segment's duration in ticks, in order.</param>
public sealed record DashSegments(
    string Media,
    string? InitializationRange = null,
    string? IndexRange = null,
    string? Initialization = null,
    int StartNumber = 0,
    int Timescale = 0,
    long StartTime = 0,
    IReadOnlyList<long>? SegmentDurations = null);

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
    /// <summary>The audio tracks, in the source's stream order (the first is the default); empty when the source has no
    /// audio, or the audio is muxed into each video rendition (versions packaged before audio was separate).</summary>
    public IReadOnlyList<AudioRenditionInfo> Audio { get; init; } = [];
    /// <summary>The subtitle tracks: those extracted from the source in stream order, then those uploaded since, in
    /// upload order. None is on by default: a viewer (or the player's language preference) chooses.</summary>
    public IReadOnlyList<SubtitleTrackInfo> Subtitles { get; init; } = [];
    /// <summary>A poster frame in the version directory (e.g. <c>poster.jpg</c>), or null when none could be made.</summary>
    public string? Poster { get; init; }
    /// <summary>Trick-play previews (sprite sheets and their WebVTT storyboard), or null for versions packaged before
    /// them or when they could not be made.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TrickplayInfo? Trickplay { get; init; }
}

/// <summary>
/// A version's trick-play previews: tiles of <see cref="TileWidth"/> x <see cref="TileHeight"/> pixels, one every
/// <see cref="IntervalSeconds"/> (tile n shows the frame at n x interval), packed row by row into sheets of
/// <see cref="Columns"/> x <see cref="Rows"/> tiles. <see cref="Storyboard"/> is a WebVTT file whose cues name each
/// tile as <c>sheet_000.jpg#xywh=x,y,w,h</c>, relative to the storyboard itself.
/// </summary>
/// <param name="Storyboard">The WebVTT storyboard, relative to the version directory (<c>trickplay/storyboard.vtt</c>).</param>
/// <param name="Tiles">How many tiles (cues) there are in all.</param>
/// <param name="Sheets">How many sheet images there are.</param>
public sealed record TrickplayInfo(
    string Storyboard,
    double IntervalSeconds,
    int TileWidth,
    int TileHeight,
    int Columns,
    int Rows,
    int Tiles,
    int Sheets);
