using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Vod.ServiceDefaults;

/// <summary>A service's admin key, as operational endpoints accept it (the origin has one; edges and transcoders do not).</summary>
public interface IAdminKeyCheck
{
    /// <summary>
    /// Null when the request carries the admin key; else the answer that refuses it (401 without a key, 403 with a wrong
    /// one, 429 while its client is locked out). A wrong key counts against the client's lock-out.
    /// </summary>
    IResult? Check(HttpContext context);
}

/// <summary>
/// Who may read operational endpoints (<c>/metrics</c>, the origin's <c>/api/edges</c>, <c>/readyz</c>'s details):
/// <list type="number">
/// <item>a request carrying the admin key, where the service has one (<see cref="IAdminKeyCheck"/>);</item>
/// <item>with <c>Management:Urls</c> configured, any request that came in on that listener (and no other);</item>
/// <item>without it, a loopback client: Prometheus on the same host, <c>./run.sh</c>, the load tool, the tests.</item>
/// </list>
/// Anyone else gets a problem-details 403 (401/403/429 from the admin key check on a service with a key). The client
/// address is the one <see cref="KnownProxies"/> leaves: behind a proxy on the same host, list it in
/// <c>Proxy:KnownProxies</c>, or every client it forwards looks like loopback.
/// </summary>
public static class OperationalAccess
{
    /// <summary>Marks an endpoint as operational: served only as <see cref="OperationalAccess"/> says.</summary>
    public static TBuilder RequireOperationalAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(OperationalEndpoint.Instance);

    /// <summary>Whether where the request came from is enough: the management listener, or loopback when there is none.</summary>
    public static bool IsTrustedPeer(HttpContext context)
    {
        var management = context.RequestServices.GetRequiredService<IOptions<ManagementOptions>>().Value;
        if (management.Enabled)
        {
            return management.Ports().Contains(context.Connection.LocalPort);
        }

        return context.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
    }

    /// <summary>Null when the request may read operational data; else the answer that refuses it.</summary>
    public static IResult? Check(HttpContext context)
    {
        if (IsTrustedPeer(context))
        {
            return null;
        }

        if (context.RequestServices.GetService<IAdminKeyCheck>() is { } adminKey)
        {
            return adminKey.Check(context);
        }

        var management = context.RequestServices.GetRequiredService<IOptions<ManagementOptions>>().Value;
        return Results.Problem(
            management.Enabled ? "this endpoint is served on the management listener only" : "this endpoint is served to clients on this host only",
            statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
    }

    /// <summary>
    /// Whether the request may see operational detail (<c>/readyz</c>'s checks); unlike <see cref="Check"/> it refuses
    /// nothing: without the right to, the caller gets the short answer. A wrong admin key still counts as one.
    /// </summary>
    public static bool MaySeeDetails(HttpContext context) =>
        IsTrustedPeer(context)
        || (context.Request.Headers.Authorization.Count > 0
            && context.RequestServices.GetService<IAdminKeyCheck>() is { } adminKey && adminKey.Check(context) is null);

    /// <summary>Refuses requests to endpoints marked <see cref="RequireOperationalAccess{TBuilder}"/> that may not read them.</summary>
    internal static IApplicationBuilder UseOperationalAccess(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<OperationalEndpoint>() is null || Check(context) is not { } refusal)
            {
                return next(context);
            }

            return refusal.ExecuteAsync(context);
        });

    private sealed class OperationalEndpoint
    {
        public static readonly OperationalEndpoint Instance = new();
    }
}
