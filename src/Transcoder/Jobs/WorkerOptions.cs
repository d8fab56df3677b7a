using System.ComponentModel.DataAnnotations;

namespace Vod.Transcoder.Jobs;

internal sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>This worker's name in the consumer group. Default: host name and process id.</summary>
    public string? ConsumerName { get; set; }

    /// <summary>How long to wait between polls of an empty stream.</summary>
    [Range(10, 60_000)]
    public int PollMilliseconds { get; set; } = 500;

    /// <summary>A job pending this long without a keep-alive belongs to a dead worker and is claimed by another.</summary>
    [Range(1, 3600)]
    public int ClaimIdleSeconds { get; set; } = 60;

    /// <summary>Starts per title before it is marked failed (a worker killed mid-job counts as an attempt).</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;
}
