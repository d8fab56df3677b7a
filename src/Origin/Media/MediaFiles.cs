using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Common.Hosting;

namespace Vod.Origin.Media;

/// <summary>
/// Serves the packaged files under <c>/titles/{id}/{version}/...</c> through the framework's static file middleware,
/// which does ranges (206/416), conditional requests (304/412, If-Range), ETag and Last-Modified correctly.
/// Only HLS file types are served (title.json is not), and only paths that pass <see cref="MediaPath.TryParse"/>.
/// </summary>
internal static class MediaFiles
{
    /// <summary>Versioned files never change (a re-transcode is a new version), so they are immutable.</summary>
    public const string ImmutableCacheControl = "public, max-age=31536000, immutable";
    public const string PlaylistCacheControl = "public, max-age=30";

    /// <summary>CORS for GET/HEAD on media, playback manifests and steering: web players live on other origins.</summary>
    public static WebApplication UsePlaybackCors(this WebApplication app)
    {
        app.UseWhen(
            c => c.Request.Path.StartsWithSegments("/titles") || c.Request.Path.StartsWithSegments("/play") || c.Request.Path.StartsWithSegments("/steering"),
            b => b.UseCors(MediaCors.Policy));
        return app;
    }

    public static WebApplication UseMediaFiles(this WebApplication app)
    {
        var store = app.Services.GetRequiredService<MediaStore>();
        store.EnsureCreated();
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/titles", out _), branch =>
        {
            branch.Use((context, next) =>
            {
                context.Request.Path.StartsWithSegments("/titles", out var rest);
                if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
                {
                    context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                    return Task.CompletedTask;
                }

                if (!MediaPath.TryParse(rest.Value?.TrimStart('/'), out _))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return next(context);
            });
            branch.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(store.Titles),
                RequestPath = "/titles",
                ContentTypeProvider = HlsContentTypes.Instance,
                ServeUnknownFileTypes = false,
                OnPrepareResponse = SetCacheControl,
            });
        });
        return app;
    }

    private static void SetCacheControl(StaticFileResponseContext context)
    {
        context.Context.Response.Headers[HeaderNames.CacheControl] =
            context.File.Name.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase) ? PlaylistCacheControl : ImmutableCacheControl;
    }
}
