using System.ComponentModel.DataAnnotations;

namespace Vod.Transcoder.Jobs;

internal sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>This worker's name in the consumer group. Default: host name and process id.</summary>
    public string? ConsumerName { get; set; }

    /// <summary>How long to wait between polls of an empty stream.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A job pending this long without a keep-alive belongs to a dead worker and is claimed by another.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimIdle { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Starts per title before it is marked failed (a worker killed mid-job counts as an attempt).</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// The wall-clock limit of one attempt (probe, ladder, poster); past it ffmpeg is killed and the title fails. Unset:
    /// <see cref="EncodeTimeLimit"/> derives it from the source's duration.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan? MaxEncodeTime { get; set; }

    /// <summary>The derived limit's floor: short sources still get time to start ffmpeg on a busy machine.</summary>
    public static readonly TimeSpan MinDerivedEncodeTime = TimeSpan.FromMinutes(10);

    /// <summary>The derived limit's ceiling, as for <see cref="MaxEncodeTime"/> (well inside a timer's 49 days).</summary>
    public static readonly TimeSpan MaxDerivedEncodeTime = TimeSpan.FromDays(30);

    /// <summary>
    /// The derived limit in source durations. The default preset keeps a 2-core machine near real time for a 1080p
    /// ladder (see <c>LadderOptions.Preset</c>); 8× covers two workers sharing it, a 4K source's decode and a slower
    /// disk. What the limit stops is an input whose encode does not end, such as a container that claims seconds and
    /// decodes for hours: there the 10-minute floor applies.
    /// </summary>
    public const int DerivedEncodeTimePerSourceSecond = 8;

    /// <summary>
    /// <see cref="MaxEncodeTime"/> when set; else 8× the source's duration, between 10 minutes and 30 days (a 6 h
    /// source, the probe's default limit, gets 48 h).
    /// </summary>
    public TimeSpan EncodeTimeLimit(TimeSpan sourceDuration) =>
        MaxEncodeTime ?? TimeSpan.FromSeconds(Math.Clamp(
            sourceDuration.TotalSeconds * DerivedEncodeTimePerSourceSecond, MinDerivedEncodeTime.TotalSeconds, MaxDerivedEncodeTime.TotalSeconds));
}
