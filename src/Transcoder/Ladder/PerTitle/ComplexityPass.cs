using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using FFMpegCore;
using FFMpegCore.Exceptions;
using Microsoft.Extensions.Options;
using Vod.Media;
using Vod.Media.Probing;
using Vod.Transcoder.Packaging;

namespace Vod.Transcoder.Ladder.PerTitle;

/// <summary>
/// The complexity pass of a per-title ladder: how many bits the title needs for a given quality at each height, found
/// by trial encodes of a few short samples instead of the whole title (the title itself is encoded once, afterwards).
/// Three kinds of ffmpeg run, all under the job's scratch directory:
/// <list type="number">
/// <item>the samples, cut with input seeking and joined into one lossless file at the source's display size, so the
/// trials decode a few seconds instead of seeking in the upload again;</item>
/// <item>per trial height, one process that decodes the samples once, scales them and encodes every CRF to a raw
/// <c>.h264</c> file (no container: its size is the video's bits);</item>
/// <item>per trial height, one process that scales every trial back to the source size and scores it against the
/// samples with the <c>psnr</c> and <c>ssim</c> filters (Debian's ffmpeg has no libvmaf).</item>
/// </list>
/// The encode of one height overlaps the scoring of the previous one (two processes at most): the short trial encodes
/// leave part of the second core idle and the scoring is single-threaded mostly; on the 2-core transcoder this made
/// the pass about 10% faster than one process at a time (9.6 s against 10.6 s on a 60 s 1080p title).
/// </summary>
internal sealed partial class ComplexityPass(IOptions<LadderOptions> options, ILogger<ComplexityPass> logger)
{
    /// <summary>The pass's directory in the scratch directory. The hyphens keep it apart from any rung's directory
    /// (rung names are <c>[a-z0-9]</c> only).</summary>
    public const string TrialsDirectory = "per-title-trials";

    /// <summary>The trials' and the samples' shared time base: every frame is renumbered <c>N/25</c> s before scoring,
    /// so <c>psnr</c> and <c>ssim</c> pair frames by their index whatever the source's rate (a raw <c>.h264</c> file
    /// reads back at 25 fps, the samples at the source's rate).</summary>
    private const string Renumber = "settb=1/25,setpts=N";

    /// <summary>
    /// Scores are taken on every 4th frame (of both the samples and the trial, after <see cref="Renumber"/>, so the
    /// pairs still match): scaling back and SSIM at the source size were a third of the pass, and on a 1080p test
    /// title the scores moved by at most 0.08 dB PSNR and 0.0004 SSIM against every frame. Decoding is not saved:
    /// a trial's frames are references for the next ones.
    /// </summary>
    private const string Thin = ",framestep=4";

