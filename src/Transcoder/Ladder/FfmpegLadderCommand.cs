using System.Globalization;
using System.Text;
using Vod.Media;

namespace Vod.Transcoder.Ladder;

/// <summary>
/// The ffmpeg command line for a whole ladder, as data: one process decodes the source once, splits the picture
/// and encodes every video rendition, each to its own HLS fMP4 output, and the first audio stream once to an output of
/// its own (<see cref="AudioDirectory"/>), every audio stream of the source in its own output: one track per file, as
/// CMAF has it, so the same files serve HLS (an audio rendition group) and DASH (audio adaptation sets), and the audio
/// is encoded once instead of once per rung.
/// Keyframes are forced on segment boundaries and scene-cut keyframes are off, so every rung cuts its segments at the
/// same instants (players can switch rungs on any segment boundary).
/// </summary>
internal sealed record FfmpegLadderCommand(IReadOnlyList<string> InputOptions, string Input, IReadOnlyList<string> OutputArguments, string LastOutput)
{
    /// <summary>The first audio rendition's directory in the version; the next ones are <c>audio2</c>, <c>audio3</c>...
    /// (<see cref="AudioDirectoryOf"/>). No rung name may start with it (<see cref="LadderOptions"/> refuses it).</summary>
    public const string AudioDirectory = "audio";

    /// <summary>The directory of the source's audio stream <paramref name="index"/> (0-based).</summary>
    public static string AudioDirectoryOf(int index) => index == 0 ? AudioDirectory : string.Create(CultureInfo.InvariantCulture, $"{AudioDirectory}{index + 1}");

    public const int AudioChannels = 2;
    public const int AudioSampleRate = 48000;

    /// <param name="audioTracks">How many audio streams the source has: each becomes a rendition of its own.</param>
    /// <param name="frameRate">The source frame rate, used for the GOP length; 0 when unknown.</param>
    public static FfmpegLadderCommand Build(
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

        var args = new List<string> { "-filter_complex", FilterGraph(renditions) };
        string? lastOutput = null;
        for (var i = 0; i < renditions.Count; i++)
        {
            var r = renditions[i];
            if (lastOutput is not null)
            {
                args.Add(lastOutput);
            }

            args.AddRange(["-map", $"[v{i}]"]);
            args.AddRange([
                "-c:v", "libx264", "-preset", options.Preset, "-profile:v", "high", "-pix_fmt", "yuv420p",
                .. RateControl(r),
                "-g", gop.ToString(inv), "-keyint_min", gop.ToString(inv), "-sc_threshold", "0",
                "-force_key_frames", $"expr:gte(t,n_forced*{seconds})",
            ]);
            args.AddRange(HlsOutput(Path.Combine(outputDirectory, r.Name), options));
            lastOutput = Path.Combine(outputDirectory, r.Name, "index.m3u8");
        }

        for (var a = 0; a < audioTracks; a++)
        {
            args.Add(lastOutput!);
            args.AddRange(["-map", $"0:a:{a}", "-c:a", "aac", "-b:a", $"{options.AudioKbps}k", "-ac", AudioChannels.ToString(inv), "-ar", AudioSampleRate.ToString(inv)]);
            args.AddRange(HlsOutput(Path.Combine(outputDirectory, AudioDirectoryOf(a)), options));
            lastOutput = Path.Combine(outputDirectory, AudioDirectoryOf(a), "index.m3u8");
        }

        return new FfmpegLadderCommand(FfmpegArguments.SafeInputOptions, input, args, lastOutput!);
    }

    /// <summary>
    /// A fixed rung: average bitrate with a peak 10 % above it. A per-title rung: constant quality (CRF) with its peak
    /// capped (VBV: <c>-maxrate</c> and a buffer of twice that), so simple scenes spend less and complex ones no more
    /// than the rung allows.
    /// </summary>
    private static string[] RateControl(Rendition r) => r.Crf is { } crf
        ? ["-crf", crf.ToString(CultureInfo.InvariantCulture), "-maxrate", $"{r.VideoKbps}k", "-bufsize", $"{r.VideoKbps * 2}k"]
        : ["-b:v", $"{r.VideoKbps}k", "-maxrate", $"{r.VideoKbps * 11 / 10}k", "-bufsize", $"{r.VideoKbps * 2}k"];

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

    /// <summary><c>[0:v]split=N[s0]..;[s0]scale=W:H,setsar=1[v0];...</c></summary>
    internal static string FilterGraph(IReadOnlyList<Rendition> renditions)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"[0:v]split={renditions.Count}");
        for (var i = 0; i < renditions.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"[s{i}]");
        }

        for (var i = 0; i < renditions.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $";[s{i}]scale={renditions[i].Width}:{renditions[i].Height},setsar=1[v{i}]");
        }

        return sb.ToString();
    }

    /// <summary>The full argument list, as ffmpeg receives it (for logs and tests).</summary>
    public IReadOnlyList<string> All => [.. InputOptions, "-i", Input, .. OutputArguments, LastOutput];
}
