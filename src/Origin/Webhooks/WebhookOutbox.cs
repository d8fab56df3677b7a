using System.Text.Json;
using StackExchange.Redis;
using Vod.Common;

namespace Vod.Origin.Webhooks;

/// <summary>A delivery as claimed from the outbox for one attempt.</summary>
internal sealed record ClaimedDelivery(string Id, string EventId, string Type, string EndpointId, byte[] Body, int Attempts, DateTimeOffset FirstAttempt, string Claim);

/// <summary>One line of an endpoint's recent deliveries (<c>GET /api/webhooks</c>).</summary>
internal sealed record DeliveryRecord(string EventId, string Type, string State, int? StatusCode, string? Error, int Attempts, DateTimeOffset Time, DateTimeOffset? NextAttempt);

/// <summary>
/// The durable outbox of webhook deliveries in Redis, every key under the hash tag <c>{webhooks}</c> (one slot on a
/// Redis Cluster: each script touches several of them):
/// <list type="bullet">
/// <item><see cref="RedisKeys.WebhookDue"/>: a sorted set of delivery ids by the time their next attempt is due;</item>
/// <item><c>vod:{webhooks}:delivery:{id}</c>: a hash per delivery (event id and type, endpoint, the body, attempts,
/// first attempt, the current claim);</item>
/// <item><c>vod:{webhooks}:seen:{event id}</c>: set when an event is enqueued, so that of the origins that notice one
/// transition only one enqueues it (expires after the detection window);</item>
/// <item><c>vod:{webhooks}:recent:{endpoint}</c> and <c>...:order</c>: the endpoint's last deliveries, for the admin.</item>
/// </list>
/// An attempt is claimed by moving the delivery's due time forward by a lease: no other origin sees it due while the
/// attempt runs, and if the origin dies the lease runs out and another takes it (at-least-once). A result is recorded
/// only by the claim that made the attempt.
/// </summary>
internal sealed class WebhookOutbox(IConnectionMultiplexer redis)
{
    public const int RecentPerEndpoint = 20;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // KEYS: seen, due, then one delivery hash per endpoint. ARGV: seen ttl ms, now ms, event id, type, body, then the
    // delivery id and endpoint id of each. Returns how many deliveries were added (0: the event was enqueued before).
    private const string EnqueueScript = """
        if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return -1 end
        for i = 3, #KEYS do
          local at = 6 + (i - 3) * 2
          redis.call('HSET', KEYS[i], 'event', ARGV[3], 'type', ARGV[4], 'body', ARGV[5], 'endpoint', ARGV[at + 1],
            'attempts', 0, 'first', ARGV[2], 'claim', '')
          redis.call('ZADD', KEYS[2], ARGV[2], ARGV[at])
        end
        return #KEYS - 2
        """;

    // KEYS: due, delivery. ARGV: id, now ms, lease end ms, claim token. Returns nil when not due (or gone), else the fields.
    private const string ClaimScript = """
        local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not due or tonumber(due) > tonumber(ARGV[2]) then return false end
        if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('ZREM', KEYS[1], ARGV[1]) return false end
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
        redis.call('HSET', KEYS[2], 'claim', ARGV[4])
        redis.call('HINCRBY', KEYS[2], 'attempts', 1)
        return redis.call('HMGET', KEYS[2], 'event', 'type', 'endpoint', 'body', 'attempts', 'first')
        """;

    // KEYS: due, delivery, recent, recent order. ARGV: id, claim, state (retry|done|drop), next ms, record json, now ms,
    // how many records to keep. Returns 0 when the claim is no longer ours (another origin took the delivery over).
    private const string CompleteScript = """
        if redis.call('HGET', KEYS[2], 'claim') ~= ARGV[2] then return 0 end
        if ARGV[3] == 'retry' then
          redis.call('HSET', KEYS[2], 'claim', '')
          redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
        else
          redis.call('DEL', KEYS[2])
          redis.call('ZREM', KEYS[1], ARGV[1])
        end
        if ARGV[3] ~= 'drop' then
          redis.call('HSET', KEYS[3], ARGV[1], ARGV[5])
          redis.call('ZADD', KEYS[4], ARGV[6], ARGV[1])
          local extra = redis.call('ZCARD', KEYS[4]) - tonumber(ARGV[7])
          if extra > 0 then
            for _, old in ipairs(redis.call('ZRANGE', KEYS[4], 0, extra - 1)) do redis.call('HDEL', KEYS[3], old) end
            redis.call('ZREMRANGEBYRANK', KEYS[4], 0, extra - 1)
          end
        end
        return 1
        """;

    private static RedisKey Delivery(string id) => RedisKeys.WebhookPrefix + "delivery:" + id;

    private static RedisKey Seen(string eventId) => RedisKeys.WebhookPrefix + "seen:" + eventId;

