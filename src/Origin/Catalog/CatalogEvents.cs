using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Vod.Common.Catalog;
using Vod.Origin.Admin;
using Vod.Storage;

namespace Vod.Origin.Catalog;

/// <summary>
/// <c>GET /api/titles/events</c>: server-sent events for the admin page, so titles move from queued to ready live.
/// Transcoders write progress into title.json; while anyone listens, the catalog on disk is read twice a second and
/// every title that changed is sent as a <c>title</c> event, every title that disappeared as <c>deleted</c>. A new
/// listener first gets a <c>listening</c> event (empty object), at once.
/// An admin (the key in <c>Authorization</c>) hears of every title; anyone else, as on <c>GET /api/titles</c>, of
/// ready titles only, without error texts, and a title that stops being ready is <c>deleted</c> for them.
/// Open streams are capped per client address and in all (<see cref="EventAdmission"/>).
/// </summary>
internal sealed partial class CatalogEvents(IMediaStore store, TimeProvider time, ILogger<CatalogEvents> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private readonly Lock _gate = new();
    private readonly List<Listener> _listeners = [];

    public static IEndpointRouteBuilder MapCatalogEvents(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/titles/events", IResult (HttpContext http, CatalogEvents events, EventAdmission admission, AdminKeyFilter admin, CancellationToken ct) =>
        {
            var isAdmin = CatalogAccess.IsAdmin(http, admin, out var refusal);
            if (refusal is not null)
            {
                return refusal;
            }

            if (admission.TryAdmit(AdminRateLimits.Client(http), out refusal) is not { } place)
            {
                return refusal!;
            }

            http.Response.RegisterForDispose(place);
            return TypedResults.ServerSentEvents(events.ListenAsync(isAdmin, ct));
        });
        return app;
    }

    private async IAsyncEnumerable<SseItem<object>> ListenAsync(bool admin, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<SseItem<object>>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
        var listener = new Listener(channel, admin);
        lock (_gate)
        {
            _listeners.Add(listener);
        }

        try
        {
            // Sent at once, so the stream opens (headers and all) even while nothing changes: a client can tell a
            // quiet catalog from an origin that does not answer, and move to another origin in the second case.
            yield return new SseItem<object>(new { }, "listening");
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            lock (_gate)
            {
                _listeners.Remove(listener);
            }
        }
    }

    private sealed record Listener(Channel<SseItem<object>> Channel, bool Admin);

    /// <summary>One change, as an admin hears it and as anyone else does (null: they do not hear of it).</summary>
    private sealed record Change(SseItem<object> ForAdmin, SseItem<object>? ForPublic);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var known = new Dictionary<string, (TitleStatus Status, int Progress, DateTimeOffset UpdatedAt)>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Listener[] listeners;
            lock (_gate)
            {
                listeners = [.. _listeners];
            }

            if (listeners.Length == 0)
            {
                continue; // nobody listens: leave the disk alone
            }

            try
            {
                var titles = await store.ListTitlesAsync(stoppingToken);
                var changes = new List<Change>();
                foreach (var title in titles)
                {
                    var state = (title.Status, title.Progress, title.UpdatedAt);
                    var seen = known.TryGetValue(title.Id, out var before);
                    if (!seen || before != state)
                    {
                        known[title.Id] = state;
                        var wasPublic = seen && CatalogAccess.IsPublic(before.Status);
                        var forPublic = CatalogAccess.IsPublic(title.Status) ? new SseItem<object>(TitleResource.Public(title), "title")
                            : wasPublic ? Deleted(title.Id) : (SseItem<object>?)null;
                        changes.Add(new Change(new SseItem<object>(TitleResource.From(title), "title"), forPublic));
                    }
                }

                foreach (var gone in known.Keys.Except(titles.Select(t => t.Id)).ToList())
                {
                    var wasPublic = CatalogAccess.IsPublic(known[gone].Status);
                    known.Remove(gone);
                    changes.Add(new Change(Deleted(gone), wasPublic ? Deleted(gone) : null));
                }

                foreach (var listener in listeners)
                {
                    foreach (var change in changes)
                    {
                        if ((listener.Admin ? change.ForAdmin : change.ForPublic) is { } item)
                        {
                            listener.Channel.Writer.TryWrite(item);
                        }
                    }
                }
            }
            catch (IOException e)
            {
                Log.ReadFailed(logger, e.Message);
            }
        }
    }

    private static SseItem<object> Deleted(string id) => new(new { id }, "deleted");
}
