using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Origin.Admin;
using Vod.Origin.Purge;

namespace Vod.Origin.Catalog;

/// <summary>
/// The title catalog API. Every read goes to title.json on disk, the source of truth the transcoders update.
/// A delete also purges the title from every edge.
/// </summary>
internal static class CatalogEndpoints
{
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddSingleton<CatalogEvents>();
        services.AddHostedService(sp => sp.GetRequiredService<CatalogEvents>());
        return services;
    }

    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder app)
    {
        CatalogEvents.MapCatalogEvents(app);
        app.MapGet("/api/titles", async (MediaStore store, CancellationToken ct) =>
            (await store.ListTitlesAsync(ct)).Select(TitleResource.From));

        app.MapGet("/api/titles/{id}", async (string id, MediaStore store, CancellationToken ct) =>
            await FindAsync(id, store, ct) is { } title ? Results.Ok(TitleResource.From(title)) : NotFound(id));

        app.MapDelete("/api/titles/{id}", async (string id, MediaStore store, EdgeCachePurge purge, CancellationToken ct) =>
        {
            if (await FindAsync(id, store, ct) is not { } title)
            {
                return NotFound(id);
            }

            Delete(store, title);
            await purge.TryPurgeAsync(title.Id);
            return Results.NoContent();
        }).RequireAdminKey();

        return app;
    }

    private static async Task<Title?> FindAsync(string id, MediaStore store, CancellationToken ct) =>
        TitleId.IsValid(id) ? await store.ReadTitleAsync(id, ct) : null;

    /// <summary>
    /// The title directory is first renamed into staging/ so the title vanishes from the catalog and from serving
    /// in one step, then removed. A transcoder still working on it finds its title gone and drops its output.
    /// </summary>
    private static void Delete(MediaStore store, Title title)
    {
        Directory.CreateDirectory(store.Staging);
        var doomed = Path.Combine(store.Staging, $"deleted-{title.Id}-{Guid.NewGuid():N}");
        Directory.Move(store.TitleDirectory(title.Id), doomed);
        Directory.Delete(doomed, recursive: true);
        if (MediaPath.IsSafeSegment(title.Source))
        {
            File.Delete(Path.Combine(store.Uploads, title.Source));
        }
    }

    private static IResult NotFound(string id) =>
        Results.Problem($"no title with id '{id}'", statusCode: StatusCodes.Status404NotFound);
}
