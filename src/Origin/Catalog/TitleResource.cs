using Vod.Common.Catalog;
using Vod.Common.Hls;

namespace Vod.Origin.Catalog;

/// <summary>A title as the API shows it: the catalog entry without internal file names, plus its playback URL.</summary>
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
    string? PlaybackUrl,
    string? PosterUrl)
{
    public static TitleResource From(Title t) => new(
        t.Id, t.Name, t.Status, t.Progress, t.Error, t.CreatedAt, t.UpdatedAt, t.DurationSeconds, t.Renditions,
        t.Status == TitleStatus.Ready ? $"/play/{t.Id}/master.m3u8" : null,
        t.Status == TitleStatus.Ready && t.Poster is not null ? $"{MediaPath.UrlPrefix}/{t.Id}/{t.Version}/{t.Poster}" : null);

    /// <summary>The title as an anonymous reader sees it: no error text (it may name server paths).</summary>
    public static TitleResource Public(Title t) => From(t) with { Error = null };
}
