using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Vod.Edge.Metrics;
using Vod.Edge.OriginClient;

namespace Vod.Edge.Caching;

/// <summary>
/// One fill per key in flight on this edge (as OutputCaching's <c>WorkDispatcher</c> does), awaited by each caller with
/// its own cancellation. A fill runs on its own: it is not cancelled when the first client goes away, so the next
/// request finds the value cached.
/// </summary>
/// <remarks>
/// A client's wait is bounded twice (self-protection against a slow origin or Redis): at most
/// <see cref="CacheOptions.MaxWaitingRequests"/> clients wait at once (the next gets <see cref="EdgeBusyException"/>,
/// a 503), and none waits longer than <see cref="CacheOptions.MaxWait"/> (a 504).
/// </remarks>
internal sealed class FillCoalescer(IOptions<CacheOptions> options, TimeProvider time, EdgeMetrics metrics)
{
    private readonly ConcurrentDictionary<string, Task> _fills = new(StringComparer.Ordinal);
    private readonly CacheOptions _options = options.Value;
    private int _waiting;

    /// <summary>Fills in flight.</summary>
    public int Pending => _fills.Count;

    /// <summary>Client requests waiting for a fill right now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public bool IsFilling(string key) => _fills.ContainsKey(key);

    /// <summary>
    /// The value of <paramref name="key"/> from the fill in flight, or from <paramref name="fill"/> started now. A caller
    /// that joined a running fill reports <see cref="CacheResult.Coalesced"/> unless the fill found only a stale copy.
    /// </summary>
    /// <exception cref="EdgeBusyException">Too many clients are already waiting for fills on this edge.</exception>
    /// <exception cref="OriginUnavailableException">No answer within <see cref="CacheOptions.MaxWait"/> (timed out), or the fill failed.</exception>
    public async Task<Lookup<T>> ForClientAsync<T>(string key, Func<Task<Lookup<T>>> fill, CancellationToken cancellationToken)
    {
        var (running, joined) = Join(key, fill);
        if (Interlocked.Increment(ref _waiting) > _options.MaxWaitingRequests)
        {
            Interlocked.Decrement(ref _waiting);
            metrics.Rejected();
            throw new EdgeBusyException($"{_options.MaxWaitingRequests} requests are already waiting for the origin on this edge");
        }

        Lookup<T> result;
        try
        {
            result = await running.WaitAsync(_options.MaxWait, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new OriginUnavailableException($"no answer from upstream within {_options.MaxWait.TotalMilliseconds:0} ms", timedOut: true);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        return !joined || result.Result == CacheResult.Stale ? result : result with { Result = CacheResult.Coalesced };
    }

    /// <summary>For work nobody is waiting on (read-ahead): joins or starts the fill and waits for it to finish, unbounded.</summary>
    public Task<Lookup<T>> InBackgroundAsync<T>(string key, Func<Task<Lookup<T>>> fill) => Join(key, fill).Running;

    private (Task<Lookup<T>> Running, bool Joined) Join<T>(string key, Func<Task<Lookup<T>>> fill)
    {
        var mine = new TaskCompletionSource<Lookup<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = (Task<Lookup<T>>)_fills.GetOrAdd(key, mine.Task);
        if (running != mine.Task)
        {
            return (running, true);
        }

        _ = RunAsync(key, fill, mine);
        return (running, false);
    }

    /// <remarks>The entry is removed before the waiters are released, so a caller that saw the result never joins a finished fill.</remarks>
    private async Task RunAsync<T>(string key, Func<Task<Lookup<T>>> fill, TaskCompletionSource<Lookup<T>> completion)
    {
        Lookup<T> result;
        try
        {
            result = await fill();
        }
        catch (Exception e)
        {
            _fills.TryRemove(new KeyValuePair<string, Task>(key, completion.Task));
            completion.SetException(e);
            return;
        }

        _fills.TryRemove(new KeyValuePair<string, Task>(key, completion.Task));
        completion.SetResult(result);
    }
}

/// <summary>
/// The edge has too many requests waiting on fills already: answered 503 at once so that the player fails over to
/// another edge, instead of queueing behind a slow origin or Redis (a gray failure).
/// </summary>
internal sealed class EdgeBusyException(string message) : OriginUnavailableException(message, timedOut: false);
