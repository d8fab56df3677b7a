using System.Globalization;
using FFMpegCore;
using FFMpegCore.Exceptions;
using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Media;
using Vod.Media.Probing;
using Vod.Transcoder.Ladder;
using Vod.Transcoder.Ladder.PerTitle;

namespace Vod.Transcoder.Packaging;

/// <summary>What <see cref="LadderPackager.PackageAsync"/> wrote: the video renditions and the audio tracks (none without audio).</summary>
/// <param name="DurationSeconds">The longest track as packaged (AAC frames can run a few tens of milliseconds past the
/// picture): the presentation's real end, which a DASH player must be told (dash.js ends playback itself at the MPD's
/// duration, and stopped short of the element's own end when that was the source's shorter probe duration).</param>
internal sealed record PackagedLadder(IReadOnlyList<RenditionInfo> Renditions, IReadOnlyList<AudioRenditionInfo> Audio, double DurationSeconds);

/// <summary>ffmpeg failed for a reason that is not the source's fault (or not known to be).</summary>
internal sealed class PackagingException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Encodes a source into the ladder with one ffmpeg process (through FFMpegCore), then reads back what was written:
/// bitrates from the media playlists, codec strings from the init segments, the DASH addressing of each rendition
/// (<see cref="DashIndex"/>), and writes <c>master.m3u8</c>. With AV1 on (<see cref="LadderOptions.Codecs"/>) the AV1
/// copies are renditions like the others (<c>720p-av1</c>, CODECS <c>av01...</c>), after the H.264 ones.
/// </summary>
internal sealed partial class LadderPackager(IOptions<LadderOptions> options, ComplexityPass complexity, ILogger<LadderPackager> logger)
{
    public const string OutOfSpace = "out of disk space while writing the ladder";

