using System.Globalization;
using Microsoft.Net.Http.Headers;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.ServiceDefaults;
using Vod.Storage;

namespace Vod.Origin.Thumbnails;

/// <summary>
/// <c>GET /api/titles/{id}/thumbnail.jpg?time=S&amp;width=W</c>: a still of a ready title (<see cref="ThumbnailRenderer"/>),
/// public like the poster. 400 for a time or width out of bounds, 404 for no title, 409 for one not ready yet, 503
/// when ffmpeg is busy or failed. The ETag names the version, time and width, so a re-transcode changes it.
/// </summary>
internal static class ThumbnailEndpoints
{
    /// <summary><c>hit</c> when the still came from the memory cache, <c>miss</c> when this request waited for ffmpeg.</summary>
    public const string CacheHeader = "X-Thumbnail-Cache";

    public static IServiceCollection AddThumbnails(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ThumbnailOptions>(configuration, ThumbnailOptions.Section);
        services.AddSingleton<ThumbnailRenderer>();
        return services;
    }

    public static IEndpointRouteBuilder MapThumbnails(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/titles/{id}/thumbnail.jpg", ["GET", "HEAD"], async (string id, string? time, string? width, HttpContext context, IMediaStore store, ThumbnailRenderer renderer) =>
        {
            var title = TitleId.IsValid(id) ? await store.ReadTitleAsync(id, context.RequestAborted) : null;
            if (title is null)
            {
                return Results.Problem($"no title with id '{id}'", statusCode: StatusCodes.Status404NotFound);
            }

            if (title.Status != TitleStatus.Ready || title.Version is null || title.DurationSeconds is not { } duration)
            {
                return Results.Problem($"title '{id}' has no stills yet: it is {title.Status.ToString().ToLowerInvariant()}", statusCode: StatusCodes.Status409Conflict);
            }

            if (ThumbnailRequest.Parse(time, width, duration, out var error) is not { } request)
            {
                return Results.Problem(error, statusCode: StatusCodes.Status400BadRequest);
            }

            // Stills of a version never change; the URL outlives versions, so caches revalidate after an hour.
            var etag = string.Create(CultureInfo.InvariantCulture, $"\"{title.Version}-{request.Tenths}-{request.Width}\"");
            var headers = context.Response.Headers;
            headers.ETag = etag;
            headers.CacheControl = "public, max-age=3600";
            if (context.Request.Headers.IfNoneMatch.ToString().Split(',').Any(t => t.Trim() == etag || t.Trim() == "*"))
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            try
            {
                var (jpeg, cached) = await renderer.GetAsync(title, request, context.RequestAborted);
                headers[CacheHeader] = cached ? "hit" : "miss";
                return Results.Bytes(jpeg, HlsContentTypes.Jpeg);
            }
            catch (ThumbnailBusyException e)
            {
                headers.CacheControl = "no-store";
                headers.RetryAfter = "1";
                return Results.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            catch (ThumbnailFailedException)
            {
                headers.CacheControl = "no-store";
                headers.RetryAfter = "5";
                return Results.Problem("the still could not be made (details in the origin's log)", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        return app;
    }
}
