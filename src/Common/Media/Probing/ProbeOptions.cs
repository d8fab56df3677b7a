using System.ComponentModel.DataAnnotations;

namespace Vod.Common.Media.Probing;

public sealed class ProbeOptions
{
    public const string Section = "Probe";

    [Range(1, 7 * 24 * 3600)]
    public int MaxDurationSeconds { get; set; } = 6 * 3600;

    [Range(16, 16384)]
    public int MaxWidth { get; set; } = 7680;

    [Range(16, 16384)]
    public int MaxHeight { get; set; } = 4320;
}
