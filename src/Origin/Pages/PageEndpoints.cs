namespace Vod.Origin.Pages;

/// <summary>
/// The browser pages, plain HTML/CSS/JS from wwwroot: the catalog at <c>/</c>, the admin page at <c>/admin</c>, and
/// the watch page at <c>/watch/{id}</c> for any title (hls.js), <c>/players/shaka/{id}</c> and <c>/players/videojs/{id}</c>,
/// the same title in Shaka Player and in video.js with the settings README's "Players" recommends, and the title's DASH
/// manifest (<c>/play/{id}/manifest.mpd</c>) in dash.js at <c>/players/dashjs/{id}</c> and in Shaka Player at
/// <c>/players/shaka/{id}?format=dash</c>. The players are copied from npm into <c>/vendor/</c> at build time.
/// </summary>
internal static class PageEndpoints
{
    public static WebApplication UsePages(this WebApplication app)
    {
        app.UseStaticFiles();
        var root = app.Environment.WebRootPath ?? Path.Combine(AppContext.BaseDirectory, "wwwroot");
        IResult Page(string file) => Results.File(Path.Combine(root, file), "text/html; charset=utf-8");
        app.MapGet("/", () => Page("index.html"));
        app.MapGet("/admin", () => Page("admin.html"));
        app.MapGet("/watch/{id}", () => Page("watch.html"));
        app.MapGet("/players/shaka/{id}", () => Page("shaka.html"));
        app.MapGet("/players/videojs/{id}", () => Page("videojs.html"));
        app.MapGet("/players/dashjs/{id}", () => Page("dashjs.html"));
        return app;
    }
}
