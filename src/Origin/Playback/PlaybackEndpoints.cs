using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Common.Hls;

namespace Vod.Origin.Playback;

internal sealed class PlaybackOptions
{
    public const string Section = "Playback";

    /// <summary>
    /// Public base URLs of the edges, e.g. <c>http://127.0.0.1:5201</c>. The playback manifest lists every variant
    /// once per edge, so a player that loses one edge fails over to the next. Empty: the origin serves the media.
    /// </summary>
    public List<string> Edges { get; set; } = [];
}

/// <summary><c>GET /play/{id}/master.m3u8</c>: the control plane's playback manifest with absolute edge URLs.</summary>
internal static class PlaybackEndpoints
{
    public static IServiceCollection AddPlayback(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PlaybackOptions>().Bind(configuration.GetSection(PlaybackOptions.Section))
            .Validate(o => o.Edges.All(e => Uri.TryCreate(e, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"),
                "Playback:Edges must be absolute http(s) URLs")
            .ValidateOnStart();
        return services;
    }

    public static IEndpointRouteBuilder MapPlayback(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/play/{id}/master.m3u8", ["GET", "HEAD"], async (string id, HttpContext context, MediaStore store, IOptions<PlaybackOptions> options) =>
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
            return Results.Text(Manifest(title, Pathways(options.Value, origin)), HlsContentTypes.Playlist);
        });
        return app;
    }

    internal static IReadOnlyList<(string Id, string BaseUrl)> Pathways(PlaybackOptions options, string originBaseUrl) =>
        options.Edges.Count == 0
            ? [("origin", originBaseUrl)]
            : options.Edges.Select((url, i) => ($"edge-{i + 1}", url.TrimEnd('/'))).ToList();

    /// <summary>Each rendition once per pathway, pathways in preference order, rungs from the top down within each.</summary>
    internal static string Manifest(Title title, IReadOnlyList<(string Id, string BaseUrl)> pathways)
    {
        var variants =
            from pathway in pathways
            from r in title.Renditions.OrderByDescending(r => r.Bandwidth)
            select new Variant(
                $"{pathway.BaseUrl}/titles/{title.Id}/{title.Version}/{r.Playlist}",
                r.Bandwidth, r.AverageBandwidth, r.Width, r.Height, r.Codecs, r.FrameRate, pathway.Id);
        return MasterPlaylist.Write(variants);
    }
}
