using System.Globalization;

namespace Vod.Common.Hls;

/// <summary>One media segment of a single-file rendition: a byte range of the file and its duration.</summary>
public readonly record struct ByteRangeSegment(long Offset, long Length, double Seconds);

/// <summary>
/// The segments of a single-file media playlist as this project's transcoder writes it: <c>EXT-X-MAP</c> with a
/// <c>BYTERANGE</c> at offset 0, then <c>EXTINF</c> and <c>EXT-X-BYTERANGE:length@offset</c> for every segment of the
/// one file. Pure: no I/O.
/// </summary>
public sealed record ByteRangePlaylist(long InitLength, IReadOnlyList<ByteRangeSegment> Segments)
{
    /// <exception cref="FormatException">Not such a playlist (no init range, a segment without an explicit range, no segments).</exception>
    public static ByteRangePlaylist Parse(string playlist)
    {
        long initLength = -1;
        double seconds = -1;
        var segments = new List<ByteRangeSegment>();
        foreach (var raw in playlist.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("#EXT-X-MAP:", StringComparison.Ordinal))
            {
                var at = line.IndexOf("BYTERANGE=\"", StringComparison.Ordinal);
                var range = at < 0 ? null : Range(line[(at + 11)..line.IndexOf('"', at + 11)]);
                initLength = range is { Offset: 0 } r ? r.Length : throw new FormatException("the init section is not a byte range at the start of the file");
            }
            else if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                seconds = double.Parse(line[8..].Split(',')[0], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-BYTERANGE:", StringComparison.Ordinal))
            {
                var range = Range(line[17..]) ?? throw new FormatException($"a segment range without an offset: {line}");
                segments.Add(new ByteRangeSegment(range.Offset, range.Length, seconds >= 0 ? seconds : throw new FormatException("a range before its EXTINF")));
                seconds = -1;
            }
        }

        return initLength > 0 && segments.Count > 0
            ? new ByteRangePlaylist(initLength, segments)
            : throw new FormatException("not a single-file playlist: no init range or no segments");
    }

    private static (long Length, long Offset)? Range(string value) =>
        value.Split('@') is [var length, var offset]
            ? (long.Parse(length, NumberStyles.None, CultureInfo.InvariantCulture), long.Parse(offset, NumberStyles.None, CultureInfo.InvariantCulture))
            : null;
}
