using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vod.Common.Catalog;
using Vod.Common.Webhooks;
using Vod.Storage;

namespace Vod.Origin.Webhooks;

/// <summary>
/// Who raises events. <c>title.ready</c> and <c>title.failed</c> come from the catalog: a transcoder writes the entry,
/// and every origin reads the catalog every <see cref="WebhookOptions.ScanInterval"/> (while any endpoint is registered)
/// for titles that reached either state within <see cref="WebhookOptions.DetectWindow"/>. The event id is derived from
/// the transition, and the outbox takes the first enqueue of an id only, so of all the origins that see it one enqueues
/// it, once per endpoint. Reading the catalog rather than having the transcoder enqueue means a transition is not lost
/// when the transcoder dies after its write, or when Redis is down at that moment: it is enqueued when Redis is back.
/// <c>title.deleted</c> is raised by the origin whose delete removed the title (<see cref="TitleDeletedAsync"/>); when
/// Redis does not take it at once it is retried from memory for <see cref="WebhookOptions.GiveUpAfter"/>.
/// An endpoint hears of transitions that happened after it was registered only.
/// </summary>
internal sealed class TitleTransitions(
    IMediaStore store,
    WebhookRegistry registry,
    WebhookOutbox outbox,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<TitleTransitions> logger) : BackgroundService
{
    private readonly Dictionary<string, DateTimeOffset> _announced = new(StringComparer.Ordinal);
    private readonly Channel<(WebhookEvent Event, DateTimeOffset Since)> _unsent = Channel.CreateUnbounded<(WebhookEvent, DateTimeOffset)>();

    /// <summary>Enqueues <c>title.deleted</c> for every endpoint that wants it; never throws (retried in the background).</summary>
    public async Task TitleDeletedAsync(Title title)
    {
        var e = WebhookEvent.Deleted(title, time.GetUtcNow());
        if (!await TryEnqueueAsync(e, CancellationToken.None))
        {
            _unsent.Writer.TryWrite((e, time.GetUtcNow()));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await ScanAsync(stoppingToken);
                await RetryUnsentAsync(stoppingToken);
                await Task.Delay(options.Value.ScanInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ScanAsync(CancellationToken cancellationToken)
    {
        try
        {
            if ((await registry.CurrentAsync(cancellationToken)).Count == 0)
            {
                return; // nobody to tell: leave the catalog alone
            }

            var now = time.GetUtcNow();
            var since = now - options.Value.DetectWindow;
            foreach (var stale in _announced.Where(a => a.Value < since).Select(a => a.Key).ToList())
            {
                _announced.Remove(stale);
            }

            foreach (var title in await store.ListTitlesAsync(cancellationToken))
            {
                if (title.UpdatedAt >= since && WebhookEvent.Transition(title) is { } e && !_announced.ContainsKey(e.Id)
                    && await TryEnqueueAsync(e, cancellationToken))
                {
                    _announced[e.Id] = title.UpdatedAt; // this origin need not ask Redis about it again
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException || MediaStoreErrors.IsUnavailable(e))
        {
            Log.WebhookScanFailed(logger, e.Message);
        }
    }

    private async Task RetryUnsentAsync(CancellationToken cancellationToken)
    {
        var retry = new List<(WebhookEvent, DateTimeOffset)>();
        while (_unsent.Reader.TryRead(out var item))
        {
            if (!await TryEnqueueAsync(item.Event, cancellationToken) && time.GetUtcNow() - item.Since < options.Value.GiveUpAfter)
            {
                retry.Add(item);
            }
        }

        retry.ForEach(item => _unsent.Writer.TryWrite(item));
    }

    /// <summary>
    /// Enqueues the event for the endpoints that want it and existed when it happened; true when it is in the outbox now
    /// (by this call or an earlier one, of any origin) or nobody wants it.
    /// </summary>
    private async Task<bool> TryEnqueueAsync(WebhookEvent e, CancellationToken cancellationToken)
    {
        try
        {
            var endpoints = Recipients(await registry.CurrentAsync(cancellationToken), e).Select(endpoint => endpoint.Id).ToList();
            if (endpoints.Count == 0)
            {
                return true;
            }

            // Remembered past the detection window, so no origin enqueues the same transition twice.
            if (await outbox.EnqueueAsync(e, endpoints, time.GetUtcNow(), options.Value.DetectWindow + TimeSpan.FromHours(1)))
            {
                Log.WebhookEnqueued(logger, e.Id, e.Type, e.Data.Id, endpoints.Count);
            }

            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.WebhookEnqueueFailed(logger, e.Id, e.Type, e.Data.Id, ex.Message);
            return false;
        }
        catch (Exception ex) when (ex is IOException || MediaStoreErrors.IsUnavailable(ex))
        {
            Log.WebhookEnqueueFailed(logger, e.Id, e.Type, e.Data.Id, ex.Message);
            return false;
        }
    }

    /// <summary>The endpoints an event goes to, as a pure function (for tests): subscribed to its type and registered by then.</summary>
    public static IEnumerable<WebhookEndpoint> Recipients(IEnumerable<WebhookEndpoint> endpoints, WebhookEvent e) =>
        endpoints.Where(endpoint => endpoint.Events.Contains(e.Type) && endpoint.CreatedAt <= e.Created);
}
