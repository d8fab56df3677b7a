using System.Globalization;
using System.Text;
using Vod.Common.Catalog;

namespace Vod.Transcoder.Trickplay;

/// <summary>
/// The layout of a version's trick-play previews as data: how many tiles of what size, the sheet grid, the ffmpeg
/// filter that makes them, and the WebVTT storyboard that names each tile. Pure, so the cue arithmetic is tested apart
/// from ffmpeg.
/// </summary>
internal sealed record StoryboardPlan(int IntervalSeconds, int TileWidth, int TileHeight, int Columns, int Rows, int Tiles, double DurationSeconds)
{
    public const string Directory = "trickplay";
    public const string StoryboardFile = "storyboard.vtt";

    /// <summary>Below this much of a last interval, no tile of its own: the previous cue runs to the end instead
    /// (the rendition decoded can be a frame shorter than the probed duration, and ffmpeg would make no tile there).</summary>
    private const double MinLastCueSeconds = 0.05;

    public int TilesPerSheet => Columns * Rows;

    public int Sheets => (Tiles + TilesPerSheet - 1) / TilesPerSheet;

    /// <param name="width">Width of the video decoded (square pixels).</param>
    /// <param name="height">Height of the video decoded.</param>
    public static StoryboardPlan For(TrickplayOptions options, int width, int height, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 2);
        var seconds = Math.Max(0.001, duration.TotalSeconds);
        var tiles = Math.Max(1, (int)Math.Ceiling((seconds - MinLastCueSeconds) / options.IntervalSeconds));
        var tileHeight = Math.Max(2, (int)Math.Round((double)options.TileWidth * height / width / 2, MidpointRounding.AwayFromZero) * 2);

        // A short title gets a sheet only as large as its tiles: 2 tiles are a 2 x 1 sheet, not a mostly black 10 x 10.
        var columns = Math.Min(options.Columns, tiles);
        var rows = Math.Min(options.Rows, (tiles + columns - 1) / columns);
        return new StoryboardPlan(options.IntervalSeconds, options.TileWidth, tileHeight, columns, rows, tiles, Math.Round(seconds, 3));
    }

    public static string SheetName(int sheet) => $"sheet_{sheet:000}.jpg";

    /// <summary>
    /// The filter graph: one frame per interval, scaled, packed into sheets. <c>round=up</c> makes tile n the frame at
    /// n x interval (the frame a seek there shows) and gives one tile for a partial last interval.
    /// </summary>
    public string FilterGraph => $"fps=1/{IntervalSeconds}:round=up,scale={TileWidth}:{TileHeight},setsar=1,tile={Columns}x{Rows}";

    /// <summary>Where tile <paramref name="index"/> sits: its sheet, and its rectangle in that sheet.</summary>
    public (int Sheet, int X, int Y) Locate(int index)
    {
        var inSheet = index % TilesPerSheet;
        return (index / TilesPerSheet, inSheet % Columns * TileWidth, inSheet / Columns * TileHeight);
    }

    /// <summary>
    /// The WebVTT storyboard: one cue per tile, in order, without gaps from 0 to the duration (the last cue ends at
    /// the duration), each naming its sheet relative to the storyboard with a media fragment (<c>#xywh=x,y,w,h</c>).
    /// </summary>
    public string WriteStoryboard()
    {
        var vtt = new StringBuilder("WEBVTT\n");
        for (var i = 0; i < Tiles; i++)
        {
            var start = (double)i * IntervalSeconds;
            var end = i == Tiles - 1 ? DurationSeconds : Math.Min(DurationSeconds, (double)(i + 1) * IntervalSeconds);
            var (sheet, x, y) = Locate(i);
            vtt.Append('\n').Append(Timestamp(start)).Append(" --> ").Append(Timestamp(end)).Append('\n')
                .Append(CultureInfo.InvariantCulture, $"{SheetName(sheet)}#xywh={x},{y},{TileWidth},{TileHeight}\n");
        }

        return vtt.ToString();
    }

    public TrickplayInfo ToInfo() =>
        new($"{Directory}/{StoryboardFile}", IntervalSeconds, TileWidth, TileHeight, Columns, Rows, Tiles, Sheets);

    private static string Timestamp(double seconds)
    {
        var t = TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));
        return string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours:00}:{t.Minutes:00}:{t.Seconds:00}.{t.Milliseconds:000}");
    }
}
