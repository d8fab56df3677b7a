using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Common.Security;
using Vod.Origin.Edges;
using Vod.Origin.Steering;
using Vod.Storage;

namespace Vod.Origin.Playback;

/// <summary>
/// <c>GET /play/{id}/master.m3u8</c>: the control plane's playback manifest. Every variant is listed once per known
/// edge (absolute URLs, <c>PATHWAY-ID</c> = the edge id), in steering order, with <c>EXT-X-CONTENT-STEERING</c>
/// pointing at <c>{origin}/steering/{id}</c> (absolute). Players with steering follow its answers; players without it still fail over
/// through the redundant variants. With no edge at all, the origin serves the media itself.
/// With signed playback on, every variant URL is <c>{base}/t/{token}/titles/{id}/...</c>, one token per manifest.
/// </summary>
internal static class PlaybackEndpoints
{
    public static IServiceCollection AddPlayback(this IServiceCollection services, IConfiguration configuration) =>
        services.AddPlaybackTokens(configuration);

    public static IEndpointRouteBuilder MapPlayback(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/play/{id}/master.m3u8", ["GET", "HEAD"], async (string id, HttpContext context, IMediaStore store, EdgeMonitor monitor, PlaybackTokens tokens) =>
        {
            var title = TitleId.IsValid(id) ? await store.ReadTitleAsync(id, context.RequestAborted) : null;
            if (title is null)
            {
                return Results.Problem($"no title with id '{id}'", statusCode: StatusCodes.Status404NotFound);
            }

            if (title.Status != TitleStatus.Ready || title.Version is null)
            {
                return Results.Problem($"title '{id}' is not playable yet: it is {title.Status.ToString().ToLowerInvariant()}",
                    statusCode: StatusCodes.Status409Conflict);
            }

            var origin = $"{context.Request.Scheme}://{context.Request.Host}";
            context.Response.Headers.CacheControl = "no-cache";
            var prefix = tokens.Enabled ? $"{PlaybackTokens.PathPrefix}/{tokens.Create(title.Id)}" : "";
            return Results.Text(Manifest(title, Pathways(title.Id, monitor.Snapshot, origin), origin, prefix), HlsContentTypes.Playlist);
        });
        return app;
    }

    /// <summary>
    /// Every known edge in steering order (routable first, down ones last); if none is known, the origin. A down edge
    /// stays listed because a session outlives an outage: a viewer who starts while edge A is down and later loses
    /// edge B must still have A (back by then) to move to. Steering puts down edges last, so they cost nothing while down.
    /// </summary>
    internal static IReadOnlyList<(string Id, string BaseUrl)> Pathways(string titleId, IReadOnlyList<EdgeStatus> fleet, string originBaseUrl)
    {
        var ordered = SteeringPolicy.Order(titleId, fleet);
        return ordered.Count > 0
            ? ordered.Select(e => (e.Id, e.Url.TrimEnd('/'))).ToList()
            : [(SteeringEndpoints.OriginPathway, originBaseUrl)];
    }

    /// <summary>Each rendition once per pathway, pathways in preference order, rungs from the top down within each.</summary>
    /// <param name="originBaseUrl">The origin that answers (scheme and authority of the request): <c>SERVER-URI</c> is
    /// absolute on it, because Shaka Player resolves a relative one against nothing once steering reloads.</param>
    /// <param name="signedPrefix"><c>/t/{token}</c> when playback is signed, else empty.</param>
    internal static string Manifest(Title title, IReadOnlyList<(string Id, string BaseUrl)> pathways, string originBaseUrl, string signedPrefix = "")
    {
        var variants =
            from pathway in pathways
            from r in title.Renditions.OrderByDescending(r => r.Bandwidth)
            select new Variant(
                $"{pathway.BaseUrl}{signedPrefix}/titles/{title.Id}/{title.Version}/{r.Playlist}",
                r.Bandwidth, r.AverageBandwidth, r.Width, r.Height, r.Codecs, r.FrameRate, pathway.Id);
        return MasterPlaylist.Write(variants, ($"{originBaseUrl}/steering/{title.Id}", pathways[0].Id));
    }
}
