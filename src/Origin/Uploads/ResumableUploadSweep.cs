using Microsoft.Extensions.Options;
using Vod.Storage;

namespace Vod.Origin.Uploads;

/// <summary>
/// Removes expired resumable uploads (their Redis state and their bytes in the store) every
/// <see cref="UploadOptions.SweepInterval"/>. Every origin sweeps; removing twice is harmless. An upload indexed as due
/// whose expiry was extended since (it received bytes) is indexed again instead.
/// </summary>
internal sealed class ResumableUploadSweep(
    ResumableUploads uploads,
    IPartialUploadStore store,
    IOptions<UploadOptions> options,
    TimeProvider time,
    ILogger<ResumableUploadSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.UploadSweepFailed(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass; returns how many uploads were removed.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var removed = 0;
        foreach (var id in await uploads.DueAsync(now))
        {
            var upload = await uploads.GetAsync(id);
            if (upload is not null && upload.ExpiresAt > now)
            {
                await uploads.ReindexAsync(upload);
                continue;
            }

            if (TusProtocol.IsUploadId(id))
            {
                await store.DeletePartialAsync(id, cancellationToken);
            }

            await uploads.DeleteAsync(id);
            if (upload is { TitleId: null })
            {
                Log.UploadExpired(logger, id, upload.Offset, upload.Length);
            }

            removed++;
        }

        return removed;
    }
}
