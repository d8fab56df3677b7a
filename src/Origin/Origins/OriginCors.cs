using Microsoft.AspNetCore.Cors.Infrastructure;

namespace Vod.Origin.Origins;

/// <summary>
/// CORS for the API (<c>/api/...</c>) between origins: a page served by one origin (the admin page, the watch page)
/// falls back to another when its own dies, so the others must answer it. Only pages of registered origins
/// (<see cref="OriginDirectory.AllowsPageOrigin"/>, compared as scheme://host:port) get the headers, with the methods
/// and headers the admin page uses, tus's among them (<c>Authorization</c> is what makes its calls preflighted;
/// tus-js-client resumes an upload through whichever origin answers). No credentials: the admin key travels in the
/// header, never in a cookie. Playback manifests and steering keep the open policy of
/// <c>UsePlaybackCors</c> (any site, GET/HEAD).
/// </summary>
internal static class OriginCors
{
    public const string Policy = "origins";

    public static IServiceCollection AddOriginCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<OriginDirectory>((cors, directory) => cors.AddPolicy(Policy, p => p
            .SetIsOriginAllowed(directory.AllowsPageOrigin)
            .WithMethods("GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS")
            .WithHeaders("Authorization", "Content-Type", "Tus-Resumable", "Upload-Length", "Upload-Offset", "Upload-Metadata", "X-Requested-With")
            .WithExposedHeaders("Location", "Retry-After", "Tus-Resumable", "Tus-Version", "Tus-Extension", "Tus-Max-Size",
                "Upload-Offset", "Upload-Length", "Upload-Expires", "Upload-Metadata", "Vod-Title")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return services;
    }

    /// <summary>Before the rate limiter, so that a 429 carries the headers too and a page can read it.</summary>
    public static WebApplication UseOriginCors(this WebApplication app)
    {
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), b => b.UseCors(Policy));
        return app;
    }
}
