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
/// Admission comes before any work (self-protection against a slow origin or Redis, and against a flood of distinct
/// misses): at most <see cref="CacheOptions.MaxWaitingRequests"/> clients wait at once, and at most
/// <see cref="CacheOptions.MaxConcurrentFills"/> fills run at once; a request over either bound gets
/// <see cref="EdgeBusyException"/> (a 503) without starting anything. No client waits longer than
/// <see cref="CacheOptions.MaxWait"/> (a 504).
/// </remarks>
internal sealed class FillCoalescer(IOptions<CacheOptions> options, TimeProvider time, EdgeMetrics metrics)
{
    private readonly ConcurrentDictionary<string, Task> _fills = new(StringComparer.Ordinal);
    private readonly CacheOptions _options = options.Value;
    private int _waiting;
    private int _running;

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
        if (Interlocked.Increment(ref _waiting) > _options.MaxWaitingRequests)
        {
            Interlocked.Decrement(ref _waiting);
            metrics.Rejected();
            throw new EdgeBusyException($"{_options.MaxWaitingRequests} requests are already waiting for the origin on this edge");
        }

        Lookup<T> result;
        bool joined;
        try
        {
            Task<Lookup<T>>? running;
            (running, joined) = Join(key, fill);
            if (running is null)
            {
                metrics.Rejected();
                throw new EdgeBusyException($"{_options.MaxConcurrentFills} fills are already running on this edge");
            }

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

    /// <summary>
    /// For work nobody is waiting on (read-ahead): joins or starts the fill and waits for it to finish, unbounded in
    /// time. False when the fill limit left no room (nothing was started).
    /// </summary>
    public async Task<bool> InBackgroundAsync<T>(string key, Func<Task<Lookup<T>>> fill)
    {
        if (Join(key, fill).Running is not { } running)
        {
            return false;
        }

        await running;
        return true;
    }

    /// <returns>The fill in flight for the key (joined), or one started now; null when starting one would exceed the fill limit.</returns>
    private (Task<Lookup<T>>? Running, bool Joined) Join<T>(string key, Func<Task<Lookup<T>>> fill)
    {
        if (_fills.TryGetValue(key, out var inFlight))
        {
            return ((Task<Lookup<T>>)inFlight, true);
        }

        if (Interlocked.Increment(ref _running) > _options.MaxConcurrentFills)
        {
            Interlocked.Decrement(ref _running);
            return (null, false);
        }

        var mine = new TaskCompletionSource<Lookup<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = (Task<Lookup<T>>)_fills.GetOrAdd(key, mine.Task);
        if (running != mine.Task)
        {
            Interlocked.Decrement(ref _running); // another request started it between the two looks
            return (running, true);
        }

        _ = RunAsync(key, fill, mine);
        return (running, false);
    }

    private void Finished(string key, Task fill)
    {
        _fills.TryRemove(new KeyValuePair<string, Task>(key, fill));
        Interlocked.Decrement(ref _running);
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
            Finished(key, completion.Task);
            completion.SetException(e);
            return;
        }

        Finished(key, completion.Task);
        completion.SetResult(result);
    }
}

/// <summary>
/// The edge has too many requests waiting on fills already: answered 503 at once so that the player fails over to
/// another edge, instead of queueing behind a slow origin or Redis (a gray failure).
/// </summary>
internal sealed class EdgeBusyException(string message) : OriginUnavailableException(message, timedOut: false);