    public async Task<PackagedLadder> PackageAsync(
        string input,
        SourceInfo source,
        string outputDirectory,
        string scratchDirectory,
        Action<double> onProgress,
        CancellationToken cancellationToken)
    {
        var ladder = options.Value;
        var renditions = ladder.Mode == LadderMode.PerTitle
            ? await PlanPerTitleAsync(input, source, scratchDirectory, cancellationToken)
            : LadderPlan.For(ladder.EffectiveRungs, source.Width, source.Height);
        var videos = FfmpegLadderCommand.VideoOutputs(renditions, ladder, source.FrameRate); // with AV1, each rendition twice
        if (ladder.EffectiveCodecs.Contains(VideoCodec.Av1) && videos.All(v => v.Codec != VideoCodec.Av1))
        {
            Log.NoAv1WithoutFrameRate(logger);
        }

        foreach (var name in videos.Select(v => v.Name).Concat(source.Audio.Select((_, i) => FfmpegLadderCommand.AudioDirectoryOf(i))))
        {
            Directory.CreateDirectory(Path.Combine(outputDirectory, name));
        }

        var command = FfmpegLadderCommand.Build(input, outputDirectory, renditions, ladder, source.Audio.Count, source.FrameRate);
        Log.Encoding(logger, string.Join(", ", videos.Select(v => $"{v.Name} {v.Rendition.Width}x{v.Rendition.Height}@{v.VideoKbps}k")), FfmpegArguments.Join(command.All));
        await FfmpegRunner.RunAsync(
            command,
            lines => $"ffmpeg failed: {string.Join(" | ", lines.Where(l => !l.StartsWith("frame=", StringComparison.Ordinal)))}"
                .Replace(input, "input", StringComparison.Ordinal).Replace(outputDirectory, "output", StringComparison.Ordinal), // the title's error is public: no server paths
            cancellationToken,
            keep: 16,
            onProgress: onProgress,
            duration: source.Duration);

        var singleFile = ladder.Layout == SegmentLayout.SingleFile;
        double longest = 0;

        // One packaged output, video or audio: its DASH addressing first (a single file gains its index and the
        // playlist's ranges move), then bitrates and duration from the playlist and the codec from the init segment.
        (DashSegments Dash, MediaPlaylistStats Stats, string Codecs) Read(string name)
        {
            var directory = Path.Combine(outputDirectory, name);
            var dash = singleFile ? DashIndex.IndexSingleFile(directory) : DashIndex.TimelineOf(directory);
            var stats = MediaPlaylistStats.Read(Path.Combine(directory, "index.m3u8"));
            longest = Math.Max(longest, stats.DurationSeconds);
            return (dash, stats, CodecString.FromInitFile(Path.Combine(directory, stats.InitSegment)));
        }

        var packaged = videos.Select(v =>
        {
            var (r, name) = (v.Rendition, v.Name);
            var (dash, stats, codecs) = Read(name);
            return new RenditionInfo(name, r.Width, r.Height, stats.PeakBitsPerSecond, stats.AverageBitsPerSecond, codecs,
                Math.Round(source.FrameRate, 3), $"{name}/index.m3u8")
            { Dash = dash, Quality = v.Codec == VideoCodec.Av1 ? null : r.Quality }; // the trials measured x264, not the AV1 copy
        }).ToList();

        var audio = source.Audio.Select((track, i) =>
        {
            var name = FfmpegLadderCommand.AudioDirectoryOf(i);
            var (dash, stats, codecs) = Read(name);
            var language = LanguageTags.FromStreamTag(track.Language);
            return new AudioRenditionInfo(name, stats.PeakBitsPerSecond, stats.AverageBitsPerSecond, codecs,
                FfmpegLadderCommand.AudioChannels, FfmpegLadderCommand.AudioSampleRate, $"{name}/index.m3u8")
            {
                Dash = dash,
                Language = language,
                Label = TrackLabels.Clean(track.Title) ?? LanguageTags.EnglishName(language) ?? string.Create(CultureInfo.InvariantCulture, $"Audio {i + 1}"),
            };
        }).ToList();

        // A master of the version's own, with relative URIs (the origin's /play/{id}/master.m3u8 is what players get).
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "master.m3u8"), MasterPlaylist.ForTitle(packaged, audio, [(null, "")]), cancellationToken);
        return new PackagedLadder(packaged, audio, longest);
    }

    /// <summary>
    /// The per-title ladder: trial encodes of the source's samples (<see cref="ComplexityPass"/>, in the job's scratch,
    /// outside the version), then the rungs on their quality-against-bitrate hull (<see cref="PerTitleLadder"/>), each
    /// encoded at its trial's CRF with its peak capped (or, a rung taken from the reference trial, as the fixed rung).
    /// </summary>
    private async Task<IReadOnlyList<Rendition>> PlanPerTitleAsync(string input, SourceInfo source, string scratchDirectory, CancellationToken cancellationToken)
    {
        var points = await complexity.MeasureAsync(input, source, scratchDirectory, cancellationToken);
        var rungs = PerTitleLadder.Select(points, source.Width, source.Height, options.Value.PerTitle);
        Log.PerTitleLadder(logger, points.Count, string.Join(", ", rungs.Select(r =>
            string.Create(CultureInfo.InvariantCulture, $"{r.Name} {(r.Crf is { } crf ? $"crf {crf} {r.SampleKbps:0}k (cap {r.MaxKbps}k)" : $"fixed {r.MaxKbps}k ({r.SampleKbps:0}k)")} PSNR {r.Psnr:0.00} SSIM {r.Ssim:0.0000}"))));
        return rungs.Select(r => new Rendition(r.Name, r.Width, r.Height, r.MaxKbps, r.Crf,
            new RenditionQuality(r.Crf, Math.Round(r.SampleKbps), Math.Round(r.Psnr, 2), Math.Round(r.Ssim, 4)))).ToList();
    }

    public const string PosterFile = "poster.jpg";

    /// <summary>
    /// A poster frame for the catalog: one JPEG, 480 pixels wide, taken a tenth of the way in (past black intros).
    /// Returns the file name, or null when it could not be made: a title without a poster is still a title.
    /// </summary>
    public async Task<string?> ExtractPosterAsync(string input, SourceInfo source, string outputDirectory, CancellationToken cancellationToken)
    {
        var at = TimeSpan.FromSeconds(Math.Round(source.Duration.TotalSeconds / 10, 3));
        try
        {
            await FFMpegArguments
                .FromFileInput(input, verifyExists: true, o => o.WithCustomArgument(
                    FfmpegArguments.Join([.. FfmpegArguments.SafeInputOptions, "-ss", at.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)])))
                .OutputToFile(Path.Combine(outputDirectory, PosterFile), overwrite: true, o => o.WithCustomArgument("-frames:v 1 -vf scale=480:-2 -q:v 4"))
                .CancellableThrough(cancellationToken)
                .ProcessAsynchronously(throwOnError: true, ffOptions: null, cancellationToken: CancellationToken.None);
            return PosterFile;
        }
        catch (FFMpegException e)
        {
            Log.NoPoster(logger, e.Message);
            return null;
        }
    }
}