    /// <summary>
    /// Every trial point for the source: <see cref="PerTitleOptions.EffectiveTrialHeights"/> not taller than the source (a source
    /// shorter than every height gets one trial at its own height, even) x <see cref="PerTitleOptions.EffectiveTrialCrfs"/>,
    /// heights descending, CRFs ascending; with <see cref="PerTitleOptions.KeepFixedTopQuality"/>, one more: the
    /// reference trial (<see cref="TrialPoint.FixedKbps"/>), encoded in its size's process. Any ffmpeg failure is a <see cref="PackagingException"/> whose message names
    /// no server path; cancellation kills the running ffmpeg processes and is rethrown once they have exited.
    /// </summary>
    /// <param name="input">The uploaded source (read with the safe input options only).</param>
    /// <param name="scratchDirectory">The job's own directory, removed by the caller; the pass writes into
    /// <see cref="TrialsDirectory"/> in it and removes that on success (the lossless samples of a long 4K title are big).</param>
    public async Task<IReadOnlyList<TrialPoint>> MeasureAsync(string input, SourceInfo source, string scratchDirectory, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var ladder = options.Value;
        var perTitle = ladder.PerTitle;
        var crfs = perTitle.EffectiveTrialCrfs.Distinct().Order().ToList();
        var sizes = TrialSizes(perTitle.EffectiveTrialHeights, source.Width, source.Height);
        if (crfs.Count == 0 || sizes.Count == 0)
        {
            throw new InvalidOperationException("Ladder:PerTitle:TrialHeights and TrialCrfs must not be empty: the complexity pass needs at least one of each");
        }

        var (width, height) = SampleSize(source);
        var directory = Path.Combine(scratchDirectory, TrialsDirectory);
        Directory.CreateDirectory(directory);
        var samples = Path.Combine(directory, "samples.mkv");
        var paths = new Paths(input, scratchDirectory);

        await RunAsync(SamplesCommand(input, samples, source.Duration, perTitle, width, height), "cutting the samples", paths, cancellationToken);
        var seconds = await DurationOfAsync(samples, paths, cancellationToken);
        var gop = source.FrameRate > 0 ? Math.Max(1, (int)Math.Round(source.FrameRate * ladder.SegmentSeconds)) : 250;

        var groups = TrialGroups(sizes, crfs, directory, perTitle.KeepFixedTopQuality ? LadderPlan.For(ladder.EffectiveRungs, source.Width, source.Height)[0] : null);
        var points = new List<TrialPoint>();

        // The encode of height i runs while height i-1 is scored; a failure of either stops the other before it is thrown.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<IReadOnlyList<TrialPoint>>? scoring = null;
        try
        {
            foreach (var trials in groups)
            {
                await RunAsync(TrialsCommand(samples, trials, ladder.Preset, gop, ladder.SegmentSeconds), $"encoding the {trials[0].Height}p trials", paths, stop.Token);
                if (scoring is not null)
                {
                    points.AddRange(await scoring);
                }

                scoring = ScoreAsync(samples, trials, width, height, seconds, paths, stop.Token);
            }

            points.AddRange(await scoring!);
        }
        catch (Exception) when (scoring is not null)
        {
            await stop.CancelAsync();
            try
            {
                await scoring;
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // Killed because the other run failed, or the pass was cancelled: the first error is the one to throw.
            }

            throw;
        }

        cancellationToken.ThrowIfCancellationRequested();
        TryDelete(directory);
        Log.ComplexityMeasured(logger, points.Count, sizes.Count, crfs.Count, perTitle.KeepFixedTopQuality, Math.Round(seconds, 2), Stopwatch.GetElapsedTime(started));
        return points;
    }

    /// <summary>A trial: the samples at <see cref="Width"/> x <see cref="Height"/> and <see cref="Crf"/>, written to
    /// <see cref="File"/>; or, with <see cref="FixedKbps"/> (and <see cref="Crf"/> 0), the reference trial, encoded as
    /// the fixed ladder's rung of that bitrate.</summary>
    internal sealed record Trial(int Width, int Height, int Crf, string File, int? FixedKbps = null);

    /// <summary>
    /// The trials, one group (one encoding process) per size, in the order of <paramref name="sizes"/>, CRFs ascending.
    /// The <paramref name="reference"/> rung (the fixed ladder's top rung for this source), when given, is one more
    /// trial in the group of its size, or a group of its own after the others when no trial has its size.
    /// </summary>
    internal static List<List<Trial>> TrialGroups(IReadOnlyList<(int Width, int Height)> sizes, IReadOnlyList<int> crfs, string directory, Rendition? reference)
    {
        var groups = sizes
            .Select(size => crfs.Select(crf => new Trial(size.Width, size.Height, crf, Path.Combine(directory, TrialFile(size.Height, crf)))).ToList())
            .ToList();
        if (reference is not null)
        {
            var trial = new Trial(reference.Width, reference.Height, 0, Path.Combine(directory, ReferenceFile(reference.Height, reference.VideoKbps)), reference.VideoKbps);
            if (groups.Find(g => g[0].Width == trial.Width && g[0].Height == trial.Height) is { } group)
            {
                group.Add(trial);
            }
            else
            {
                groups.Add([trial]);
            }
        }

        return groups;
    }

    /// <summary>What ffmpeg's messages must not show in an error: the source's and the scratch directory's paths.</summary>
    private sealed record Paths(string Input, string Scratch)
    {
        public string Clean(string message) => message.Replace(Input, "input", StringComparison.Ordinal).Replace(Scratch, "scratch", StringComparison.Ordinal);
    }

