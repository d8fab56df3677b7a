using System.Diagnostics;

namespace Vod.Transcoder.Ladder.PerTitle;

/// <summary>
/// Chooses a title's ladder from its trial encodes (<see cref="TrialPoint"/>): pure arithmetic on the figures, so the
/// choice can be tested on recorded trials without running ffmpeg.
/// Quality is compared against log2 of the bitrate because viewers' networks, and the rungs' spacing, are ratios: the
/// hull's slope is then "dB per doubling of bitrate", the figure the top rung's cut-off is stated in.
/// </summary>
internal static class PerTitleLadder
{
    /// <summary>Rule 6's order among otherwise equal points: lower kbps, then larger height, then lower CRF.</summary>
    private static readonly Comparer<TrialPoint> TieBreak = Comparer<TrialPoint>.Create((a, b) =>
    {
        var c = a.Kbps.CompareTo(b.Kbps);
        if (c == 0)
        {
            c = b.Height.CompareTo(a.Height);
        }

        if (c == 0)
        {
            c = a.Crf.CompareTo(b.Crf);
        }

        return c;
    });

    /// <summary>
    /// The upper convex hull of PSNR against log2(kbps) over all trial points, whatever their resolution: the points
    /// no mix of two others beats, i.e. the best quality each bitrate can buy. Sorted by kbps ascending, with PSNR
    /// strictly increasing: a point that does not improve on a cheaper one is never worth its bits, so the falling
    /// end of the hull is dropped.
    /// Points exactly on a hull segment are kept (no mix beats them, they only match it), since every point kept is
    /// one more bitrate to choose from. Of points at the same bitrate only the best PSNR can be on the hull (ties: larger
    /// height, then lower CRF). Invalid points (kbps &lt;= 0, kbps or PSNR NaN or infinite, SSIM NaN) are ignored: there
    /// is no log2 of them and a failed trial must not shape the ladder. No valid point gives an empty hull.
    /// </summary>
    public static IReadOnlyList<TrialPoint> Hull(IEnumerable<TrialPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);

        var sorted = points.Where(IsValid)
            .OrderBy(p => p.Kbps)
            .ThenByDescending(p => p.Psnr)
            .ThenByDescending(p => p.Height)
            .ThenBy(p => p.Crf)
            .ToList();

        // Andrew's monotone chain, upper side only: going right, the last point stays only while it is on or above the
        // line from the one before it to the new point.
        var hull = new List<TrialPoint>();
        foreach (var p in sorted)
        {
            if (hull.Count > 0 && hull[^1].Kbps == p.Kbps)
            {
                continue; // same bitrate, no better PSNR (sorted so)
            }

            while (hull.Count >= 2 && IsBelow(hull[^1], hull[^2], p))
            {
                hull.RemoveAt(hull.Count - 1);
            }

            hull.Add(p);
        }

        // The upper hull is concave: it rises to its best PSNR, then falls. Keep the rise, up to the first best point.
        var best = 0;
        for (var i = 1; i < hull.Count; i++)
        {
            if (hull[i].Psnr > hull[best].Psnr)
            {
                best = i;
            }
        }

