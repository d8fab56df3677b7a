using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Vod.Common.Catalog;
using Vod.Common.Hls;

namespace Vod.Transcoder.Packaging;

/// <summary>
/// Makes a rendition the HLS muxer wrote addressable by DASH as well, from the same files.
/// <list type="bullet">
/// <item>Single file: DASH's on-demand profile finds segments through one segment index (<c>sidx</c>) for the whole
/// file (<c>SegmentBase@indexRange</c>). ffmpeg's HLS muxer writes only a small <c>sidx</c> at the start of each
/// fragment, so <see cref="IndexSingleFile"/> inserts a global one right after the init section, built from those
/// (exact durations in the track's own timescale), and moves the playlist's byte ranges up by its size. HLS players
/// never fetch it; their ranges still start each segment at its own <c>sidx</c>.</item>
/// <item>File per segment: <see cref="TimelineOf"/> reads each segment's <c>sidx</c> for a <c>SegmentTimeline</c>.</item>
/// </list>
/// Box layouts: ISO/IEC 14496-12 §8.16.3 (SegmentIndexBox).
/// </summary>
internal static partial class DashIndex
{
    public const string SingleFileName = "media.mp4";
    public const string InitFileName = "init.mp4";

    /// <summary>Inserts the global <c>sidx</c> into the rendition's single file and rewrites its playlist to match.</summary>
    /// <param name="directory">The rendition's directory: <c>index.m3u8</c> and <see cref="SingleFileName"/>.</param>
    public static DashSegments IndexSingleFile(string directory)
    {
        var playlistPath = Path.Combine(directory, "index.m3u8");
        var mediaPath = Path.Combine(directory, SingleFileName);
        var playlist = File.ReadAllText(playlistPath);
        if (!playlist.Contains($"#EXT-X-MAP:URI=\"{SingleFileName}\"", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"the playlist's init section is not in {SingleFileName}");
        }

        ByteRangePlaylist parsed;
        try
        {
            parsed = ByteRangePlaylist.Parse(playlist);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException(e.Message, e);
        }

        var initLength = parsed.InitLength;
        var ranges = parsed.Segments;
        var references = new List<(long Size, long Duration)>(ranges.Count);
        uint referenceId = 0, timescale = 0;
        ulong earliest = 0;
        using (var file = File.OpenRead(mediaPath))
        {
            var expected = initLength;
            foreach (var (offset, length, _) in ranges)
            {
                if (offset != expected || length is <= 0 or > int.MaxValue)
                {
                    throw new InvalidDataException($"segment at byte {offset} does not follow the previous one, or is too large for a sidx reference");
                }

                var index = ReadFirstSidx(file, offset, length) ?? throw new InvalidDataException($"segment at byte {offset} has no sidx box");
                if (references.Count == 0)
                {
                    (referenceId, timescale, earliest) = (index.ReferenceId, index.Timescale, index.EarliestPresentationTime);
                }
                else if (index.Timescale != timescale)
                {
                    throw new InvalidDataException("the segments' sidx boxes disagree on the timescale");
                }

                references.Add((length, index.Duration));
                expected = offset + length;
            }

            if (expected != file.Length)
            {
                throw new InvalidDataException($"{file.Length - expected} bytes of {SingleFileName} follow the last segment");
            }
        }

        var sidx = GlobalSidx(referenceId, timescale, earliest, references);
        var temporary = mediaPath + ".indexing";
        using (var source = File.OpenRead(mediaPath))
        using (var target = File.Create(temporary))
        {
            CopyExactly(source, target, initLength);
            target.Write(sidx);
            source.CopyTo(target);
        }

        File.Move(temporary, mediaPath, overwrite: true);
        File.WriteAllText(playlistPath, SegmentRange().Replace(playlist, m =>
            string.Create(CultureInfo.InvariantCulture, $"#EXT-X-BYTERANGE:{m.Groups["length"].Value}@{long.Parse(m.Groups["offset"].Value, CultureInfo.InvariantCulture) + sidx.Length}")));
        return new DashSegments(
            SingleFileName,
            InitializationRange: string.Create(CultureInfo.InvariantCulture, $"0-{initLength - 1}"),
            IndexRange: string.Create(CultureInfo.InvariantCulture, $"{initLength}-{initLength + sidx.Length - 1}"));
    }

