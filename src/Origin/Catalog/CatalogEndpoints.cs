using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Origin.Admin;
using Vod.Origin.Purge;
using Vod.Origin.Webhooks;
using Vod.Storage;

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
        services.AddOptions<EventsOptions>().BindConfiguration(EventsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<EventAdmission>();
        return services;
    }

    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder app)
    {
        CatalogEvents.MapCatalogEvents(app);
        // Anonymous readers see ready titles only, without error texts; an admin sees everything (CatalogAccess).
        app.MapGet("/api/titles", async (HttpContext http, AdminKeyFilter admin, IMediaStore store, CancellationToken ct) =>
        {
            var isAdmin = CatalogAccess.IsAdmin(http, admin, out var refusal);
            return refusal ?? Results.Ok((await store.ListTitlesAsync(ct)).Select(t => CatalogAccess.View(t, isAdmin)).OfType<TitleResource>());
        });

        app.MapGet("/api/titles/{id}", async (string id, HttpContext http, AdminKeyFilter admin, IMediaStore store, CancellationToken ct) =>
        {
            var isAdmin = CatalogAccess.IsAdmin(http, admin, out var refusal);
            return refusal ?? (await FindAsync(id, store, ct) is { } title && CatalogAccess.View(title, isAdmin) is { } view ? Results.Ok(view) : NotFound(id));
        });

        app.MapDelete("/api/titles/{id}", async (string id, IMediaStore store, EdgeCachePurge purge, TitleTransitions webhooks, CancellationToken ct) =>
        {
            if (await FindAsync(id, store, ct) is not { } title)
            {
                return NotFound(id);
            }

            // The purge is recorded before anything is deleted (no title is deleted without a purge every edge will
            // read, even one cut off from Redis now) and delivered once the title is gone from the store (recorded again
            // then, so a copy an edge refetched in between is dropped too): 204 when every live edge acknowledged it
            // in time, else 202 listing those pending.
            if (await purge.TryRecordAsync(title.Id) is not { } recorded)
            {
                return PurgeEndpoints.NotRecorded("nothing was deleted");
            }

            if (!await store.DeleteTitleAsync(title, ct))
            {
                return NotFound(id); // a concurrent delete won
            }

            // Only the delete that removed the title gets here: one title.deleted per delete.
            await webhooks.TitleDeletedAsync(title);

            return await purge.DeliverDeleteAsync(recorded, ct) switch
            {
                { Acknowledged: true } => Results.NoContent(),
                var pending => Results.Json(pending, statusCode: StatusCodes.Status202Accepted),
            };
        }).RequireAdminKey();

        return app;
    }

    private static async Task<Title?> FindAsync(string id, IMediaStore store, CancellationToken ct) =>
        TitleId.IsValid(id) ? await store.ReadTitleAsync(id, ct) : null;

    private static IResult NotFound(string id) =>
        Results.Problem($"no title with id '{id}'", statusCode: StatusCodes.Status404NotFound);
}
