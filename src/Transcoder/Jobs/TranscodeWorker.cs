using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vod.Common.Jobs;
using Vod.Storage;
using Vod.Transcoder.Publishing;

namespace Vod.Transcoder.Jobs;

/// <summary>
/// Reads the job stream as one consumer of the <see cref="TranscodeJobs.Group"/> group. New jobs come first; when
/// there are none, a job left pending by a dead worker for <see cref="WorkerOptions.ClaimIdle"/> is claimed
/// (XAUTOCLAIM). While a job runs its claim is renewed, so a long encode is not taken over by another worker.
/// A job is acknowledged once its title is ready or failed; a worker stopped mid-job leaves it pending.
/// </summary>
internal sealed partial class TranscodeWorker(
    IConnectionMultiplexer redis,
    TitleTranscoder transcoder,
    StagingArea staging,
    IMediaStore store,
    IOptions<MediaStoreOptions> mediaOptions,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<TranscodeWorker> logger) : BackgroundService
{
    private readonly string _consumer = options.Value.ConsumerName ?? $"{Environment.MachineName}-{Environment.ProcessId}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = options.Value.PollInterval;
        var groupReady = false;
        var nextSweep = DateTimeOffset.MinValue;
        var nextStoreSweep = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (time.GetUtcNow() >= nextSweep)
            {
                // Leftovers of workers that died mid-job: untouched for twice the claim timeout.
                var idle = 2 * options.Value.ClaimIdle;
                if (staging.Sweep(idle) is > 0 and var removed)
                {
                    Log.Swept(logger, removed);
                }

                nextSweep = time.GetUtcNow() + idle;
            }

            if (time.GetUtcNow() >= nextStoreSweep)
            {
                // What the store holds that no catalog entry references (a remote store's half-published versions).
                var after = mediaOptions.Value.SweepAfter;
                nextStoreSweep = time.GetUtcNow() + after / 2;
                try
                {
                    if (await store.SweepAsync(after, stoppingToken) is > 0 and var removed)
                    {
                        Log.StoreSwept(logger, removed);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.StoreSweepFailed(logger, e.Message);
                }
            }

            try
            {
                var db = redis.GetDatabase();
                if (!groupReady)
                {
                    await TranscodeJobs.EnsureGroupAsync(db);
                    groupReady = true;
                }

                var (entry, claimed) = await NextAsync(db);
                if (entry is not { } job)
                {
                    await Task.Delay(poll, time, stoppingToken);
                    continue;
                }

                await RunAsync(db, job, claimed, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                groupReady = false;
                Log.RedisUnavailable(logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Whatever went wrong (a disk that cannot even take title.json), the worker lives on: the job's entry
                // stays pending, is claimed again after the idle timeout, and counts against the title's attempts.
                Log.JobCrashed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    private async Task<(StreamEntry? Entry, bool Claimed)> NextAsync(IDatabase db)
    {
        var fresh = await db.StreamReadGroupAsync(TranscodeJobs.Stream, TranscodeJobs.Group, _consumer, StreamPosition.NewMessages, count: 1);
        if (fresh.Length > 0)
        {
            return (fresh[0], false);
        }

        var idleMilliseconds = (long)options.Value.ClaimIdle.TotalMilliseconds;
        var claimed = await db.StreamAutoClaimAsync(TranscodeJobs.Stream, TranscodeJobs.Group, _consumer, idleMilliseconds, "0-0", count: 1);
        return claimed.ClaimedEntries.Length > 0 ? (claimed.ClaimedEntries[0], true) : (null, false);
    }

    private async Task RunAsync(IDatabase db, StreamEntry entry, bool claimed, CancellationToken stoppingToken)
    {
        var titleId = (string?)entry[TranscodeJobs.TitleIdField];
        using var keepAlive = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = RenewClaimAsync(db, entry.Id, keepAlive.Token);
        JobOutcome outcome;
        try
        {
            outcome = titleId is null ? JobOutcome.Finished : await transcoder.RunAsync(titleId, claimed, stoppingToken);
        }
        finally
        {
            await keepAlive.CancelAsync();
            await renewing;
        }

        if (outcome == JobOutcome.Retry)
        {
            // A fresh entry, so the retry goes to whichever worker is free (maybe on another machine).
            await db.StreamAddAsync(TranscodeJobs.Stream, TranscodeJobs.TitleIdField, titleId);
        }

        if (outcome != JobOutcome.HandBack)
        {
            await db.StreamAcknowledgeAsync(TranscodeJobs.Stream, TranscodeJobs.Group, entry.Id);
        }
    }

    /// <summary>Resets the entry's idle time every third of the claim timeout (XCLAIM to itself).</summary>
    private async Task RenewClaimAsync(IDatabase db, RedisValue id, CancellationToken cancellationToken)
    {
        var every = options.Value.ClaimIdle / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, time, cancellationToken);
                try
                {
                    await db.StreamClaimIdsOnlyAsync(TranscodeJobs.Stream, TranscodeJobs.Group, _consumer, 0, [id]);
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    Log.RedisUnavailable(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
