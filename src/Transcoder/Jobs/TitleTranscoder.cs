using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Transcoder.Packaging;
using Vod.Transcoder.Probing;
using Vod.Transcoder.Publishing;

namespace Vod.Transcoder.Jobs;

/// <summary>
/// One job: probe the upload, encode the ladder into staging, publish it as a new version, mark the title ready.
/// Returns whether the job is finished (acknowledge it) or must stay pending (the worker is stopping).
/// </summary>
internal sealed partial class TitleTranscoder(
    MediaStore store,
    StagingArea staging,
    LadderPackager packager,
    IOptions<ProbeOptions> probeOptions,
    TimeProvider time,
    ILogger<TitleTranscoder> logger)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <param name="claimed">True when the job was taken over from a dead worker rather than read fresh.</param>
    public async Task<bool> RunAsync(string titleId, bool claimed, CancellationToken cancellationToken)
    {
        var title = TitleId.IsValid(titleId) ? await store.ReadTitleAsync(titleId, cancellationToken) : null;
        if (title is null || title.Status is TitleStatus.Ready or TitleStatus.Failed)
        {
            return true; // deleted, or a duplicate of a job already done
        }

        if (title.Status == TitleStatus.Transcoding && !claimed)
        {
            return true; // a duplicate entry of a job another worker holds; its own entry stays pending if it dies
        }

        Log.Starting(logger, titleId, claimed);
        title = await UpdateAsync(title with { Status = TitleStatus.Transcoding, Progress = 0, Error = null });
        string? stagingDirectory = null;
        using var progressStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = new ProgressReporter();
        var progressLoop = Task.CompletedTask;
        try
        {
            if (!MediaPath.IsSafeSegment(title.Source))
            {
                throw new SourceRejectedException("the upload's file name is not valid");
            }

            var input = Path.Combine(store.Uploads, title.Source);
            if (!File.Exists(input))
            {
                throw new SourceRejectedException("the uploaded file is missing");
            }

            var source = await SourceProbe.ProbeAsync(input, probeOptions.Value, cancellationToken);
            stagingDirectory = staging.Create(titleId);
            progressLoop = WriteProgressAsync(titleId, progress, progressStop.Token);
            var renditions = await packager.PackageAsync(input, source, stagingDirectory, progress.Report, cancellationToken);
            await StopAsync(progressStop, progressLoop);

            var version = staging.Publish(titleId, stagingDirectory);
            stagingDirectory = null;
            if (version is null || await store.ReadTitleAsync(titleId, CancellationToken.None) is not { } current)
            {
                Log.DeletedMeanwhile(logger, titleId);
                return true;
            }

            await UpdateAsync(current with
            {
                Status = TitleStatus.Ready,
                Progress = 100,
                Version = version,
                Renditions = renditions,
                DurationSeconds = Math.Round(source.Duration.TotalSeconds, 3),
            });
            Log.Ready(logger, titleId, version, renditions.Count);
            return true;
        }
        catch (Exception e) when (e is SourceRejectedException or PackagingException or InvalidDataException)
        {
            await StopAsync(progressStop, progressLoop);
            Log.Failed(logger, titleId, e.Message);
            if (await store.ReadTitleAsync(titleId, CancellationToken.None) is { } current)
            {
                await UpdateAsync(current with { Status = TitleStatus.Failed, Error = e.Message });
            }

            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: hand the job back. Its entry stays pending and is claimed after the idle timeout.
            await StopAsync(progressStop, progressLoop);
            if (await store.ReadTitleAsync(titleId, CancellationToken.None) is { } current)
            {
                await UpdateAsync(current with { Status = TitleStatus.Queued, Progress = 0 });
            }

            return false;
        }
        finally
        {
            if (stagingDirectory is not null)
            {
                StagingArea.Discard(stagingDirectory);
            }
        }
    }

    private Task<Title> UpdateAsync(Title title) => UpdateCoreAsync(title with { UpdatedAt = time.GetUtcNow() });

    private async Task<Title> UpdateCoreAsync(Title title)
    {
        await store.WriteTitleAsync(title, CancellationToken.None);
        return title;
    }

    /// <summary>Writes progress to title.json at most once a second while ffmpeg runs, and only when it moved.</summary>
    private async Task WriteProgressAsync(string titleId, ProgressReporter progress, CancellationToken cancellationToken)
    {
        var written = 0;
        try
        {
            while (true)
            {
                await Task.Delay(ProgressInterval, time, cancellationToken);
                var percent = progress.Percent;
                if (percent > written && await store.ReadTitleAsync(titleId, cancellationToken) is { Status: TitleStatus.Transcoding } current)
                {
                    await UpdateAsync(current with { Progress = percent });
                    written = percent;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task StopAsync(CancellationTokenSource stop, Task loop)
    {
        await stop.CancelAsync();
        await loop;
    }

    /// <summary>The latest percentage from ffmpeg, capped at 99 until the title is really published.</summary>
    private sealed class ProgressReporter
    {
        private int _percent;

        public int Percent => Volatile.Read(ref _percent);

        public void Report(double percent) => Volatile.Write(ref _percent, Math.Clamp((int)percent, 0, 99));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Transcoding title {TitleId} (claimed from another worker: {Claimed})")]
        public static partial void Starting(ILogger logger, string titleId, bool claimed);

        [LoggerMessage(2, LogLevel.Information, "Title {TitleId} ready as {Version} with {Renditions} renditions")]
        public static partial void Ready(ILogger logger, string titleId, string version, int renditions);

        [LoggerMessage(3, LogLevel.Warning, "Title {TitleId} failed: {Reason}")]
        public static partial void Failed(ILogger logger, string titleId, string reason);

        [LoggerMessage(4, LogLevel.Information, "Title {TitleId} was deleted while transcoding; output dropped")]
        public static partial void DeletedMeanwhile(ILogger logger, string titleId);
    }
}
