namespace Vod.Origin.Pages;

/// <summary>The browser pages: static files from wwwroot, plus <c>/watch/{id}</c> which is the watch page for any title.</summary>
internal static class PageEndpoints
{
    public static WebApplication UsePages(this WebApplication app)
    {
        app.UseStaticFiles();
        var watch = Path.Combine(app.Environment.WebRootPath ?? Path.Combine(AppContext.BaseDirectory, "wwwroot"), "watch.html");
        app.MapGet("/watch/{id}", () => Results.File(watch, "text/html; charset=utf-8"));
        return app;
    }
}
