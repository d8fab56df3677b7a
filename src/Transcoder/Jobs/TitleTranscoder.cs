using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Common.Media.Probing;
using Vod.Transcoder.Packaging;
using Vod.Transcoder.Publishing;

namespace Vod.Transcoder.Jobs;

/// <summary>What the worker does with a job's stream entry once <see cref="TitleTranscoder.RunAsync"/> returns.</summary>
internal enum JobOutcome
{
    /// <summary>Ready, failed for good, deleted or a duplicate: acknowledge it.</summary>
    Finished,

    /// <summary>Failed for a reason that may pass (ffmpeg crashed, disk full): enqueue it again, then acknowledge.</summary>
    Retry,

    /// <summary>The worker is stopping: leave the entry pending, another worker claims it after the idle timeout.</summary>
    HandBack,
}

/// <summary>
/// One job: probe the upload, encode the ladder into staging, publish it as a new version, mark the title ready.
/// Every start counts as an attempt, including one whose worker was killed; a title that has used up
/// <see cref="WorkerOptions.MaxAttempts"/> is marked failed with the last reason instead of being tried again
/// (a poison input must not take workers down forever). An input that is not a video fails at once.
/// </summary>
internal sealed partial class TitleTranscoder(
    MediaStore store,
    StagingArea staging,
    LadderPackager packager,
    IOptions<ProbeOptions> probeOptions,
    IOptions<WorkerOptions> workerOptions,
    TimeProvider time,
    ILogger<TitleTranscoder> logger)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <param name="claimed">True when the job was taken over from a dead worker rather than read fresh.</param>
    public async Task<JobOutcome> RunAsync(string titleId, bool claimed, CancellationToken cancellationToken)
    {
        var title = TitleId.IsValid(titleId) ? await store.ReadTitleAsync(titleId, cancellationToken) : null;
        if (title is null || title.Status is TitleStatus.Ready or TitleStatus.Failed)
        {
            return JobOutcome.Finished; // deleted, or a duplicate of a job already done
        }

        if (title.Status == TitleStatus.Transcoding && !claimed)
        {
            return JobOutcome.Finished; // a duplicate entry of a job another worker holds; its own entry stays pending if it dies
        }

        var maxAttempts = workerOptions.Value.MaxAttempts;
        if (title.Attempts >= maxAttempts)
        {
            var reason = $"gave up after {title.Attempts} attempts" + (title.Error is { } last ? $"; last error: {last}" : "; the transcoder stopped each time");
            Log.Failed(logger, titleId, reason);
            await UpdateAsync(title with { Status = TitleStatus.Failed, Error = reason });
            return JobOutcome.Finished;
        }

        Log.Starting(logger, titleId, title.Attempts + 1, maxAttempts, claimed);
        title = await UpdateAsync(title with { Status = TitleStatus.Transcoding, Progress = 0, Attempts = title.Attempts + 1 });
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
            progressLoop = WriteProgressAsync(titleId, stagingDirectory, progress, progressStop.Token);
            var renditions = await packager.PackageAsync(input, source, stagingDirectory, progress.Report, cancellationToken);
            var poster = await packager.ExtractPosterAsync(input, source, stagingDirectory, cancellationToken);
            await StopAsync(progressStop, progressLoop);

            var version = staging.Publish(titleId, stagingDirectory);
            stagingDirectory = null;
            if (version is null || await store.ReadTitleAsync(titleId, CancellationToken.None) is not { } current)
            {
                Log.DeletedMeanwhile(logger, titleId);
                return JobOutcome.Finished;
            }

            await UpdateAsync(current with
            {
                Status = TitleStatus.Ready,
                Progress = 100,
                Error = null,
                Version = version,
                Renditions = renditions,
                Poster = poster,
                DurationSeconds = Math.Round(source.Duration.TotalSeconds, 3),
            });
            Log.Ready(logger, titleId, version, renditions.Count);
            return JobOutcome.Finished;
        }
        catch (SourceRejectedException e)
        {
            await StopAsync(progressStop, progressLoop);
            stagingDirectory = Discard(stagingDirectory);
            Log.Failed(logger, titleId, e.Message);
            await SetStatusAsync(titleId, TitleStatus.Failed, e.Message);
            return JobOutcome.Finished;
        }
        catch (Exception e) when (e is PackagingException or InvalidDataException or IOException)
        {
            await StopAsync(progressStop, progressLoop);
            var reason = MediaStore.IsDiskFull(e) || StagingArea.IsNearlyFull(store.Staging) ? LadderPackager.OutOfSpace : e.Message;
            stagingDirectory = Discard(stagingDirectory); // before the status write: on a full disk, it frees the space that needs
            var final = title.Attempts >= maxAttempts;
            Log.AttemptFailed(logger, titleId, title.Attempts, maxAttempts, reason);
            await SetStatusAsync(titleId, final ? TitleStatus.Failed : TitleStatus.Queued,
                final ? $"gave up after {title.Attempts} attempts; last error: {reason}" : reason);
            return final ? JobOutcome.Finished : JobOutcome.Retry;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: hand the job back, and the attempt with it (it was not the title's fault).
            await StopAsync(progressStop, progressLoop);
            if (await store.ReadTitleAsync(titleId, CancellationToken.None) is { } current)
            {
                await UpdateAsync(current with { Status = TitleStatus.Queued, Progress = 0, Attempts = Math.Max(0, current.Attempts - 1) });
            }

            return JobOutcome.HandBack;
        }
        finally
        {
            if (stagingDirectory is not null)
            {
                StagingArea.Discard(stagingDirectory);
            }
        }
    }

    private static string? Discard(string? stagingDirectory)
    {
        if (stagingDirectory is not null)
        {
            StagingArea.Discard(stagingDirectory);
        }

        return null;
    }

    private async Task SetStatusAsync(string titleId, TitleStatus status, string error)
    {
        if (await store.ReadTitleAsync(titleId, CancellationToken.None) is { } current)
        {
            await UpdateAsync(current with { Status = status, Error = error, Progress = 0 });
        }
    }

    private async Task<Title> UpdateAsync(Title title)
    {
        title = title with { UpdatedAt = time.GetUtcNow() };
        await store.WriteTitleAsync(title, CancellationToken.None);
        return title;
    }

    /// <summary>
    /// Once a second while ffmpeg runs: writes progress to title.json when it moved, and touches the staging
    /// directory, which tells the staging sweeper of every worker that this directory is alive.
    /// </summary>
    private async Task WriteProgressAsync(string titleId, string stagingDirectory, ProgressReporter progress, CancellationToken cancellationToken)
    {
        var written = 0;
        try
        {
            while (true)
            {
                await Task.Delay(ProgressInterval, time, cancellationToken);
                StagingArea.Touch(stagingDirectory, time.GetUtcNow());
                var percent = progress.Percent;
                try
                {
                    if (percent > written && await store.ReadTitleAsync(titleId, cancellationToken) is { Status: TitleStatus.Transcoding } current)
                    {
                        await UpdateAsync(current with { Progress = percent });
                        written = percent;
                    }
                }
                catch (IOException e)
                {
                    Log.ProgressNotWritten(logger, titleId, e.Message); // progress is best effort; the encode goes on
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
}
