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
}
