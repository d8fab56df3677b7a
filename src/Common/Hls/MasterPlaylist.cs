using System.Globalization;
using System.Text;

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
    string? PathwayId = null);

/// <summary>
/// Writes master playlists. Some values come from other processes (pathway ids and edge URLs from the registry in Redis),
/// so a value that could end its quoted attribute or its line (a quote, a line break, any control character) is refused
/// with an exception rather than written: a bad entry must never add a tag or a URI a player would follow. The origin
/// checks registry entries before they get here; this is the second line.
/// </summary>
public static class MasterPlaylist
{
    /// <summary>Writes a master playlist. Variants are listed in the order given.</summary>
    /// <param name="steering">Optional <c>EXT-X-CONTENT-STEERING</c> server URI and default pathway.</param>
    /// <exception cref="ArgumentException">A quoted attribute value or a URI holds a quote or a control character.</exception>
    public static string Write(IEnumerable<Variant> variants, (string ServerUri, string PathwayId)? steering = null)
    {
        var sb = new StringBuilder();
        sb.Append("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        if (steering is { } s)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-CONTENT-STEERING:SERVER-URI=\"{Quoted(s.ServerUri)}\",PATHWAY-ID=\"{Quoted(s.PathwayId)}\"\n");
        }

        foreach (var v in variants)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-STREAM-INF:BANDWIDTH={v.Bandwidth},AVERAGE-BANDWIDTH={v.AverageBandwidth},RESOLUTION={v.Width}x{v.Height},CODECS=\"{Quoted(v.Codecs)}\",FRAME-RATE={v.FrameRate:0.000}");
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