    /// <summary>The trial sizes: the configured heights as <see cref="LadderPlan.For"/> sizes the real rungs (never
    /// taller than the source, widths even and aspect-preserving, one own-height size for a source shorter than all).</summary>
    internal static IReadOnlyList<(int Width, int Height)> TrialSizes(IEnumerable<int> heights, int sourceWidth, int sourceHeight) =>
        LadderPlan.For(heights.Distinct().Select(h => new RungOptions { Name = $"{h}p", Height = h, VideoKbps = 1 }), sourceWidth, sourceHeight)
            .Select(r => (r.Width, r.Height))
            .ToList();

    /// <summary>The source's display size, rounded down to even (x264 encodes 4:2:0 in even sizes only): the size the
    /// samples are cut at and the trials are scored at.</summary>
    internal static (int Width, int Height) SampleSize(SourceInfo source) => (Math.Max(2, source.Width & ~1), Math.Max(2, source.Height & ~1));

    /// <summary>
    /// Where the samples start and how long each lasts: <paramref name="count"/> windows of <paramref name="seconds"/>,
    /// window i centred at (i + 0.5) / count of the title and moved inside it at the ends. Empty when the title is no
    /// longer than the samples together: it is used whole.
    /// </summary>
    internal static IReadOnlyList<(double Start, double Seconds)> SampleWindows(TimeSpan duration, int count, double seconds)
    {
        var total = duration.TotalSeconds;
        if (total <= count * seconds)
        {
            return [];
        }

        return Enumerable.Range(0, count)
            .Select(i => (Math.Clamp(((i + 0.5) / count * total) - (seconds / 2), 0, total - seconds), seconds))
            .ToList();
    }

    /// <summary>
    /// The samples: one input per window (<c>-ss S -t T</c> before <c>-i</c>: input seeking, exact in ffmpeg), each
    /// scaled to the display size with square pixels as the ladder does, joined with <c>concat</c> and encoded lossless
    /// (<c>-qp 0</c>, ultrafast: the cheapest lossless x264, read back several times) into Matroska, video only.
    /// Each sample's timestamps start at 0 (a seek leaves the first frame a frame or so in), so the joined samples
    /// have no gaps and their duration is their frames'.
    /// </summary>
    internal static FfmpegRun SamplesCommand(string input, string output, TimeSpan duration, PerTitleOptions perTitle, int width, int height)
    {
        var windows = SampleWindows(duration, perTitle.Samples, perTitle.SampleSeconds);
        var inputs = windows.Count == 0
            ? [(FfmpegArguments.SafeInputOptions, input)]
            : windows.Select(w => ((IReadOnlyList<string>)[.. FfmpegArguments.SafeInputOptions, "-ss", Seconds(w.Start), "-t", Seconds(w.Seconds)], input)).ToList();

        var graph = new StringBuilder();
        for (var i = 0; i < inputs.Count; i++)
        {
            graph.Append(CultureInfo.InvariantCulture, $"[{i}:v:0]setpts=PTS-STARTPTS,scale={width}:{height},setsar=1[c{i}];");
        }

        for (var i = 0; i < inputs.Count; i++)
        {
            graph.Append(CultureInfo.InvariantCulture, $"[c{i}]");
        }

        graph.Append(CultureInfo.InvariantCulture, $"concat=n={inputs.Count}:v=1:a=0[samples]");
        return new FfmpegRun(inputs, [
            "-hide_banner", "-nostats", "-filter_complex", graph.ToString(), "-map", "[samples]", "-an", "-sn", "-dn",
            "-c:v", "libx264", "-qp", "0", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "matroska",
        ], output);
    }

