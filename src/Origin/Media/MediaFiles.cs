using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Common.Security;
using Vod.ServiceDefaults;
using Vod.Storage;

namespace Vod.Origin.Media;

/// <summary>
/// Serves the packaged files under <c>/titles/{id}/{version}/...</c> through the framework's static file middleware,
/// which does ranges (206/416), conditional requests (304/412, If-Range), ETag and Last-Modified correctly.
/// Only HLS file types are served (title.json is not), and only paths that pass <see cref="MediaPath.TryParse"/>.
/// With signed playback on, the origin is held to the same rule as the edges: only <c>/t/{token}/titles/...</c> with a
/// valid token for the title is served (edges sign their own fetches with the shared key; the manifest's origin
/// fallback pathway carries the token), and plain <c>/titles/...</c> is 403, so the origin is no way around signing.
/// Poster frames (<c>{version}/poster.jpg</c>) stay public: the catalog that shows them is public too; trick-play sheets are signed. Signed answers are
/// <c>private</c> and fresh no longer than their token lives (<see cref="PlaybackTokens.SignedCacheControl"/>).
/// </summary>
internal static class MediaFiles
{
    /// <summary>Versioned files never change (a re-transcode is a new version), so they are immutable.</summary>
    public const string ImmutableCacheControl = "public, max-age=31536000, immutable";
    public const string PlaylistCacheControl = "public, max-age=30";
    private static readonly TimeSpan PlaylistFreshness = TimeSpan.FromSeconds(30);

    /// <summary>Set on a request that came in under <c>/t/{token}/</c>: the expiry of its (valid) token.</summary>
    private static readonly object SignedKey = new();

    /// <summary>Set on a <c>/titles/</c> request once its path parsed: the <see cref="MediaPath"/>, for the S3 store's serving.</summary>
    private static readonly object MediaKey = new();

    /// <summary>CORS for GET/HEAD on media, playback manifests and steering: web players live on other origins.</summary>
    public static WebApplication UsePlaybackCors(this WebApplication app)
    {
        app.UseWhen(
            c => c.Request.Path.StartsWithSegments(MediaPath.UrlPrefix) || c.Request.Path.StartsWithSegments(PlaybackTokens.PathPrefix)
                || c.Request.Path.StartsWithSegments("/play") || c.Request.Path.StartsWithSegments("/steering"),
            b => b.UseCors(MediaCors.Policy));
        return app;
    }

    public static WebApplication UseMediaFiles(this WebApplication app)
    {
        var store = app.Services.GetRequiredService<IMediaStore>();
        var tokens = app.Services.GetRequiredService<PlaybackTokens>();
        store.Scratch.EnsureCreated();
        (store as LocalMediaStore)?.EnsureCreated();
        app.UseWhen(c => c.Request.Path.StartsWithSegments(PlaybackTokens.PathPrefix), branch => branch.Use((context, next) =>
        {
            if (!tokens.Enabled || !tokens.TryVerifySignedPath(context.Request.Path, out var media, out var check, out var expires))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            if (check != TokenCheck.Valid)
            {
                return Results.Problem(PlaybackTokens.Describe(check), statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
            }

            // Served below exactly as the unsigned path would be.
            context.Items[SignedKey] = expires;
            context.Request.Path = media.UrlPath;
            return next(context);
        }));
        app.UseWhen(c => c.Request.Path.StartsWithSegments(MediaPath.UrlPrefix, out _), branch =>
        {
            branch.Use((context, next) =>
            {
                context.Request.Path.StartsWithSegments(MediaPath.UrlPrefix, out var rest);
                if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
                {
                    context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                    return Task.CompletedTask;
                }

                if (!MediaPath.TryParse(rest.Value?.TrimStart('/'), out var media))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                // RFC 9110 §14.2: a Range unit other than bytes is ignored (the static file middleware would answer 206).
                var range = context.Request.Headers.Range;
                if (range.Count > 0 && !range.ToString().TrimStart().StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
                {
                    context.Request.Headers.Remove(HeaderNames.Range);
                }

                // Poster frames are catalog art, shown by the public catalog page: only the media itself is signed. A
                // poster sits in the version directory itself; trick-play sheets (trickplay/*.jpg) are media, signed.
                if (tokens.Enabled && !context.Items.ContainsKey(SignedKey) && !IsPoster(media))
                {
                    return Results.Problem("playback is signed: media is served under /t/{token}/titles/... only",
                        statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
                }

                context.Items[MediaKey] = media;
                return next(context);
            });
            if (store is LocalMediaStore local)
            {
                branch.UseStaticFiles(new StaticFileOptions
                {
                    FileProvider = new PhysicalFileProvider(local.Titles),
                    RequestPath = MediaPath.UrlPrefix,
                    ContentTypeProvider = HlsContentTypes.Instance,
                    ServeUnknownFileTypes = false,
                    OnPrepareResponse = c => SetCacheControl(c.Context, c.File.Name.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase), tokens),
                });
            }
            else if (store is S3MediaStore s3)
            {
                var files = new StoredMediaFiles(s3);
                branch.Run(context => context.Items[MediaKey] is MediaPath media && HlsContentTypes.IsServable(media)
                    ? files.ServeAsync(context, media, (c, playlist) => SetCacheControl(c, playlist, tokens))
                    : NotFoundAsync(context));
            }
        });
        return app;
    }

    /// <summary>
    /// Unsigned files are public (immutable unless a playlist). A signed answer is for the holder of the token only
    /// and fresh no longer than the token lives: a shared cache that kept it a year would serve it past the expiry.
    /// </summary>
    private static void SetCacheControl(HttpContext context, bool playlist, PlaybackTokens tokens)
    {
        context.Response.Headers[HeaderNames.CacheControl] = context.Items[SignedKey] is DateTimeOffset expires
            ? tokens.SignedCacheControl(expires, playlist ? PlaylistFreshness : null)
            : playlist ? PlaylistCacheControl : ImmutableCacheControl;
    }

    /// <summary>A JPEG directly in a version directory (<c>{version}/poster.jpg</c>), not one below it.</summary>
    private static bool IsPoster(MediaPath media) =>
        media.Extension.Equals(".jpg", StringComparison.OrdinalIgnoreCase) && media.RelativePath.Count(c => c == '/') == 1;

    private static Task NotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
