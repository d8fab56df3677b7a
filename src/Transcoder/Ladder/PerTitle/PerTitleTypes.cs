using System.ComponentModel.DataAnnotations;

namespace Vod.Transcoder.Ladder.PerTitle;

/// <summary>
/// One trial encode of the title's samples (<see cref="ComplexityPass"/>): the samples scaled to
/// <see cref="Width"/> x <see cref="Height"/> and encoded with x264 at <see cref="Crf"/>, then scaled back to the source
/// size and scored against the samples.
/// </summary>
/// <param name="Kbps">The trial's average video bitrate over the samples, in kb/s.</param>
/// <param name="Psnr">Average luma PSNR in dB against the source (capped at 100 for identical pictures).</param>
/// <param name="Ssim">Average SSIM (all planes) against the source, 0 to 1.</param>
/// <param name="FixedKbps">Set on the reference trial only: the samples encoded as the fixed ladder encodes its top rung
/// for this source (average bitrate <c>FixedKbps</c>, no CRF; <see cref="Crf"/> is then 0). It measures what the fixed
/// ladder's best picture would be, which the per-title top rung must not fall below
/// (<see cref="PerTitleOptions.KeepFixedTopQuality"/>), and it is a candidate rung like any other.</param>
internal sealed record TrialPoint(int Width, int Height, int Crf, double Kbps, double Psnr, double Ssim, int? FixedKbps = null);

/// <summary>
/// A rung of a per-title ladder, chosen among the trial points (<see cref="PerTitleLadder.Select"/>): encoded at the
/// trial's resolution and CRF, with its peak capped at <see cref="MaxKbps"/> (<c>-maxrate</c>, <c>-bufsize</c> twice
/// that); or, chosen from the reference trial (<see cref="Crf"/> null), encoded as the fixed ladder's rung at an average
/// of <see cref="MaxKbps"/>. <see cref="SampleKbps"/>, <see cref="Psnr"/> and <see cref="Ssim"/> are what the trial
/// measured on the samples.
/// </summary>
internal sealed record PlannedRung(string Name, int Width, int Height, int? Crf, int MaxKbps, double SampleKbps, double Psnr, double Ssim);

/// <summary>How the per-title ladder is found (<c>Ladder:PerTitle</c>).</summary>
internal sealed class PerTitleOptions
{
    /// <summary>Heights tried, highest first; those above the source are skipped (never upscale). Empty in
    /// configuration means <see cref="DefaultTrialHeights"/> (the configuration binder adds to a list's items rather than
    /// replacing them, so defaults cannot live in the list itself).</summary>
    public List<int> TrialHeights { get; set; } = [];

    /// <summary>x264 CRF values tried at each height; a step of 6 is about 2x the bitrate. Three, not more: the trial
    /// encodes are most of the complexity pass's cost, which must stay under ~30% of a fixed ladder's encode. Empty
    /// means <see cref="DefaultTrialCrfs"/>.</summary>
    public List<int> TrialCrfs { get; set; } = [];

    public static IReadOnlyList<int> DefaultTrialHeights { get; } = [1080, 720, 480, 360, 240];

    public static IReadOnlyList<int> DefaultTrialCrfs { get; } = [22, 28, 34];

    public IReadOnlyList<int> EffectiveTrialHeights => TrialHeights.Count > 0 ? TrialHeights : DefaultTrialHeights;

    public IReadOnlyList<int> EffectiveTrialCrfs => TrialCrfs.Count > 0 ? TrialCrfs : DefaultTrialCrfs;

    /// <summary>How many short samples, spread over the title, the trials encode.</summary>
    [Range(1, 10)]
    public int Samples { get; set; } = 3;

    /// <summary>Each sample's length: with three CRFs, 1 s keeps the pass at 0.28 of a fixed ladder's encode time on a
    /// 60 s 1080p title (2 s took 0.47 of it).</summary>
    [Range(0.5, 10)]
    public double SampleSeconds { get; set; } = 1;

    /// <summary>Neighbouring rungs' bitrates are at least this far apart...</summary>
    [Range(1.1, 4)]
    public double MinRungRatio { get; set; } = 1.5;

    /// <summary>...and at most this far, where the trials allow.</summary>
    [Range(1.1, 8)]
    public double MaxRungRatio { get; set; } = 2.0;

    /// <summary>The top rung is where doubling the bitrate stops buying this much PSNR (dB) along the hull...</summary>
    [Range(0.1, 10)]
    public double MinGainPerDoubling { get; set; } = 1.0;

    /// <summary>...or where PSNR reaches this (dB), past which viewers see no difference.</summary>
    [Range(30, 100)]
    public double MaxPsnr { get; set; } = 46;

    /// <summary>
    /// The top rung's quality floor (dB): below it the gain-per-doubling stop does not apply, so the top rung is at least
    /// this good whenever a trial reaches it (and MaxPsnr is above it), and the best trial otherwise. Without it a grainy
    /// title, whose PSNR stays flat at low bitrates (the grain is never coded) and rises only at high ones, stopped at a
    /// 240p trial of 27 dB.
    /// </summary>
    [Range(20, 60)]
    public double MinTopPsnr { get; set; } = 38;

    /// <summary>No rung may cost more than this (kb/s on the samples): a delivery cap, so noisy content gets the best
    /// picture that fits instead of whatever bitrate its grain would take. Trials above it are not candidates.</summary>
    [Range(100, 1_000_000)]
    public double MaxTopKbps { get; set; } = 8000;

    /// <summary>
    /// The top rung is at least as good (PSNR on the samples) as the fixed ladder's top rung would be on this title: the
    /// complexity pass encodes the samples once more as that rung (<see cref="TrialPoint.FixedKbps"/>), and when the
    /// hull's top falls short of it, the top rung is the cheapest trial that reaches it, the reference itself at worst.
    /// So moving a catalog to per-title never lowers a title's best picture: a test card the fixed ladder encodes almost
    /// losslessly at 0.6 Mb/s keeps that picture rather than stopping at <see cref="MaxPsnr"/>.
    /// </summary>
    public bool KeepFixedTopQuality { get; set; } = true;

    /// <summary>
    /// The lowest rung costs at most this (kb/s on the samples) when a trial at the lowest height allows it, the cheapest
    /// trial there otherwise: the fixed ladder's lowest rung (240p, 0.4 Mb/s) by default, so a viewer on a slow network
    /// keeps a rung to play. Without it a grainy title's ladder ended at 240p CRF 22 and 0.76 Mb/s, and a player held
    /// to 0.4-0.7 Mb/s had nothing that fitted.
    /// </summary>
    [Range(10, 100_000)]
    public double MaxBottomKbps { get; set; } = 400;

    [Range(2, 12)]
    public int MaxRungs { get; set; } = 6;

    /// <summary>A rung's peak is capped at this many times its sample bitrate (the samples are not the whole title).</summary>
    [Range(1, 5)]
    public double MaxRateFactor { get; set; } = 1.5;
}
