using System.ComponentModel.DataAnnotations;

namespace Vod.Media.Probing;

public sealed class ProbeOptions
{
    public const string Section = "Probe";

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(6);

    [Range(16, 16384)]
    public int MaxWidth { get; set; } = 7680;

    [Range(16, 16384)]
    public int MaxHeight { get; set; } = 4320;
}
