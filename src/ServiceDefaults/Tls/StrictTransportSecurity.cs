using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Vod.ServiceDefaults.Tls;

/// <summary>
/// <c>Strict-Transport-Security</c> on every answer over HTTPS (<see cref="TlsOptions.HstsMaxAge"/>), so a browser that
/// once opened the pages over HTTPS never tries plain HTTP for them again. Unlike the framework's <c>UseHsts</c>, it is
/// sent to loopback hosts too: a local HTTPS set-up behaves as a deployed one.
/// </summary>
public static class StrictTransportSecurity
{
    public static WebApplication UseStrictTransportSecurity(this WebApplication app)
    {
        var maxAge = app.Services.GetRequiredService<IOptions<TlsOptions>>().Value.HstsMaxAge;
        if (maxAge <= TimeSpan.Zero)
        {
            return app;
        }

        var value = "max-age=" + ((long)maxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        app.Use((context, next) =>
        {
            if (context.Request.IsHttps)
            {
                context.Response.Headers.StrictTransportSecurity = value;
            }

            return next(context);
        });
        return app;
    }
}
