using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vod.Common.Fleet;
using Vod.Common.Hls;
using Vod.Origin.Admin;
using Vod.Origin.Edges;
using Vod.ServiceDefaults;
using RecordedPurge = Vod.Common.Fleet.Purge;

namespace Vod.Origin.Purge;

/// <summary>What a purge did, as the purge and delete endpoints report it.</summary>
/// <param name="StreamId">The purge's entry in the outbox, which every edge acknowledges.</param>
/// <param name="Generation">The title's generation from now on (edges put it in their cache keys).</param>
/// <param name="PendingEdges">Live edges that had not acknowledged the purge when the wait ended.</param>
/// <param name="Acknowledged">Every live edge acknowledged it in time (false too when that could not be checked).</param>
internal sealed record PurgeOutcome(string TitleId, string StreamId, long Generation, IReadOnlyList<string> PendingEdges, bool Acknowledged)
{
    public string Message => Acknowledged
        ? "every live edge dropped the title"
        : PendingEdges.Count > 0
            ? "the purge is recorded; the pending edges have not acknowledged it yet and drop the title when they read it (at the latest when they reconnect to Redis)"
            : "the purge is recorded, but whether every edge has it could not be checked; edges drop the title when they read it (at the latest when they reconnect to Redis)";
}

/// <summary>
/// Drops a title from the edges' caches, in steps that cannot lose the purge:
/// <list type="number">
/// <item>record it in the outbox (<see cref="PurgeLog"/>): its entry and the title's new generation. Nothing else
/// happens if Redis cannot take it: the caller answers 503.</item>
/// <item>publish the title id on the purge channel (sharded on a Redis Cluster), which wakes the edges up to read the
/// outbox at once;</item>
/// <item>wait a short while (<see cref="PurgeOptions.AckWait"/>) for every live edge to acknowledge the entry.</item>
/// </list>
/// Steps 2-3 are best effort: an edge that is cut off now reads the entry (or sees a gap and drops its memory cache)
/// when it reconnects, and the generation keeps a fill that was in flight from writing the title back. The title's keys
/// in the shared L2 are not deleted: every edge now reads and writes them under the new generation, so the old ones are
/// never read again and expire with their lifetime (listing them would mean scanning every node's whole keyspace).
/// A delete records the purge, removes the title, records it again and delivers that (<see cref="DeliverDeleteAsync"/>),
/// so no edge keeps a copy it refetched in between.
/// </summary>
internal sealed partial class EdgeCachePurge(
    IConnectionMultiplexer redis,
    IOptions<PurgeOptions> options,
    IOptions<FleetOptions> fleet,
    FleetTrust trust,
    TimeProvider time,
    ILogger<EdgeCachePurge> logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Records and delivers a purge; null when it could not be recorded (Redis unavailable): nothing happened.</summary>
    public async Task<PurgeOutcome?> PurgeAsync(string titleId, CancellationToken cancellationToken) =>
        await TryRecordAsync(titleId) is { } recorded ? await DeliverAsync(recorded, cancellationToken) : null;

    /// <summary>Step 1: the purge's outbox entry, or null when Redis could not take it (logged).</summary>
    public async Task<RecordedPurge?> TryRecordAsync(string titleId)
    {
        try
        {
            return await PurgeLog.AppendAsync(redis.GetDatabase(), titleId);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.PurgeFailed(logger, titleId, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Steps 2-3 after a delete, once the title is gone from disk: the purge is recorded once more first (best effort).
    /// An edge that read the first entry while the files were still there may have refetched the title under its new
    /// generation; the second entry moves every edge past that copy. If Redis fails now, the first entry still stands.
    /// </summary>
    public async Task<PurgeOutcome> DeliverDeleteAsync(RecordedPurge recorded, CancellationToken cancellationToken)
    {
        try
        {
            recorded = await PurgeLog.AppendAsync(redis.GetDatabase(), recorded.TitleId);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.PurgeStepFailed(logger, recorded.TitleId, "recording it again after the delete", e.Message);
        }

        return await DeliverAsync(recorded, cancellationToken);
    }

    /// <summary>Steps 2-3 for a recorded purge. Never throws for Redis: what could not be done shows in the outcome.</summary>
    public async Task<PurgeOutcome> DeliverAsync(RecordedPurge recorded, CancellationToken cancellationToken)
    {
        var titleId = recorded.TitleId;

        // :: Step 2
        try
        {
            if (PurgeLog.WakeChannel(redis) is { } channel)
            {
                await redis.GetSubscriber().PublishAsync(channel, titleId);
            }
            else
            {
                Log.PurgeStepFailed(logger, titleId, "publishing the wake-up", "not connected to Redis");
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.PurgeStepFailed(logger, titleId, "publishing the wake-up", e.Message);
        }

        // :: Step 3
        var (pending, checkedAll) = await WaitForAcksAsync(recorded, cancellationToken);
        var outcome = new PurgeOutcome(titleId, recorded.StreamId, recorded.Generation, pending, checkedAll && pending.Count == 0);
        if (outcome.Acknowledged)
        {
            Log.Purged(logger, titleId, recorded.Generation, recorded.StreamId);
        }
        else
        {
            Log.PurgePending(logger, titleId, recorded.StreamId, string.Join(',', pending));
        }

        return outcome;
    }

    /// <summary>
    /// Polls the acknowledgements of the edges live now (an entry the fleet trust accepts, with a heartbeat fresher than
    /// <see cref="FleetOptions.HeartbeatExpiry"/>: the edge monitor's rule, read now rather than as of its last round)
    /// until none is missing or the wait is over. Returns the edges still missing and whether the check could run.
    /// </summary>
    private async Task<(IReadOnlyList<string> Pending, bool Checked)> WaitForAcksAsync(RecordedPurge recorded, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.Value.AckWait;
        IReadOnlyList<string> pending = [];
        try
        {
            var db = redis.GetDatabase();
            var now = time.GetUtcNow();
            var live = (await EdgeRegistry.ReadAsync(db, trust)).Members
                .Where(e => now - e.LastHeartbeat <= fleet.Value.HeartbeatExpiry)
                .Select(e => e.Member.Id)
                .Order(StringComparer.Ordinal)
                .ToList();
            pending = await PurgeLog.PendingAsync(db, recorded.StreamId, live);
            while (pending.Count > 0 && time.GetUtcNow() < deadline)
            {
                await Task.Delay(PollInterval, time, cancellationToken);
                pending = await PurgeLog.PendingAsync(db, recorded.StreamId, pending);
            }

            return (pending, true);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.PurgeStepFailed(logger, recorded.TitleId, "checking the edges' acknowledgements", e.Message);
            return (pending, false);
        }
    }
}

internal static class PurgeEndpoints
{
    public static IServiceCollection AddEdgeCachePurge(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<PurgeOptions>(configuration, PurgeOptions.Section);
        return services.AddSingleton<EdgeCachePurge>();
    }

    /// <summary>The answer when a purge could not be recorded.</summary>
    public static IResult NotRecorded(string what) =>
        Results.Problem($"the purge could not be recorded (Redis is unavailable): {what}", statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>
    /// <c>POST /api/titles/{id}/purge</c> (admin): 200 when every live edge acknowledged the purge, 202 when some had not
    /// yet (listed in <c>pendingEdges</c>; they drop it when they read on), 503 when it could not be recorded.
    /// </summary>
    public static IEndpointRouteBuilder MapPurge(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/titles/{id}/purge", async (string id, EdgeCachePurge purge, CancellationToken ct) =>
        {
            if (!TitleId.IsValid(id))
            {
                return Results.Problem($"'{id}' is not a title id", statusCode: StatusCodes.Status404NotFound);
            }

            return await purge.PurgeAsync(id, ct) switch
            {
                null => NotRecorded("nothing was purged"),
                { Acknowledged: true } done => Results.Ok(done),
                var pending => Results.Json(pending, statusCode: StatusCodes.Status202Accepted),
            };
        }).RequireAdminKey();
        return app;
    }
}
