using System.Globalization;
using System.Text;
using Vod.Common.Catalog;

namespace Vod.Common.Hls;

/// <summary>One variant stream of a master playlist (RFC 8216 §4.3.4.2).</summary>
/// <param name="Uri">The media playlist URI, relative to the master or absolute.</param>
/// <param name="PathwayId">The content-steering pathway this copy of the variant belongs to, or null.</param>
public sealed record Variant(
    string Uri,
    long Bandwidth,
    long AverageBandwidth,
    int Width,
    int Height,
    string Codecs,
    double FrameRate,
    string? PathwayId = null,
    string? AudioGroup = null,
    string? SubtitleGroup = null);

/// <summary>An audio rendition (<c>EXT-X-MEDIA:TYPE=AUDIO</c>, RFC 8216 §4.3.4.1) that variants name by <see cref="GroupId"/>.</summary>
public sealed record AudioRendition(string GroupId, string Name, string Uri, int Channels, string Language = "und", bool Default = true);

/// <summary>A subtitle rendition (<c>EXT-X-MEDIA:TYPE=SUBTITLES</c>, RFC 8216 §4.3.4.1) that variants name by <see cref="GroupId"/>.
/// Never the default: a viewer turns subtitles on, or the player does from the viewer's language preference (AUTOSELECT).</summary>
public sealed record SubtitleRendition(string GroupId, string Name, string Uri, string Language = "und");

/// <summary>
/// Writes master playlists. Some values come from other processes (pathway ids and edge URLs from the registry in Redis),
/// so a value that could end its quoted attribute or its line (a quote, a line break, any control character) is refused
/// with an exception rather than written: a bad entry must never add a tag or a URI a player would follow. The origin
/// checks registry entries before they get here; this is the second line.
/// </summary>
public static class MasterPlaylist
{
    /// <summary>
    /// A title's master: each video rendition once per pathway (pathways in the order given; within each, the H.264
    /// rungs from the top down, then those of any other codec (AV1) from the top down, so a client that takes the first
    /// variant it sees takes one every player decodes; hls.js chooses the codec family itself), and when the audio is
    /// separate, one audio rendition group per pathway (content steering wants each pathway's variants to name groups
    /// of their own, whose URIs are on the same pathway), holding every audio track, the first the default. A variant's BANDWIDTH and CODECS then cover its video and the audio it may play with.
    /// Subtitle tracks likewise form one group per pathway (<c>subs-{pathway}</c>), named by every variant.
    /// </summary>
    /// <param name="pathways">Each pathway's id (null for a master without steering) and the base its URIs start with:
    /// the version directory's URL ending in <c>/</c>, or empty for URIs relative to the version directory.</param>
    public static string ForTitle(
        IReadOnlyList<RenditionInfo> renditions,
        IReadOnlyList<AudioRenditionInfo> audio,
        IReadOnlyList<(string? Id, string BaseUri)> pathways,
        (string ServerUri, string PathwayId)? steering = null,
        IReadOnlyList<SubtitleTrackInfo>? subtitles = null)
    {
        subtitles ??= [];
        var names = UniqueNames(audio.Select(a => a.Label).ToList());
        var groups = pathways.Select(p => p.Id is null ? "audio" : $"audio-{p.Id}").ToList();
        var media = pathways.SelectMany((p, i) => audio.Select((a, t) =>
            new AudioRendition(groups[i], names[t], p.BaseUri + a.Playlist, a.Channels, a.Language, Default: t == 0))).ToList();
        var subtitleNames = UniqueNames(subtitles.Select(t => t.Label).ToList());
        var subtitleGroups = pathways.Select(p => p.Id is null ? "subs" : $"subs-{p.Id}").ToList();
        var text = pathways.SelectMany((p, i) => subtitles.Select((t, n) =>
            new SubtitleRendition(subtitleGroups[i], subtitleNames[n], p.BaseUri + t.Playlist, t.Language))).ToList();
        var audioBandwidth = audio.Count == 0 ? 0 : audio.Max(a => a.Bandwidth); // the variant's worst case (RFC 8216 §4.3.4.2)
        var audioAverage = audio.Count == 0 ? 0 : audio.Max(a => a.AverageBandwidth);
        var audioCodecs = string.Join(',', audio.Select(a => a.Codecs).Distinct(StringComparer.Ordinal));
        var variants =
            from pathway in pathways.Select((p, i) => (p.Id, p.BaseUri, Group: audio.Count == 0 ? null : groups[i], Subtitles: subtitles.Count == 0 ? null : subtitleGroups[i]))
            from r in renditions.OrderBy(r => IsH264(r.Codecs) ? 0 : 1).ThenByDescending(r => r.Bandwidth)
            select new Variant(
                pathway.BaseUri + r.Playlist,
                r.Bandwidth + audioBandwidth,
                r.AverageBandwidth + audioAverage,
                r.Width,
                r.Height,
                audio.Count == 0 ? r.Codecs : $"{r.Codecs},{audioCodecs}",
                r.FrameRate,
                pathway.Id,
                pathway.Group,
                pathway.Subtitles);
        return Write(variants, steering, media, text);
    }