    private static RedisKey Recent(string endpointId) => RedisKeys.WebhookPrefix + "recent:" + endpointId;

    private static RedisKey RecentOrder(string endpointId) => RedisKeys.WebhookPrefix + "recent:" + endpointId + ":order";

    /// <summary>
    /// Adds one delivery of the event per endpoint, all at once, unless the event was enqueued before (by this or
    /// another origin): false then. Due at once.
    /// </summary>
    public async Task<bool> EnqueueAsync(WebhookEvent e, IReadOnlyList<string> endpointIds, DateTimeOffset now, TimeSpan remember)
    {
        var keys = new List<RedisKey> { Seen(e.Id), RedisKeys.WebhookDue };
        var args = new List<RedisValue> { (long)remember.TotalMilliseconds, now.ToUnixTimeMilliseconds(), e.Id, e.Type, e.Body() };
        foreach (var endpoint in endpointIds)
        {
            var id = e.Id + "." + endpoint;
            keys.Add(Delivery(id));
            args.Add(id);
            args.Add(endpoint);
        }

        return (long)await redis.GetDatabase().ScriptEvaluateAsync(EnqueueScript, [.. keys], [.. args]) >= 0;
    }

    /// <summary>Ids of deliveries due now (at most <paramref name="max"/>), to be claimed one by one.</summary>
    public async Task<string[]> DueAsync(DateTimeOffset now, int max) =>
        (await redis.GetDatabase().SortedSetRangeByScoreAsync(RedisKeys.WebhookDue, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), take: max))
            .Select(v => v.ToString()).ToArray();

    /// <summary>Claims the delivery for one attempt until <paramref name="now"/> + <paramref name="lease"/>; null when another origin was first.</summary>
    public async Task<ClaimedDelivery?> ClaimAsync(string id, DateTimeOffset now, TimeSpan lease)
    {
        var claim = Guid.NewGuid().ToString("N");
        var result = await redis.GetDatabase().ScriptEvaluateAsync(ClaimScript, [RedisKeys.WebhookDue, Delivery(id)],
            [id, now.ToUnixTimeMilliseconds(), (now + lease).ToUnixTimeMilliseconds(), claim]);
        if (result.IsNull || (RedisValue[]?)result is not { Length: 6 } f || f.Any(v => v.IsNull))
        {
            return null;
        }

        return new ClaimedDelivery(id, f[0].ToString(), f[1].ToString(), f[2].ToString(), (byte[])f[3]!, (int)f[4],
            DateTimeOffset.FromUnixTimeMilliseconds((long)f[5]), claim);
    }

    /// <summary>Records an attempt's outcome (and the endpoint's record of it); false when the claim was lost meanwhile.</summary>
    public async Task<bool> CompleteAsync(ClaimedDelivery delivery, DeliveryStep step, AttemptResult result, DateTimeOffset now)
    {
        var record = new DeliveryRecord(delivery.EventId, delivery.Type, step.State switch
        {
            DeliveryState.Delivered => "delivered",
            DeliveryState.Retrying => "retrying",
            _ => "gave up",
        }, result.StatusCode, result.Error, delivery.Attempts, now, step.NextAttempt);
        return await CompleteAsync(delivery, step.State == DeliveryState.Retrying ? "retry" : "done", step.NextAttempt ?? now, JsonSerializer.Serialize(record, Json), now);
    }

    /// <summary>Removes a delivery whose endpoint was deleted, without a record.</summary>
    public Task<bool> DropAsync(ClaimedDelivery delivery, DateTimeOffset now) => CompleteAsync(delivery, "drop", now, "", now);

    private async Task<bool> CompleteAsync(ClaimedDelivery delivery, string state, DateTimeOffset next, string record, DateTimeOffset now) =>
        (long)await redis.GetDatabase().ScriptEvaluateAsync(CompleteScript,
            [RedisKeys.WebhookDue, Delivery(delivery.Id), Recent(delivery.EndpointId), RecentOrder(delivery.EndpointId)],
            [delivery.Id, delivery.Claim, state, next.ToUnixTimeMilliseconds(), record, now.ToUnixTimeMilliseconds(), RecentPerEndpoint]) == 1;

    /// <summary>The endpoint's recent deliveries, newest first.</summary>
    public async Task<IReadOnlyList<DeliveryRecord>> RecentAsync(string endpointId)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(Recent(endpointId));
        return entries.Select(e => JsonSerializer.Deserialize<DeliveryRecord>(e.Value.ToString(), Json)).OfType<DeliveryRecord>()
            .OrderByDescending(r => r.Time).ToList();
    }

    /// <summary>Forgets a deleted endpoint's records (its pending deliveries are dropped when they come due).</summary>
    public Task ForgetAsync(string endpointId) =>
        redis.GetDatabase().KeyDeleteAsync([Recent(endpointId), RecentOrder(endpointId)]);
}
