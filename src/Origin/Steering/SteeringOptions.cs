using System.ComponentModel.DataAnnotations;

namespace Vod.Origin.Steering;

internal sealed class SteeringOptions
{
    public const string Section = "Steering";

    /// <summary>
    /// How long a player keeps a steering answer before asking again: short, so a dead edge is left within seconds.
    /// The manifest carries it in whole seconds (a fraction is dropped).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(5);
}
