using System.Text;
using FFMpegCore;
using FFMpegCore.Exceptions;

namespace Vod.Media.Probing;

/// <summary>What the ladder needs to know about a source, as displayed (rotation applied).</summary>
public sealed record SourceInfo(string Format, int Width, int Height, double FrameRate, IReadOnlyList<SourceAudio> Audio, TimeSpan Duration)
{
    public bool HasAudio => Audio.Count > 0;

    /// <summary>Every subtitle stream, in stream order (text and bitmap alike: <see cref="SourceSubtitle.IsText"/> tells).</summary>
    public IReadOnlyList<SourceSubtitle> Subtitles { get; init; } = [];
}

/// <summary>One audio stream of a source, in stream order: its language tag (ISO 639-2, as containers store it) and title, when the file names them.</summary>
public sealed record SourceAudio(string? Language, string? Title);

/// <summary>One subtitle stream of a source, in stream order: its codec (<c>mov_text</c>, <c>subrip</c>...), language tag and title.</summary>
public sealed record SourceSubtitle(string Codec, string? Language, string? Title)
{
    /// <summary>Text codecs ffmpeg converts to WebVTT. Bitmap subtitles (DVD, Blu-ray PGS, DVB) would need OCR.</summary>
    private static readonly HashSet<string> TextCodecs = new(["mov_text", "subrip", "srt", "webvtt", "ass", "ssa", "text"], StringComparer.OrdinalIgnoreCase);

    public bool IsText => TextCodecs.Contains(Codec);
}

/// <summary>The source cannot be transcoded, whatever the retry: the job fails with this reason.</summary>
public sealed class SourceRejectedException(string reason) : Exception(reason);

/// <summary>
/// The one check of an uploaded source, used by the origin at upload time (a bad file is 422 before any job exists)
/// and again by the transcoder before it encodes (defence in depth: the file on disk is what gets encoded).
/// </summary>
public static class SourceProbe
{
    /// <summary>
    /// Checks an uploaded file before any encoding. Text playlists are refused from their first bytes, before ffprobe
    /// opens them; ffprobe itself runs with the same protocol and demuxer whitelists as the encode.
    /// </summary>
    public static async Task<SourceInfo> ProbeAsync(string path, ProbeOptions limits, CancellationToken cancellationToken)
    {
        if (await LooksLikePlaylistAsync(path, cancellationToken))
        {
            throw new SourceRejectedException("the file is a playlist (m3u8/m3u), not a video; upload the media itself");
        }

        IMediaAnalysis analysis;
        try
        {
            analysis = await FFProbe.AnalyseAsync(path, customArguments: FfmpegArguments.Join(FfmpegArguments.SafeInputOptions), cancellationToken: cancellationToken);
        }
        catch (FFMpegException e)
        {
            throw new SourceRejectedException("the file is not a video in a supported container: " + LastLine(e.Message.Replace(path, "input", StringComparison.Ordinal)));
        }

        var video = analysis.VideoStreams.FirstOrDefault(v => !(v.Disposition?.GetValueOrDefault("attached_pic") ?? false));
        if (video is null || video.Width is not > 0 || video.Height is not > 0)
        {
            throw new SourceRejectedException($"the file has no video stream (container: {analysis.Format.FormatName})");
        }

        var duration = analysis.Duration > TimeSpan.Zero ? analysis.Duration : video.Duration;
        if (duration <= TimeSpan.Zero)
        {
            throw new SourceRejectedException("the video has no duration");
        }

        if (duration > limits.MaxDuration)
        {
            throw new SourceRejectedException($"the video lasts {duration.TotalSeconds:0} s, over the limit of {limits.MaxDuration.TotalSeconds:0} s");
        }

        // Display size: non-square pixels widened (the ladder encodes square pixels), then rotation applied.
        var (sarNum, sarDen) = video.SampleAspectRatio;
        var storedWidth = sarNum > 0 && sarDen > 0 && sarNum != sarDen
            ? (int)Math.Round((double)video.Width.Value * sarNum / sarDen)
            : video.Width.Value;
        var (width, height) = Math.Abs(video.Rotation) % 180 == 90 ? (video.Height.Value, storedWidth) : (storedWidth, video.Height.Value);
        if (width > limits.MaxWidth || height > limits.MaxHeight)
        {
            throw new SourceRejectedException($"the video is {width}x{height}, over the limit of {limits.MaxWidth}x{limits.MaxHeight}");
        }

        var fps = video.AverageFrameRate is > 0 and < 1000 ? video.AverageFrameRate : video.RealFrameRate is > 0 and < 1000 ? video.RealFrameRate : 0;
        var audio = analysis.AudioStreams
            .Select(a => new SourceAudio(a.Language, a.Tags?.GetValueOrDefault("title") ?? a.Tags?.GetValueOrDefault("TITLE")))
            .ToList();
        var subtitles = analysis.SubtitleStreams
            .Select(s => new SourceSubtitle(s.CodecName ?? "", s.Language, s.Tags?.GetValueOrDefault("title") ?? s.Tags?.GetValueOrDefault("TITLE")))
            .ToList();
        return new SourceInfo(analysis.Format.FormatName, width, height, fps, audio, duration) { Subtitles = subtitles };
    }

    private static async Task<bool> LooksLikePlaylistAsync(string path, CancellationToken cancellationToken)
    {
        var head = new byte[512];
        int read;
        await using (var file = File.OpenRead(path))
        {
            read = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        }

        var text = Encoding.UTF8.GetString(head, 0, read).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return text.StartsWith("#EXTM3U", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("#EXTINF", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("ffconcat", StringComparison.OrdinalIgnoreCase);
    }

    private static string LastLine(string message)
    {
        var line = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? message;
        return line.Length > 200 ? line[..200] : line;
    }
}
