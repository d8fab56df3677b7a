using System.ComponentModel.DataAnnotations;

namespace Vod.Origin.Jobs;

internal sealed class JobOptions
{
    public const string Section = "Jobs";

    /// <summary>
    /// A title left <c>transcoding</c> without an update for this long has no live worker (transcoders write
    /// progress every second); when the job stream may have been lost, it is queued again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan StaleTranscodingAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How often the catalog is checked against the job stream: a title <c>queued</c> for longer than this with no
    /// entry in the stream (its enqueue was lost: the origin that took the upload died before Redis had the job, or a
    /// Redis failover dropped it) is enqueued again. Zero (<c>00:00:00</c>) turns the check off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(15);
}
