using System.Threading.Channels;
using StackExchange.Redis;
using Vod.Common.Catalog;
using Vod.Common.Jobs;

namespace Vod.Origin.Jobs;

/// <summary>
/// Puts transcode jobs on the Redis Stream. An enqueue never fails the upload: the title is already safe on disk
/// with status <c>queued</c>, and this queue keeps retrying until Redis takes the job. At start-up every title
/// still <c>queued</c> on disk is enqueued again, so a lost stream (Redis wiped) loses no title; a duplicate job is
/// harmless because the transcoder skips titles that are no longer queued.
/// </summary>
internal sealed partial class JobQueue(
    IConnectionMultiplexer redis,
    MediaStore store,
    ILogger<JobQueue> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly Channel<string> _pending = Channel.CreateUnbounded<string>();

    public void Enqueue(string titleId) => _pending.Writer.TryWrite(titleId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var title in await store.ListTitlesAsync(stoppingToken))
        {
            if (title.Status == TitleStatus.Queued)
            {
                Enqueue(title.Id);
            }
        }

        await foreach (var id in _pending.Reader.ReadAllAsync(stoppingToken))
        {
            while (!await TryAddAsync(id))
            {
                await Task.Delay(RetryDelay, stoppingToken);
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

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Enqueued transcode job for title {TitleId}")]
        public static partial void Enqueued(ILogger logger, string titleId);

        [LoggerMessage(2, LogLevel.Warning, "Could not enqueue title {TitleId} yet, will retry: {Reason}")]
        public static partial void EnqueueFailed(ILogger logger, string titleId, string reason);
    }
}

internal static class JobQueueExtensions
{
    public static IServiceCollection AddJobQueue(this IServiceCollection services)
    {
        services.AddSingleton<JobQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<JobQueue>());
        return services;
    }
}
