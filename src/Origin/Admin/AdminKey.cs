using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Vod.ServiceDefaults;

namespace Vod.Origin.Admin;

/// <summary>
/// Guards admin endpoints with the configured bearer key: 401 without a key, 403 with a wrong one, 429 once an address
/// has spent its failed attempts. Keys are compared as SHA-256 digests in constant time, so neither the content nor the
/// length of the configured key shows in the time a wrong guess takes. The key is never logged, not even a wrong one.
/// It is also the origin's <see cref="IAdminKeyCheck"/>: operational endpoints accept the admin key.
/// </summary>
internal sealed class AdminKeyFilter : IEndpointFilter, IAdminKeyCheck, IDisposable
{
    private readonly byte[] _keyDigest;
    private readonly PartitionedRateLimiter<IPAddress> _failures;

    public AdminKeyFilter(IOptions<AdminOptions> options)
    {
        var o = options.Value;
        _keyDigest = Digest(o.Key);
        _failures = PartitionedRateLimiter.Create<IPAddress, IPAddress>(ip => RateLimitPartition.GetFixedWindowLimiter(ip, _ =>
            new FixedWindowRateLimiterOptions
            {
                PermitLimit = o.FailedAttemptsPerWindow,
                Window = o.FailedWindow,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        Check(context.HttpContext) ?? await next(context);

    /// <summary>Whether <paramref name="presented"/> is the admin key: equal SHA-256 digests, compared in constant time.</summary>
    public bool Matches(string presented) => CryptographicOperations.FixedTimeEquals(Digest(presented), _keyDigest);

    /// <summary>Whether the request carries an <c>Authorization</c> header at all (an anonymous reader carries none).</summary>
    public static bool PresentsKey(HttpContext http) => http.Request.Headers.Authorization.Count > 0;

    public IResult? Check(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status401Unauthorized, "Unauthorized", "an admin key is required: send 'Authorization: Bearer <key>'");
        }

        var client = AdminRateLimits.Client(http);
        // Locked out: refuse before comparing, so a locked-out guesser cannot tell a right key from a wrong one.
        using (var open = _failures.AttemptAcquire(client, 0))
        {
            if (!open.IsAcquired)
            {
                return TooManyFailures(http, open);
            }
        }

        if (!Matches(header[Scheme.Length..].Trim()))
        {
            using var failure = _failures.AttemptAcquire(client);
            return failure.IsAcquired
                ? Problem(StatusCodes.Status403Forbidden, "Forbidden", "the admin key is not valid")
                : TooManyFailures(http, failure);
        }

        return null;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static IResult TooManyFailures(HttpContext http, RateLimitLease lease)
    {
        AdminRateLimits.SetRetryAfter(http, lease);
        return Problem(StatusCodes.Status429TooManyRequests, "Too Many Requests", "too many wrong admin keys from this address: try again later");
    }

    private static IResult Problem(int status, string title, string detail) => Results.Problem(detail, statusCode: status, title: title);

    public void Dispose() => _failures.Dispose();
}

/// <summary>The admin endpoints' request rate limit, per client address (ASP.NET Core's rate limiter).</summary>
internal static class AdminRateLimits
{
    public const string Policy = "admin";

    public static IPAddress Client(HttpContext context) => context.Connection.RemoteIpAddress ?? IPAddress.None;

    public static void SetRetryAfter(HttpContext context, RateLimitLease lease)
    {
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
    }

    public static IServiceCollection AddAdminRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(Policy, context =>
            {
                var o = context.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(Client(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = o.RequestsPerWindow,
                    Window = o.RequestWindow,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = (rejected, cancellationToken) =>
            {
                SetRetryAfter(rejected.HttpContext, rejected.Lease);
                return new ValueTask(Results.Problem("too many admin requests from this address: try again later",
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Too Many Requests").ExecuteAsync(rejected.HttpContext));
            };
        });
}

internal static class AdminExtensions
{
    public static IServiceCollection AddAdminKey(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AdminOptions>(configuration, AdminOptions.Section);
        services.AddSingleton<AdminKeyFilter>();
        services.AddSingleton<IAdminKeyCheck>(sp => sp.GetRequiredService<AdminKeyFilter>());
        services.AddAdminRateLimits();
        return services;
    }

    /// <summary><c>GET /api/admin/check</c>: 204 with a valid admin key, 401 without, 403 with a wrong one (the admin page's sign-in).</summary>
    public static IEndpointRouteBuilder MapAdminCheck(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/check", () => Results.NoContent()).RequireAdminKey();
        return app;
    }

    /// <summary>
    /// The admin key, behind the per-address admin rate limit (the limit runs first: it is the cheaper check). The one
    /// <see cref="AdminKeyFilter"/> singleton is used (not a filter activated per request), so failed attempts are
    /// counted across every admin endpoint.
    /// </summary>
    public static TBuilder RequireAdminKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(AdminRateLimits.Policy).AddEndpointFilter((context, next) =>
            context.HttpContext.RequestServices.GetRequiredService<AdminKeyFilter>().InvokeAsync(context, next));
}
