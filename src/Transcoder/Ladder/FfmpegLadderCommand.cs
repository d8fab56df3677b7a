using System.Globalization;
using System.Text;
using Vod.Media;
using Vod.Transcoder.Packaging;

namespace Vod.Transcoder.Ladder;

/// <summary>
/// The ffmpeg command line for a whole ladder, as data (an <see cref="FfmpegRun"/>): one process decodes the source once, splits the picture
/// and encodes every video rendition, each to its own HLS fMP4 output, and the first audio stream once to an output of
/// its own (<see cref="AudioDirectory"/>), every audio stream of the source in its own output: one track per file, as
/// CMAF has it, so the same files serve HLS (an audio rendition group) and DASH (audio adaptation sets), and the audio
/// is encoded once instead of once per rung.
/// Keyframes are forced on segment boundaries and scene-cut keyframes are off, so every rung cuts its segments at the
/// same instants (players can switch rungs on any segment boundary).
/// <para>
/// With AV1 in <see cref="LadderOptions.Codecs"/>, every rendition also gets an SVT-AV1 copy (<see cref="Av1NameOf"/>)
/// at the same size, from the same scaled picture, in fMP4 HLS like the others (<see cref="VideoOutputs"/>).
/// </para>
/// </summary>
internal static class FfmpegLadderCommand
{
    /// <summary>The first audio rendition's directory in the version; the next ones are <c>audio2</c>, <c>audio3</c>...
    /// (<see cref="AudioDirectoryOf"/>). No rung name may start with it (<see cref="LadderOptions"/> refuses it).</summary>
    public const string AudioDirectory = "audio";

    /// <summary>The directory of the source's audio stream <paramref name="index"/> (0-based).</summary>
    public static string AudioDirectoryOf(int index) => index == 0 ? AudioDirectory : string.Create(CultureInfo.InvariantCulture, $"{AudioDirectory}{index + 1}");

    /// <summary>What an AV1 copy's directory adds to its rendition's name: <c>720p-av1</c> beside <c>720p</c>. No rung
    /// may be named so (checked at start), so no copy takes a rung's directory; nor does it start with
    /// <see cref="AudioDirectory"/>, since its rung's name does not.</summary>
    public const string Av1Suffix = "-av1";

    /// <summary>The directory of the AV1 copy of rendition <paramref name="name"/>.</summary>
    public static string Av1NameOf(string name) => name + Av1Suffix;

    /// <summary>
    /// An AV1 copy's share of its H.264 rung's bitrate: a fixed rung's target (<c>-b:v</c>), a per-title rung's cap
    /// (<c>-maxrate</c>). The saving AV1 is usually credited with; on the synthetic test pattern at preset 10 the 1080p
    /// copy scores 1.6 dB PSNR below its rung at this share, and above x264 at equal bits (docs/speed.md, "AV1").
    /// </summary>
    public const int Av1BitratePercent = 70;

    public const int AudioChannels = 2;
    public const int AudioSampleRate = 48000;

