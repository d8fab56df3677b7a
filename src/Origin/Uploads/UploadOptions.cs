using System.ComponentModel.DataAnnotations;

namespace Vod.Origin.Uploads;

internal sealed class UploadOptions
{
    public const string Section = "Uploads";

    /// <summary>The largest source file accepted, in bytes (default 20 GiB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxBytes { get; set; } = 20L << 30;
}