    /// <summary>The timeline of a file-per-segment rendition (<see cref="InitFileName"/> and <c>seg_NNNNN.m4s</c>), from each segment's <c>sidx</c>.</summary>
    public static DashSegments TimelineOf(string directory)
    {
        var playlist = File.ReadAllText(Path.Combine(directory, "index.m3u8"));
        var names = SegmentFile().Matches(playlist).Select(m => m.Value).ToList();
        if (names.Count == 0 || !playlist.Contains($"URI=\"{InitFileName}\"", StringComparison.Ordinal))
        {
            throw new InvalidDataException("the playlist has no segment files or no init file");
        }

        var first = int.Parse(names[0].AsSpan(4, 5), CultureInfo.InvariantCulture);
        var durations = new List<long>(names.Count);
        uint timescale = 0;
        ulong start = 0;
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] != SegmentName(first + i))
            {
                throw new InvalidDataException($"segment {names[i]} is out of sequence");
            }

            using var file = File.OpenRead(Path.Combine(directory, names[i]));
            var index = ReadFirstSidx(file, 0, file.Length) ?? throw new InvalidDataException($"segment {names[i]} has no sidx box");
            if (i == 0)
            {
                (timescale, start) = (index.Timescale, index.EarliestPresentationTime);
            }
            else if (index.Timescale != timescale)
            {
                throw new InvalidDataException("the segments' sidx boxes disagree on the timescale");
            }

            durations.Add(index.Duration);
        }

        return new DashSegments("seg_$Number%05d$.m4s", Initialization: InitFileName, StartNumber: first, Timescale: (int)timescale,
            StartTime: (long)start, SegmentDurations: durations);
    }

    private static string SegmentName(int number) => string.Create(CultureInfo.InvariantCulture, $"seg_{number:00000}.m4s");

    private sealed record SegmentIndex(uint ReferenceId, uint Timescale, ulong EarliestPresentationTime, long Duration);

    /// <summary>The first <c>sidx</c> among the top-level boxes of <c>[offset, offset + length)</c>, before any <c>moof</c>.</summary>
    private static SegmentIndex? ReadFirstSidx(FileStream file, long offset, long length)
    {
        Span<byte> header = stackalloc byte[16];
        var position = offset;
        while (position + 8 <= offset + length)
        {
            file.Position = position;
            file.ReadExactly(header[..8]);
            long size = BinaryPrimitives.ReadUInt32BigEndian(header);
            var headerSize = 8;
            if (size == 1)
            {
                file.ReadExactly(header[8..16]);
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(header[8..]);
                headerSize = 16;
            }

            var type = Encoding.ASCII.GetString(header[4..8]);
            if (size < headerSize || position + size > offset + length)
            {
                throw new InvalidDataException($"a malformed box at byte {position}");
            }

            if (type == "moof")
            {
                return null;
            }

            if (type == "sidx")
            {
                var body = new byte[size - headerSize];
                file.ReadExactly(body);
                return ParseSidx(body);
            }

            position += size;
        }

        return null;
    }

    /// <summary>A <c>sidx</c> body (after the box header): its reference track, timescale, start and total duration.</summary>
    private static SegmentIndex ParseSidx(ReadOnlySpan<byte> body)
    {
        var version = body[0];
        var referenceId = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        var timescale = BinaryPrimitives.ReadUInt32BigEndian(body[8..]);
        ulong earliest;
        int at;
        if (version == 0)
        {
            earliest = BinaryPrimitives.ReadUInt32BigEndian(body[12..]);
            at = 20;
        }
        else
        {
            earliest = BinaryPrimitives.ReadUInt64BigEndian(body[12..]);
            at = 28;
        }

        var count = BinaryPrimitives.ReadUInt16BigEndian(body[(at + 2)..]);
        at += 4;
        long duration = 0;
        for (var i = 0; i < count; i++, at += 12)
        {
            duration += BinaryPrimitives.ReadUInt32BigEndian(body[(at + 4)..]);
        }

        return timescale == 0 ? throw new InvalidDataException("a sidx box with timescale 0") : new SegmentIndex(referenceId, timescale, earliest, duration);
    }

    /// <summary>A version 1 <c>sidx</c>: one media reference per segment, each starting with a SAP of type 1 (a keyframe).</summary>
    internal static byte[] GlobalSidx(uint referenceId, uint timescale, ulong earliestPresentationTime, IReadOnlyList<(long Size, long Duration)> references)
    {
        var box = new byte[40 + (12 * references.Count)];
        var span = box.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)box.Length);
        "sidx"u8.CopyTo(span[4..]);
        span[8] = 1; // version 1, flags 0
        BinaryPrimitives.WriteUInt32BigEndian(span[12..], referenceId);
        BinaryPrimitives.WriteUInt32BigEndian(span[16..], timescale);
        BinaryPrimitives.WriteUInt64BigEndian(span[20..], earliestPresentationTime);
        BinaryPrimitives.WriteUInt64BigEndian(span[28..], 0); // first_offset: the first segment follows the sidx
        BinaryPrimitives.WriteUInt16BigEndian(span[38..], checked((ushort)references.Count)); // after 16 reserved bits
        var at = 40;
        foreach (var (size, duration) in references)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span[at..], checked((uint)size)); // reference_type 0 (media) | referenced_size
            BinaryPrimitives.WriteUInt32BigEndian(span[(at + 4)..], checked((uint)duration));
            BinaryPrimitives.WriteUInt32BigEndian(span[(at + 8)..], 0x9000_0000); // starts_with_SAP 1, SAP_type 1, delta 0
            at += 12;
        }

        return box;
    }

    private static void CopyExactly(Stream source, Stream target, long count)
    {
        var buffer = new byte[81920];
        while (count > 0)
        {
            var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            target.Write(buffer, 0, read);
            count -= read;
        }
    }

    [GeneratedRegex(@"#EXT-X-BYTERANGE:(?<length>\d+)@(?<offset>\d+)")]
    private static partial Regex SegmentRange();

    [GeneratedRegex(@"(?m)^seg_\d{5}\.m4s$")]
    private static partial Regex SegmentFile();
}
