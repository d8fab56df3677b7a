using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Media.Probing;
using Vod.Storage;
using Vod.Transcoder.Packaging;
using Vod.Transcoder.Publishing;
using Vod.Transcoder.Subtitles;
using Vod.Transcoder.Trickplay;

namespace Vod.Transcoder.Jobs;

/// <summary>
/// One job: probe the upload, encode the ladder into staging (with trick-play sheets and the source's subtitle tracks), publish it as a new version, mark the title ready.
/// Every start counts as an attempt, including one whose worker was killed; a title that has used up
/// <see cref="WorkerOptions.MaxAttempts"/> is marked failed with the last reason instead of being tried again
/// (a poison input must not take workers down forever). An input that is not a video fails at once, and so does an
/// attempt that runs past its wall-clock limit (<see cref="WorkerOptions.EncodeTimeLimit"/>): ffmpeg is killed and the
/// staging output removed.
/// </summary>
internal sealed partial class TitleTranscoder(
    IMediaStore store,
    StagingArea staging,
    LadderPackager packager,
    SpriteSheets spriteSheets,
    SubtitleExtractor subtitles,
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
        var maxAttempts = workerOptions.Value.MaxAttempts;
        if (title is null)
        {
            return JobOutcome.Finished; // deleted: a job for nothing
        }

        if (JobDecisions.BeforeStart(title, claimed, maxAttempts) is { } skip)
        {
            if (skip.Status is { } status)
            {
                Log.Failed(logger, titleId, skip.Error ?? "");
                await UpdateAsync(title with { Status = status, Error = skip.Error });
            }

            return skip.Outcome;
        }

        Log.Starting(logger, titleId, title.Attempts + 1, maxAttempts, claimed);
        title = await UpdateAsync(title with { Status = TitleStatus.Transcoding, Progress = 0, Attempts = title.Attempts + 1 });
        string? stagingDirectory = null;

        // The attempt's wall-clock limit: until the probe knows the duration, the configured limit or the derived floor.
        // Cancelling kills ffmpeg (FFMpegCore's CancellableThrough); the attempt then fails for good (AttemptEnd.TimedOut).
        var started = time.GetTimestamp();
        var limit = workerOptions.Value.EncodeTimeLimit(TimeSpan.Zero);
        using var deadline = new CancellationTokenSource(limit, time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var progressStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = new ProgressReporter();
        var progressLoop = Task.CompletedTask;
        try
        {
            if (!MediaPath.IsSafeSegment(title.Source))
            {
                throw new SourceRejectedException("the upload's file name is not valid");
            }

            // The job's staging directory holds the source (downloaded when the store is remote) and the ladder.
            stagingDirectory = staging.Create(titleId);
            using var source = await store.FetchSourceAsync(title.Source, stagingDirectory, attempt.Token)
                ?? throw new SourceRejectedException("the uploaded file is missing");
            var input = source.Path;

            var probe = await SourceProbe.ProbeAsync(input, probeOptions.Value, attempt.Token);
            limit = workerOptions.Value.EncodeTimeLimit(probe.Duration);
            deadline.CancelAfter(TimeSpan.FromTicks(Math.Max(1, (limit - time.GetElapsedTime(started)).Ticks)));
            var ladder = StagingArea.CreateLadder(stagingDirectory);
            progressLoop = WriteProgressAsync(titleId, stagingDirectory, progress, progressStop.Token);
            var packaged = await packager.PackageAsync(input, probe, ladder, stagingDirectory, progress.Report, attempt.Token);
            var poster = await packager.ExtractPosterAsync(input, probe, ladder, attempt.Token);
            attempt.Token.ThrowIfCancellationRequested(); // a poster cut off by the limit is no poster, but the limit still holds
            // The title lasts as long as its longest packaged track (see PackagedLadder.DurationSeconds).
            var duration = TimeSpan.FromSeconds(Math.Round(Math.Max(probe.Duration.TotalSeconds, packaged.DurationSeconds), 3));
            var trickplay = await spriteSheets.MakeForLadderAsync(packaged.Renditions, duration, ladder, attempt.Token);
            var subtitleTracks = await subtitles.ExtractAsync(input, probe, duration, ladder, stagingDirectory, attempt.Token);
            await StopAsync(progressStop, progressLoop);

            // The store consumes the ladder directory, published or dropped (the title deleted meanwhile).
            var version = await store.PublishAsync(titleId, ladder, attempt.Token);
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
                Renditions = packaged.Renditions,
                Audio = packaged.Audio,
                Subtitles = subtitleTracks,
                Poster = poster,
                Trickplay = trickplay,
                DurationSeconds = duration.TotalSeconds,
            });
            Log.Ready(logger, titleId, version, packaged.Renditions.Count);
            return JobDecisions.AfterAttempt(AttemptEnd.Ready, title.Attempts, maxAttempts).Outcome;
        }
        catch (Exception e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Past the limit, whatever the killed ffmpeg or ffprobe made the step throw (cancelled, a failed exit, a
            // truncated output that does not parse), the cause is the limit.
            await StopAsync(progressStop, progressLoop);
            stagingDirectory = Discard(stagingDirectory);
            var reason = $"the encode ran past its time limit of {limit:c} and was stopped";
            Log.TimedOut(logger, titleId, limit, e.GetType().Name);
            return await ApplyAsync(titleId, JobDecisions.AfterAttempt(AttemptEnd.TimedOut, title.Attempts, maxAttempts, reason));
        }
        catch (SourceRejectedException e)
        {
            await StopAsync(progressStop, progressLoop);
            stagingDirectory = Discard(stagingDirectory);
            Log.Failed(logger, titleId, e.Message);
            return await ApplyAsync(titleId, JobDecisions.AfterAttempt(AttemptEnd.Rejected, title.Attempts, maxAttempts, e.Message));
        }
        catch (Exception e) when (e is PackagingException or InvalidDataException or IOException)
        {
            await StopAsync(progressStop, progressLoop);
            // The title's error is public: .NET's I/O messages name server paths, so they go to the log only.
            var reason = MediaScratch.IsDiskFull(e) || StagingArea.IsNearlyFull(store.Scratch.Staging) ? LadderPackager.OutOfSpace
                : e is IOException ? "an I/O error while writing the ladder (details in the transcoder's log)"
                : e.Message;
            stagingDirectory = Discard(stagingDirectory); // before the status write: on a full disk, it frees the space that needs
            Log.AttemptFailed(logger, titleId, title.Attempts, maxAttempts, e.Message);
            return await ApplyAsync(titleId, JobDecisions.AfterAttempt(AttemptEnd.Failed, title.Attempts, maxAttempts, reason));
        }
        catch (Exception e) when (MediaStoreErrors.IsUnavailable(e) && !cancellationToken.IsCancellationRequested)
        {
            // The remote store did not answer (fetching the source, publishing, or writing the title): nothing can be
            // written to say so. The entry stays pending and is claimed again after the idle timeout; what was uploaded
            // of this version is referenced by nothing and swept.
            await StopAsync(progressStop, progressLoop);
            stagingDirectory = Discard(stagingDirectory);
            Log.StoreUnavailable(logger, titleId, e.Message);
            return JobOutcome.HandBack;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: hand the job back, and the attempt with it (it was not the title's fault).
            await StopAsync(progressStop, progressLoop);
            return await ApplyAsync(titleId, JobDecisions.AfterAttempt(AttemptEnd.Stopped, title.Attempts, maxAttempts));
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

    /// <summary>Writes the decision into the title as it is now on disk (it may have been deleted meanwhile).</summary>
    private async Task<JobOutcome> ApplyAsync(string titleId, JobDecision decision)
    {
        if (decision.Status is { } status && await store.ReadTitleAsync(titleId, CancellationToken.None) is { } current)
        {
            await UpdateAsync(current with
            {
                Status = status,
                Error = decision.RefundAttempt ? current.Error : decision.Error,
                Progress = 0,
                Attempts = decision.RefundAttempt ? Math.Max(0, current.Attempts - 1) : current.Attempts,
            });
        }

        return decision.Outcome;
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
