using System.Globalization;
using FFMpegCore;
using FFMpegCore.Exceptions;
using Vod.Common.Catalog;
using Vod.Media;
using Vod.Media.Probing;
using Vod.Media.Subtitles;

namespace Vod.Transcoder.Subtitles;

/// <summary>
/// Turns the source's text subtitle streams (mov_text, SubRip, WebVTT, ASS) into the version's subtitle tracks, in the
/// ladder directory before it is published: one ffmpeg run converts every stream to WebVTT in the job's scratch, then
/// each file goes through the same check and rewrite as an uploaded one (<see cref="SubtitleText"/>) and lands as
/// <c>subtitles/subN.vtt</c> with its one-segment playlist. A stream that cannot be converted is left out and logged:
/// a title without one subtitle track is still a title. Bitmap streams (DVD, PGS, DVB) are skipped: they would need OCR.
/// </summary>
internal sealed class SubtitleExtractor(ILogger<SubtitleExtractor> logger)
{
    /// <param name="scratchDirectory">The job's own directory, outside the ladder: ffmpeg's raw output goes there.</param>
    public async Task<IReadOnlyList<SubtitleTrackInfo>> ExtractAsync(
        string input,
        SourceInfo source,
        TimeSpan duration,
        string ladderDirectory,
        string scratchDirectory,
        CancellationToken cancellationToken)
    {
        var streams = source.Subtitles.Select((stream, index) => (Stream: stream, Index: index)).Where(s => s.Stream.IsText).ToList();
        foreach (var skipped in source.Subtitles.Where(s => !s.IsText))
        {
            Log.SubtitleSkipped(logger, skipped.Codec, "a bitmap subtitle codec, which would need OCR to become text");
        }

        if (streams.Count == 0)
        {
            return [];
        }

        var raw = streams.Select(s => Path.Combine(scratchDirectory, string.Create(CultureInfo.InvariantCulture, $"subtitles-{s.Index}.vtt"))).ToList();
        var outputs = new List<string>();
        for (var i = 0; i < streams.Count; i++)
        {
            if (i > 0)
            {
                outputs.Add(raw[i - 1]);
            }

            outputs.AddRange(["-map", string.Create(CultureInfo.InvariantCulture, $"0:s:{streams[i].Index}"), "-c:s", "webvtt", "-f", "webvtt"]);
        }

        try
        {
            await FFMpegArguments
                .FromFileInput(input, verifyExists: true, o => o.WithCustomArgument(FfmpegArguments.Join(FfmpegArguments.SafeInputOptions)))
                .OutputToFile(raw[^1], overwrite: true, o => o.WithCustomArgument(FfmpegArguments.Join(outputs)))
                .CancellableThrough(cancellationToken)
                .ProcessAsynchronously(throwOnError: true, ffOptions: null, cancellationToken: CancellationToken.None);
        }
        catch (FFMpegException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Log.SubtitleSkipped(logger, string.Join(',', streams.Select(s => s.Stream.Codec)), "ffmpeg could not convert them: " + e.Message.Replace(input, "input", StringComparison.Ordinal));
            return [];
        }

        cancellationToken.ThrowIfCancellationRequested();
        var tracks = new List<SubtitleTrackInfo>();
        for (var i = 0; i < streams.Count; i++)
        {
            var stream = streams[i].Stream;
            SubtitleDocument document;
            try
            {
                document = SubtitleText.Parse(await File.ReadAllBytesAsync(raw[i], cancellationToken), duration);
            }
            catch (Exception e) when (e is SubtitleRejectedException or FileNotFoundException)
            {
                Log.SubtitleSkipped(logger, stream.Codec, e.Message);
                continue;
            }

            var language = LanguageTags.FromStreamTag(stream.Language);
            var track = SubtitleTrackInfo.Create(
                SubtitleTrackInfo.NameOf(tracks.Count + 1),
                language,
                TrackLabels.Clean(stream.Title) ?? LanguageTags.EnglishName(language) ?? string.Create(CultureInfo.InvariantCulture, $"Subtitles {tracks.Count + 1}"),
                uploaded: false);
            await SubtitleFiles.WriteAsync(ladderDirectory, track.File, track.Playlist, document, duration, cancellationToken);
            tracks.Add(track);
        }

        return tracks;
    }
}
