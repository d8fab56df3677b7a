using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vod.Common.Catalog;
using Vod.Common.Jobs;
using Vod.ServiceDefaults;
using Vod.Storage;

namespace Vod.Origin.Jobs;

/// <summary>
/// Puts transcode jobs on the Redis Stream. An enqueue never fails the upload: the title is already safe on disk
/// with status <c>queued</c>, and this queue keeps retrying until Redis takes the job. Whenever the job stream may
/// have been lost (at start-up, and each time the connection to Redis is restored, since Redis may have come back
/// empty), every title still <c>queued</c> on disk is enqueued again, and titles stuck in <c>transcoding</c> with no
/// live worker are queued again. Every <see cref="JobOptions.ReconcileInterval"/>, whatever happened to Redis or to the
/// origin that took an upload, a title left <c>queued</c> with no job in the stream is enqueued again, so an upload that
/// got its 202 is transcoded even if that origin never comes back. A duplicate job is harmless: the transcoder skips
/// titles that are not queued.
/// </summary>
internal sealed partial class JobQueue(
    IConnectionMultiplexer redis,
    IMediaStore store,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<JobQueue> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly Channel<string> _pending = Channel.CreateUnbounded<string>();
    private readonly Channel<bool> _recover = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Enqueue(string titleId) => _pending.Writer.TryWrite(titleId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        try
        {
            _recover.Writer.TryWrite(true);
            await Task.WhenAll(RecoverAsync(stoppingToken), DrainAsync(stoppingToken), ReconcileAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            redis.ConnectionRestored -= OnConnectionRestored;
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Interactive)
        {
            _recover.Writer.TryWrite(true);
        }
    }

    private async Task RecoverAsync(CancellationToken stoppingToken)
    {
        await foreach (var _ in _recover.Reader.ReadAllAsync(stoppingToken))
        {
            var stale = time.GetUtcNow() - options.Value.StaleTranscodingAfter;
            var requeued = 0;
            foreach (var title in await store.ListTitlesAsync(stoppingToken))
            {
                if (title.Status == TitleStatus.Transcoding && title.UpdatedAt < stale)
                {
                    await store.WriteTitleAsync(title with { Status = TitleStatus.Queued, Progress = 0, UpdatedAt = time.GetUtcNow() }, stoppingToken);
                }
                else if (title.Status != TitleStatus.Queued)
                {
                    continue;
                }

                Enqueue(title.Id);
                requeued++;
            }

            Log.Recovered(logger, requeued);
        }
    }

    private async Task ReconcileAsync(CancellationToken stoppingToken)
    {
        var every = options.Value.ReconcileInterval;
        if (every == TimeSpan.Zero)
        {
            return;
        }

        // Origins started together would check at the same instants and enqueue the same lost title twice: a random
        // offset spreads them.
        await Task.Delay(every * (1 + Random.Shared.NextDouble()), time, stoppingToken);
        using var timer = new PeriodicTimer(every, time);
        do
        {
            try
            {
                var queued = (await store.ListTitlesAsync(stoppingToken))
                    .Where(t => t.Status == TitleStatus.Queued && t.UpdatedAt < time.GetUtcNow() - every)
                    .Select(t => t.Id)
                    .ToList();
                if (queued.Count == 0)
                {
                    continue;
                }

                var inStream = await TitlesWithJobsAsync(redis.GetDatabase());
                foreach (var id in queued.Where(id => !inStream.Contains(id)))
                {
                    Log.LostJob(logger, id);
                    Enqueue(id);
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException or IOException)
            {
                Log.ReconcileFailed(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>
    /// The titles that have a job in the stream: entries not yet delivered to the group, and entries delivered but
    /// not acknowledged (a worker has them, or had them and died). Both sets are small: the backlog and one per worker.
    /// </summary>
    internal static async Task<HashSet<string>> TitlesWithJobsAsync(IDatabase db)
    {
        var titles = new HashSet<string>(StringComparer.Ordinal);
        if (!await db.KeyExistsAsync(TranscodeJobs.Stream))
        {
            return titles;
        }

        var group = (await db.StreamGroupInfoAsync(TranscodeJobs.Stream)).FirstOrDefault(g => g.Name == TranscodeJobs.Group);
        var undelivered = await db.StreamRangeAsync(TranscodeJobs.Stream, minId: group.Name is null ? "-" : "(" + group.LastDeliveredId, maxId: "+", count: 10_000);
        foreach (var entry in undelivered)
        {
            Add(entry);
        }

        if (group.Name is not null)
        {
            foreach (var pending in await db.StreamPendingMessagesAsync(TranscodeJobs.Stream, TranscodeJobs.Group, 1000, RedisValue.Null))
            {
                foreach (var entry in await db.StreamRangeAsync(TranscodeJobs.Stream, pending.MessageId, pending.MessageId))
                {
                    Add(entry);
                }
            }
        }

        return titles;

        void Add(StreamEntry entry)
        {
            if ((string?)entry[TranscodeJobs.TitleIdField] is { } id)
            {
                titles.Add(id);
            }
        }
    }

    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        await foreach (var id in _pending.Reader.ReadAllAsync(stoppingToken))
        {
            while (!await TryAddAsync(id))
            {
                await Task.Delay(RetryDelay, time, stoppingToken);
            }
        }
    }

    private async Task<bool> TryAddAsync(string titleId)
    {
        try
        {
            var db = redis.GetDatabase();
            await TranscodeJobs.EnsureGroupAsync(db);
            await db.StreamAddAsync(TranscodeJobs.Stream, TranscodeJobs.TitleIdField, titleId, maxLength: 100_000, useApproximateMaxLength: true);
            Log.Enqueued(logger, titleId);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.EnqueueFailed(logger, titleId, e.Message);
            return false;
        }
    }
}

internal static class JobQueueExtensions
{
    public static IServiceCollection AddJobQueue(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<JobOptions>(configuration, JobOptions.Section);
        services.AddSingleton<JobQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<JobQueue>());
        return services;
    }
}
