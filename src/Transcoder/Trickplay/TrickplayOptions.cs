using System.ComponentModel.DataAnnotations;

namespace Vod.Transcoder.Trickplay;

internal sealed class TrickplayOptions
{
    public const string Section = "Trickplay";

    /// <summary>
    /// Seconds between tiles. 5 s: what a tile costs is the decode, and the sheets are decoded from the smallest rung
    /// whatever the interval, so a finer grid is nearly free; at 5 s a preview is never more than one 4 s segment away
    /// from where a seek lands, and a two-hour title still fits in 15 sheets (about 1.5 MB).
    /// </summary>
    [Range(1, 60)]
    public int IntervalSeconds { get; set; } = 5;

    /// <summary>Tile width in pixels (the height follows the aspect ratio, even). 160 is what seek-bar previews show.</summary>
    [Range(64, 480)]
    public int TileWidth { get; set; } = 160;

    /// <summary>Tiles per sheet row and rows per sheet: 10 x 10 keeps a 16:9 sheet at 1600 x 900 pixels.</summary>
    [Range(1, 20)]
    public int Columns { get; set; } = 10;

    [Range(1, 20)]
    public int Rows { get; set; } = 10;

    /// <summary>Off switch: no sheets, no storyboard (the title is published without <c>Trickplay</c>).</summary>
    public bool Enabled { get; set; } = true;
}
