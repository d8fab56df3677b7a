using System.ComponentModel.DataAnnotations;

namespace Vod.Origin.Admin;

internal sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>The key admins send as <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    [Required, MinLength(16)]
    public string Key { get; set; } = "";

    /// <summary>Admin requests one client address may make per <see cref="RequestWindow"/>; more is 429.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerWindow { get; set; } = 120;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RequestWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Wrong keys one client address may present per <see cref="FailedWindow"/>. Once spent, every admin request
    /// from that address is 429 until the window ends, right key or not, so guessing learns nothing.
    /// </summary>
    [Range(1, 1_000_000)]
    public int FailedAttemptsPerWindow { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailedWindow { get; set; } = TimeSpan.FromMinutes(5);
}
