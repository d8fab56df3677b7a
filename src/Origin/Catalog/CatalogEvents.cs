using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Vod.Common.Catalog;

namespace Vod.Origin.Catalog;

/// <summary>
/// <c>GET /api/titles/events</c>: server-sent events for the admin page, so titles move from queued to ready live.
/// Transcoders write progress into title.json; while anyone listens, the catalog on disk is read twice a second and
/// every title that changed is sent as a <c>title</c> event, every title that disappeared as <c>deleted</c>. A new
/// listener first gets a <c>listening</c> event (empty object), at once.
/// </summary>
internal sealed partial class CatalogEvents(MediaStore store, TimeProvider time, ILogger<CatalogEvents> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private readonly Lock _gate = new();
    private readonly List<Channel<SseItem<object>>> _listeners = [];

    public static IEndpointRouteBuilder MapCatalogEvents(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/titles/events", (CatalogEvents events, CancellationToken ct) =>
            TypedResults.ServerSentEvents(events.ListenAsync(ct)));
        return app;
    }

    private async IAsyncEnumerable<SseItem<object>> ListenAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<SseItem<object>>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            _listeners.Add(channel);
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
                _listeners.Remove(channel);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var known = new Dictionary<string, (TitleStatus Status, int Progress, DateTimeOffset UpdatedAt)>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Channel<SseItem<object>>[] listeners;
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
                var changes = new List<SseItem<object>>();
                foreach (var title in titles)
                {
                    var state = (title.Status, title.Progress, title.UpdatedAt);
                    if (!known.TryGetValue(title.Id, out var before) || before != state)
                    {
                        known[title.Id] = state;
                        changes.Add(new SseItem<object>(TitleResource.From(title), "title"));
                    }
                }

                foreach (var gone in known.Keys.Except(titles.Select(t => t.Id)).ToList())
                {
                    known.Remove(gone);
                    changes.Add(new SseItem<object>(new { id = gone }, "deleted"));
                }

                foreach (var listener in listeners)
                {
                    foreach (var change in changes)
                    {
                        listener.Writer.TryWrite(change);
                    }
                }
            }
            catch (IOException e)
            {
                Log.ReadFailed(logger, e.Message);
            }
        }
    }
}
