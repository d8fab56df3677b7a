using System.Net;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Vod.ServiceDefaults;

/// <summary>
/// A connection to whichever Redis the Sentinels name primary (<c>Redis:Configuration</c> lists Sentinels and
/// <c>serviceName=</c>), that follows a failover within about a second of the Sentinels' decision, whether the old
/// primary died or hangs.
/// <para>
/// Why not the library's own Sentinel mode: it keeps every node it knows in one multiplexer and routes by the roles
/// it last saw. When the old primary is stopped (SIGSTOP: sockets open, nothing answers) it is never asked its role
/// again, the promoted replica is already known so the library's switch does nothing, and every command times out
/// until the old primary is continued (measured: 15 s of time-outs for a 15 s stop; a kill was followed in 3 s).
/// </para>
/// <para>
/// So this asks the Sentinels for the primary every <see cref="PollInterval"/>, keeps a plain multiplexer on that one
/// node, and when the answer changes connects to the new primary and swaps it in. Services keep one
/// <see cref="IConnectionMultiplexer"/>: a proxy that forwards every call to the current multiplexer and moves event
/// handlers and pub/sub subscriptions over on a swap, then raises <c>ConnectionRestored</c> (the job queue's cue
/// that Redis may have lost writes). The old multiplexer is closed a few seconds later, so calls in flight finish.
/// </para>
/// </summary>
public sealed partial class SentinelConnection : IAsyncDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RetireAfter = TimeSpan.FromSeconds(5);

    private readonly ConfigurationOptions _data;
    private readonly string _serviceName;
    private readonly ConnectionMultiplexer _sentinels;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<(EventInfo Event, Delegate Handler)> _handlers = [];
    private readonly List<(MethodInfo Method, object?[]? Args)> _subscriptions = [];
    private readonly Timer _timer;
    private ConnectionMultiplexer _current;
    private EndPoint _primary;
    private int _polling;

    private SentinelConnection(ConfigurationOptions data, string serviceName, ConnectionMultiplexer sentinels, EndPoint primary, ILogger logger)
    {
        _data = data;
        _serviceName = serviceName;
        _sentinels = sentinels;
        _logger = logger;
        _primary = primary;
        _current = ConnectionMultiplexer.Connect(DataConfiguration(primary));
        Multiplexer = ForwardingMultiplexer.Create(this);
        _timer = new Timer(_ => Poll(), null, PollInterval, PollInterval);
    }

    /// <summary>The multiplexer services use; it always forwards to the current primary's.</summary>
    public IConnectionMultiplexer Multiplexer { get; }

    /// <summary>The node the Sentinels last named primary.</summary>
    public EndPoint Primary => _primary;

    /// <summary>True when the configuration names a Sentinel service (<c>serviceName=</c>).</summary>
    public static bool IsSentinel(ConfigurationOptions config) => !string.IsNullOrEmpty(config.ServiceName);

    /// <summary>
    /// Connects to the Sentinels of <paramref name="config"/>, asks them for the primary (retrying within the connect
    /// time-out) and connects to it. Throws when no Sentinel names a primary: a service cannot start without one.
    /// </summary>
    /// <param name="sentinelPassword">The Sentinels' <c>requirepass</c>, if they have one; the user and password of
    /// <paramref name="config"/> are the data nodes' and are never sent to a Sentinel.</param>
    public static SentinelConnection Connect(ConfigurationOptions config, ILogger logger, string? sentinelPassword = null)
    {
        var serviceName = config.ServiceName ?? throw new ArgumentException("not a Sentinel configuration", nameof(config));
        var sentinelConfig = config.Clone();
        sentinelConfig.ServiceName = null;
        sentinelConfig.CommandMap = CommandMap.Sentinel;
        sentinelConfig.TieBreaker = "";
        sentinelConfig.Password = string.IsNullOrEmpty(sentinelPassword) ? null : sentinelPassword;
        sentinelConfig.User = null;
        var sentinels = ConnectionMultiplexer.Connect(sentinelConfig);
        var deadline = DateTime.UtcNow.AddMilliseconds(Math.Max(config.ConnectTimeout, 1000));
        while (true)
        {
            if (AskPrimary(sentinels, serviceName) is { } primary)
            {
                var data = config.Clone();
                data.ServiceName = null;
                return new SentinelConnection(data, serviceName, sentinels, primary, logger);
            }

            if (DateTime.UtcNow > deadline)
            {
                sentinels.Dispose();
                throw new InvalidOperationException(
                    $"Redis: no Sentinel of {string.Join(",", config.EndPoints)} names a primary for service '{serviceName}'");
            }

            Thread.Sleep(100);
        }
    }

    private static EndPoint? AskPrimary(ConnectionMultiplexer sentinels, string serviceName)
    {
        foreach (var endpoint in sentinels.GetEndPoints())
        {
            try
            {
                if (sentinels.GetServer(endpoint).SentinelGetMasterAddressByName(serviceName) is { } primary)
                {
                    return primary;
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // that Sentinel is down or hung: ask the next
            }
        }

        return null;
    }

    private ConfigurationOptions DataConfiguration(EndPoint primary)
    {
        var config = _data.Clone();
        config.EndPoints.Clear();
        config.EndPoints.Add(primary);
        return config;
    }

    private void Poll()
    {
        if (Interlocked.Exchange(ref _polling, 1) == 1)
        {
            return; // the previous poll still waits on a hung Sentinel
        }

        try
        {
            if (AskPrimary(_sentinels, _serviceName) is { } primary && !primary.Equals(_primary))
            {
                Swap(primary);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            Log.FollowFailed(_logger, e.Message);
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    private void Swap(EndPoint primary)
    {
        var next = ConnectionMultiplexer.Connect(DataConfiguration(primary));
        ConnectionMultiplexer old;
        lock (_gate)
        {
            old = _current;
            foreach (var (evt, handler) in _handlers)
            {
                evt.RemoveMethod!.Invoke(old, [handler]);
                evt.AddMethod!.Invoke(next, [handler]);
            }

            var subscriber = next.GetSubscriber();
            foreach (var (method, args) in _subscriptions)
            {
                try
                {
                    var result = method.Invoke(subscriber, args);
                    (result as Task)?.Wait(TimeSpan.FromSeconds(2));
                }
                catch (Exception e) when (e is TargetInvocationException or AggregateException)
                {
                    Log.ResubscribeFailed(_logger, (e.InnerException ?? e).Message);
                }
            }

            _current = next;
            _primary = primary;
        }

        Log.Switched(_logger, old.GetEndPoints().FirstOrDefault()?.ToString() ?? "?", primary.ToString() ?? "?");
        _ = RetireAsync(old);
        RaiseRestored(next, primary);
    }

    private void RaiseRestored(ConnectionMultiplexer next, EndPoint primary)
    {
        var restored = typeof(IConnectionMultiplexer).GetEvent(nameof(IConnectionMultiplexer.ConnectionRestored))!;
        Delegate[] handlers;
        lock (_gate)
        {
            handlers = [.. _handlers.Where(h => h.Event.Name == restored.Name).Select(h => h.Handler)];
        }

        var args = new ConnectionFailedEventArgs(next, primary, ConnectionType.Interactive, ConnectionFailureType.None, null!, "sentinel switch");
        foreach (var handler in handlers.OfType<EventHandler<ConnectionFailedEventArgs>>())
        {
            try
            {
                handler(Multiplexer, args);
            }
            catch (Exception e)
            {
                Log.HandlerFailed(_logger, e.Message);
            }
        }
    }

    private static async Task RetireAsync(ConnectionMultiplexer old)
    {
        await Task.Delay(RetireAfter);
        await old.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync();
        await _current.DisposeAsync();
        await _sentinels.DisposeAsync();
    }

    private static partial class Log
    {
        [LoggerMessage(900, LogLevel.Warning, "Redis primary moved from {Old} to {New} (Sentinel failover): connected to the new primary", EventName = "RedisPrimarySwitched")]
        public static partial void Switched(ILogger logger, string old, string @new);

        [LoggerMessage(901, LogLevel.Warning, "Asking the Sentinels for the Redis primary failed: {Reason}", EventName = "SentinelUnavailable")]
        public static partial void FollowFailed(ILogger logger, string reason);

        [LoggerMessage(902, LogLevel.Warning, "Subscribing again on the new Redis primary failed: {Reason}", EventName = "ResubscribeFailed")]
        public static partial void ResubscribeFailed(ILogger logger, string reason);

        [LoggerMessage(903, LogLevel.Warning, "A ConnectionRestored handler failed after a Redis primary switch: {Reason}", EventName = "RestoredHandlerFailed")]
        public static partial void HandlerFailed(ILogger logger, string reason);
    }

    /// <summary>A proxy of <typeparamref name="TInterface"/> bound to one <see cref="SentinelConnection"/>.</summary>
    public abstract class Forwarder : DispatchProxy
    {
        private protected SentinelConnection Owner { get; private set; } = null!;

        private protected static TInterface Bind<TInterface, TProxy>(SentinelConnection owner)
            where TProxy : Forwarder
        {
            var proxy = Create<TInterface, TProxy>();
            ((Forwarder)(object)proxy!).Owner = owner;
            return proxy;
        }
    }

    /// <summary>
    /// The services' <see cref="IConnectionMultiplexer"/>: every call goes to the current multiplexer; event handlers
    /// and subscriptions are remembered so that a swap can move them. Disposing it disposes the whole connection.
    /// </summary>
    public class ForwardingMultiplexer : Forwarder
    {
        internal static IConnectionMultiplexer Create(SentinelConnection owner) => Bind<IConnectionMultiplexer, ForwardingMultiplexer>(owner);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            var owner = Owner;
            if (targetMethod.Name is "Dispose" or "DisposeAsync" or "Close" or "CloseAsync")
            {
                var disposing = owner.DisposeAsync();
                return targetMethod.ReturnType == typeof(void) ? Wait(disposing) : targetMethod.ReturnType == typeof(Task) ? disposing.AsTask() : disposing;
            }

            if (targetMethod.IsSpecialName && (targetMethod.Name.StartsWith("add_", StringComparison.Ordinal) || targetMethod.Name.StartsWith("remove_", StringComparison.Ordinal)))
            {
                var adding = targetMethod.Name.StartsWith("add_", StringComparison.Ordinal);
                var evt = typeof(IConnectionMultiplexer).GetEvent(targetMethod.Name[(adding ? 4 : 7)..])!;
                var handler = (Delegate)args![0]!;
                lock (owner._gate)
                {
                    if (adding)
                    {
                        owner._handlers.Add((evt, handler));
                    }
                    else
                    {
                        owner._handlers.Remove((evt, handler));
                    }

                    return Forward(targetMethod, owner._current, args);
                }
            }

            if (targetMethod.Name == nameof(IConnectionMultiplexer.GetSubscriber))
            {
                return ForwardingSubscriber.Create(owner);
            }

            return Forward(targetMethod, owner._current, args);
        }

        private static object? Wait(ValueTask task)
        {
            task.AsTask().GetAwaiter().GetResult();
            return null;
        }
    }

    /// <summary>A subscriber on the current multiplexer; subscribe and unsubscribe calls are remembered for a swap.</summary>
    public class ForwardingSubscriber : Forwarder
    {
        internal static ISubscriber Create(SentinelConnection owner) => Bind<ISubscriber, ForwardingSubscriber>(owner);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            var owner = Owner;
            var name = targetMethod.Name;
            if (name.StartsWith("Subscribe", StringComparison.Ordinal) || name.StartsWith("Unsubscribe", StringComparison.Ordinal))
            {
                lock (owner._gate)
                {
                    if (name.StartsWith("Subscribe", StringComparison.Ordinal))
                    {
                        owner._subscriptions.Add((targetMethod, args));
                    }
                    else if (name.StartsWith("UnsubscribeAll", StringComparison.Ordinal))
                    {
                        owner._subscriptions.Clear();
                    }
                    else if (args is { Length: > 0 } && args[0] is RedisChannel channel)
                    {
                        owner._subscriptions.RemoveAll(s => s.Args is { Length: > 0 } && Equals(s.Args[0], channel));
                    }

                    return Forward(targetMethod, owner._current.GetSubscriber(), args);
                }
            }

            return Forward(targetMethod, owner._current.GetSubscriber(), args);
        }
    }

    private static object? Forward(MethodInfo method, object target, object?[]? args)
    {
        try
        {
            return method.Invoke(target, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
