using System.ComponentModel.DataAnnotations;

namespace Vod.Common.Fleet;

/// <summary>
/// <c>Fleet:Key</c>, set alike on every origin and edge (<c>Fleet__Key</c>). While it is not set, announcements are
/// unsigned and the origin trusts any entry that passes the id and URL rules (it says so in a warning at start).
/// </summary>
public sealed class FleetKeyOptions : IValidatableObject
{
    public const string Section = "Fleet";

    /// <summary>The shared secret, at least <see cref="FleetKey.MinLength"/> characters; null or empty: unsigned.</summary>
    public string? Key { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(Key) && Key.Length < FleetKey.MinLength)
        {
            yield return new ValidationResult($"Fleet:Key must be at least {FleetKey.MinLength} characters", [nameof(Key)]);
        }
    }
}