        return hull.Count == 0 ? [] : hull.GetRange(0, best + 1);
    }

    /// <summary>
    /// The rungs to encode, highest first, for a source of <paramref name="sourceWidth"/> x <paramref name="sourceHeight"/>.
    /// <list type="number">
    /// <item>Trials larger than the source, in height or in width, are ignored (never upscale: an upscaled rung costs
    /// bits and adds no detail), and so are invalid ones (kbps &lt;= 0, kbps or PSNR NaN or infinite, SSIM NaN: a failed
    /// trial or a score that was not parsed).
    /// Nothing left is an <see cref="ArgumentException"/>: there is no ladder to guess.</item>
    /// <item>The hull (<see cref="Hull"/>) is taken in (log2 kbps, PSNR) space over every resolution, so the top rung is
    /// the best quality for its bits whatever resolution gives it.</item>
    /// <item>Top rung: walking the hull from the cheapest point up, the first point whose PSNR reaches
    /// <see cref="PerTitleOptions.MaxPsnr"/> (past it viewers see no difference, more bits are waste), or the last point
    /// before the first segment whose gain per doubling of bitrate, (PSNR2 - PSNR1) / log2(kbps2 / kbps1), is below
    /// <see cref="PerTitleOptions.MinGainPerDoubling"/> (quality stopped paying for bitrate), or else the hull's top.
    /// The gain stop only applies from points at or above <see cref="PerTitleOptions.MinTopPsnr"/>: measured curves are
    /// not concave everywhere (grain or a resolution's upscaling ceiling keeps PSNR flat at low bitrates, then it climbs),
    /// so the hull bridges the flat part with a long chord of low average gain, and the stop alone put a grainy title's
    /// top rung at a 240p trial of 54 kb/s and 27 dB.
    /// When the walk stops on MaxPsnr, the top rung is the cheapest trial point that reaches MaxPsnr, which may lie under
    /// the hull: measured hulls are sparse (a resolution change costs a step of PSNR, so the hull often jumps from a
    /// small picture straight to the full one) and the hull point can overshoot MaxPsnr by several dB and tens of
    /// percent of bitrate that, by MaxPsnr's own definition, nobody sees.
    /// A simple title reaches either far lower than a complex one, which is the point of per-title encoding.
    /// With <see cref="PerTitleOptions.KeepFixedTopQuality"/>, a top rung below the reference trial's PSNR (the fixed
    /// ladder's top rung, <see cref="TrialPoint.FixedKbps"/>) gives way to the cheapest point that reaches it, the
    /// reference itself at worst: the per-title ladder's best picture is never worse than the fixed ladder's.</item>
    /// <item>Lower rungs, going down from the top: each next rung is a trial point strictly shorter than the rung above
    /// it (each rung is a directory named after its height, and a rung at the same height with fewer bits is just a
    /// worse copy), with kbps between previous / <see cref="PerTitleOptions.MaxRungRatio"/> and previous /
    /// <see cref="PerTitleOptions.MinRungRatio"/> inclusive (players switch in useful steps, and no step is so wide that
    /// a viewer falls a long way), the best PSNR among them: the hull's pick at that bitrate. When none is in that
    /// window, the highest-kbps point below it (the smallest step down there is). The chain stops at
    /// <see cref="PerTitleOptions.MaxRungs"/> or when no shorter point at most previous / MinRungRatio remains (a point
    /// closer than that to the rung above is not a step).
    /// If the chain then ends above the lowest height tried (a phone on a bad network needs the smallest picture), a
    /// point at that lowest height with fewer kbps than the last rung is added as the last rung, or replaces the last
    /// rung when MaxRungs is reached (then with fewer kbps than the rung before it). It is picked as the chain picks
    /// (window first, then the highest kbps below it), and when every such point is closer than MinRungRatio to the rung
    /// above, the cheapest of them: reaching the small picture matters more than the spacing there.</item>
    /// <item>The bottom: when the last rung, at the lowest height, costs more than
    /// <see cref="PerTitleOptions.MaxBottomKbps"/>, the best point there within it (the cheapest there when none is)
    /// replaces it: a slow network keeps a rung to play. The only rung of a ladder is never replaced.</item>
    /// <item>Each rung: named <c>{Height}p</c>; width, height and CRF of its trial (none for the reference trial, encoded
    /// at its fixed bitrate, which is then its <see cref="PlannedRung.MaxKbps"/>); the trial's figures as
    /// <see cref="PlannedRung.SampleKbps"/>, <see cref="PlannedRung.Psnr"/>, <see cref="PlannedRung.Ssim"/>; its peak
    /// <see cref="PlannedRung.MaxKbps"/> = ceil(SampleKbps * <see cref="PerTitleOptions.MaxRateFactor"/>), at least 1,
    /// since the samples are not the whole title and a capped CRF encode must still be able to spend more on its hard
    /// scenes.</item>
    /// <item>Deterministic, whatever the order of <paramref name="trials"/>: every tie is broken by lower kbps, then
    /// larger height, then lower CRF (and, for "highest kbps", by better PSNR first), so the same trials always give
    /// the same ladder and a re-run of the same title does not churn its renditions.</item>
    /// </list>
    /// </summary>
    public static IReadOnlyList<PlannedRung> Select(IReadOnlyList<TrialPoint> trials, int sourceWidth, int sourceHeight, PerTitleOptions options)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceWidth, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceHeight, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRungs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinRungRatio, 1.0);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRungRatio, options.MinRungRatio);

        // Sorted once so every later choice among equals falls the same way whatever order the trials came in.
        var usable = trials
            .Where(p => IsValid(p) && p.Height <= sourceHeight && p.Width <= sourceWidth && p.Kbps <= options.MaxTopKbps)
            .OrderBy(p => p, TieBreak)
            .ToList();
        if (usable.Count == 0)
        {
            throw new ArgumentException(
                $"No usable trial point for a {sourceWidth}x{sourceHeight} source: each was larger than the source, over MaxTopKbps or invalid (kbps <= 0, NaN).",
                nameof(trials));
        }

        var top = TopOf(Hull(usable), usable, options);
        if (options.KeepFixedTopQuality
            && usable.Where(p => p.FixedKbps is not null).OrderByDescending(p => p.Psnr).FirstOrDefault() is { } reference
            && top.Psnr < reference.Psnr)
        {
            top = usable.First(p => p.Psnr >= reference.Psnr); // cheapest first (usable is sorted): the reference qualifies
        }

        var chain = new List<TrialPoint> { top };
        while (chain.Count < options.MaxRungs && NextBelow(usable, chain[^1], options) is { } next)
        {
            chain.Add(next);
        }

        ReachLowestHeight(usable, chain, options);
        CapTheBottom(usable, chain, options);
        return chain.Select(p => ToRung(p, options)).ToList();
    }

    /// <summary>Rule 3 of <see cref="Select"/>: the point past which quality stops paying for bitrate.</summary>
    private static TrialPoint TopOf(IReadOnlyList<TrialPoint> hull, List<TrialPoint> usable, PerTitleOptions options)
    {
        for (var i = 0; i < hull.Count; i++)
        {
            if (hull[i].Psnr >= options.MaxPsnr)
            {
                // The hull point qualifies, so this is never empty; the cheapest wins (ties: TieBreak, as usable is sorted).
                return usable.First(p => p.Psnr >= options.MaxPsnr && p.Kbps <= hull[i].Kbps);
            }

            if (i == hull.Count - 1
                || (hull[i].Psnr >= options.MinTopPsnr && GainPerDoubling(hull[i], hull[i + 1]) < options.MinGainPerDoubling))
            {
                return hull[i];
            }
        }

        throw new UnreachableException("The hull of a non-empty set of valid points has a point.");
    }

    /// <summary>dB of PSNR bought by each doubling of bitrate from <paramref name="a"/> to <paramref name="b"/>.</summary>
    internal static double GainPerDoubling(TrialPoint a, TrialPoint b) => (b.Psnr - a.Psnr) / Math.Log2(b.Kbps / a.Kbps);

    /// <summary>Rule 4 of <see cref="Select"/>: the next rung below <paramref name="above"/>, or null when none is far
    /// enough below it.</summary>
    private static TrialPoint? NextBelow(List<TrialPoint> usable, TrialPoint above, PerTitleOptions options)
    {
        var eligible = usable.Where(p => p.Height < above.Height && p.Kbps <= above.Kbps / options.MinRungRatio).ToList();
        return PickStep(eligible, above, options);
    }

    /// <summary>The best PSNR in the spacing window under <paramref name="above"/>, else the highest kbps below the
    /// window; null when <paramref name="candidates"/> (all at most above / MinRungRatio) is empty.</summary>
    private static TrialPoint? PickStep(List<TrialPoint> candidates, TrialPoint above, PerTitleOptions options)
    {
        var floor = above.Kbps / options.MaxRungRatio;
        var inWindow = candidates.Where(p => p.Kbps >= floor).ToList();
        if (inWindow.Count > 0)
        {
            return inWindow.OrderByDescending(p => p.Psnr).ThenBy(p => p, TieBreak).First();
        }

        return candidates.OrderByDescending(p => p.Kbps).ThenByDescending(p => p.Psnr).ThenBy(p => p, TieBreak).FirstOrDefault();
    }

    /// <summary>Rule 4's last part: the ladder's bottom reaches the lowest height tried when a cheaper point there
    /// exists.</summary>
    private static void ReachLowestHeight(List<TrialPoint> usable, List<TrialPoint> chain, PerTitleOptions options)
    {
        var lowest = usable.Min(p => p.Height);
        if (chain[^1].Height <= lowest)
        {
            return;
        }

        var replace = chain.Count >= options.MaxRungs;
        if (replace && chain.Count < 2)
        {
            return; // the only rung is the top: never trade it for the small picture
        }

        var above = replace ? chain[^2] : chain[^1];
        var atLowest = usable.Where(p => p.Height == lowest && p.Kbps < above.Kbps).ToList();
        if (atLowest.Count == 0)
        {
            return;
        }

        var spaced = atLowest.Where(p => p.Kbps <= above.Kbps / options.MinRungRatio).ToList();
        var pick = PickStep(spaced, above, options)
            ?? atLowest.OrderBy(p => p.Kbps).ThenByDescending(p => p.Psnr).ThenBy(p => p, TieBreak).First();
        if (replace)
        {
            chain[^1] = pick;
        }
        else
        {
            chain.Add(pick);
        }
    }

    /// <summary>Rule 5 of <see cref="Select"/>: the lowest rung costs at most <see cref="PerTitleOptions.MaxBottomKbps"/>
    /// where the lowest height allows it. After <see cref="ReachLowestHeight"/> the last rung is at the lowest height
    /// whenever a cheaper point is there, so only that rung can move.</summary>
    private static void CapTheBottom(List<TrialPoint> usable, List<TrialPoint> chain, PerTitleOptions options)
    {
        var last = chain[^1];
        if (last.Kbps <= options.MaxBottomKbps || chain.Count == 1 || last.Height != usable.Min(p => p.Height))
        {
            return; // cheap enough; or the only rung, the top, never traded for the small picture; or nothing cheaper below
        }

        var atLowest = usable.Where(p => p.Height == last.Height).ToList();
        var pick = atLowest.Where(p => p.Kbps <= options.MaxBottomKbps).OrderByDescending(p => p.Psnr).ThenBy(p => p, TieBreak).FirstOrDefault()
            ?? atLowest[0]; // usable is sorted cheapest first
        if (pick.Kbps < last.Kbps)
        {
            chain[^1] = pick;
        }
    }

    private static PlannedRung ToRung(TrialPoint p, PerTitleOptions options)
    {
        if (p.FixedKbps is { } fixedKbps)
        {
            return new PlannedRung($"{p.Height}p", p.Width, p.Height, null, fixedKbps, p.Kbps, p.Psnr, p.Ssim);
        }

        var max = Math.Ceiling(p.Kbps * options.MaxRateFactor);
        var maxKbps = max >= int.MaxValue ? int.MaxValue : Math.Max(1, (int)max);
        return new PlannedRung($"{p.Height}p", p.Width, p.Height, p.Crf, maxKbps, p.Kbps, p.Psnr, p.Ssim);
    }

    private static bool IsValid(TrialPoint p) =>
        p is not null && double.IsFinite(p.Kbps) && p.Kbps > 0 && double.IsFinite(p.Psnr) && !double.IsNaN(p.Ssim)
        && p.Width > 0 && p.Height > 0;

    /// <summary>Whether <paramref name="middle"/> lies strictly below the line from <paramref name="left"/> to
    /// <paramref name="right"/> in (log2 kbps, PSNR): a mix of the two would beat it.</summary>
    private static bool IsBelow(TrialPoint middle, TrialPoint left, TrialPoint right)
    {
        double x0 = Math.Log2(left.Kbps), x1 = Math.Log2(middle.Kbps), x2 = Math.Log2(right.Kbps);
        return (x1 - x0) * (right.Psnr - left.Psnr) - (middle.Psnr - left.Psnr) * (x2 - x0) > 0;
    }
}