    /// <summary>Whether a rendition's CODECS are H.264 video (<c>avc1</c>, with or without the audio).</summary>
    public static bool IsH264(string codecs) => codecs.StartsWith("avc1.", StringComparison.Ordinal) || codecs.StartsWith("avc3.", StringComparison.Ordinal);

    /// <summary>NAME must be unique within a group (RFC 8216 §4.3.4.1.1): a repeated label gets its track number.</summary>
    private static List<string> UniqueNames(IReadOnlyList<string> labels) =>
        labels.Select((label, i) => labels.Count(l => l == label) > 1 ? $"{label} ({i + 1})" : label).ToList();

    /// <summary>Writes a master playlist. Audio renditions come first, then subtitle renditions, then the variants, each in the order given.</summary>
    /// <param name="steering">Optional <c>EXT-X-CONTENT-STEERING</c> server URI and default pathway.</param>
    /// <exception cref="ArgumentException">A quoted attribute value or a URI holds a quote or a control character.</exception>
    public static string Write(
        IEnumerable<Variant> variants,
        (string ServerUri, string PathwayId)? steering = null,
        IEnumerable<AudioRendition>? audio = null,
        IEnumerable<SubtitleRendition>? subtitles = null)
    {
        var sb = new StringBuilder();
        sb.Append("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        if (steering is { } s)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-CONTENT-STEERING:SERVER-URI=\"{Quoted(s.ServerUri)}\",PATHWAY-ID=\"{Quoted(s.PathwayId)}\"\n");
        }

        foreach (var a in audio ?? [])
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"{Quoted(a.GroupId)}\",NAME=\"{Quoted(a.Name)}\",LANGUAGE=\"{Quoted(a.Language)}\",DEFAULT={(a.Default ? "YES" : "NO")},AUTOSELECT=YES,CHANNELS=\"{a.Channels}\",URI=\"{Quoted(UriLine(a.Uri))}\"\n");
        }

        foreach (var t in subtitles ?? [])
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"{Quoted(t.GroupId)}\",NAME=\"{Quoted(t.Name)}\",LANGUAGE=\"{Quoted(t.Language)}\",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=\"{Quoted(UriLine(t.Uri))}\"\n");
        }

        foreach (var v in variants)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-STREAM-INF:BANDWIDTH={v.Bandwidth},AVERAGE-BANDWIDTH={v.AverageBandwidth},RESOLUTION={v.Width}x{v.Height},CODECS=\"{Quoted(v.Codecs)}\",FRAME-RATE={v.FrameRate:0.000}");
            if (v.AudioGroup is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $",AUDIO=\"{Quoted(v.AudioGroup)}\"");
            }

            if (v.SubtitleGroup is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $",SUBTITLES=\"{Quoted(v.SubtitleGroup)}\"");
            }

            if (v.PathwayId is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $",PATHWAY-ID=\"{Quoted(v.PathwayId)}\"");
            }

            sb.Append('\n').Append(UriLine(v.Uri)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>RFC 8216 §4.2: a quoted-string holds no double quote, carriage return or line feed (nor, here, any control character).</summary>
    private static string Quoted(string value) => value.Any(c => c == '"' || char.IsControl(c))
        ? throw new ArgumentException("a quoted attribute value holds a quote or a control character", nameof(value))
        : value;

    /// <summary>A URI line must stay one line, and a quote in it is a sign of a value that escaped its checks.</summary>
    private static string UriLine(string uri) => uri.Length == 0 || uri.Any(c => c is '"' or ' ' || char.IsControl(c))
        ? throw new ArgumentException("a variant URI is empty or holds a space, a quote or a control character", nameof(uri))
        : uri;
}