    /// <summary>
    /// One height's trials: the samples decoded and scaled once, split to one x264 encoder per CRF, each written raw.
    /// The GOP is the ladder's (a keyframe every segment, no scene-cut keyframes): keyframes are a real share of the
    /// bits, and the rungs chosen from these trials are encoded that way. Every frame is kept (<c>-fps_mode
    /// passthrough</c>), so the scores pair the trial's frames with the samples' one to one. x264's SEI (its version and
    /// options, ~700 bytes once per file) is dropped: on 3 s of samples it was 2% of a 240p trial's bits.
    /// </summary>
    internal static FfmpegRun TrialsCommand(string samples, IReadOnlyList<Trial> trials, string preset, int gop, int segmentSeconds)
    {
        var first = trials[0];
        var graph = new StringBuilder().Append(CultureInfo.InvariantCulture, $"[0:v]scale={first.Width}:{first.Height},setsar=1,split={trials.Count}");
        for (var i = 0; i < trials.Count; i++)
        {
            graph.Append(CultureInfo.InvariantCulture, $"[t{i}]");
        }

        var args = new List<string> { "-hide_banner", "-nostats", "-filter_complex", graph.ToString() };
        for (var i = 0; i < trials.Count; i++)
        {
            if (i > 0)
            {
                args.Add(trials[i - 1].File);
            }

            args.AddRange([
                "-map", $"[t{i}]", "-an", "-sn", "-dn", "-fps_mode", "passthrough",
                "-c:v", "libx264", "-preset", preset, "-profile:v", "high",
                .. trials[i].FixedKbps is { } kbps ? FfmpegLadderCommand.FixedRateControl(kbps) : ["-crf", trials[i].Crf.ToString(CultureInfo.InvariantCulture)],
                "-pix_fmt", "yuv420p",
                "-g", gop.ToString(CultureInfo.InvariantCulture), "-keyint_min", gop.ToString(CultureInfo.InvariantCulture), "-sc_threshold", "0",
                "-force_key_frames", $"expr:gte(t,n_forced*{segmentSeconds})", "-bsf:v", "filter_units=remove_types=6", "-f", "h264",
            ]);
        }

        return new FfmpegRun([(FfmpegArguments.SafeInputOptions, samples)], args, trials[^1].File);
    }

    /// <summary>
    /// One height's scores: the samples (input 0) split into one reference per filter, every trial (inputs 1..n) scaled
    /// back to the sample size (bicubic, as a player's scaler would) and compared with <c>psnr@tI</c> then
    /// <c>ssim@tI</c> (named, so their summary lines in stderr tell which trial they measured), on every 4th frame
    /// (<see cref="Thin"/>). <c>psnr</c> passes its first input through, so <c>ssim</c> reads the same scaled frames.
    /// </summary>
    internal static FfmpegRun ScoresCommand(string samples, IReadOnlyList<Trial> trials, int width, int height)
    {
        var graph = new StringBuilder().Append(CultureInfo.InvariantCulture, $"[0:v]{Renumber}{Thin},split={trials.Count * 2}");
        for (var i = 0; i < trials.Count * 2; i++)
        {
            graph.Append(CultureInfo.InvariantCulture, $"[r{i}]");
        }

        var args = new List<string>();
        for (var i = 0; i < trials.Count; i++)
        {
            graph.Append(CultureInfo.InvariantCulture,
                $";[{i + 1}:v]{Renumber}{Thin},scale={width}:{height}:flags=bicubic[d{i}];[d{i}][r{2 * i}]psnr@t{i}[p{i}];[p{i}][r{(2 * i) + 1}]ssim@t{i}[s{i}]");
            if (i > 0)
            {
                args.Add("-");
            }

            args.AddRange(["-map", $"[s{i}]", "-f", "null"]);
        }

        return new FfmpegRun(
            [(FfmpegArguments.SafeInputOptions, samples), .. trials.Select(t => (FfmpegArguments.SafeInputOptions, t.File))],
            ["-hide_banner", "-nostats", "-filter_complex", graph.ToString(), .. args],
            "-");
    }

