using System.Globalization;

namespace Vod.Load.Viewer;

/// <summary>
/// One <c>EXT-X-STREAM-INF</c> of a master playlist: a rendition on one pathway (edge); <see cref="AudioGroup"/> is its
/// <c>AUDIO</c> attribute (null when the audio is muxed into the rendition).
/// </summary>
internal sealed record Variant(Uri Uri, long Bandwidth, long AverageBandwidth, int Height, string PathwayId, string? AudioGroup = null);

/// <summary>An <c>EXT-X-MEDIA:TYPE=AUDIO</c> rendition with a <c>URI</c> (one without is muxed into the variants).</summary>
internal sealed record AudioRendition(string GroupId, Uri Uri, bool Default);

/// <summary>The master playlist as a viewer needs it: the variants and the optional content-steering tag.</summary>
internal sealed record MasterPlaylist(IReadOnlyList<Variant> Variants, string? SteeringUri, string? DefaultPathway)
{
    /// <summary>The audio renditions (<c>EXT-X-MEDIA:TYPE=AUDIO</c> with a URI); empty for a master with muxed audio.</summary>
    public IReadOnlyList<AudioRendition> Audio { get; init; } = [];

    /// <summary>Pathways in the order the master lists them (the origin lists them in steering order).</summary>
    public IReadOnlyList<string> Pathways => Variants.Select(v => v.PathwayId).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The rungs (distinct bandwidths), lowest first.</summary>
    public IReadOnlyList<long> Rungs => Variants.Select(v => v.Bandwidth).Distinct().Order().ToList();

    public Variant? Find(string pathway, long bandwidth) =>
        Variants.FirstOrDefault(v => v.PathwayId == pathway && v.Bandwidth == bandwidth);

    /// <summary>
    /// The audio a player loads with <paramref name="variant"/>: the <c>DEFAULT=YES</c> rendition of the group its
    /// <c>AUDIO</c> attribute names (else the group's first); null when the variant carries its own audio.
    /// </summary>
    public AudioRendition? AudioFor(Variant? variant) =>
        variant?.AudioGroup is not { } group ? null
        : Audio.FirstOrDefault(a => a.GroupId == group && a.Default) ?? Audio.FirstOrDefault(a => a.GroupId == group);

    /// <summary>
    /// The master with the steering server's clones added: each new pathway gets its base pathway's variants with the
    /// host (<c>host[:port]</c>) replaced, and their audio groups likewise as <c>{group}_clone_{id}</c> (hls.js's
    /// names). Clones of unknown bases and pathways already present are ignored (hls.js).
    /// </summary>
    public MasterPlaylist WithClones(IEnumerable<PathwayClone> clones)
    {
        var variants = Variants.ToList();
        var audio = Audio.ToList();
        foreach (var clone in clones)
        {
            if (clone.Id.Length == 0 || variants.Any(v => v.PathwayId == clone.Id))
            {
                continue;
            }

            var bases = variants.Where(v => v.PathwayId == clone.BaseId).ToList();
            variants.AddRange(bases.Select(v => v with
            {
                PathwayId = clone.Id,
                Uri = Replace(v.Uri, clone.Host),
                AudioGroup = v.AudioGroup is { } g ? CloneGroup(g, clone.Id) : null,
            }));
            foreach (var group in bases.Select(v => v.AudioGroup).OfType<string>().Distinct(StringComparer.Ordinal).ToList())
            {
                var cloned = CloneGroup(group, clone.Id);
                if (!audio.Any(a => a.GroupId == cloned))
                {
                    audio.AddRange(audio.Where(a => a.GroupId == group).ToList()
                        .Select(a => a with { GroupId = cloned, Uri = Replace(a.Uri, clone.Host) }));
                }
            }
        }

        return variants.Count == Variants.Count ? this : this with { Variants = variants, Audio = audio };

        static string CloneGroup(string group, string cloneId) => $"{group}_clone_{cloneId}";

        static Uri Replace(Uri uri, string? host) =>
            host is { Length: > 0 } ? new Uri($"{uri.Scheme}://{host}{uri.PathAndQuery}") : uri;
    }
}

