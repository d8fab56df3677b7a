using System.ComponentModel.DataAnnotations;
using Vod.Transcoder.Ladder.PerTitle;

namespace Vod.Transcoder.Ladder;

internal enum SegmentLayout
{
    /// <summary>One fMP4 file per rendition, segments addressed with <c>EXT-X-BYTERANGE</c>.</summary>
    SingleFile,

    /// <summary>One init segment and one <c>.m4s</c> file per segment.</summary>
    FilePerSegment,
}

/// <summary>How the rungs are chosen.</summary>
internal enum LadderMode
{
    /// <summary>The configured rungs (<see cref="LadderOptions.Rungs"/>), the same for every title.</summary>
    Fixed,

    /// <summary>Rungs chosen per title from trial encodes of its samples (<see cref="PerTitleLadder"/>).</summary>
    PerTitle,
}

/// <summary>A video codec of the ladder (<see cref="LadderOptions.Codecs"/>).</summary>
internal enum VideoCodec
{
    /// <summary>x264, High profile: every rung, and what every player decodes.</summary>
    H264,

    /// <summary>SVT-AV1 copies of the rungs, for the players that decode AV1 (<see cref="FfmpegLadderCommand"/>).</summary>
    Av1,
}

internal sealed class LadderOptions
{
    public const string Section = "Ladder";

    /// <summary>Per-title by default: on the bench's simple and medium sources it gives every quality of the fixed ladder
    /// for 79 % and 27 % fewer bytes, for 1.2 times the transcode time (docs/speed.md, "Per-title ladder").</summary>
    public LadderMode Mode { get; set; } = LadderMode.PerTitle;

    /// <summary>The trials and the choice of a per-title ladder (<see cref="LadderMode.PerTitle"/>).</summary>
    public PerTitleOptions PerTitle { get; set; } = new();

    /// <summary>Rungs, highest first. Empty in configuration means <see cref="DefaultRungs"/>.</summary>
    public List<RungOptions> Rungs { get; set; } = [];

    [Range(1, 30)]
    public int SegmentSeconds { get; set; } = 4;

    [Range(32, 512)]
    public int AudioKbps { get; set; } = 128;

    public SegmentLayout Layout { get; set; } = SegmentLayout.SingleFile;

    /// <summary>x264 preset. <c>veryfast</c> keeps a 2-core machine near real time for a 1080p ladder.</summary>
    [RegularExpression("^(ultrafast|superfast|veryfast|faster|fast|medium|slow|slower|veryslow)$")]
    public string Preset { get; set; } = "veryfast";

    /// <summary>
    /// The video codecs, by name (<c>h264</c>, <c>av1</c>): <c>Ladder:Codecs:0=h264</c>, <c>Ladder:Codecs:1=av1</c>,
    /// or comma-separated (<c>Ladder:Codecs=h264,av1</c>, added by <c>AddTranscoding</c>: the binder ignores a value on a
    /// list's own key). Empty in configuration means H.264 only: the binder appends to a list's items, so the default
    /// cannot be an item. H.264 is always one of them (every player decodes it); <see cref="EffectiveCodecs"/> is the list.
    /// </summary>
    public List<string> Codecs { get; set; } = [];

    /// <summary>
    /// SVT-AV1 preset (0 slowest to 13 fastest) of the AV1 copies. 10: on a 2-core box a 1080p copy costs about twice
    /// the CPU of x264 <c>veryfast</c>; 8 gains about 1.5 dB PSNR at the same bitrate for 2.4 times the CPU of 10, 12
    /// loses almost 3 dB for 60 % of it (docs/speed.md, "AV1").
    /// </summary>
    [Range(0, 13)]
    public int Av1Preset { get; set; } = 10;

    /// <summary>Codec names <see cref="Codecs"/> accepts.</summary>
    public static IReadOnlyDictionary<string, VideoCodec> CodecNames { get; } = new Dictionary<string, VideoCodec>(StringComparer.Ordinal)
    {
        ["h264"] = VideoCodec.H264,
        ["av1"] = VideoCodec.Av1,
    };

    /// <summary><see cref="Codecs"/>' names, each item split at commas, trimmed, lower-case, each once.</summary>
    public IReadOnlyList<string> CodecNamesConfigured =>
        Codecs.SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(c => c.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The codecs to encode, H.264 first; names that are not codecs are left out (validation refuses them).</summary>
    public IReadOnlyList<VideoCodec> EffectiveCodecs =>
        [VideoCodec.H264, .. CodecNamesConfigured.Where(CodecNames.ContainsKey).Select(n => CodecNames[n]).Where(c => c != VideoCodec.H264)];

    /// <summary>Whether <see cref="Codecs"/> names known codecs only, H.264 among them (when it names any).</summary>
    public bool CodecsAreValid
    {
        get
        {
            var names = CodecNamesConfigured;
            return names.All(CodecNames.ContainsKey) && (names.Count == 0 || names.Contains("h264"));
        }
    }

    public static IReadOnlyList<RungOptions> DefaultRungs { get; } =
    [
        new() { Name = "1080p", Height = 1080, VideoKbps = 5000 },
        new() { Name = "720p", Height = 720, VideoKbps = 3000 },
        new() { Name = "480p", Height = 480, VideoKbps = 1200 },
        new() { Name = "360p", Height = 360, VideoKbps = 700 },
        new() { Name = "240p", Height = 240, VideoKbps = 400 },
    ];

    public IReadOnlyList<RungOptions> EffectiveRungs => Rungs.Count > 0 ? Rungs : DefaultRungs;
}
