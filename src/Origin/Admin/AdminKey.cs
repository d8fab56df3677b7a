using Vod.Common.Hosting;
using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Vod.Origin.Admin;

internal sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>The key admins send as <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    [Required, MinLength(16)]
    public string Key { get; set; } = "";
}

/// <summary>Guards admin endpoints with the configured bearer key, compared in constant time.</summary>
internal sealed class AdminKeyFilter(IOptions<AdminOptions> options) : IEndpointFilter
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(options.Value.Key);

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult<object?>(Unauthorized("an admin key is required: send 'Authorization: Bearer <key>'"));
        }

        var presented = Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim());
        if (!CryptographicOperations.FixedTimeEquals(presented, _key))
        {
            return ValueTask.FromResult<object?>(Unauthorized("the admin key is not valid"));
        }

        return next(context);
    }

    private static IResult Unauthorized(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
}

internal static class AdminExtensions
{
    public static IServiceCollection AddAdminKey(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AdminOptions>(configuration, AdminOptions.Section);
        services.AddSingleton<AdminKeyFilter>();
        return services;
    }

    /// <summary><c>GET /api/admin/check</c>: 204 with a valid admin key, 401 without (the admin page's sign-in).</summary>
    public static IEndpointRouteBuilder MapAdminCheck(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/check", () => Results.NoContent()).RequireAdminKey();
        return app;
    }

    public static TBuilder RequireAdminKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, AdminKeyFilter>();
}
