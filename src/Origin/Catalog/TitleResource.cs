using Vod.Common.Catalog;
using Vod.Common.Dash;
using Vod.Common.Hls;

namespace Vod.Origin.Catalog;

/// <summary>
/// A title as the API shows it: the catalog entry without internal file names or DASH byte ranges, plus its playback
/// URLs: <see cref="PlaybackUrl"/> (HLS) and <see cref="DashUrl"/> (DASH, for versions packaged with it), the trick-play
/// <see cref="StoryboardUrl"/> (for versions packaged with previews) and <see cref="ThumbnailUrl"/> (a still at any
/// <c>?time=</c> and <c>&amp;width=</c>).
/// </summary>
internal sealed record TitleResource(
    string Id,
    string Name,
    TitleStatus Status,
    int Progress,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    double? DurationSeconds,
    IReadOnlyList<RenditionInfo> Renditions,
    IReadOnlyList<AudioRenditionInfo> Audio,
    IReadOnlyList<SubtitleTrackInfo> Subtitles,
    string? PlaybackUrl,
    string? DashUrl,
    string? PosterUrl,
    string? StoryboardUrl,
    string? ThumbnailUrl)
{
    public static TitleResource From(Title t) => new(
        t.Id, t.Name, t.Status, t.Progress, t.Error, t.CreatedAt, t.UpdatedAt, t.DurationSeconds,
        t.Renditions.Select(r => r with { Dash = null }).ToList(),
        t.Audio.Select(a => a with { Dash = null }).ToList(),
        t.Subtitles,
        t.Status == TitleStatus.Ready ? $"/play/{t.Id}/master.m3u8" : null,
        t.Status == TitleStatus.Ready && DashManifest.CanDescribe(t) ? $"/play/{t.Id}/manifest.mpd" : null,
        t.Status == TitleStatus.Ready && t.Poster is not null ? $"{MediaPath.UrlPrefix}/{t.Id}/{t.Version}/{t.Poster}" : null,
        t.Status == TitleStatus.Ready && t.Trickplay is not null ? $"/play/{t.Id}/storyboard.vtt" : null,
        t.Status == TitleStatus.Ready ? $"/api/titles/{t.Id}/thumbnail.jpg" : null);

    /// <summary>The title as an anonymous reader sees it: no error text (it may name server paths).</summary>
    public static TitleResource Public(Title t) => From(t) with { Error = null };
}
