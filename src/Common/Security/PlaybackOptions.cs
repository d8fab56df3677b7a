using System.ComponentModel.DataAnnotations;

namespace Vod.Common.Security;

/// <summary>
/// Signed playback, read by the origin and every edge alike (<c>Playback__SigningKey</c>). Off while no signing key is
/// configured.
/// </summary>
public sealed class PlaybackOptions : IValidatableObject
{
    public const string Section = "Playback";
    public const int MinKeyLength = 32;

    /// <summary>The key new tokens are signed with. Null or empty: playback is not signed.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The key before the last rotation: still accepted when verifying, never used to sign.</summary>
    public string? PreviousSigningKey { get; set; }

    /// <summary>Optional end of the rotation grace period: after it, tokens signed with the previous key are refused.</summary>
    public DateTimeOffset? PreviousSigningKeyValidUntil { get; set; }

    /// <summary>
    /// How long a token minted by <c>/play</c> stays valid. A player reads the master playlist once and then fetches
    /// segments for as long as it plays (pauses included), so a token must outlive the longest title: 6 h, the
    /// longest source the probe accepts. A leaked URL is good for one title for at most this long.
    /// </summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(6);

    public bool Enabled => !string.IsNullOrEmpty(SigningKey);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(SigningKey) && SigningKey.Length < MinKeyLength)
        {
            yield return new ValidationResult($"Playback:SigningKey must be at least {MinKeyLength} characters", [nameof(SigningKey)]);
        }

        if (!string.IsNullOrEmpty(PreviousSigningKey) && PreviousSigningKey.Length < MinKeyLength)
        {
            yield return new ValidationResult($"Playback:PreviousSigningKey must be at least {MinKeyLength} characters", [nameof(PreviousSigningKey)]);
        }

        if (!string.IsNullOrEmpty(PreviousSigningKey) && !Enabled)
        {
            yield return new ValidationResult("Playback:PreviousSigningKey needs Playback:SigningKey", [nameof(PreviousSigningKey)]);
        }

        if (TokenLifetime <= TimeSpan.Zero || TokenLifetime > TimeSpan.FromDays(7))
        {
            yield return new ValidationResult("Playback:TokenLifetime must be between 0 and 7 days", [nameof(TokenLifetime)]);
        }
    }
}