    /// <param name="audioTracks">How many audio streams the source has: each becomes a rendition of its own.</param>
    /// <param name="frameRate">The source frame rate, used for the GOP length; 0 when unknown.</param>
    public static FfmpegRun Build(
        string input,
        string outputDirectory,
        IReadOnlyList<Rendition> renditions,
        LadderOptions options,
        int audioTracks,
        double frameRate)
    {
        ArgumentOutOfRangeException.ThrowIfZero(renditions.Count);
        var inv = CultureInfo.InvariantCulture;
        var seconds = options.SegmentSeconds;
        var gop = frameRate > 0 ? Math.Max(1, (int)Math.Round(frameRate * seconds)) : 250;
        var outputs = Outputs(renditions, options, frameRate);
        var av1 = outputs.Any(o => o.Output.Codec == VideoCodec.Av1);

        // SVT-AV1 (1.4, through ffmpeg 5.1) takes no forced keyframes in its VBR mode: its keyframes come every -g
        // frames. With AV1 in the ladder, x264's are forced on the same frame numbers, so that both codecs cut their
        // segments at the same frames whatever the frame rate; for a whole number of frames per segment (25 or 30 fps
        // and 4 s) that is where the time-based expression forces them anyway.
        var forceKeyFrames = av1 ? $"expr:eq(mod(n,{gop}),0)" : $"expr:gte(t,n_forced*{seconds})";
        var args = new List<string> { "-filter_complex", FilterGraph(renditions, av1) };
        string? lastOutput = null;
        foreach (var (output, index) in outputs)
        {
            var r = output.Rendition;
            if (lastOutput is not null)
            {
                args.Add(lastOutput);
            }

            if (output.Codec == VideoCodec.Av1)
            {
                args.AddRange(["-map", $"[v{index}av1]"]);
                args.AddRange([
                    "-c:v", "libsvtav1", "-preset", options.Av1Preset.ToString(inv), "-pix_fmt", "yuv420p",
                    .. Av1RateControl(output),
                    "-g", gop.ToString(inv), "-svtav1-params", "scd=0",
                ]);
            }
            else
            {
                args.AddRange(["-map", $"[v{index}]"]);
                args.AddRange([
                    "-c:v", "libx264", "-preset", options.Preset, "-profile:v", "high", "-pix_fmt", "yuv420p",
                    .. RateControl(r),
                    "-g", gop.ToString(inv), "-keyint_min", gop.ToString(inv), "-sc_threshold", "0",
                    "-force_key_frames", forceKeyFrames,
                ]);
            }

            args.AddRange(HlsOutput(Path.Combine(outputDirectory, output.Name), options));
            lastOutput = Path.Combine(outputDirectory, output.Name, "index.m3u8");
        }

        for (var a = 0; a < audioTracks; a++)
        {
            args.Add(lastOutput!);
            args.AddRange(["-map", $"0:a:{a}", "-c:a", "aac", "-b:a", $"{options.AudioKbps}k", "-ac", AudioChannels.ToString(inv), "-ar", AudioSampleRate.ToString(inv)]);
            args.AddRange(HlsOutput(Path.Combine(outputDirectory, AudioDirectoryOf(a)), options));
            lastOutput = Path.Combine(outputDirectory, AudioDirectoryOf(a), "index.m3u8");
        }

        return new FfmpegRun([(FfmpegArguments.SafeInputOptions, input)], args, lastOutput!);
    }

    /// <summary>
    /// The video outputs of a ladder, each in its own directory: every rendition in H.264 under its own name, then, with
    /// AV1 in <see cref="LadderOptions.Codecs"/>, every rendition again in AV1 (<see cref="Av1NameOf"/>), in the same
    /// order. H.264 first: whoever takes the first of two renditions of a size (thumbnails, trick play) decodes H.264.
    /// Without a known <paramref name="frameRate"/> there are no AV1 copies: their keyframes come every so many
    /// frames (<see cref="Build"/>), which only lands on segment boundaries when the frame rate is known.
    /// </summary>
    public static IReadOnlyList<VideoOutput> VideoOutputs(IReadOnlyList<Rendition> renditions, LadderOptions options, double frameRate) =>
        Outputs(renditions, options, frameRate).Select(o => o.Output).ToList();

    /// <summary><see cref="VideoOutputs"/>, each with the index of its rendition (its branch of the filter graph).</summary>
    private static List<(VideoOutput Output, int Branch)> Outputs(IReadOnlyList<Rendition> renditions, LadderOptions options, double frameRate)
    {
        var h264 = renditions.Select((r, i) => (Output: new VideoOutput(r.Name, r, VideoCodec.H264), Branch: i));
        var av1 = options.EffectiveCodecs.Contains(VideoCodec.Av1) && frameRate > 0
            ? renditions.Select((r, i) => (Output: new VideoOutput(Av1NameOf(r.Name), r, VideoCodec.Av1), Branch: i))
            : [];
        var outputs = h264.Concat(av1).ToList();
        // Configured rung names are checked at start (AddTranscoding); a name from elsewhere must not collide either.
        return outputs.DistinctBy(o => o.Output.Name, StringComparer.Ordinal).Count() == outputs.Count
            ? outputs
            : throw new ArgumentException("two video outputs would share a directory (a rendition named like another's AV1 copy)", nameof(renditions));
    }

    /// <summary>
    /// The AV1 copy of a fixed rung: SVT-AV1's VBR at <see cref="Av1BitratePercent"/> of the rung's bitrate, without a
    /// cap (SVT-AV1 1.4 caps the peak in its CRF mode only; a <c>-maxrate</c> would only be written into the stream as a
    /// promise the encoder does not keep). Of a per-title rung: capped CRF (<see cref="Av1Crf"/>, its peak at
    /// <see cref="Av1BitratePercent"/> of the H.264 cap).
    /// </summary>
    private static string[] Av1RateControl(VideoOutput av1) => av1.Rendition.Crf is { } crf
        ? ["-crf", Av1Crf(crf).ToString(CultureInfo.InvariantCulture), "-maxrate", $"{av1.VideoKbps}k"]
        : ["-b:v", $"{av1.VideoKbps}k"];

