using System.Globalization;
using StackExchange.Redis;
using Vod.Common;
using Vod.Storage;

namespace Vod.Origin.Uploads;

/// <summary>A resumable upload as Redis keeps it (see <see cref="RedisKeys.Upload"/>).</summary>
/// <param name="TitleId">Set once the upload is complete and became a title.</param>
/// <param name="Chunks">The committed chunks, with the S3 store (the local store keeps one file and needs none).</param>
internal sealed record ResumableUpload(
    string Id,
    long Length,
    long Offset,
    string? Metadata,
    string? Name,
    string? FileName,
    DateTimeOffset ExpiresAt,
    string? TitleId,
    IReadOnlyList<PartialChunk> Chunks)
{
    public bool IsExpired(DateTimeOffset now) => TitleId is null && ExpiresAt <= now;
}

/// <summary>
/// The state of resumable uploads, in Redis so that every origin sees it: an upload begun through one origin goes on
/// through any other. The offset only moves by compare-and-set (<see cref="CommitAsync"/>, one script), so two requests
/// on one upload never both count, and a request that died before its commit never counts at all.
/// </summary>
internal sealed class ResumableUploads(IConnectionMultiplexer redis, TimeProvider time)
{
    /// <summary>How long Redis keeps an upload's keys past its expiry, so the sweep (not Redis) is what ends it and removes its bytes.</summary>
    private static readonly TimeSpan KeyGrace = TimeSpan.FromHours(1);

    // KEYS: the upload's hash and chunk list. ARGV: expected offset, new offset, new expiry (ms), chunk ('' for none),
    // now (ms), keys' expiry (ms). Answers 1 when committed, 0 when the offset moved, -1 gone, -2 expired.
    private static readonly LuaScript CommitScript = LuaScript.Prepare(
        """
        local offset = redis.call('HGET', @upload, 'offset')
        if not offset then return -1 end
        if tonumber(redis.call('HGET', @upload, 'expires')) <= tonumber(@now) and not redis.call('HGET', @upload, 'title') then return -2 end
        if offset ~= @expected then return 0 end
        redis.call('HSET', @upload, 'offset', @offset, 'expires', @expires)
        if @chunk ~= '' then redis.call('RPUSH', @chunks, @chunk) end
        redis.call('PEXPIREAT', @upload, @keep)
        redis.call('PEXPIREAT', @chunks, @keep)
        return 1
        """);

    private IDatabase Db => redis.GetDatabase();

    public async Task CreateAsync(ResumableUpload upload)
    {
        // The sweep's index first: an upload whose hash exists is always found by the sweep, even if this origin dies here.
        await Db.SortedSetAddAsync(RedisKeys.UploadExpiries, upload.Id, upload.ExpiresAt.ToUnixTimeMilliseconds());
        var key = RedisKeys.Upload(upload.Id);
        await Db.HashSetAsync(key,
        [
            new("length", upload.Length),
            new("offset", upload.Offset),
            new("expires", upload.ExpiresAt.ToUnixTimeMilliseconds()),
            new("metadata", upload.Metadata ?? ""),
            new("name", upload.Name ?? ""),
            new("filename", upload.FileName ?? ""),
        ]);
        await Db.KeyExpireAsync(key, (upload.ExpiresAt + KeyGrace).UtcDateTime);
    }

