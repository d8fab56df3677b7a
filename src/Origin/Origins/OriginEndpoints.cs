using Vod.Common.Fleet;
using Vod.ServiceDefaults;

namespace Vod.Origin.Origins;

/// <summary>The body of <c>GET /api/origins</c>.</summary>
internal sealed record OriginsResponse(IReadOnlyList<string> Origins);

/// <summary>
/// The origins as a fleet: each announces itself in the origin registry (<see cref="OriginRegistry"/>) and tells
/// clients where to fall back (<c>GET /api/origins</c>); pages of one origin may call the API of the others (<see cref="OriginCors"/>).
/// </summary>
internal static class OriginEndpoints
{
    public static IServiceCollection AddOrigins(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<OriginOptions>(configuration, OriginOptions.Section)
            .Validate(o => o.Id is null || OriginRegistry.IsValidId(o.Id), "Origin:Id: up to 32 letters, digits, '-', '_' or '.'")
            .Validate(o => o.PublicUrl is null || (OriginList.TryGetPageOrigin(o.PublicUrl, out _) && FleetUrl.IsValid(o.PublicUrl.TrimEnd('/'))),
                "Origin:PublicUrl must be an absolute http(s) URL without user info, query, fragment, quotes, commas or spaces");
        services.AddSingleton<OriginDirectory>();
        services.AddHostedService<OriginAnnouncer>();
        services.AddOriginCors();
        return services;
    }

    /// <summary>
    /// <c>GET /api/origins</c>: <c>{"origins":[...]}</c>, the live origins (heartbeat within the expiry), the answering
    /// one first, then the others sorted. Clients try them in that order when the one they use fails.
    /// </summary>
    public static IEndpointRouteBuilder MapOrigins(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/origins", (OriginDirectory directory, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return new OriginsResponse(directory.Live($"{context.Request.Scheme}://{context.Request.Host}"));
        });
        return app;
    }
}
