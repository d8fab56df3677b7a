using System.ComponentModel.DataAnnotations;

namespace Vod.Origin.Admin;

internal sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>The key admins send as <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    [Required, MinLength(16)]
    public string Key { get; set; } = "";

    /// <summary>Admin requests one client address may make per <see cref="RequestWindowSeconds"/>; more is 429.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerWindow { get; set; } = 120;

    [Range(1, 86_400)]
    public int RequestWindowSeconds { get; set; } = 60;

    /// <summary>
    /// Wrong keys one client address may present per <see cref="FailedWindowSeconds"/>. Once spent, every admin request
    /// from that address is 429 until the window ends, right key or not, so guessing learns nothing.
    /// </summary>
    [Range(1, 1_000_000)]
    public int FailedAttemptsPerWindow { get; set; } = 10;

    [Range(1, 86_400)]
    public int FailedWindowSeconds { get; set; } = 300;
}
