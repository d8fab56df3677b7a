using System.ComponentModel.DataAnnotations;

namespace Vod.Origin.Purge;

internal sealed class PurgeOptions
{
    public const string Section = "Purge";

    /// <summary>
    /// How long a delete or purge waits for every live edge to acknowledge it before answering 202 (pending) instead of
    /// 204/200. The purge is recorded either way: an edge that has not acknowledged it replays it when it reads on.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan AckWait { get; set; } = TimeSpan.FromSeconds(2);
}
