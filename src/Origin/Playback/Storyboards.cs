using System.Text;
using Vod.Common.Catalog;
using Vod.Common.Hls;

namespace Vod.Origin.Playback;

/// <summary>
/// The trick-play storyboard a page loads (<c>GET /play/{id}/storyboard.vtt</c>): the version's published WebVTT with
/// every cue's image made absolute on an edge. The published file names its sheets relative to itself, which a player
/// could resolve on its own only when playback is unsigned; a page cannot sign URLs, so the control plane does what it
/// does for manifests: the edge first in steering order, through <c>/t/{token}</c> when signing is on. The published
/// text is read once (<see cref="PublishedTexts"/>); the rewrite is per request.
/// </summary>
internal sealed class Storyboards(PublishedTexts texts)
{
    /// <param name="versionBase">The version directory's URL on the chosen pathway, ending in <c>/</c>
    /// (<see cref="PlaybackEndpoints.VersionBases"/>).</param>
    public async Task<string> ForAsync(Title title, string versionBase, CancellationToken cancellationToken)
    {
        var trickplay = title.Trickplay!;
        var text = await texts.ReadAsync(title, trickplay.Storyboard, cancellationToken);

        var directory = trickplay.Storyboard.Contains('/', StringComparison.Ordinal) ? trickplay.Storyboard[..(trickplay.Storyboard.LastIndexOf('/') + 1)] : "";
        return Rewrite(text, versionBase + directory);
    }

    /// <summary>
    /// Prefixes each cue's image (a line after a timing line: <c>sheet_000.jpg#xywh=0,0,160,90</c>) with
    /// <paramref name="baseUrl"/>. Only a plain file name in the sheet's directory is rewritten; any other payload is
    /// dropped with its cue, so the answer never points anywhere but at the version's own sheets.
    /// </summary>
    internal static string Rewrite(string storyboard, string baseUrl)
    {
        var output = new StringBuilder("WEBVTT\n");
        string? timing = null;
        foreach (var raw in storyboard.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Contains("-->", StringComparison.Ordinal))
            {
                timing = line;
                continue;
            }

            if (timing is null || line.Length == 0)
            {
                continue;
            }

            var hash = line.IndexOf('#', StringComparison.Ordinal);
            var file = hash < 0 ? line : line[..hash];
            if (MediaPath.IsSafeSegment(file) && file.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase))
            {
                output.Append('\n').Append(timing).Append('\n').Append(baseUrl).Append(line).Append('\n');
            }

            timing = null;
        }

        return output.ToString();
    }
}
