using Vod.Common.Webhooks;
using Vod.Storage;

namespace Vod.Origin.Webhooks;

/// <summary>
/// The registered endpoints, read from the media store (the source of truth, shared by every origin) and kept for a few
/// seconds, so the catalog scan and each delivery do not read the store every time. A change made on this origin is
/// seen at once; one made on another origin within <see cref="RefreshInterval"/>.
/// </summary>
internal sealed class WebhookRegistry(IMediaStore store, TimeProvider time) : IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(3);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<WebhookEndpoint> _endpoints = [];
    private long _readAt = long.MinValue;

    public async Task<IReadOnlyList<WebhookEndpoint>> CurrentAsync(CancellationToken cancellationToken, bool fresh = false)
    {
        if (!fresh && _readAt != long.MinValue && time.GetElapsedTime(_readAt) < RefreshInterval)
        {
            return _endpoints;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (fresh || _readAt == long.MinValue || time.GetElapsedTime(_readAt) >= RefreshInterval)
            {
                _endpoints = await store.ListWebhooksAsync(cancellationToken);
                _readAt = time.GetTimestamp();
            }

            return _endpoints;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task AddAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken)
    {
        await store.WriteWebhookAsync(endpoint, cancellationToken);
        _readAt = long.MinValue;
    }

    public async Task<bool> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        var removed = await store.DeleteWebhookAsync(id, cancellationToken);
        _readAt = long.MinValue;
        return removed;
    }

    public void Dispose() => _gate.Dispose();
}
