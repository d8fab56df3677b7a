namespace Vod.Transcoder;

/// <summary>
/// Every log message of this service in one place, each with an event id unique in the assembly and an event name
/// (as aspnetcore's OutputCaching keeps its messages in one LoggerExtensions.cs): a log line can be found from its id.
/// </summary>
internal static partial class Log
{
    // Jobs/TitleTranscoder.cs
    [LoggerMessage(1, LogLevel.Information, "Transcoding title {TitleId}, attempt {Attempt} of {MaxAttempts} (claimed from another worker: {Claimed})", EventName = "Starting")]
    public static partial void Starting(ILogger logger, string titleId, int attempt, int maxAttempts, bool claimed);

    [LoggerMessage(2, LogLevel.Information, "Title {TitleId} ready as {Version} with {Renditions} renditions", EventName = "Ready")]
    public static partial void Ready(ILogger logger, string titleId, string version, int renditions);

    [LoggerMessage(3, LogLevel.Warning, "Title {TitleId} failed: {Reason}", EventName = "Failed")]
    public static partial void Failed(ILogger logger, string titleId, string reason);

    [LoggerMessage(4, LogLevel.Information, "Title {TitleId} was deleted while transcoding; output dropped", EventName = "DeletedMeanwhile")]
    public static partial void DeletedMeanwhile(ILogger logger, string titleId);

    [LoggerMessage(5, LogLevel.Warning, "Progress of title {TitleId} not written: {Reason}", EventName = "ProgressNotWritten")]
    public static partial void ProgressNotWritten(ILogger logger, string titleId, string reason);

    [LoggerMessage(6, LogLevel.Warning, "Title {TitleId} attempt {Attempt} of {MaxAttempts} failed: {Reason}", EventName = "AttemptFailed")]
    public static partial void AttemptFailed(ILogger logger, string titleId, int attempt, int maxAttempts, string reason);

    // Jobs/TranscodeWorker.cs
    [LoggerMessage(7, LogLevel.Warning, "Job stream unavailable, retrying: {Reason}", EventName = "RedisUnavailable")]
    public static partial void RedisUnavailable(ILogger logger, string reason);

    [LoggerMessage(8, LogLevel.Error, "A job failed unexpectedly; it stays pending and will be claimed again", EventName = "JobCrashed")]
    public static partial void JobCrashed(ILogger logger, Exception exception);

    [LoggerMessage(9, LogLevel.Information, "Removed {Count} abandoned staging directories", EventName = "Swept")]
    public static partial void Swept(ILogger logger, int count);

    // Packaging/LadderPackager.cs
    [LoggerMessage(10, LogLevel.Warning, "No poster frame: {Reason}", EventName = "NoPoster")]
    public static partial void NoPoster(ILogger logger, string reason);

    [LoggerMessage(11, LogLevel.Information, "Encoding ladder [{Renditions}]: ffmpeg {Arguments}", EventName = "Encoding")]
    public static partial void Encoding(ILogger logger, string renditions, string arguments);

    [LoggerMessage(50, LogLevel.Information, "Per-title ladder from {Trials} trial encodes: {Rungs}", EventName = "PerTitleLadder")]
    public static partial void PerTitleLadder(ILogger logger, int trials, string rungs);

    // Jobs/TitleTranscoder.cs
    [LoggerMessage(12, LogLevel.Warning, "Title {TitleId} failed: the attempt ran past its time limit of {Limit} (Worker:MaxEncodeTime); ffmpeg was killed (the step ended with {Cause})", EventName = "TimedOut")]
    public static partial void TimedOut(ILogger logger, string titleId, TimeSpan limit, string cause);

    // Trickplay/SpriteSheets.cs
    [LoggerMessage(13, LogLevel.Warning, "No trick-play previews: {Reason}", EventName = "NoTrickplay")]
    public static partial void NoTrickplay(ILogger logger, string reason);

    [LoggerMessage(40, LogLevel.Information, "Removed {Count} unreferenced objects from the media store", EventName = "StoreSwept")]
    public static partial void StoreSwept(ILogger logger, int count);

    [LoggerMessage(41, LogLevel.Warning, "Sweeping the media store failed: {Reason}", EventName = "StoreSweepFailed")]
    public static partial void StoreSweepFailed(ILogger logger, string reason);

    [LoggerMessage(42, LogLevel.Warning, "Title {TitleId}: the media store is unavailable ({Reason}); the job is left for a retry after the claim timeout", EventName = "StoreUnavailable")]
    public static partial void StoreUnavailable(ILogger logger, string titleId, string reason);

    // Packaging/LadderPackager.cs (AV1)
    [LoggerMessage(60, LogLevel.Warning, "Ladder:Codecs has av1 but the source's frame rate is unknown: the AV1 keyframes could not be placed on segment boundaries, so this title gets its H.264 renditions only", EventName = "NoAv1WithoutFrameRate")]
    public static partial void NoAv1WithoutFrameRate(ILogger logger);

    // Subtitles/SubtitleExtractor.cs
    [LoggerMessage(43, LogLevel.Warning, "A subtitle stream ({Codec}) of the source is left out: {Reason}", EventName = "SubtitleSkipped")]
    public static partial void SubtitleSkipped(ILogger logger, string codec, string reason);

    // Ladder/PerTitle/ComplexityPass.cs
    [LoggerMessage(44, LogLevel.Information, "Per-title complexity pass: {Trials} trial points ({Heights} heights x {Crfs} CRFs, fixed top rung's reference: {Reference}; {SampleSeconds} s of samples) in {Elapsed}", EventName = "ComplexityMeasured")]
    public static partial void ComplexityMeasured(ILogger logger, int trials, int heights, int crfs, bool reference, double sampleSeconds, TimeSpan elapsed);
}
