using System.ComponentModel.DataAnnotations;

namespace Vod.Transcoder.Ladder;

/// <summary>One rung of the configured ladder: a target height and video bitrate.</summary>
internal sealed class RungOptions
{
    [Required, RegularExpression("^[a-z0-9]{1,16}$")]
    public string Name { get; set; } = "";

    [Range(64, 4320)]
    public int Height { get; set; }

    [Range(50, 100_000)]
    public int VideoKbps { get; set; }
}