    /// <summary>
    /// The SVT-AV1 CRF (0-63) that gives about the PSNR of x264 <paramref name="x264Crf"/> (0-51): 1.5 x CRF + 2, rounded
    /// down (21 → 33, 25 → 39, 29 → 45, 33 → 51, 37 → 57). Fitted on test clips (testsrc2, a Mandelbrot zoom) at
    /// 640x360, x264 <c>veryfast</c> against SVT-AV1 preset 10 (docs/speed.md, "AV1"): the per-title trials chose the
    /// x264 CRF for the quality they measured, and the AV1 copy aims at that quality with fewer bits.
    /// </summary>
    public static int Av1Crf(int x264Crf) => Math.Clamp((3 * x264Crf / 2) + 2, 1, 63);

    /// <summary>
    /// A fixed rung: average bitrate with a peak 10 % above it. A per-title rung: constant quality (CRF) with its peak
    /// capped (VBV: <c>-maxrate</c> and a buffer of twice that), so simple scenes spend less and complex ones no more
    /// than the rung allows.
    /// </summary>
    private static string[] RateControl(Rendition r) => r.Crf is { } crf
        ? ["-crf", crf.ToString(CultureInfo.InvariantCulture), "-maxrate", $"{r.VideoKbps}k", "-bufsize", $"{r.VideoKbps * 2}k"]
        : FixedRateControl(r.VideoKbps);

    /// <summary>x264's rate control for a fixed rung of <paramref name="kbps"/> (also the per-title pass's reference
    /// trial, which must encode as the fixed ladder does).</summary>
    internal static string[] FixedRateControl(int kbps) => ["-b:v", $"{kbps}k", "-maxrate", $"{kbps * 11 / 10}k", "-bufsize", $"{kbps * 2}k"];

    /// <summary>The HLS fMP4 muxer's options for one output written into <paramref name="dir"/>.</summary>
    private static string[] HlsOutput(string dir, LadderOptions options)
    {
        var singleFile = options.Layout == SegmentLayout.SingleFile;
        return
        [
            "-f", "hls", "-hls_time", options.SegmentSeconds.ToString(CultureInfo.InvariantCulture), "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4",
            "-hls_flags", singleFile ? "single_file+independent_segments" : "independent_segments",
            .. singleFile
                ? new[] { "-hls_segment_filename", Path.Combine(dir, "media.mp4") }
                : ["-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", Path.Combine(dir, "seg_%05d.m4s")],
        ];
    }

    /// <summary><c>[0:v]split=N[s0]..;[s0]scale=W:H,setsar=1[v0];...</c>; with <paramref name="av1"/>, each scaled
    /// picture is split again for its AV1 copy (<c>...,setsar=1,split=2[v0][v0av1]</c>): one scale per size.</summary>
    internal static string FilterGraph(IReadOnlyList<Rendition> renditions, bool av1 = false)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"[0:v]split={renditions.Count}");
        for (var i = 0; i < renditions.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"[s{i}]");
        }

        for (var i = 0; i < renditions.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $";[s{i}]scale={renditions[i].Width}:{renditions[i].Height},setsar=1");
            if (av1)
            {
                sb.Append(CultureInfo.InvariantCulture, $",split=2[v{i}][v{i}av1]");
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"[v{i}]");
            }
        }

        return sb.ToString();
    }
}

/// <summary>One video output of the ladder command: <paramref name="Rendition"/> in <paramref name="Codec"/>, written
/// into the directory <paramref name="Name"/> of the version.</summary>
internal sealed record VideoOutput(string Name, Rendition Rendition, VideoCodec Codec)
{
    /// <summary>
    /// The output's own target bitrate (a per-title rung's: its cap). An AV1 copy's is a share of what its H.264 rung is
    /// expected to spend: the rung's target or cap, or, for a per-title rung at a fixed bitrate (the top rung kept at the
    /// fixed ladder's quality), the bitrate its trial measured when lower: a test card the fixed 5 Mb/s rung encodes in
    /// 0.65 Mb/s would otherwise get an AV1 copy aiming at 3.5 Mb/s, twice the H.264 rung's bits.
    /// </summary>
    public int VideoKbps => Codec == VideoCodec.Av1
        ? ExpectedKbps(Rendition) * FfmpegLadderCommand.Av1BitratePercent / 100
        : Rendition.VideoKbps;

    private static int ExpectedKbps(Rendition r) => r is { Crf: null, Quality: { } q }
        ? Math.Clamp((int)Math.Ceiling(q.SampleKbps), 1, r.VideoKbps)
        : r.VideoKbps;
}