    /// <summary>
    /// The scores of trial 0..<paramref name="count"/>-1 from ffmpeg's stderr: <c>[psnr@tI @ 0x..] PSNR y:38.2 ...</c>
    /// (luma; <c>inf</c>, identical pictures, is 100) and <c>[ssim@tI @ 0x..] SSIM ... All:0.97 (..)</c>. Null for a
    /// trial whose lines are missing.
    /// </summary>
    internal static (double Psnr, double Ssim)?[] ParseScores(IEnumerable<string> stderr, int count)
    {
        var psnr = new double?[count];
        var ssim = new double?[count];
        foreach (var line in stderr)
        {
            var match = ScoreLine().Match(line);
            if (!match.Success || !int.TryParse(match.Groups["trial"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var trial) || trial >= count)
            {
                continue;
            }

            var text = match.Groups["value"].Value;
            var value = text.StartsWith("inf", StringComparison.OrdinalIgnoreCase) ? 100
                : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
                : (double?)null;
            if (match.Groups["filter"].Value == "psnr")
            {
                psnr[trial] = value is { } p ? Math.Min(100, p) : null;
            }
            else
            {
                ssim[trial] = value;
            }
        }

        return [.. Enumerable.Range(0, count).Select(i => psnr[i] is { } p && ssim[i] is { } s ? (p, s) : ((double, double)?)null)];
    }

    [GeneratedRegex(@"\[(?<filter>psnr|ssim)@t(?<trial>\d+) @ [^\]]*\] (?:PSNR y:(?<value>\S+)|SSIM .*\bAll:(?<value>\S+))")]
    private static partial Regex ScoreLine();

    internal static string TrialFile(int height, int crf) => string.Create(CultureInfo.InvariantCulture, $"trial_{height}p_crf{crf}.h264");

    internal static string ReferenceFile(int height, int kbps) => string.Create(CultureInfo.InvariantCulture, $"trial_{height}p_fixed{kbps}k.h264");

    private static async Task<IReadOnlyList<TrialPoint>> ScoreAsync(
        string samples, List<Trial> trials, int width, int height, double seconds, Paths paths, CancellationToken cancellationToken)
    {
        var first = trials[0];
        var stderr = await RunAsync(ScoresCommand(samples, trials, width, height), $"scoring the {first.Height}p trials", paths, cancellationToken);
        var scores = ParseScores(stderr, trials.Count);
        return [.. trials.Select((t, i) =>
        {
            var (psnr, ssim) = scores[i] ?? throw new PackagingException(
                $"per-title complexity pass: ffmpeg gave no PSNR or SSIM for the {t.Width}x{t.Height} {(t.FixedKbps is { } k ? $"{k} kb/s reference" : $"CRF {t.Crf}")} trial");
            var kbps = new FileInfo(t.File).Length * 8 / seconds / 1000;
            return new TrialPoint(t.Width, t.Height, t.Crf, Math.Round(kbps, 1), Math.Round(psnr, 3), Math.Round(ssim, 6), t.FixedKbps);
        })];
    }

    /// <summary>The samples' real duration, from their first frame (Matroska's runs from 0): the last sample can end
    /// early at the title's end, and frames are whole.</summary>
    private static async Task<double> DurationOfAsync(string samples, Paths paths, CancellationToken cancellationToken)
    {
        IMediaAnalysis analysis;
        try
        {
            analysis = await FFProbe.AnalyseAsync(samples, customArguments: FfmpegArguments.Join(FfmpegArguments.SafeInputOptions), cancellationToken: cancellationToken);
        }
        catch (FFMpegException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new PackagingException(paths.Clean($"per-title complexity pass: the samples could not be read back: {e.Message}"), e);
        }

        var duration = (analysis.Duration > TimeSpan.Zero ? analysis.Duration : analysis.PrimaryVideoStream?.Duration ?? TimeSpan.Zero) - analysis.Format.StartTime;
        return duration > TimeSpan.Zero
            ? duration.TotalSeconds
            : throw new PackagingException("per-title complexity pass: the samples have no duration (the source's video decoded to no frames)");
    }

    /// <summary>Runs one step's ffmpeg (<see cref="FfmpegRunner"/>, at info level: the scores are info lines) and returns
    /// its stderr lines; a failure names the step and ffmpeg's last lines, without server paths.</summary>
    private static Task<IReadOnlyList<string>> RunAsync(FfmpegRun run, string step, Paths paths, CancellationToken cancellationToken) =>
        FfmpegRunner.RunAsync(
            run,
            lines => paths.Clean($"per-title complexity pass: ffmpeg failed {step}: {string.Join(" | ", lines.TakeLast(8))}"),
            cancellationToken,
            infoLevel: true);

    private static string Seconds(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The caller removes the whole scratch directory anyway.
        }
    }
}
