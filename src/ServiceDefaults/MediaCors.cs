using Microsoft.Extensions.DependencyInjection;

namespace Vod.ServiceDefaults;

/// <summary>
/// The one CORS policy for what players fetch (media, playlists, playback manifests, steering): any site, GET and
/// HEAD only, the range and conditional headers a player sends, and the response headers it needs to read.
/// </summary>
public static class MediaCors
{
    public const string Policy = "media";

    public static IServiceCollection AddMediaCors(this IServiceCollection services) =>
        services.AddCors(o => o.AddPolicy(Policy, p => p
            .AllowAnyOrigin()
            .WithMethods("GET", "HEAD")
            .WithHeaders("Range", "If-None-Match", "If-Modified-Since", "If-Range")
            .WithExposedHeaders("Content-Length", "Content-Range", "Accept-Ranges", "ETag", "Last-Modified", "X-Cache")
            .SetPreflightMaxAge(TimeSpan.FromHours(1))));
}