/// <summary>A byte range of a resource; <see cref="Length"/> -1 is the whole resource.</summary>
internal readonly record struct ByteRange(long Offset, long Length)
{
    public static readonly ByteRange Whole = new(0, -1);

    public bool IsWhole => Length < 0;
}

/// <summary>A media segment or an init section: a URI and a byte range of it.</summary>
internal sealed record MediaSegment(Uri Uri, ByteRange Range, double DurationSeconds);

internal sealed record MediaPlaylist(MediaSegment? Init, IReadOnlyList<MediaSegment> Segments, double TargetDurationSeconds, bool Ended)
{
    public double DurationSeconds => Segments.Sum(s => s.DurationSeconds);
}

/// <summary>
/// Reads the parts of HLS (RFC 8216bis) a virtual viewer needs: variants with <c>PATHWAY-ID</c> and <c>AUDIO</c>,
/// <c>EXT-X-MEDIA:TYPE=AUDIO</c> renditions, <c>EXT-X-CONTENT-STEERING</c>, <c>EXTINF</c>, <c>EXT-X-BYTERANGE</c> (with the implicit offset of the previous
/// range) and <c>EXT-X-MAP</c>. URIs are resolved against the playlist's own URL. Pure: no I/O.
/// </summary>
internal static class PlaylistParser
{
    public static MasterPlaylist ParseMaster(string text, Uri baseUri)
    {
        var variants = new List<Variant>();
        var audio = new List<AudioRendition>();
        string? steeringUri = null, defaultPathway = null;
        Dictionary<string, string>? pending = null;
        foreach (var raw in Lines(text))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal))
            {
                pending = Attributes(line["#EXT-X-STREAM-INF:".Length..]);
            }
            else if (line.StartsWith("#EXT-X-CONTENT-STEERING:", StringComparison.Ordinal))
            {
                var attributes = Attributes(line["#EXT-X-CONTENT-STEERING:".Length..]);
                steeringUri = attributes.GetValueOrDefault("SERVER-URI");
                defaultPathway = attributes.GetValueOrDefault("PATHWAY-ID");
            }
            else if (line.StartsWith("#EXT-X-MEDIA:", StringComparison.Ordinal))
            {
                var attributes = Attributes(line["#EXT-X-MEDIA:".Length..]);
                if (attributes.GetValueOrDefault("TYPE") == "AUDIO" && attributes.TryGetValue("GROUP-ID", out var group)
                    && attributes.TryGetValue("URI", out var uri))
                {
                    audio.Add(new AudioRendition(group, new Uri(baseUri, uri), attributes.GetValueOrDefault("DEFAULT") == "YES"));
                }
            }
            else if (!line.StartsWith('#') && pending is not null)
            {
                var bandwidth = Long(pending, "BANDWIDTH") ?? throw new FormatException($"variant {line} has no BANDWIDTH");
                var height = pending.TryGetValue("RESOLUTION", out var resolution) && resolution.Split('x') is [_, var h]
                    ? int.Parse(h, CultureInfo.InvariantCulture)
                    : 0;
                variants.Add(new Variant(new Uri(baseUri, line), bandwidth, Long(pending, "AVERAGE-BANDWIDTH") ?? bandwidth, height,
                    pending.GetValueOrDefault("PATHWAY-ID") ?? ".", pending.GetValueOrDefault("AUDIO")));
                pending = null;
            }
        }

        if (!text.StartsWith("#EXTM3U", StringComparison.Ordinal) || variants.Count == 0)
        {
            throw new FormatException("not a master playlist with variants");
        }

        return new MasterPlaylist(variants, steeringUri, defaultPathway) { Audio = audio };
    }

    public static MediaPlaylist ParseMedia(string text, Uri baseUri)
    {
        if (!text.StartsWith("#EXTM3U", StringComparison.Ordinal))
        {
            throw new FormatException("not a playlist");
        }

        var segments = new List<MediaSegment>();
        MediaSegment? init = null;
        double target = 0, duration = 0;
        ByteRange? range = null;
        var nextOffset = new Dictionary<Uri, long>();
        var ended = false;
        foreach (var raw in Lines(text))
        {
            var line = raw.Trim();
            if (line.StartsWith("#EXT-X-TARGETDURATION:", StringComparison.Ordinal))
            {
                target = double.Parse(line["#EXT-X-TARGETDURATION:".Length..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                var value = line["#EXTINF:".Length..];
                var comma = value.IndexOf(',', StringComparison.Ordinal);
                duration = double.Parse(comma < 0 ? value : value[..comma], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-BYTERANGE:", StringComparison.Ordinal))
            {
                range = ParseRange(line["#EXT-X-BYTERANGE:".Length..], null);
            }
            else if (line.StartsWith("#EXT-X-MAP:", StringComparison.Ordinal))
            {
                var attributes = Attributes(line["#EXT-X-MAP:".Length..]);
                var uri = new Uri(baseUri, attributes["URI"]);
                var mapRange = attributes.TryGetValue("BYTERANGE", out var r) ? ParseRange(r, 0) : ByteRange.Whole;
                init = new MediaSegment(uri, mapRange, 0);
            }
            else if (line == "#EXT-X-ENDLIST")
            {
                ended = true;
            }
            else if (line.Length > 0 && !line.StartsWith('#'))
            {
                var uri = new Uri(baseUri, line);
                var resolved = ByteRange.Whole;
                if (range is { } given)
                {
                    // Without "@offset" the range starts where the previous range of the same resource ended.
                    var offset = given.Offset >= 0 ? given.Offset
                        : nextOffset.TryGetValue(uri, out var next) ? next
                        : throw new FormatException($"EXT-X-BYTERANGE without offset and no previous range of {uri}");
                    resolved = new ByteRange(offset, given.Length);
                    nextOffset[uri] = offset + given.Length;
                }

                segments.Add(new MediaSegment(uri, resolved, duration));
                range = null;
                duration = 0;
            }
        }

        return new MediaPlaylist(init, segments, target, ended);
    }

    /// <summary><c>length[@offset]</c>; a missing offset is <paramref name="defaultOffset"/> (-1: "after the previous").</summary>
    private static ByteRange ParseRange(string value, long? defaultOffset)
    {
        var at = value.IndexOf('@', StringComparison.Ordinal);
        var length = long.Parse(at < 0 ? value : value[..at], CultureInfo.InvariantCulture);
        var offset = at < 0 ? defaultOffset ?? -1 : long.Parse(value[(at + 1)..], CultureInfo.InvariantCulture);
        return new ByteRange(offset, length);
    }

    private static long? Long(Dictionary<string, string> attributes, string name) =>
        attributes.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : null;

    private static string[] Lines(string text) => text.Split('\n');

    /// <summary>An attribute list (<c>A=1,B="x,y"</c>); quoted values lose their quotes and may contain commas.</summary>
    internal static Dictionary<string, string> Attributes(string list)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < list.Length)
        {
            var eq = list.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }

            var name = list[i..eq].Trim();
            string value;
            if (eq + 1 < list.Length && list[eq + 1] == '"')
            {
                var close = list.IndexOf('"', eq + 2);
                if (close < 0)
                {
                    throw new FormatException($"unterminated quoted attribute {name}");
                }

                value = list[(eq + 2)..close];
                i = close + 1;
            }
            else
            {
                var comma = list.IndexOf(',', eq + 1);
                var end = comma < 0 ? list.Length : comma;
                value = list[(eq + 1)..end].Trim();
                i = end;
            }

            result[name] = value;
            while (i < list.Length && list[i] is ',' or ' ')
            {
                i++;
            }
        }

        return result;
    }
}
