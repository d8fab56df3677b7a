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

public static class MasterPlaylist
{
    /// <summary>Writes a master playlist. Variants are listed in the order given.</summary>
    /// <param name="steering">Optional <c>EXT-X-CONTENT-STEERING</c> server URI and default pathway.</param>
    public static string Write(IEnumerable<Variant> variants, (string ServerUri, string PathwayId)? steering = null)
    {
        var sb = new StringBuilder();
        sb.Append("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        if (steering is { } s)
        {
            sb.Append(CultureInfo.InvariantCulture, $"#EXT-X-CONTENT-STEERING:SERVER-URI=\"{s.ServerUri}\",PATHWAY-ID=\"{s.PathwayId}\"\n");
        }

        foreach (var v in variants)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-STREAM-INF:BANDWIDTH={v.Bandwidth},AVERAGE-BANDWIDTH={v.AverageBandwidth},RESOLUTION={v.Width}x{v.Height},CODECS=\"{v.Codecs}\",FRAME-RATE={v.FrameRate:0.000}");
            if (v.PathwayId is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $",PATHWAY-ID=\"{v.PathwayId}\"");
            }

            sb.Append('\n').Append(v.Uri).Append('\n');
        }

        return sb.ToString();
    }
}
