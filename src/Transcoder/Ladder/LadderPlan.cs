namespace Vod.Transcoder.Ladder;

/// <summary>A rendition to encode: the rung resized to the source's aspect ratio.</summary>
/// <param name="VideoKbps">The target bitrate; with <see cref="Crf"/>, the cap on the peak instead (<c>-maxrate</c>).</param>
/// <param name="Crf">Constant-quality encoding at this x264 CRF, capped at <see cref="VideoKbps"/> (a per-title rung), or
/// null for a fixed rung encoded at its bitrate.</param>
/// <param name="Quality">What the per-title trials measured for this rung, or null for a fixed rung.</param>
internal sealed record Rendition(string Name, int Width, int Height, int VideoKbps, int? Crf = null, Vod.Common.Catalog.RenditionQuality? Quality = null);

internal static class LadderPlan
{
    /// <summary>
    /// The renditions for a source of <paramref name="sourceWidth"/> x <paramref name="sourceHeight"/> (as displayed):
    /// rungs taller than the source are dropped (never upscale), widths keep the aspect ratio and are even (4:2:0).
    /// A source shorter than every rung still gets one rendition, named after its own height (e.g. <c>180p</c>), with
    /// the lowest rung's bitrate.
    /// </summary>
    public static IReadOnlyList<Rendition> For(IEnumerable<RungOptions> rungs, int sourceWidth, int sourceHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceWidth, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceHeight, 2);

        var ordered = rungs.OrderByDescending(r => r.Height).ToList();
        var fitting = ordered.Where(r => r.Height <= sourceHeight).ToList();
        if (fitting.Count == 0 && ordered.Count > 0)
        {
            var lowest = ordered[^1];
            var height = Math.Max(2, sourceHeight & ~1);
            fitting.Add(new RungOptions { Name = $"{height}p", Height = height, VideoKbps = lowest.VideoKbps });
        }

        // Rounding to even never goes past the source: a 641x361 source gives at most 640x360.
        var maxWidth = Math.Max(2, sourceWidth & ~1);
        var maxHeight = Math.Max(2, sourceHeight & ~1);
        return fitting
            .Select(r => new Rendition(
                r.Name,
                Math.Min(maxWidth, Even((double)sourceWidth * r.Height / sourceHeight)),
                Math.Min(maxHeight, Even(r.Height)),
                r.VideoKbps))
            .DistinctBy(r => r.Height)
            .ToList();
    }

    private static int Even(double value) => Math.Max(2, (int)Math.Round(value / 2, MidpointRounding.AwayFromZero) * 2);
}
