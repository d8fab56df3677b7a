using System.ComponentModel.DataAnnotations;

namespace Vod.Origin.Uploads;

internal sealed class UploadOptions
{
    public const string Section = "Uploads";

    /// <summary>The largest source file accepted, in bytes (default 20 GiB), through either upload path.</summary>
    [Range(1, long.MaxValue)]
    public long MaxBytes { get; set; } = 20L << 30;

    /// <summary>
    /// How long a resumable (tus) upload may sit without receiving bytes before it expires (<c>Upload-Expires</c>); each
    /// PATCH starts the period again. An expired upload's state and bytes are removed by the sweep.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan Expiry { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often each origin looks for expired resumable uploads.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}
