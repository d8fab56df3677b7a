using Vod.Common.Catalog;
using Vod.Common.Dash;
using Vod.Common.Hls;
using Vod.Common.Security;
using Vod.Origin.Edges;
using Vod.Origin.Steering;
using Vod.Storage;

namespace Vod.Origin.Playback;

/// <summary>
/// The control plane's playback manifests, over the same files:
/// <list type="bullet">
/// <item><c>GET /play/{id}/master.m3u8</c> (HLS): every variant is listed once per known edge (absolute URLs,
/// <c>PATHWAY-ID</c> = the edge id), in steering order, with <c>EXT-X-CONTENT-STEERING</c> pointing at
/// <c>{origin}/steering/{id}</c> (absolute). Players with steering follow its answers; players without it still fail
/// over through the redundant variants.</item>
/// <item><c>GET /play/{id}/manifest.mpd</c> (DASH): one <c>BaseURL</c> per edge in the same order, each with its edge
/// id as <c>serviceLocation</c>, and <c>ContentSteering</c> at the same steering server. <c>?segments=list</c> writes
/// single files as <c>SegmentList</c>s of byte ranges instead of <c>SegmentBase</c> (<see cref="SegmentLists"/>).</item>
/// <item><c>GET /play/{id}/storyboard.vtt</c>: the trick-play storyboard, its sheets on the first pathway (<see cref="Storyboards"/>).</item>
/// </list>
/// With no edge at all, the origin serves the media itself.
/// With signed playback on, every media URL is <c>{base}/t/{token}/titles/{id}/...</c>, one token per manifest.
/// </summary>
internal static class PlaybackEndpoints
{
    public static IServiceCollection AddPlayback(this IServiceCollection services, IConfiguration configuration) =>
        services.AddPlaybackTokens(configuration).AddSingleton<PublishedTexts>().AddSingleton<SegmentLists>().AddSingleton<Storyboards>();

    public static IEndpointRouteBuilder MapPlayback(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/play/{id}/master.m3u8", ["GET", "HEAD"], (string id, HttpContext context, IMediaStore store, EdgeMonitor monitor, PlaybackTokens tokens) =>
            PlayAsync(id, context, store, monitor, tokens, (title, pathways, origin) =>
                Task.FromResult(Results.Text(Manifest(title, pathways, origin), HlsContentTypes.Playlist))));

        app.MapMethods("/play/{id}/manifest.mpd", ["GET", "HEAD"], (string id, string? segments, HttpContext context, IMediaStore store, EdgeMonitor monitor, PlaybackTokens tokens, SegmentLists lists) =>
            segments is not (null or "list")
                ? Task.FromResult(Results.Problem("segments must be 'list' or absent", statusCode: StatusCodes.Status400BadRequest))
                : PlayAsync(id, context, store, monitor, tokens, async (title, pathways, origin) => DashManifest.CanDescribe(title)
                    ? Results.Text(
                        DashManifest.Write(title, pathways, $"{origin}/steering/{title.Id}", segments is null ? null : await lists.ForAsync(title, context.RequestAborted)),
                        DashContentType)
                    : Results.Problem($"title '{id}' was packaged before DASH was offered: play /play/{id}/master.m3u8, or upload it again for DASH",
                        statusCode: StatusCodes.Status409Conflict)));

        // The trick-play storyboard with every sheet on the first pathway (signed like the media), see Storyboards.
        app.MapMethods("/play/{id}/storyboard.vtt", ["GET", "HEAD"], (string id, HttpContext context, IMediaStore store, EdgeMonitor monitor, PlaybackTokens tokens, Storyboards storyboards) =>
            PlayAsync(id, context, store, monitor, tokens, async (title, pathways, _) => title.Trickplay is null
                ? Results.Problem($"title '{id}' has no trick-play previews: it was packaged before them, or they could not be made",
                    statusCode: StatusCodes.Status404NotFound)
                : Results.Text(await storyboards.ForAsync(title, pathways[0].BaseUrl, context.RequestAborted), StoryboardContentType)));
        return app;
    }

    public const string DashContentType = "application/dash+xml";
    public const string StoryboardContentType = "text/vtt; charset=utf-8";

    /// <summary>
    /// The common part of both manifests: the title must exist and be ready; the answer is not cached (the edges and
    /// their order change); each pathway's base is the version's directory on an edge (through a token when playback
    /// is signed: one token per manifest).
    /// </summary>
    private static async Task<IResult> PlayAsync(
        string id,
        HttpContext context,
        IMediaStore store,
        EdgeMonitor monitor,
        PlaybackTokens tokens,
        Func<Title, IReadOnlyList<(string Id, string BaseUrl)>, string, Task<IResult>> manifest)
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
        return await manifest(title, VersionBases(title, Pathways(title.Id, monitor.Snapshot, origin), prefix), origin);
    }

    /// <summary>The URL of the title's version directory on each pathway, ending in <c>/</c>.</summary>
    /// <param name="signedPrefix"><c>/t/{token}</c> when playback is signed, else empty.</param>
    internal static IReadOnlyList<(string Id, string BaseUrl)> VersionBases(Title title, IReadOnlyList<(string Id, string BaseUrl)> pathways, string signedPrefix = "") =>
        pathways.Select(p => (p.Id, $"{p.BaseUrl}{signedPrefix}/titles/{title.Id}/{title.Version}/")).ToList();

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

    /// <summary>The HLS master: every rendition once per pathway, with the title's audio and subtitle groups per pathway (<see cref="MasterPlaylist.ForTitle"/>).</summary>
    /// <param name="pathways">Each pathway and the version directory's URL on it (<see cref="VersionBases"/>).</param>
    /// <param name="originBaseUrl">The origin that answers (scheme and authority of the request): <c>SERVER-URI</c> is
    /// absolute on it, because Shaka Player resolves a relative one against nothing once steering reloads.</param>
    internal static string Manifest(Title title, IReadOnlyList<(string Id, string BaseUrl)> pathways, string originBaseUrl) =>
        MasterPlaylist.ForTitle(title.Renditions, title.Audio, pathways.Select(p => ((string?)p.Id, p.BaseUrl)).ToList(),
            ($"{originBaseUrl}/steering/{title.Id}", pathways[0].Id), title.Subtitles);
}
