using System.Globalization;
using System.Text;
using Vod.Media;

namespace Vod.Transcoder.Ladder;

/// <summary>
/// The ffmpeg command line for a whole ladder, as data: one process decodes the source once, splits the picture
/// and encodes every rendition, each to its own HLS fMP4 output. Keyframes are forced on segment boundaries and
/// scene-cut keyframes are off, so every rung cuts its segments at the same instants (players can switch rungs on
/// any segment boundary).
/// </summary>
internal sealed record FfmpegLadderCommand(IReadOnlyList<string> InputOptions, string Input, IReadOnlyList<string> OutputArguments, string LastOutput)
{
    /// <param name="frameRate">The source frame rate, used for the GOP length; 0 when unknown.</param>
    public static FfmpegLadderCommand Build(
        string input,
        string outputDirectory,
        IReadOnlyList<Rendition> renditions,
        LadderOptions options,
        bool hasAudio,
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
            if (hasAudio)
            {
                args.AddRange(["-map", "0:a:0"]);
            }

            args.AddRange([
                "-c:v", "libx264", "-preset", options.Preset, "-profile:v", "high", "-pix_fmt", "yuv420p",
                "-b:v", $"{r.VideoKbps}k", "-maxrate", $"{r.VideoKbps * 11 / 10}k", "-bufsize", $"{r.VideoKbps * 2}k",
                "-g", gop.ToString(inv), "-keyint_min", gop.ToString(inv), "-sc_threshold", "0",
                "-force_key_frames", $"expr:gte(t,n_forced*{seconds})",
            ]);
            if (hasAudio)
            {
                args.AddRange(["-c:a", "aac", "-b:a", $"{options.AudioKbps}k", "-ac", "2", "-ar", "48000"]);
            }

            var dir = Path.Combine(outputDirectory, r.Name);
            var singleFile = options.Layout == SegmentLayout.SingleFile;
            args.AddRange([
                "-f", "hls", "-hls_time", seconds.ToString(inv), "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4",
                "-hls_flags", singleFile ? "single_file+independent_segments" : "independent_segments",
            ]);
            args.AddRange(singleFile
                ? ["-hls_segment_filename", Path.Combine(dir, "media.mp4")]
                : ["-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", Path.Combine(dir, "seg_%05d.m4s")]);

            lastOutput = Path.Combine(dir, "index.m3u8");
        }

        return new FfmpegLadderCommand(FfmpegArguments.SafeInputOptions, input, args, lastOutput!);
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
