using System.Globalization;

namespace Vod.Transcoder.Packaging;

/// <summary>Duration and bitrates of one packaged rendition, read back from its media playlist.</summary>
/// <param name="PeakBitsPerSecond">The largest segment bitrate: the master playlist's BANDWIDTH.</param>
/// <param name="AverageBitsPerSecond">All media bytes over the whole duration: AVERAGE-BANDWIDTH.</param>
internal sealed record MediaPlaylistStats(int Segments, double DurationSeconds, long PeakBitsPerSecond, long AverageBitsPerSecond, string InitSegment)
{
    /// <summary>
    /// Reads a VOD media playlist written by ffmpeg's HLS muxer. Segment sizes come from <c>EXT-X-BYTERANGE</c>
    /// (single-file layout) or from the segment files' lengths (file-per-segment layout).
    /// </summary>
    public static MediaPlaylistStats Read(string playlistPath)
    {
        var directory = Path.GetDirectoryName(playlistPath)!;
        double total = 0, pendingDuration = -1;
        long pendingLength = -1, bytes = 0, peak = 0;
        var segments = 0;
        string? init = null;
        foreach (var raw in File.ReadLines(playlistPath))
        {
            var line = raw.Trim();
            if (line.StartsWith("#EXT-X-MAP:", StringComparison.Ordinal))
            {
                var start = line.IndexOf("URI=\"", StringComparison.Ordinal) + 5;
                init = line[start..line.IndexOf('"', start)];
            }
            else if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                pendingDuration = double.Parse(line[8..].Split(',')[0], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-BYTERANGE:", StringComparison.Ordinal))
            {
                pendingLength = long.Parse(line[17..].Split('@')[0], CultureInfo.InvariantCulture);
            }
            else if (line.Length > 0 && line[0] != '#' && pendingDuration >= 0)
            {
                var length = pendingLength >= 0 ? pendingLength : new FileInfo(Path.Combine(directory, line)).Length;
                if (pendingDuration > 0)
                {
                    peak = Math.Max(peak, (long)Math.Ceiling(length * 8 / pendingDuration));
                }

                bytes += length;
                total += pendingDuration;
                segments++;
                pendingDuration = -1;
                pendingLength = -1;
            }
        }

        if (segments == 0 || total <= 0 || init is null)
        {
            throw new InvalidDataException($"the packaged playlist {Path.GetFileName(playlistPath)} has no segments or no init segment");
        }

        return new MediaPlaylistStats(segments, total, peak, (long)Math.Ceiling(bytes * 8 / total), init);
    }
}