    /// <summary>The upload, or null when there is none (never created, deleted, or swept).</summary>
    public async Task<ResumableUpload?> GetAsync(string id)
    {
        var fields = (await Db.HashGetAllAsync(RedisKeys.Upload(id))).ToDictionary(e => (string)e.Name!, e => (string?)e.Value, StringComparer.Ordinal);
        if (!fields.TryGetValue("offset", out var offset) || !fields.TryGetValue("length", out var length))
        {
            return null;
        }

        var chunks = (await Db.ListRangeAsync(RedisKeys.UploadChunks(id))).Select(c => ParseChunk(c!)).ToList();
        return new ResumableUpload(
            id,
            long.Parse(length!, CultureInfo.InvariantCulture),
            long.Parse(offset!, CultureInfo.InvariantCulture),
            NullIfEmpty(fields.GetValueOrDefault("metadata")),
            NullIfEmpty(fields.GetValueOrDefault("name")),
            NullIfEmpty(fields.GetValueOrDefault("filename")),
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(fields.GetValueOrDefault("expires") ?? "0", CultureInfo.InvariantCulture)),
            NullIfEmpty(fields.GetValueOrDefault("title")),
            chunks);
    }

    public enum CommitResult
    {
        Committed,
        OffsetMoved,
        Gone,
        Expired,
    }

    /// <summary>Moves the offset from <paramref name="expected"/> past <paramref name="chunk"/>, only if it is still there; slides the expiry.</summary>
    public async Task<CommitResult> CommitAsync(string id, long expected, PartialChunk chunk, DateTimeOffset expires)
    {
        var now = time.GetUtcNow();
        var result = (int)await Db.ScriptEvaluateAsync(CommitScript, new
        {
            upload = (RedisKey)RedisKeys.Upload(id),
            chunks = (RedisKey)RedisKeys.UploadChunks(id),
            expected = expected.ToString(CultureInfo.InvariantCulture),
            offset = (expected + chunk.Length).ToString(CultureInfo.InvariantCulture),
            expires = expires.ToUnixTimeMilliseconds(),
            chunk = chunk.Key is null || chunk.Length == 0 ? "" : FormatChunk(chunk),
            now = now.ToUnixTimeMilliseconds(),
            keep = (expires + KeyGrace).ToUnixTimeMilliseconds(),
        });
        if (result == 1)
        {
            // The sweep's index follows the sliding expiry (best effort: the sweep re-reads the hash before removing).
            await Db.SortedSetAddAsync(RedisKeys.UploadExpiries, id, expires.ToUnixTimeMilliseconds());
        }

        return result switch
        {
            1 => CommitResult.Committed,
            0 => CommitResult.OffsetMoved,
            -2 => CommitResult.Expired,
            _ => CommitResult.Gone,
        };
    }

    /// <summary>Records the title a complete upload became; its chunks are no longer needed.</summary>
    public async Task CompleteAsync(string id, string titleId)
    {
        await Db.HashSetAsync(RedisKeys.Upload(id), "title", titleId);
        await Db.KeyDeleteAsync(RedisKeys.UploadChunks(id));
    }

    public async Task DeleteAsync(string id)
    {
        await Db.KeyDeleteAsync(RedisKeys.Upload(id));
        await Db.KeyDeleteAsync(RedisKeys.UploadChunks(id));
        await Db.SortedSetRemoveAsync(RedisKeys.UploadExpiries, id);
    }

    /// <summary>Ids whose expiry, as last indexed, is before <paramref name="now"/>.</summary>
    public async Task<string[]> DueAsync(DateTimeOffset now, int max = 100) =>
        [.. (await Db.SortedSetRangeByScoreAsync(RedisKeys.UploadExpiries, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), take: max)).Select(v => (string)v!)];

    /// <summary>Puts an upload back in the index at its current expiry (it was extended since it was indexed).</summary>
    public Task ReindexAsync(ResumableUpload upload) =>
        Db.SortedSetAddAsync(RedisKeys.UploadExpiries, upload.Id, upload.ExpiresAt.ToUnixTimeMilliseconds());

    internal static string FormatChunk(PartialChunk chunk) =>
        string.Create(CultureInfo.InvariantCulture, $"{chunk.Offset}:{chunk.Length}:{chunk.Key}");

    internal static PartialChunk ParseChunk(string value)
    {
        var parts = value.Split(':', 3);
        return new PartialChunk(long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2].Length > 0 ? parts[2] : null);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
