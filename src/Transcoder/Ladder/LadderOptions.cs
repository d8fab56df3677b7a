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

internal sealed class LadderOptions
{
    public const string Section = "Ladder";

    public LadderMode Mode { get; set; } = LadderMode.Fixed;

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
