using System.ComponentModel.DataAnnotations;

namespace Vod.Origin.Steering;

internal sealed class SteeringOptions
{
    public const string Section = "Steering";

    /// <summary>How long a player keeps a steering answer before asking again: short, so a dead edge is left within seconds.</summary>
    [Range(1, 3600)]
    public int TtlSeconds { get; set; } = 5;
}
